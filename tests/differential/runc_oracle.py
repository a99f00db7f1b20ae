#!/usr/bin/env python3
"""runc is the oracle for how a config.json is read: duplicate keys, case-folded keys, env entries.

runc_oracle.py [--seed S] [--count N] [--build DIR] [--format tsv|human]

Each case is a config.json with process.args, process.env and the memory limit written in ways a
Go decoder accepts and a naive reader gets wrong: a key repeated ("env" twice, a second "process"
or "linux" object), a key in another case ("Env", "ARGS", "Process", "LIMIT", "arg\\u017f" with
U+017F LONG S), null over an earlier value, and NODE_OPTIONS= listed more than once. It is run by
real runc with a probe in place of node (a busybox shell script printing its argv, environment and
cgroup memory limit), and compared with:

  model:     differential.py's Go model (go_parse / Effective), which the node differential relies on;
  nodeguard: `nodeguard check --json` (the limit, NODE_OPTIONS and command-line heap flag it read);
  fix:       `nodeguard-hook precreate` in mode fix, its output run by runc again: the heap flag node
             would get (command line first, then NODE_OPTIONS) is the one nodeguard planned.

Needs root, runc and /bin/busybox (static). Python 3 standard library only.
"""
import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from differential import Dup, Effective, enc  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
MIB = 1024 * 1024
PROBE = """#!/bin/sh
printf 'ARGV:'; cat /proc/$$/cmdline; printf '\\nENV:'; cat /proc/$$/environ
printf '\\nLIMIT:'; cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max
"""

VARIANTS = {
    "process": ["process", "Process", "PROCESS", "proce\u017fs"],
    "env": ["env", "Env", "ENV", "eNv"],
    "args": ["args", "Args", "ARGS", "arg\u017f"],
    "linux": ["linux", "Linux"],
    "resources": ["resources", "Resources", "RESOURCES"],
    "memory": ["memory", "Memory"],
    "limit": ["limit", "Limit", "LIMIT"],
}
LIMITS = [128, 256, 512, 1024]
HEAPS = [64, 100, 300, 2048, 4096]


def name(rng, key):
    return key if rng.random() < 0.5 else rng.choice(VARIANTS[key])


def gen_env(rng):
    env = ["PATH=/usr/local/bin:/usr/bin:/bin"]
    for _ in range(rng.choice([0, 1, 1, 2, 3])):
        env.insert(rng.randrange(len(env) + 1), "NODE_OPTIONS=--max-old-space-size=%d" % rng.choice(HEAPS))
    if rng.random() < 0.3:
        env.append("OTHER=%d" % rng.randrange(100))
    return env


def gen_args(rng):
    args = ["/usr/local/bin/node"]  # absolute: an env of null leaves no PATH
    if rng.random() < 0.4:
        args.append("--max-old-space-size=%d" % rng.choice(HEAPS))
    return args + ["app.js"]


def gen_case(seed, i, base):
    """A config whose process, env, args and limit are each written once or more, in any case."""
    rng = random.Random("%s:%d" % (seed, i))
    doc = json.loads(json.dumps(base))
    pairs = [(k, v) for k, v in doc.items() if k not in ("process", "linux")]
    proc = [(k, v) for k, v in doc["process"].items() if k not in ("args", "env")]
    proc.insert(0, (name(rng, "args"), gen_args(rng)))
    proc.insert(1, (name(rng, "env"), gen_env(rng)))
    for _ in range(rng.choice([0, 1, 1, 2])):
        what = rng.choice(["env", "args", "env-null"])
        if what == "env-null":
            proc.append((name(rng, "env"), None))
        else:
            proc.append((name(rng, what), gen_env(rng) if what == "env" else gen_args(rng)))
    linux = dict(doc["linux"])
    res = dict(linux.pop("resources", {}))
    res.pop("memory", None)
    mem = [(name(rng, "limit"), rng.choice(LIMITS) * MIB)]
    if rng.random() < 0.4:
        mem.append((name(rng, "limit"), rng.choice(LIMITS) * MIB))
    res_pairs = list(res.items()) + [(name(rng, "memory"), Dup(mem))]
    linux_pairs = list(linux.items()) + [(name(rng, "resources"), Dup(res_pairs))]
    pairs.append((name(rng, "process"), Dup(proc)))
    if rng.random() < 0.3:  # a second process object naming only env or args: Go merges it
        what = rng.choice(["env", "args"])
        pairs.append((name(rng, "process"), Dup([(name(rng, what), gen_env(rng) if what == "env" else gen_args(rng))])))
    pairs.append((name(rng, "linux"), Dup(linux_pairs)))
    if rng.random() < 0.2:  # a second linux object with only a limit
        pairs.append((name(rng, "linux"), Dup([(name(rng, "resources"), Dup(
            [(name(rng, "memory"), Dup([(name(rng, "limit"), rng.choice(LIMITS) * MIB)]))]))])))
    return {"id": "%s:%d" % (seed, i), "text": enc(Dup(pairs))}


def heap_flag(values):
    """The last --max-old-space-size=N in a list of arguments (these cases write only that form)."""
    found = None
    for v in values:
        m = re.fullmatch(r"--max-old-space-size=(\d+)", v)
        if m:
            found = int(m.group(1))
    return found


class Runc:
    def __init__(self, build):
        self.cli = os.path.join(build, "nodeguard")
        self.hook = os.path.join(build, "nodeguard-hook")
        self.dir = tempfile.mkdtemp(prefix="nodeguard-runc-oracle.")
        rootfs = os.path.join(self.dir, "rootfs")
        for d in ("bin", "usr/bin", "usr/local/bin", "proc", "sys", "dev", "tmp"):
            os.makedirs(os.path.join(rootfs, d))
        shutil.copy("/bin/busybox", os.path.join(rootfs, "bin/busybox"))
        for tool in ("sh", "cat", "printf"):
            os.symlink("busybox", os.path.join(rootfs, "bin", tool))
        probe = os.path.join(rootfs, "usr/local/bin/node")
        with open(probe, "w") as f:
            f.write(PROBE)
        os.chmod(probe, 0o755)
        self.bundle = self.dir
        self.policy = os.path.join(self.dir, "policy.json")
        with open(self.policy, "w") as f:
            json.dump({"log_path": os.path.join(self.dir, "events.jsonl"), "mode": "fix", "record_oom": "off"}, f)
        self.n = 0

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def run(self, text):
        """What runc gives the process: {"args": [...] after argv[0], "env": {...}, "limit_mib": N}."""
        with open(os.path.join(self.bundle, "config.json"), "w") as f:
            f.write(text)
        self.n += 1
        cid = "ng-oracle-%d-%d" % (os.getpid(), self.n)
        p = subprocess.run(["runc", "run", "--bundle", self.bundle, cid], capture_output=True, timeout=60)
        subprocess.run(["runc", "delete", "-f", cid], capture_output=True)
        out = p.stdout
        m = re.search(rb"ARGV:(.*)\nENV:(.*)\nLIMIT:(\d+)", out, re.S)
        if p.returncode != 0 or not m:
            return {"error": "runc exit %d: %s" % (p.returncode, (p.stderr or out).decode(errors="replace")[-300:])}
        argv = m.group(1).split(b"\0")[:-1]
        env = {}
        for e in m.group(2).split(b"\0")[:-1]:
            k, _, v = e.decode().partition("=")
            env[k] = v
        env.pop("HOME", None)  # runc adds HOME when the config has none (no case here sets it)
        limit = int(m.group(3))
        # argv is the kernel's for a script: the interpreter, the script, then argv[1:]
        return {"args": [a.decode() for a in argv[2:]], "env": env,
                "limit_mib": limit // MIB if limit < (1 << 50) else None}

    def check(self, text):
        path = os.path.join(self.dir, "check.json")
        with open(path, "w") as f:
            f.write(text)
        p = subprocess.run([self.cli, "check", "--json", "--policy", self.policy, path], capture_output=True,
                           text=True, timeout=30)
        return json.loads(p.stdout)

    def precreate(self, text):
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "NODEGUARD_CONFIG": self.policy}
        p = subprocess.run([self.hook, "precreate"], input=text, capture_output=True, text=True, env=env,
                           timeout=30)
        return p.stdout


def evaluate(rc, case):
    text = case["text"]
    seen = rc.run(text)
    if "error" in seen:
        return ["runc: " + seen["error"]]
    fails = []
    eff = Effective(text)
    model = {"args": eff.args[1:], "env": eff.env, "limit_mib": eff.limit_mib}
    if model != seen:
        fails.append("model: Go model %s, runc %s" % (json.dumps(model), json.dumps(seen)))
    ng = rc.check(text)
    want = {"limit": seen["limit_mib"], "node_options": seen["env"].get("NODE_OPTIONS")}
    got = {"limit": (ng.get("memory_limit_bytes") or 0) // MIB or None, "node_options": ng.get("node_options_before")}
    argv_heap, env_heap = heap_flag(seen["args"]), heap_flag((seen["env"].get("NODE_OPTIONS") or "").split())
    want["heap"] = argv_heap if argv_heap is not None else env_heap
    got["heap"] = ng.get("heap_mib_before")
    if want != got:
        fails.append("nodeguard: read %s, runc runs %s" % (json.dumps(got), json.dumps(want)))
    out = rc.precreate(text)
    after = rc.run(out) if out.strip() else {"error": "precreate wrote nothing"}
    if "error" in after:
        fails.append("fix: precreate's output: " + after["error"])
    else:
        a, e = heap_flag(after["args"]), heap_flag((after["env"].get("NODE_OPTIONS") or "").split())
        heap = a if a is not None else e
        if heap != ng.get("heap_mib_fits") and (heap is None or heap > ng.get("heap_mib_fits", 0)):
            fails.append("fix: runc runs precreate's output with heap %s, plan %s (args %s, NODE_OPTIONS %r)"
                         % (heap, ng.get("heap_mib_fits"), after["args"], after["env"].get("NODE_OPTIONS")))
    return fails


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", default="1")
    ap.add_argument("--count", type=int, default=40)
    ap.add_argument("--build", default=os.environ.get("NG_BUILD", os.path.join(TOP, "build")))
    ap.add_argument("--format", choices=("tsv", "human"), default="human")
    opt = ap.parse_args()
    if os.geteuid() != 0 or not shutil.which("runc") or not os.path.exists("/bin/busybox"):
        raise SystemExit("runc_oracle: needs root, runc and /bin/busybox")
    with open(os.path.join(TOP, "tests/fixtures/oci/runc-node-config.json")) as f:
        base = json.load(f)
    for k in ("hooks", "annotations"):
        base.pop(k, None)
    base["root"] = {"path": "rootfs", "readonly": True}
    base["process"]["terminal"] = False
    base["linux"].pop("cgroupsPath", None)
    rc = Runc(opt.build)
    failed = 0
    try:
        for i in range(opt.count):
            case = gen_case(opt.seed, i, base)
            fails = evaluate(rc, case)
            failed += bool(fails)
            name = "runc oracle %s: runc, the Go model and nodeguard read the config alike" % case["id"]
            detail = "\n".join(fails + ["config: " + case["text"]])
            if opt.format == "tsv":
                kind = "fail" if fails else "ok"
                print("%s\t%s\t%s" % (kind, name, detail.replace("\\", "\\\\").replace("\n", "\\n") if fails else ""))
            elif fails:
                print("FAIL  %s\n      %s" % (name, detail.replace("\n", "\n      ")))
    finally:
        rc.cleanup()
    summary = "runc oracle: %d cases (seed %s), %d disagree, %d runc runs" % (opt.count, opt.seed, failed, rc.n)
    print(("info\t%s\t" % summary) if opt.format == "tsv" else summary)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
