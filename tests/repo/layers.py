#!/usr/bin/env python3
"""layers.py ROOT BUILD: checks the library's shape, printing one line per problem; exits 1 if any.

The library has three layers, each using only those before it:
  core    src/core/    pure: no I/O but the fds it is handed, never prints
  host    src/host/    files, processes, cgroups, the kernel, the audit log
  stages  src/stages/  what each hook stage and the runtime wrapper do
Checked:
- includes: a file of a layer includes no header of a later layer (a header belongs to the layer
  of the .c file that implements it);
- symbols (nm on the built objects): no object uses a symbol defined in a later layer, and no two
  objects depend on each other, directly or around a loop;
- only the mains print: nothing in the library writes to stdout or stderr itself (it hands its
  messages to ng_diag, whose sink the main installs);
- the core reaches nothing of the host itself (nm on its objects): no call that opens or names a
  file, reads the environment, the host's RAM or CPUs (sysinfo, sysconf), or starts or signals a
  process. The host layer reads such values and hands them in (ng_spec.host_memory_mib)."""
import os
import re
import subprocess
import sys

root, build = sys.argv[1], sys.argv[2]
LAYERS = ["core", "host", "stages"]
# Headers implemented by a file of another name.
OWNERS = {"stages": "stages", "cleanup": "core"}
problems = []

def layer_of_file(path):
    parts = os.path.relpath(path, root).split(os.sep)
    return parts[1] if len(parts) == 3 and parts[0] == "src" and parts[1] in LAYERS else None

sources = {}
for layer in LAYERS:
    for name in sorted(os.listdir(os.path.join(root, "src", layer))):
        if name.endswith((".c", ".h")):
            sources[os.path.join(root, "src", layer, name)] = layer
header_layer = {os.path.splitext(os.path.basename(p))[0]: l for p, l in sources.items() if p.endswith(".c")}
header_layer.update(OWNERS)
headers = {}
for name in sorted(os.listdir(os.path.join(root, "include", "nodeguard"))):
    stem = name[:-2]
    if stem not in header_layer:
        problems.append(f"include/nodeguard/{name}: no src/<layer>/{stem}.c implements it (add it to OWNERS)")
        continue
    headers[os.path.join(root, "include", "nodeguard", name)] = header_layer[stem]

INCLUDE = re.compile(r'^\s*#\s*include\s+"nodeguard/(\w+)\.h"', re.M)
for path, layer in list(sources.items()) + list(headers.items()):
    for m in INCLUDE.finditer(open(path, encoding="utf-8").read()):
        used = header_layer.get(m.group(1))
        if used and LAYERS.index(used) > LAYERS.index(layer):
            problems.append(f"{os.path.relpath(path, root)} ({layer}) includes nodeguard/{m.group(1)}.h ({used})")

# Symbols: who defines what, who uses what.
objects = {}
for layer in LAYERS:
    d = os.path.join(build, "src", layer)
    if not os.path.isdir(d):
        problems.append(f"{d}: not built (run make first)")
        continue
    for name in sorted(os.listdir(d)):
        if name.endswith(".o"):
            objects[f"src/{layer}/{name[:-2]}"] = os.path.join(d, name)
defined, undefined = {}, {}
for obj, path in objects.items():
    out = subprocess.run(["nm", path], check=True, capture_output=True, text=True).stdout
    defined[obj] = {l.split()[-1] for l in out.splitlines() if re.match(r"^\S+ [TDBRVW] ", l)}
    undefined[obj] = {l.split()[-1] for l in out.splitlines() if re.match(r"^\s+U ", l)}
owner = {}
for obj, syms in defined.items():
    for s in syms:
        owner.setdefault(s, obj)
edges = {obj: sorted({owner[s] for s in undefined[obj] if s in owner and owner[s] != obj}) for obj in objects}
for obj, deps in edges.items():
    for dep in deps:
        if LAYERS.index(dep.split("/")[1]) > LAYERS.index(obj.split("/")[1]):
            used = sorted(s for s in undefined[obj] if owner.get(s) == dep)
            problems.append(f"{obj} ({obj.split('/')[1]}) uses {dep}: {', '.join(used[:4])}")

# Cycles: Tarjan's strongly connected components.
index, low, stack, on_stack, counter = {}, {}, [], set(), [0]
def visit(v):
    index[v] = low[v] = counter[0]
    counter[0] += 1
    stack.append(v)
    on_stack.add(v)
    for w in edges[v]:
        if w not in index:
            visit(w)
            low[v] = min(low[v], low[w])
        elif w in on_stack:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        component = []
        while True:
            w = stack.pop()
            on_stack.discard(w)
            component.append(w)
            if w == v:
                break
        if len(component) > 1:
            problems.append("dependency cycle: " + " -> ".join(sorted(component)))
sys.setrecursionlimit(10000)
for v in objects:
    if v not in index:
        visit(v)

# The C library calls the core may not make. It reads and writes only the fds it is handed (read,
# write) and the clock (util.c's timestamps), which stay allowed. _FORTIFY_SOURCE's variants
# (__open_2, __readlink_chk) and the 64-bit ones (open64) count as the call they wrap.
HOST_CALLS = set("""
    sysinfo sysconf get_nprocs get_nprocs_conf get_phys_pages get_avphys_pages getloadavg uname
    gethostname getrlimit prlimit getrusage
    getenv secure_getenv setenv unsetenv putenv clearenv
    open openat creat fopen freopen fdopen opendir fdopendir stat lstat fstat fstatat statx statfs
    fstatfs access faccessat eaccess readlink readlinkat realpath getcwd chdir fchdir mkdir mkdirat
    rmdir unlink unlinkat rename renameat renameat2 link symlink chmod fchmod chown fchown truncate
    ftruncate mkstemp mkostemp tmpfile memfd_create pipe pipe2 dup dup2 dup3 fcntl ioctl flock mmap
    syscall prctl seccomp socket connect bind sendto sendmsg recvfrom recvmsg
    fork vfork clone execve execv execvp execvpe execl execlp execle posix_spawn posix_spawnp system
    popen kill tgkill waitpid wait4 waitid getpid getppid getuid geteuid getgid getegid
""".split())

def host_call(symbol):
    name = re.sub(r"^__", "", symbol)
    name = re.sub(r"(_chk|_2)$", "", name)
    return re.sub(r"64$", "", name) in HOST_CALLS

for obj, syms in undefined.items():
    if obj.split("/")[1] == "core":
        calls = sorted(s for s in syms if host_call(s))
        if calls:
            problems.append(f"{obj} (core) calls {', '.join(calls)}: the host layer reads the host and hands "
                            "the value in")

PRINT = re.compile(r"\b(v?printf|puts|putchar|perror|v?dprintf|vwarnx?|warnx?|errx?)\s*\(|"
                   r"\bf(printf|puts|putc|write)\s*\([^;]*\bstd(out|err)\b|STD(OUT|ERR)_FILENO")
for path, layer in sources.items():
    for number, line in enumerate(open(path, encoding="utf-8").read().splitlines(), 1):
        code = line.split("//")[0]
        if PRINT.search(code) and not code.lstrip().startswith(("*", "/*")):
            problems.append(f"{os.path.relpath(path, root)}:{number}: prints ({line.strip()[:60]}); use ng_diag")

print("\n".join(problems))
sys.exit(1 if problems else 0)
