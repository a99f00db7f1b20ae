#!/usr/bin/env python3
"""Differential tester: node is the oracle for nodeguard's reading of heap flags.

differential.py [--seed S] [--count N] [--jobs N] [--format tsv|human] [--dump DIR]
differential.py [--seed S] --show ID      # one case in full: config, nodeguard's and node's answers

Cases: the reproducers of known.txt and controls (seed:NAME), N generated ones (S:0 .. S:N-1,
each from its own random.Random("S:i"), so one can be rerun alone), and a model check per limit
(model:MIB). tests/differential/run runs seed 1 with 250 cases; bench/differential thousands.

Each case is an OCI config.json (from tests/fixtures/oci/runc-node-config.json) with generated
process.args, process.env (NODE_OPTIONS), memory limit, mode, and sometimes duplicate env entries
or duplicate JSON keys. For each case:

  nodeguard: `nodeguard check --json` on the original (what nodeguard believes: heap flag and its
             source, or that node will refuse it; the verdict) and `nodeguard-hook precreate` (the
             config it hands to the runtime), in mode fix or warn.
  node:      the original config and nodeguard's output, each as runc would run it (Go's JSON
             decoding: the last duplicate key wins; process.env applied in order: the last entry
             for a name wins), with the script replaced by a probe that prints V8's
             heap_size_limit, inside a memory cgroup with the config's limit (node sizes its
             default heap and young generation from the limit it sees).

and compares (known.txt lists the checks). Calibration runs of node (`--max-old-space-size=100`,
and no flag, per limit and semi-space size) give node's young generation and default heap, so
nodeguard's belief "heap B MiB" is compared with B + node's own young generation: the check is
independent of nodeguard's sizing model, which is checked separately (model-young, model-default).

Disagreements are put in categories: a category of known.txt when the case carries its tag (or
matches its signature) and fails only checks the category allows; "new" otherwise.

Python 3 standard library only. Needs root and a cgroup v1 memory hierarchy (a child of this
process's own memory cgroup per limit and worker, removed at exit).
"""
import argparse
import atexit
import concurrent.futures as cf
import json
import os
import random
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
MIB = 1024 * 1024
NODE = shutil.which("node") or "/usr/bin/node"
PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# ---------------------------------------------------------------------------------------------
# JSON with duplicate keys, and Go's decoding of it (runc: encoding/json into specs.Spec)


class Dup:
    """A JSON object written with its pairs as given, duplicates included."""

    def __init__(self, pairs):
        self.pairs = list(pairs)


def enc(v):
    if isinstance(v, Dup):
        return "{" + ", ".join(json.dumps(k) + ": " + enc(x) for k, x in v.pairs) + "}"
    if isinstance(v, dict):
        return "{" + ", ".join(json.dumps(k) + ": " + enc(x) for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(enc(x) for x in v) + "]"
    return json.dumps(v)


class _Pairs(list):
    pass


# The struct fields of specs.Spec on the paths that matter here. encoding/json matches an object
# key to a struct field exactly or, failing that, case-insensitively, and ignores unknown keys; a
# repeated key is decoded again into the same field: a slice is replaced, a struct (or the struct
# behind a non-nil pointer) and a map keep what they had and take the new members.
STRUCT_FIELDS = {
    (): ["ociVersion", "process", "root", "hostname", "domainname", "mounts", "hooks", "annotations",
         "linux", "solaris", "windows", "vm", "zos"],
    ("process",): ["terminal", "consoleSize", "user", "args", "commandLine", "env", "cwd",
                   "capabilities", "rlimits", "noNewPrivileges", "apparmorProfile", "oomScoreAdj",
                   "selinuxLabel", "ioPriority", "scheduler"],
    ("linux",): ["uidMappings", "gidMappings", "timeOffsets", "sysctl", "resources", "cgroupsPath",
                 "namespaces", "devices", "seccomp", "rootfsPropagation", "maskedPaths",
                 "readonlyPaths", "mountLabel", "intelRdt", "personality"],
    ("linux", "resources"): ["devices", "memory", "cpu", "pids", "blockIO", "hugepageLimits",
                             "network", "rdma", "unified"],
    ("linux", "resources", "memory"): ["limit", "reservation", "swap", "kernel", "kernelTCP",
                                       "swappiness", "disableOOMKiller", "useHierarchy",
                                       "checkBeforeUpdate"],
}


def go_fold(key):
    """A key as Go's case-insensitive field match sees it: ASCII letters in either case, and the two
    non-ASCII runes that fold onto ASCII letters (U+017F LONG S -> s, U+212A KELVIN SIGN -> k)."""
    return "".join(c.lower() if c.isascii() else {"\u017f": "s", "\u212a": "k"}.get(c, c) for c in key)


def _merge(a, b):
    for k, v in b.items():
        if k in a and isinstance(a[k], dict) and isinstance(v, dict):
            _merge(a[k], v)
        else:
            a[k] = v
    return a


def _go_decode(v, path):
    if isinstance(v, _Pairs):
        fields = STRUCT_FIELDS.get(path) if path is not None else None
        out = {}
        for k, val in v:
            if fields is not None:
                canon = k if k in fields else next((f for f in fields if f.lower() == go_fold(k)), None)
                if canon is None:
                    continue
                k = canon
            dv = _go_decode(val, path + (k,) if fields is not None else None)
            if k in out and isinstance(out[k], dict) and isinstance(dv, dict):
                _merge(out[k], dv)
            else:
                out[k] = dv
        return out
    if isinstance(v, list):
        return [_go_decode(x, None) for x in v]
    return v


def go_parse(text):
    return _go_decode(json.loads(text, object_pairs_hook=_Pairs), ())


class Effective:
    """What runc makes of a config: argv, the environment (last entry wins), the memory limit."""

    def __init__(self, text):
        spec = go_parse(text)
        proc = spec.get("process") or {}
        self.args = list(proc.get("args") or [])
        env = {}
        for e in proc.get("env") or []:
            name, _, value = e.partition("=")
            env[name] = value
        self.env = env
        mem = ((spec.get("linux") or {}).get("resources") or {}).get("memory") or {}
        limit = mem.get("limit")
        self.limit_mib = limit // MIB if isinstance(limit, int) and limit > 0 else None

    def key(self):
        return (tuple(self.args), tuple(sorted(self.env.items())), self.limit_mib)


# ---------------------------------------------------------------------------------------------
# Memory cgroups (v1): one per limit and running node, under this process's own memory cgroup.


class Cgroups:
    def __init__(self):
        self.root = None
        self.free = {}
        self.made = []
        self.lock = threading.Lock()
        try:
            with open("/proc/self/cgroup") as f:
                for line in f:
                    _, ctrl, path = line.rstrip("\n").split(":", 2)
                    if "memory" in ctrl.split(","):
                        self.root = "/sys/fs/cgroup/memory" + path.rstrip("/")
        except OSError:
            pass
        if not self.root or not os.access(self.root, os.W_OK):
            raise SystemExit("differential: needs root and a cgroup v1 memory hierarchy "
                             "(/sys/fs/cgroup/memory); found %s" % (self.root or "none"))
        atexit.register(self.cleanup)

    def acquire(self, limit_mib):
        with self.lock:
            q = self.free.setdefault(limit_mib, [])
            if q:
                return q.pop()
            path = "%s/nodeguard-diff-%d-%d-%d" % (self.root, os.getpid(), limit_mib, len(self.made))
            os.mkdir(path)
            self.made.append(path)
        with open(path + "/memory.limit_in_bytes", "w") as f:
            f.write(str(limit_mib * MIB))
        return path

    def release(self, limit_mib, path):
        with self.lock:
            self.free[limit_mib].append(path)

    def cleanup(self):
        for path in self.made:
            for _ in range(50):
                try:
                    os.rmdir(path)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.05)
        self.made = []


# ---------------------------------------------------------------------------------------------
# Running node and nodeguard

PROBE = ("const v8 = require('v8');\n"
         "process.stdout.write('NGPROBE ' + JSON.stringify({heap_size_limit_mib: "
         "v8.getHeapStatistics().heap_size_limit / 1048576}) + '\\n');\n")
# What the official node images' docker-entrypoint.sh does with the argument lists generated here:
# node with the arguments when the first one is an option, else the arguments as a command.
ENTRYPOINT = """#!/bin/sh
case $1 in -*) set -- node "$@" ;; esac
exec "$@"
"""

HEAP_NAMES = {"max-old-space-size", "max-old-space-size-percentage", "max-semi-space-size",
              "max-heap-size", "initial-heap-size"}


def refusal_reason(stderr):
    """(offending option, heap-related?) from node's complaint."""
    for pat in (r"bad option: (.*)", r"node: (.*?) is not allowed in NODE_OPTIONS",
                r"illegal value for flag (.*?) of type", r"node: (.*?) requires an argument"):
        m = re.search(pat, stderr)
        if m:
            opt = m.group(1)
            name = re.split(r"[=\s]", opt.lstrip("-"), maxsplit=1)[0].replace("_", "-")
            return opt, name in HEAP_NAMES
    if "invalid value for NODE_OPTIONS" in stderr:
        return "NODE_OPTIONS (unterminated string)", True
    return (stderr.strip().splitlines() or ["exit status only"])[0], False


class Runner:
    def __init__(self, build, jobs):
        self.build = build
        self.cli = os.path.join(build, "nodeguard")
        self.hook = os.path.join(build, "nodeguard-hook")
        for b in (self.cli, self.hook):
            if not os.access(b, os.X_OK):
                raise SystemExit("differential: %s is not built (make)" % b)
        self.dir = tempfile.mkdtemp(prefix="nodeguard-diff.")
        atexit.register(shutil.rmtree, self.dir, True)
        self.app = os.path.join(self.dir, "app")
        os.mkdir(self.app)
        for name in ("server.js", "app.js", "index.js"):
            with open(os.path.join(self.app, name), "w") as f:
                f.write(PROBE)
        open(os.path.join(self.app, "pre.js"), "w").close()
        self.entrypoint = os.path.join(self.dir, "docker-entrypoint.sh")
        with open(self.entrypoint, "w") as f:
            f.write(ENTRYPOINT)
        os.chmod(self.entrypoint, 0o755)
        self.policies = {}
        for mode in ("fix", "warn"):
            p = os.path.join(self.dir, "policy-%s.json" % mode)
            with open(p, "w") as f:
                json.dump({"log_path": os.path.join(self.dir, "events.jsonl"), "mode": mode,
                           "record_oom": "off"}, f)
            self.policies[mode] = p
        self.cgroups = Cgroups()
        self.cache = {}
        self.lock = threading.Lock()
        self.node_runs = 0
        self.plans = {}

    # -- nodeguard
    def check(self, text, mode):
        with tempfile.NamedTemporaryFile("w", dir=self.dir, suffix=".json", delete=False) as f:
            f.write(text)
        try:
            p = subprocess.run([self.cli, "check", "--json", "--policy", self.policies[mode], f.name],
                               capture_output=True, text=True, timeout=30)
        finally:
            os.unlink(f.name)
        if p.returncode not in (0, 1):
            return {"error": "nodeguard check exit %d: %s" % (p.returncode, p.stderr.strip())}
        try:
            return json.loads(p.stdout)
        except ValueError:
            return {"error": "nodeguard check: not JSON: %r" % p.stdout[:200]}

    def precreate(self, text, mode):
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "NODEGUARD_CONFIG": self.policies[mode]}
        p = subprocess.run([self.hook, "precreate"], input=text, capture_output=True, text=True,
                           env=env, timeout=30)
        return p.returncode, p.stdout, p.stderr

    def plan(self, limit_mib, processes):
        key = (limit_mib, processes)
        with self.lock:
            if key in self.plans:
                return self.plans[key]
        p = subprocess.run([self.cli, "plan", "--memory", "%dM" % limit_mib, "--processes", str(processes),
                            "--json"], capture_output=True, text=True, timeout=30)
        plan = json.loads(p.stdout)
        with self.lock:
            self.plans[key] = plan
        return plan

    # -- node
    def node(self, args, env, limit_mib):
        """Runs args (argv[0] resolved as the container would) with env in a cgroup of limit_mib.
        Returns {"heap": MiB} or {"refused": reason, "heap_related": bool, "status": N}; cached."""
        key = (tuple(args), tuple(sorted(env.items())), limit_mib)
        with self.lock:
            fut = self.cache.get(key)
            owner = fut is None
            if owner:
                fut = self.cache[key] = cf.Future()
        if not owner:
            return fut.result()
        try:
            res = self._node(list(args), env, limit_mib)
        except Exception as e:  # noqa: BLE001 - handed to every waiter
            res = {"refused": "harness: %s" % e, "heap_related": False, "status": -1, "harness": True}
        fut.set_result(res)
        return res

    def _node(self, args, env, limit_mib):
        if not args:
            return {"refused": "no args", "heap_related": False, "status": -1, "harness": True}
        a0 = os.path.basename(args[0])
        if a0 in ("node", "nodejs"):
            args[0] = NODE
        elif a0 == "docker-entrypoint.sh":
            args[0] = self.entrypoint
        cg = self.cgroups.acquire(limit_mib) if limit_mib else None
        try:
            cmd = args if cg is None else ["/bin/sh", "-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', cg] + args
            p = subprocess.run(cmd, env=env, cwd=self.app, capture_output=True, text=True, timeout=60)
        finally:
            if cg:
                self.cgroups.release(limit_mib, cg)
        with self.lock:
            self.node_runs += 1
        for line in p.stdout.splitlines():
            if line.startswith("NGPROBE "):
                return {"heap": json.loads(line[8:])["heap_size_limit_mib"], "stderr": p.stderr.strip()}
        m = re.search(r"Check failed: (.*)", p.stderr)
        if m:  # V8 aborts at start (SIGTRAP): a refusal, not a harness problem
            reason = "V8 fatal error: " + m.group(1).strip()
            related = any(n.replace("-", "_") in reason for n in HEAP_NAMES)
            return {"refused": reason, "heap_related": related, "status": p.returncode}
        if "Last few GCs" in p.stderr or "heap out of memory" in p.stderr:
            return {"refused": "V8 heap out of memory at start", "heap_related": True, "status": p.returncode}
        if p.returncode < 0 or p.returncode in (126, 127, 137):
            return {"refused": "harness: node did not run (status %d): %s" % (p.returncode, p.stderr.strip()[:300]),
                    "heap_related": False, "status": p.returncode, "harness": True}
        reason, related = refusal_reason(p.stderr)
        return {"refused": reason, "heap_related": related, "status": p.returncode}

    def calib_env(self):
        return {"PATH": PATH_ENV[5:]}

    def young(self, limit_mib, semi):
        """node's young generation (MiB) at this limit with --max-semi-space-size=semi (None: none)."""
        args = ["node", "--max-old-space-size=100"] + (["--max-semi-space-size=%d" % semi] if semi is not None else [])
        r = self.node(args + ["server.js"], self.calib_env(), limit_mib)
        return r["heap"] - 100 if "heap" in r else None

    def default_heap(self, limit_mib, semi):
        args = ["node"] + (["--max-semi-space-size=%d" % semi] if semi is not None else [])
        r = self.node(args + ["server.js"], self.calib_env(), limit_mib)
        return r.get("heap")


# ---------------------------------------------------------------------------------------------
# The generator


def wchoice(rng, items):
    total = sum(w for _, w in items)
    x = rng.uniform(0, total)
    for v, w in items:
        x -= w
        if x <= 0:
            return v
    return items[-1][0]


HEAP_VALUES = [64, 100, 128, 150, 200, 256, 300, 384, 512, 768, 1024, 1536, 2048, 3000, 4096]
SEMI_VALUES = [(1, 6), (2, 6), (4, 6), (8, 6), (16, 6), (32, 3), (64, 2), (128, 1), (256, 1), (512, 2),
               (3, 1), (5, 1), (100, 1)]
LIMITS = [(128, 8), (192, 5), (256, 12), (384, 8), (512, 12), (768, 8), (1024, 12), (1536, 6), (2048, 10),
          (3072, 5), (4096, 6), (15360, 1), (None, 2)]
MODEL_LIMITS = [128, 256, 512, 768, 1024, 1536, 2048, 3072, 4096, 15360]
OLD_SPELLINGS = [("--max-old-space-size", 20), ("--max_old_space_size", 3), ("--max-old_space-size", 1)]
SEMI_SPELLINGS = [("--max-semi-space-size", 6), ("--max_semi_space_size", 1)]


def heap_flag(rng, ctx, tags):
    """A heap-related flag for ctx "argv" (list of argv elements) or "env" (NODE_OPTIONS text)."""
    argv = ctx == "argv"
    kind = wchoice(rng, [("old", 50), ("semi", 12), ("pct", 3), ("maxheap", 4), ("initial", 2)])
    if kind == "old":
        name = wchoice(rng, OLD_SPELLINGS)
        v = rng.choice(HEAP_VALUES)
        variant = wchoice(rng, [("plain", 70), ("plus", 4), ("eqspace", 4), ("zero", 4), ("range", 3),
                                ("leading0", 2), ("sep", 3), ("single", 2)])
        if variant == "plain":
            return [f"{name}={v}"]
        if variant == "plus":
            tags.add("plus-sign")
            return [f"{name}=+{v}"]
        if variant == "eqspace":
            tags.add("eq-space")
            if argv:
                return [rng.choice([f"{name}= {v}", f"{name} ={v}"])]
            return [rng.choice([f"{name}= {v}", f'"{name}= {v}"', f"{name} ={v}"])]
        if variant == "zero":
            tags.add("zero-value")
            return [f"{name}=" + rng.choice(["0", "", "00"])]
        if variant == "range":
            tags.add("value-range")
            return [f"{name}=" + rng.choice(["-1", "-300", "18446744073709551616", "1000000001"])]
        if variant == "leading0":
            return [f"{name}=0{v}"]
        if variant == "sep":
            return [name, str(v)] if argv else [f"{name} {v}"]
        tags.add("single-dash-argv" if argv else "refused-in-node-options")
        return [f"-max-old-space-size={v}"]
    if kind == "semi":
        tags.add("semi-space")
        name = wchoice(rng, SEMI_SPELLINGS)
        s = wchoice(rng, SEMI_VALUES)
        variant = wchoice(rng, [("plain", 20), ("plus", 1), ("zero", 1)])
        if variant == "plus":
            tags.add("plus-sign")
            return [f"{name}=+{s}"]
        if variant == "zero":
            tags.add("zero-value")
            return [f"{name}=0"]
        return [f"{name}={s}"]
    if kind == "pct":
        tags.add("percentage-node20")
        return ["--max-old-space-size-percentage=" + rng.choice(["25", "50", "75", "100", "12.5"])]
    v = rng.choice(HEAP_VALUES)
    if kind == "maxheap":
        tags.add("max-heap-size-argv" if argv else "refused-in-node-options")
        return [rng.choice(["--max-heap-size", "--max_heap_size"]) + f"={v}"]
    if not argv:
        tags.add("refused-in-node-options")
    return [f"--initial-heap-size={v}"]


ARGV_BENIGN = [(["--enable-source-maps"], 4), (["--no-warnings"], 3), (["--trace-warnings"], 1),
               (["-r", "fs"], 3), (["--require", "./pre.js"], 3), (["--require=./pre.js"], 1),
               (["--title", "svc"], 2), (["--title=svc"], 1), (["--unhandled-rejections=strict"], 2),
               (["--unhandled-rejections", "strict"], 1), (["--dns-result-order=ipv4first"], 1),
               (["--stack-trace-limit=20"], 1), (["--initial-heap-size=64"], 1)]
ARGV_UNLISTED = [["--max-http-header-size", "16384"], ["--heapsnapshot-near-heap-limit", "3"],
                 ["--experimental-default-type", "commonjs"]]
ENV_BENIGN = [("--enable-source-maps", 4), ("--no-warnings", 3), ("-r fs", 3), ("--require ./pre.js", 3),
              ("--require=./pre.js", 1), ("--title=svc", 2), ('--title="dev server"', 2),
              ('"--title=a \\"b\\""', 1), ("--unhandled-rejections=strict", 2),
              ("--dns-result-order=ipv4first", 1), ("--max-http-header-size=16384", 1),
              ("--max-http-header-size 16384", 1), ("--stack-trace-limit=20", 1)]


def gen_node_options(rng, tags):
    pieces = []
    for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
        pieces += heap_flag(rng, "env", tags)
    for _ in range(rng.choice([0, 0, 1, 1, 2])):
        pieces.insert(rng.randrange(len(pieces) + 1), wchoice(rng, ENV_BENIGN))
    if rng.random() < 0.07:
        tags.add("nonoption-token")
        pieces.insert(rng.randrange(len(pieces) + 1), rng.choice(["foo", "app.js", "1", "x=y"]))
    if not pieces:
        pieces = [wchoice(rng, ENV_BENIGN)]
    # quoting: a whole argument in quotes, or only its value
    for i, p in enumerate(pieces):
        if '"' in p or " " in p:
            continue
        r = rng.random()
        if r < 0.06:
            pieces[i] = '"' + p + '"'
            tags.add("quotes")
        elif r < 0.09 and "=" in p:
            n, _, v = p.partition("=")
            pieces[i] = n + '="' + v + '"'
            tags.add("quotes")
    out = ""
    for i, p in enumerate(pieces):
        if i:
            sep = wchoice(rng, [(" ", 30), ("  ", 3), ("\t", 1), ("\n", 1)])
            if sep.strip(" "):
                tags.add("whitespace")
            out += sep
        out += p
    if rng.random() < 0.05:
        out = " " + out
    if rng.random() < 0.05:
        out += " "
    return out


def gen_node_argv(rng, tags):
    opts = []
    for _ in range(rng.choice([0, 0, 1, 1, 1, 2])):
        opts.append(heap_flag(rng, "argv", tags))
    for _ in range(rng.choice([0, 0, 1, 1, 2])):
        opts.insert(rng.randrange(len(opts) + 1), list(wchoice(rng, ARGV_BENIGN)))
    if opts and any(o[0].startswith(("--max", "-max")) for o in opts) and rng.random() < 0.06:
        tags.add("unlisted-value-option")
        opts.insert(0, list(rng.choice(ARGV_UNLISTED)))
    flat = [a for o in opts for a in o]
    tail = [rng.choice(["server.js", "server.js", "app.js", "index.js"])]
    if rng.random() < 0.05:
        tail.insert(0, "--")
    if rng.random() < 0.08:
        tail.append(rng.choice(["--max-old-space-size=9999", "--port=80", "-r"]))
    return flat, tail


def gen_case(seed, i):
    rng = random.Random("%s:%d" % (seed, i))
    tags = set()
    opts, tail = gen_node_argv(rng, tags)
    form = wchoice(rng, [("node", 70), ("env", 5), ("env-assign", 2), ("entrypoint-node", 5),
                         ("entrypoint-opts", 4), ("sh", 6)])
    node_version = rng.random() < 0.6
    env_assign = None
    if form == "node":
        args = [wchoice(rng, [("node", 8), ("/usr/local/bin/node", 2), ("/usr/bin/node", 1)])] + opts + tail
    elif form in ("env", "env-assign"):
        tags.add("env-launcher")
        head = [rng.choice(["/usr/bin/env", "env"])]
        if form == "env-assign":
            env_assign = "NODE_OPTIONS=" + rng.choice(["--max-old-space-size=4096", "--max-old-space-size=100"])
            head.append(env_assign)
        args = head + ["node"] + opts + tail
    elif form == "entrypoint-node":
        node_version = True
        args = ["docker-entrypoint.sh", "node"] + opts + tail
    elif form == "entrypoint-opts":
        node_version = True
        if not opts or not opts[0].startswith("-"):
            opts = ["--enable-source-maps"] + opts
        args = ["docker-entrypoint.sh"] + opts + tail
    else:
        tags.add("shell-script")
        script = " ".join(shlex.quote(a) for a in ["node"] + opts + tail)
        args = ["sh", "-c", rng.choice(["exec ", ""]) + script]

    env = [PATH_ENV, "TERM=xterm"]
    if node_version:
        env.append("NODE_VERSION=20.20.2")
    if rng.random() < 0.1:
        env.append("HOME=/root")
    node_options = gen_node_options(rng, tags) if rng.random() < 0.7 else None
    dup_env = None
    if rng.random() < 0.08:
        tags.add("dup-env")
        first = node_options if node_options is not None else gen_node_options(rng, tags)
        dup_env = [first, gen_node_options(rng, tags)]
        env.insert(rng.randrange(1, len(env) + 1), "NODE_OPTIONS=" + dup_env[0])
        env.append("NODE_OPTIONS=" + dup_env[1])
    elif node_options is not None:
        env.insert(rng.randrange(1, len(env) + 1), "NODE_OPTIONS=" + node_options)

    limit = wchoice(rng, LIMITS)
    annotations = {"io.nodeguard.processes": "2"} if rng.random() < 0.08 else None
    mode = "fix" if rng.random() < 0.75 else "warn"
    dup_key = None
    if rng.random() < 0.07:
        tags.add("dup-json-key")
        dup_key = rng.choice(["env", "Env", "args", "limit", "process"])
    return build_case("%s:%d" % (seed, i), args, env, limit, mode, tags, annotations, dup_key, rng)


def build_case(cid, args, env, limit, mode, tags, annotations=None, dup_key=None, rng=None, second=None):
    """The config text. dup_key adds a second member of that name (with `second`'s value or a
    generated one): "env" / "Env" (process.env), "args", "limit", "process" (a second process object
    with only env)."""
    with open(os.path.join(TOP, "tests/fixtures/oci/runc-node-config.json")) as f:
        doc = json.load(f)
    doc.pop("hooks", None)
    doc.pop("annotations", None)
    if annotations:
        doc["annotations"] = annotations
    proc = doc["process"]
    proc["args"] = args
    proc["env"] = env
    mem = doc["linux"]["resources"]
    if limit:
        mem["memory"]["limit"] = limit * MIB
    else:
        del mem["memory"]
    other = None
    if dup_key:
        rng = rng or random.Random(cid)
        if dup_key in ("env", "Env", "process"):
            other = second
            if other is None:
                other = [e for e in env if not e.startswith("NODE_OPTIONS=")]
                other.append("NODE_OPTIONS=" + gen_node_options(rng, tags))
                other.append("SECOND_ENV=1")
            if dup_key == "process":
                pairs = list(doc.items())
                k = [i for i, (n, _) in enumerate(pairs) if n == "process"][0]
                doc = Dup(pairs[:k + 1] + [("process", {"env": other})] + pairs[k + 1:])
            else:
                pairs = list(proc.items())
                k = [i for i, (n, _) in enumerate(pairs) if n == "env"][0]
                doc["process"] = Dup(pairs[:k + 1] + [(dup_key, other)] + pairs[k + 1:])
        elif dup_key == "args":
            other = second or (args[:1] + ["--max-old-space-size=%d" % rng.choice(HEAP_VALUES)] + args[1:])
            pairs = list(proc.items())
            k = [i for i, (n, _) in enumerate(pairs) if n == "args"][0]
            doc["process"] = Dup(pairs[:k + 1] + [("args", other)] + pairs[k + 1:])
        elif dup_key == "limit" and limit:
            other = second or rng.choice([l for l, _ in LIMITS if l and l != limit])
            mem["memory"] = Dup([("limit", limit * MIB), ("limit", other * MIB)])
    summary = "args %s; env %s; limit %s MiB" % (json.dumps(args), json.dumps(env), limit or "none")
    if dup_key:
        summary += "; then duplicate JSON key %r: %s" % (dup_key, json.dumps(other))
    if annotations:
        summary += "; annotations %s" % json.dumps(annotations)
    return {"id": cid, "tags": sorted(tags), "mode": mode, "text": enc(doc), "summary": summary}


def seed_cases():
    """Minimal reproducers: one or more per known category, and controls that must agree."""
    N = ["node"]
    E = [PATH_ENV, "NODE_VERSION=20.20.2"]

    def c(name, args, node_options=None, limit=256, mode="fix", tags=(), extra_env=(), reproduces=None, **kw):
        env = list(E) + list(extra_env)
        if node_options is not None:
            env.append("NODE_OPTIONS=" + node_options)
        case = build_case("seed:" + name, args, env, limit, mode, set(tags), **kw)
        case["reproduces"] = reproduces or (tags[0] if tags else None)
        return case

    s = [
        c("dup-env", N + ["server.js"], limit=256, tags=["dup-env"],
          extra_env=["NODE_OPTIONS=--max-old-space-size=100", "NODE_OPTIONS=--max-old-space-size=4096"]),
        c("dup-json-key-env", N + ["server.js"], "--max-old-space-size=100", tags=["dup-json-key"],
          dup_key="env", second=E + ["NODE_OPTIONS=--max-old-space-size=4096"]),
        c("dup-json-key-Env", N + ["server.js"], None, tags=["dup-json-key"],
          dup_key="Env", second=E + ["NODE_OPTIONS=--max-old-space-size=4096"]),
        c("dup-json-key-args", N + ["--max-old-space-size=100", "server.js"], None, limit=512,
          tags=["dup-json-key"], dup_key="args", second=N + ["--max-old-space-size=4096", "server.js"]),
        c("dup-json-key-process", N + ["server.js"], "--max-old-space-size=100", tags=["dup-json-key"],
          dup_key="process", second=E + ["NODE_OPTIONS=--max-old-space-size=4096"]),
        c("dup-json-key-limit", N + ["server.js"], None, limit=2048, tags=["dup-json-key"],
          dup_key="limit", second=256),
        c("plus-sign", N + ["server.js"], "--max-old-space-size=+3000", limit=512, tags=["plus-sign"]),
        c("plus-sign-argv", N + ["--max-old-space-size=+3000", "server.js"], limit=512, tags=["plus-sign"]),
        c("eq-space", N + ["server.js"], "--max-old-space-size= 3000", limit=256, tags=["eq-space"]),
        c("eq-space-quoted", N + ["server.js"], '"--max-old-space-size= 3000"', limit=512, tags=["eq-space"]),
        c("eq-space-argv", N + ["--max-old-space-size= 3000", "server.js"], limit=512, tags=["eq-space"]),
        c("semi-space", N + ["server.js"], "--max-semi-space-size=512", limit=256, tags=["semi-space"]),
        c("max-heap-size-argv", N + ["--max-heap-size=3000", "server.js"], limit=512,
          tags=["max-heap-size-argv"]),
        c("max-heap-size-argv-crash", N + ["--max-heap-size=3000", "--max-semi-space-size=16", "server.js"],
          limit=512, tags=["max-heap-size-argv"]),
        c("max-heap-size-argv-young", N + ["--max-heap-size=1536", "server.js"], limit=768,
          tags=["max-heap-size-argv"]),
        # seed 23 case 189: without a limit node's young generation comes from the host's RAM
        c("max-heap-size-argv-unlimited", N + ["--max-heap-size=3000", "--max-old-space-size=00", "server.js"],
          limit=0, tags=["max-heap-size-argv"]),
        c("nonoption-token", N + ["server.js"], "foo", limit=256, tags=["nonoption-token"]),
        c("env-launcher", ["/usr/bin/env", "node", "--max-old-space-size=4096", "app.js"], limit=512,
          tags=["env-launcher"]),
        dict(build_case("seed:env-launcher-no-node-version",
                        ["/usr/bin/env", "node", "--max-old-space-size=4096", "app.js"], [PATH_ENV], 512, "fix",
                        {"env-launcher"}), reproduces="env-launcher"),
        c("zero-value", N + ["server.js"], "--max-old-space-size=0", limit=256, tags=["zero-value"]),
        c("value-range", N + ["server.js"], "--max-old-space-size=-1", limit=256, tags=["value-range"]),
        c("percentage-node20", N + ["server.js"], "--max-old-space-size-percentage=50", limit=512,
          tags=["percentage-node20"]),
        c("refused-in-node-options", N + ["server.js"], "--max-heap-size=300", limit=512,
          tags=["refused-in-node-options"]),
        c("single-dash-argv", N + ["-max-old-space-size=4096", "server.js"], limit=512,
          tags=["single-dash-argv"]),
        c("unlisted-value-option", N + ["--max-http-header-size", "16384", "--max-old-space-size=4096",
                                        "server.js"], limit=512, tags=["unlisted-value-option"]),
        c("env-launcher-assign", ["env", "NODE_OPTIONS=--max-old-space-size=4096", "node", "app.js"],
          "--max-old-space-size=100", limit=512, tags=["env-launcher"]),
        c("env-launcher-i", ["env", "-i", "node", "app.js"], "--max-old-space-size=100", limit=256,
          tags=["env-launcher"]),
        c("env-launcher-u", ["/usr/bin/env", "-u", "NODE_OPTIONS", "PORT=80", "node", "app.js"],
          "--max-old-space-size=100", limit=256, tags=["env-launcher"]),
        c("shell-script", ["sh", "-c", "F=--max-old-space-size=4096; exec node $F server.js"], limit=512,
          tags=["shell-script"]),
        c("control-768", N + ["server.js"], limit=768),  # V8 rounds its 3 MiB semi-space up to 4 here
        # controls: node and nodeguard agree
        c("control-no-flag", N + ["server.js"]),
        c("control-env-flag", N + ["server.js"], "--max-old-space-size=4096", limit=512),
        c("control-argv-wins", N + ["--max-old-space-size=100", "server.js"], "--max-old-space-size=4096",
          limit=512),
        c("control-last-wins", N + ["server.js"], "--max-old-space-size=100  --max_old_space_size=3000",
          limit=1024),
        c("control-quoted", N + ["server.js"], '"--max-old-space-size=3000" --title="dev server"', limit=1024),
        c("control-preload", N + ["-r", "fs", "--require", "./pre.js", "--max-old-space-size=3000",
                                  "server.js", "--max-old-space-size=1"], "-r fs", limit=1024),
        c("control-space-separated", N + ["--max-old-space-size", "3000", "server.js"], limit=512),
        c("control-unterminated", N + ["server.js"], '--max-old-space-size="100', limit=512),
        c("control-tab", N + ["server.js"], "--max-old-space-size=100\t--no-warnings", limit=512),
        c("control-semi-small", N + ["server.js"], "--max-semi-space-size=2", limit=1024),
        c("control-entrypoint", ["docker-entrypoint.sh", "--max-old-space-size=4096", "server.js"], limit=512),
        c("control-shell-script", ["sh", "-c", "exec node --max-old-space-size=4096 server.js"], limit=512),
        c("control-shell-script-assign", ["sh", "-c", "PORT=80 NODE_OPTIONS='--max-old-space-size=4096 -r fs' "
                                          "exec node server.js"], "--max-old-space-size=100", limit=512),
        c("control-shell-script-list", ["sh", "-c", "cd . && NODE_OPTIONS='--max-old-space-size=4096 -r fs' exec "
                                        "node --title 'a b' --max-old-space-size=3000 server.js 2>&1"],
          "--max-old-space-size=100", limit=512),
        c("control-warn", N + ["--max-old-space-size=4096", "server.js"], limit=512, mode="warn"),
    ]
    return s


# ---------------------------------------------------------------------------------------------
# Comparing


def load_known(path):
    known, order, cur = {}, [], None
    with open(path) as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            if line[0] in " \t":
                if cur:
                    known[cur]["text"] += (" " if known[cur]["text"] else "") + line.strip()
                continue
            name, checks, source = line.split()
            cur = name
            known[name] = {"checks": set(checks.split(",")), "source": source, "text": ""}
            order.append(name)
    return known, order


def belief_refuses(ng):
    return any(re.search(r"invalid value|node rejects it|node will refuse it|unterminated", w)
               for w in ng.get("warnings") or [])


def plan_young(ng):
    m = re.search(r"- (\d+) young", ng.get("plan") or "")
    return int(m.group(1)) if m else None


def close(a, b):
    return a is not None and b is not None and abs(a - b) <= 1.0


def fmt_node(r):
    if r is None:
        return "n/a"
    if "heap" in r:
        return "heap_size_limit %g MiB" % r["heap"]
    return "refuses (exit %d: %s)" % (r["status"], r["refused"])


def same_but_heap(a0, a1):
    """a1 is a0 with only heap flags changed: an argument replaced by --max-old-space-size=N, env's
    NODE_OPTIONS=... arguments (NODE_OPTIONS too) rewritten or added, and the same inside a sh -c
    script, compared word by word as the shell splits it."""
    a0 = [a for a in a0 if not a.startswith("NODE_OPTIONS=")]
    a1 = [a for a in a1 if not a.startswith("NODE_OPTIONS=")]
    if len(a0) != len(a1):
        return False
    for i, (x, y) in enumerate(zip(a0, a1)):
        if x == y or re.fullmatch(r"--max-old-space-size=\d+", y):
            continue
        if i == 0 or a0[i - 1] != "-c":
            return False
        try:
            if not same_but_heap(shlex.split(x), shlex.split(y)):
                return False
        except ValueError:
            return False
    return True


def evaluate(case, rn):
    """Runs one case; returns dict with the node/nodeguard facts and a list of failed checks."""
    text, mode = case["text"], case["mode"]
    orig = Effective(text)
    L = orig.limit_mib
    res = {"id": case["id"], "tags": case["tags"], "mode": mode, "limit_mib": L, "failed": [], "notes": [],
           "reproduces": case.get("reproduces")}
    res["eff_original"] = {"args": orig.args, "env": orig.env}
    ng = rn.check(text, mode)
    res["nodeguard"] = ng
    if "error" in ng:
        res["failed"].append(("nodeguard-error", ng["error"]))
        return res
    rc, out, err = rn.precreate(text, mode)
    if rc != 0:
        res["failed"].append(("nodeguard-error", "precreate exit %d: %s" % (rc, err.strip())))
        return res
    try:
        new = Effective(out)
    except ValueError:
        res["failed"].append(("nodeguard-error", "precreate output is not JSON: %r" % out[:300]))
        return res
    res["eff_output"] = {"args": new.args, "env": new.env}
    n0 = rn.node(orig.args, orig.env, L)
    res["node_original"] = n0
    if n0.get("harness"):
        res["failed"].append(("harness", n0["refused"]))
        return res

    guarded = ng.get("outcome") == "guarded"
    procs = ng.get("processes") or 1
    # nodeguard's semi-space belief: its plan's young generation differs from the default one
    default_plan = rn.plan(L, procs) if L else None
    yb = plan_young(ng) if guarded and L else None
    semi_b = None
    if yb is not None and default_plan and yb != default_plan["young_generation_mib"]:
        semi_b = yb // 3

    def bound():
        """The most node's heap_size_limit may be under nodeguard's plan for this container, the young
        generation in it and the semi-space that young generation is for: the config's own plan
        (with nodeguard's reading of --max-semi-space-size) when it fits, else the plan for the limit
        alone (fix should then have removed what does not fit)."""
        if not L:
            return None, None, None
        first_limit = (ng.get("memory_limit_bytes") or 0) // MIB
        if guarded and first_limit == L and ng.get("heap_mib_fits") is not None and yb is not None:
            return ng["heap_mib_fits"] + yb, yb, semi_b
        if default_plan["verdict"] == "fits":
            y = default_plan["young_generation_mib"]
            return default_plan["heap_mib"] + y, y, None
        return None, None, None

    # -- belief
    unrelated = "refused" in n0 and not n0["heap_related"]
    if unrelated:
        res["notes"].append("node refuses the original for a reason nodeguard does not model: %s" % n0["refused"])
    else:
        if not guarded:
            detail = "nodeguard: %s (%s)" % (ng.get("outcome"), ng.get("reason"))
            ok = False
        elif "refused" in n0:
            ok = belief_refuses(ng)
            detail = "nodeguard: %s" % ("node refuses it" if ok else "heap %s from %s, node runs it" % (
                ng.get("heap_mib_before", "default"), ng.get("heap_source")))
        elif belief_refuses(ng):
            ok, detail = False, "nodeguard: node refuses it (%s)" % "; ".join(ng.get("warnings"))
        else:
            # Without a limit nodeguard shows no plan, so not its reading of --max-semi-space-size:
            # the check is then on the old space alone, with any semi-space the config names.
            semis = [semi_b]
            if not L:
                semis += sorted({int(v) for v in re.findall(r"semi.space.size=\+?(\d+)", case["text"])})
            wants = []
            for sb in semis:
                if ng.get("heap_mib_before") is not None:
                    y = rn.young(L, sb)
                    wants.append(None if y is None else ng["heap_mib_before"] + y)
                else:
                    wants.append(rn.default_heap(L, sb))
            ok = any(close(w, n0["heap"]) for w in wants)
            sb_txt = ", semi-space %d" % semi_b if semi_b is not None else ""
            if ng.get("heap_mib_before") is not None:
                detail = "nodeguard: heap %d MiB from %s%s -> heap_size_limit %s" % (
                    ng["heap_mib_before"], ng["heap_source"], sb_txt, wants[0])
            else:
                detail = "nodeguard: no heap flag%s -> node's default, heap_size_limit %s" % (sb_txt, wants[0])
        if not ok:
            res["failed"].append(("belief", "%s; node (original): %s" % (detail, fmt_node(n0))))

    b, young_b, semi_for_b = bound()
    young_gap = 0
    if b is not None:
        ya = rn.young(L, semi_for_b)
        young_gap = (ya - young_b) if ya is not None else 0

    # -- verdict (nodeguard check on the original)
    if guarded and "heap" in n0 and b is not None and ng.get("verdict") == "fits" and n0["heap"] > b + 0.5:
        sig = "young-model" if 0 < n0["heap"] - b <= young_gap + 0.5 else None
        res["failed"].append(("verdict", "nodeguard: fits (plan heap + young = %g MiB); node (original): %s"
                              % (b, fmt_node(n0)), sig))

    if mode == "warn":
        if new.key() != orig.key():
            res["failed"].append(("warn", "mode warn changed the container: args %s -> %s, NODE_OPTIONS %r -> %r"
                                  % (orig.args, new.args, orig.env.get("NODE_OPTIONS"), new.env.get("NODE_OPTIONS"))))
        return res

    # -- preserve (mode fix)
    ignore = {"NODE_OPTIONS", "DB_CONNECTION_LIMIT", "DATABASE_URL"}
    e0 = {k: v for k, v in orig.env.items() if k not in ignore}
    e1 = {k: v for k, v in new.env.items() if k not in ignore}
    args_ok = same_but_heap(orig.args, new.args)
    if e0 != e1 or not args_ok or new.limit_mib != orig.limit_mib:
        diff = sorted(set(e0.items()) ^ set(e1.items()))
        res["failed"].append(("preserve", "env differences %s; args %s -> %s; limit %s -> %s"
                              % (diff, orig.args, new.args, orig.limit_mib, new.limit_mib)))

    # -- fit (mode fix): node with nodeguard's output
    n1 = rn.node(new.args, new.env, new.limit_mib)
    res["node_output"] = n1
    if n1.get("harness"):
        res["failed"].append(("harness", n1["refused"]))
    elif "refused" in n1:
        if "heap" in n0:
            res["failed"].append(("fit", "node refuses nodeguard's output: %s (original: %s)"
                                  % (fmt_node(n1), fmt_node(n0))))
    elif b is not None and n1["heap"] > b + 0.5:
        sig = "young-model" if guarded and 0 < n1["heap"] - b <= young_gap + 0.5 else None
        res["failed"].append(("fit", "node (output): %s > plan heap + young %g MiB%s; NODE_OPTIONS %r, args %s"
                              % (fmt_node(n1), b, "" if guarded else " (nodeguard: %s)" % ng.get("outcome"),
                                 new.env.get("NODE_OPTIONS"), new.args), sig))
    return res


def model_case(rn, L):
    """nodeguard's model of node's young generation and default heap at limit L vs node's."""
    res = {"id": "model:%d" % L, "tags": [], "mode": "-", "limit_mib": L, "failed": [], "notes": [],
           "reproduces": ["young-model", "default-model"]}
    plan = rn.plan(L, 1)
    ya = rn.young(L, None)
    da = rn.default_heap(L, None)
    if ya is None or da is None:
        res["failed"].append(("harness", "calibration run failed at %d MiB" % L))
        return res
    if not close(plan["young_generation_mib"], ya):
        res["failed"].append(("model-young", "%d MiB: nodeguard's young generation %d MiB, node's %g"
                              % (L, plan["young_generation_mib"], ya), "young-model"))
    old_model = plan["node_default_heap_mib"] - plan["young_generation_mib"]
    if not close(old_model, da - ya):
        res["failed"].append(("model-default", "%d MiB: nodeguard's default old space %d MiB, node's %g"
                              % (L, old_model, da - ya), "default-model"))
    return res


# A tag explains a failure only if its hazard is still in what node runs: the original config for
# belief and verdict, nodeguard's output for fit (a case often carries several tags).
MARKERS = {
    "plus-sign": r"space.size=\"?\+",
    "eq-space": r"space.size(= | =)",
    "zero-value": r"space.size=\"?0*(\"|\s|$)",
    "value-range": r"space.size=\"?(-|1000000001|18446744073709551616)",
    "semi-space": r"semi.space.size",
    "percentage-node20": r"space-size-percentage",
    "max-heap-size-argv": r"max.heap.size",
    "refused-in-node-options": r"max.heap.size|initial.heap.size|(^|[\s\"=])-max-old",
    "single-dash-argv": r"(^|\s)-max-old",
    "unlisted-value-option": "|".join(re.escape(o[0]) for o in ARGV_UNLISTED),
    "shell-script": r"-c .*([$`*?()~]|\beval\b|\bsource\b)",
}


def subject(eff):
    if eff is None:
        return ""
    return " ".join(eff["args"]) + " NODE_OPTIONS=" + (eff["env"].get("NODE_OPTIONS") or "")


def classify(res, known, order):
    """(status, label, attributions): status ok / known / new; attributions [(check, category)]."""
    if not res["failed"]:
        return "ok", None, []
    tags = set(res["tags"])
    attr = []
    for f in res["failed"]:
        check, sig = f[0], (f[2] if len(f) > 2 else None)
        subj = subject(res.get("eff_output") if check == "fit" else res.get("eff_original"))
        if sig and sig in known and check in known[sig]["checks"]:
            cand = sig
        else:
            cand = next((c for c in order if c in tags and check in known[c]["checks"]
                         and (c not in MARKERS or re.search(MARKERS[c], subj))), None)
        if cand is None:
            return "new", "new: " + ("+".join(sorted(tags)) or "untagged") + " / " + check, []
        attr.append((check, cand))
    cats = []
    for _, c in attr:
        if c not in cats:
            cats.append(c)
    return "known", ", ".join(cats), attr


# ---------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", default="1")
    ap.add_argument("--count", type=int, default=300)
    ap.add_argument("--jobs", type=int, default=(os.cpu_count() or 2) + 1)
    ap.add_argument("--build", default=os.environ.get("NG_BUILD", os.path.join(TOP, "build")))
    ap.add_argument("--known", default=os.path.join(HERE, "known.txt"))
    ap.add_argument("--format", choices=("tsv", "human"), default="human")
    ap.add_argument("--no-seeds", action="store_true", help="only generated cases")
    ap.add_argument("--show", help="print one case (an id such as 1:17 or seed:dup-env) in full")
    ap.add_argument("--dump", help="write every disagreeing case (config and results) to this directory")
    opt = ap.parse_args()

    known, order = load_known(opt.known)
    rn = Runner(opt.build, opt.jobs)
    cases = ([] if opt.no_seeds else seed_cases()) + [gen_case(opt.seed, i) for i in range(opt.count)]
    if opt.show:
        case = next((c for c in cases if c["id"] == opt.show), None)
        if case is None and ":" in opt.show and not opt.show.startswith("seed:"):
            s, i = opt.show.rsplit(":", 1)
            case = gen_case(s, int(i))
        if case is None:
            raise SystemExit("no case %s" % opt.show)
        res = evaluate(case, rn)
        print("config:", json.dumps(go_parse(case["text"])["process"], indent=1))
        print("config text:", case["text"])
        res["classified"] = classify(res, known, order)
        print(json.dumps(res, indent=1, default=str))
        return 0

    start = time.time()
    limits = sorted({L for L in MODEL_LIMITS})
    with cf.ThreadPoolExecutor(opt.jobs) as ex:
        futs = [ex.submit(evaluate, c, rn) for c in cases] + [ex.submit(model_case, rn, L) for L in limits]
        results = [f.result() for f in futs]
    elapsed = time.time() - start

    tsv = opt.format == "tsv"

    def emit(kind, name, detail=""):
        if tsv:
            esc = detail.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", " ")
            print("%s\t%s\t%s" % (kind, name.replace("\t", " "), esc), flush=True)
        elif kind == "fail":
            print("FAIL  %s\n      %s" % (name, detail.replace("\n", "\n      ")))
        elif kind == "info":
            print(name)

    per_cat = {c: {"cases": 0, "failed": 0, "checks": {}, "repro": 0, "repro_failed": 0} for c in order}
    new_count = 0
    status_count = {"ok": 0, "known": 0, "new": 0}
    for c, res in zip(cases + [None] * len(limits), results):
        status, cat, attr = classify(res, known, order)
        status_count[status] += 1
        tags = set(res["tags"])
        for t in tags:
            if t in per_cat:
                per_cat[t]["cases"] += 1
        if res["id"].startswith("model:"):
            for t in ("young-model", "default-model"):
                if t in per_cat:
                    per_cat[t]["cases"] += 1
        repro = res.get("reproduces") or []
        for r in [repro] if isinstance(repro, str) else repro:
            if r in per_cat:
                per_cat[r]["repro"] += 1
                per_cat[r]["repro_failed"] += any(cname == r for _, cname in attr)
        label = "%s [%s %s MiB%s]" % (res["id"], res["mode"], res["limit_mib"] or "unlimited",
                                      (" " + ",".join(sorted(tags))) if tags else "")
        if status == "ok":
            emit("ok", label + ": node and nodeguard agree" + ("; " + "; ".join(res["notes"]) if res["notes"] else ""))
        elif status == "known":
            for cname in {c for _, c in attr}:
                per_cat[cname]["failed"] += 1
            for check, cname in attr:
                per_cat[cname]["checks"][check] = per_cat[cname]["checks"].get(check, 0) + 1
            emit("ok", "%s: known: %s (%s)" % (label, cat, ", ".join("%s: %s" % a for a in attr)))
        else:
            new_count += 1
            detail = "\n".join("%s: %s" % (f[0], f[1]) for f in res["failed"])
            if c is not None:
                detail += "\nconfig: %s\nreproduce: %s --seed %s --show %s" % (
                    c["summary"], os.path.relpath(__file__, TOP), opt.seed, res["id"])
            emit("fail", "%s: %s" % (label, cat), detail)
        if opt.dump and status != "ok":
            os.makedirs(opt.dump, exist_ok=True)
            with open(os.path.join(opt.dump, res["id"].replace(":", "_") + ".json"), "w") as f:
                json.dump({"case": c, "result": res, "classified": [status, cat, attr]}, f, indent=1, default=str)

    # A known bug is fixed when its reproducers (seed cases, model cases) no longer fail its way.
    fixed = [cat for cat in order if per_cat[cat]["repro"] and not per_cat[cat]["repro_failed"]]
    for cat in order:
        pc = per_cat[cat]
        if cat in fixed:
            emit("fail", "known bug now fixed: remove it from the list: %s" % cat,
                 "its %d reproducer(s) no longer disagree that way (%d of %d cases with it disagree): %s"
                 % (pc["repro"], pc["failed"], pc["cases"], known[cat]["text"][:300]))
        elif not pc["repro"] and not opt.no_seeds:
            emit("fail", "known category without a reproducer: %s" % cat, "add a seed case for it")
    emit("info", "summary: %d cases (%d generated, seed %s, %d model), %.1f s, %d node runs, %d jobs"
         % (len(results), opt.count, opt.seed, len(limits), elapsed, rn.node_runs, opt.jobs))
    emit("info", "summary: %d agree, %d known disagreements, %d new disagreements"
         % (status_count["ok"], status_count["known"], status_count["new"]))
    for cat in order:
        pc = per_cat[cat]
        checks = ", ".join("%s %d" % kv for kv in sorted(pc["checks"].items()))
        emit("info", "  %-24s %-14s %4d cases with it, %4d disagree%s" % (
            cat, "(" + known[cat]["source"] + ")", pc["cases"], pc["failed"], " (" + checks + ")" if checks else ""))
    if new_count:
        emit("info", "  %-24s %-14s %4s             %4d disagree" % ("new (not in known.txt)", "", "", new_count))
    return 1 if new_count or fixed else 0


if __name__ == "__main__":
    sys.exit(main())
