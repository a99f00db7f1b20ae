#!/usr/bin/env python3
"""schema_doc.py REGISTRY DOC: holds docs/log-schema.md (DOC) against the event registry (REGISTRY:
what tests/repo/list_events.c prints), printing one line per problem; exits 1 if any.

The doc has a section "## Fields in every record" and one "## `NAME` ..." per event, each naming
its fields in backquotes (mostly in a table whose first column holds them). Checked:
- every event in the registry has its section, and every "## `NAME`" section is a registry event;
- every field of an event (nested ones included) is named in backquotes in the event's section,
  and every field common to all records in "Fields in every record";
- the other way: every name in backquotes in the first column of a section's table is a field of
  that event (or common to all records);
- the common section's `event` row lists exactly the registry's events, and its `stage` row every
  stage that writes one; an event written by one stage only says so in its heading."""
import re
import sys

registry_path, doc_path = sys.argv[1], sys.argv[2]
problems = []

events, fields = {}, {}  # event -> [stages]; event ("*": common) -> {(parent, name)}
for line in open(registry_path, encoding="utf-8").read().splitlines():
    parts = line.split("\t")
    if parts[0] == "event":
        events[parts[1]] = parts[2].split(",")
    elif parts[0] == "field":
        fields.setdefault(parts[1], set()).add((None if parts[2] == "-" else parts[2], parts[3]))
if not events or "*" not in fields:
    sys.exit(f"{registry_path}: no events or no common fields: is it list_events' output?")

COMMON = "Fields in every record"
sections, heading, current = {}, {}, None
for line in open(doc_path, encoding="utf-8").read().splitlines():
    if line.startswith("## "):
        title = line[3:].strip()
        m = re.match(r"`([a-z_]+)`", title)
        current = m.group(1) if m else ("*" if title == COMMON else None)
        if current:
            sections[current], heading[current] = [], title
    elif line.startswith("# "):
        current = None
    elif current:
        sections[current].append(line)

def quoted_words(lines):
    """Every identifier inside a backquoted span: `a`, `{pid, name}` and `a.b` all count."""
    return {w for span in re.findall(r"`([^`]*)`", "\n".join(lines)) for w in re.findall(r"[A-Za-z0-9_]+", span)}

def first_column_names(lines):
    names = set()
    for line in lines:
        cells = line.split("|")
        if line.startswith("|") and len(cells) > 2 and not set(cells[1].strip()) <= set("-: "):
            names |= set(re.findall(r"`([A-Za-z0-9_]+)`", cells[1]))
    return names

def row(lines, field):
    return next((l for l in lines if l.startswith(f"| `{field}` |")), "")

if "*" not in sections:
    problems.append(f'{doc_path}: no "## {COMMON}" section')
for event, stages in events.items():
    if event not in sections:
        problems.append(f"{doc_path}: event {event}: no \"## `{event}`\" section")
    elif len(stages) == 1 and f"stage `{stages[0]}`" not in heading[event]:
        problems.append(f"{doc_path}: event {event}: the heading does not say it is written at stage `{stages[0]}`")
for name in sections:
    if name != "*" and name not in events:
        problems.append(f"{doc_path}: section `{name}` is not an event in the registry")

for event, lines in sections.items():
    known = fields.get(event, set()) | fields["*"]
    words = quoted_words(lines)
    what = "every record" if event == "*" else f"event {event}"
    for parent, name in sorted(fields.get(event, set()), key=lambda f: (f[0] or "", f[1])):
        if name not in words:
            problems.append(f"{doc_path}: {what}: field {parent + '.' if parent else ''}{name} is not documented")
    for name in sorted(first_column_names(lines) - {n for _, n in known}):
        problems.append(f"{doc_path}: {what}: documents field {name}, which the registry does not have")

if "*" in sections:
    listed = set(re.findall(r"`([a-z_]+)`", row(sections["*"], "event").split("|", 3)[-1]))
    for name in sorted(set(events) ^ listed):
        problems.append(f"{doc_path}: the `event` row {'misses' if name in events else 'lists'} event {name}")
    listed = set(re.findall(r"`([A-Za-z_]+)`", row(sections["*"], "stage").split("|", 3)[-1]))
    for stage in sorted({s for stages in events.values() for s in stages} - listed):
        problems.append(f"{doc_path}: the `stage` row misses stage {stage}")

print("\n".join(problems))
sys.exit(1 if problems else 0)
