# Sourced by the shell suites. Each suite calls pass/fail per check; tests/run adds them up.
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${NG_BUILD:-$top/build}
hook=$build/nodeguard-hook
cli=$build/nodeguard
fixtures=${NODEGUARD_FIXTURES:-$top/tests/fixtures/oci}
passed=0 failed=0
# The OCI runtime the suites drive: runc on this host, crun or runc in the cgroup v2 test VM
# (tests/vm sets NG_RUNTIME). podman gets the same runtime.
oci_runtime=${NG_RUNTIME:-runc}
# podman 4.3 with runc on this host needs explicit limits (its defaults exceed what runc may set).
ulimits=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
# True on a cgroup v2 (unified) host, where memory.events replaces memory.oom_control.
cgroup2() { [ "$(stat -fc %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ]; }

pass() { passed=$((passed + 1)); printf '  ok    %s\n' "$1"; }
fail() { failed=$((failed + 1)); printf '  FAIL  %s\n' "$1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/        /'; return 0; }
# check NAME COMMAND...: passes when COMMAND exits 0
check() { local name=$1; shift; local out; if out=$("$@" 2>&1); then pass "$name"; else fail "$name" "$out"; fi; }
# expect_eq NAME WANT GOT
expect_eq() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "want: $2
got:  $3"; fi; }
# expect_match NAME REGEX TEXT
expect_match() { if printf '%s' "$3" | grep -Eq -- "$2"; then pass "$1"; else fail "$1" "no match for /$2/ in:
$3"; fi; }
finish() { echo "$passed $failed" > "${NG_RESULT_FILE:-/dev/null}"; }

# A scratch directory removed on exit.
scratch=$(mktemp -d /tmp/nodeguard-test.XXXXXX)
trap '[ -n "${KEEP_SCRATCH:-}" ] && echo "scratch kept: $scratch" || rm -rf "$scratch"; finish' EXIT

# write_policy FILE [JSON-FRAGMENT]: a policy logging to $scratch/events.jsonl
write_policy() {
    printf '{"log_path": "%s/events.jsonl"%s}\n' "$scratch" "${2:+, $2}" > "$1"
}

# hooks_dir DIR POLICY: the repo's hooks.d with the hook path pointed at build/ and the policy set
# (podman runs precreate hooks with an empty environment, so the policy goes in the hook's env).
# A slow host's settings, as docs/configuration.md gives them to operators: NG_HOOK_TIMEOUT (s)
# replaces the shipped timeout, NG_WATCHER_ARM_BUDGET_MS goes in the hook's environment.
hooks_dir() {
    mkdir -p "$1"
    compgen -G "$top/oci-config/hooks.d/*.json" > /dev/null || { echo "no hooks.d files in $top/oci-config" >&2; return 1; }
    local budget=()
    [ -n "${NG_WATCHER_ARM_BUDGET_MS:-}" ] && budget=("NG_WATCHER_ARM_BUDGET_MS=$NG_WATCHER_ARM_BUDGET_MS")
    for f in "$top"/oci-config/hooks.d/*.json; do
        jq --arg hook "$hook" --arg pol "$2" --arg st "$scratch/state" --arg timeout "${NG_HOOK_TIMEOUT:-}" \
            --argjson extra "$(printf '%s\n' "${budget[@]}" | jq -R . | jq -sc 'map(select(. != ""))')" \
            '.hook.path = $hook | .hook.env = ["NODEGUARD_CONFIG=" + $pol, "NODEGUARD_STATE_DIR=" + $st] + $extra
             | if $timeout != "" then .hook.timeout = ($timeout | tonumber) else . end' \
            "$f" > "$1/$(basename "$f")"
    done
}

# add_runc_hooks BUNDLE POLICY [TIMEOUT]: nodeguard's createRuntime and poststop hooks in a runc
# bundle's config.json, with the policy and $scratch/state in their environment (runc gives hooks
# nothing else), as nodeguard-runtime adds them.
add_runc_hooks() {
    local henv="[\"NODEGUARD_CONFIG=$2\", \"NODEGUARD_STATE_DIR=$scratch/state\"]"
    jq --arg hook "$hook" --argjson henv "$henv" --argjson t "${3:-5}" '
        .hooks.createRuntime = [{path: $hook, args: ["nodeguard-hook", "createRuntime"], env: $henv, timeout: $t}]
        | .hooks.poststop = [{path: $hook, args: ["nodeguard-hook", "poststop"], env: $henv, timeout: $t}]' \
        "$1/config.json" > "$1/config.json.new" && mv "$1/config.json.new" "$1/config.json"
}

# A busybox + node root filesystem with the test workloads in /app, cached between runs.
rootfs=${NG_ROOTFS:-/var/tmp/nodeguard-rootfs}
make_rootfs() {
    "$top/tests/lib/mkrootfs" "$rootfs" || return 1
    cp "$top"/tests/workloads/*.js "$rootfs/app/"
}

# The heap_size_limit (MiB) node should report under nodeguard's plan for LIMIT [PROCESSES].
expected_heap_limit() {
    "$cli" plan --memory "$1" --processes "${2:-1}" --json | jq -r '.heap_mib + .young_generation_mib'
}
