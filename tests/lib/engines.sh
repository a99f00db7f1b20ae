# Sourced by tests/engines/* after common.sh: what a suite needs to start a real engine (dockerd,
# containerd) of its own and to leave nothing of it behind. Every daemon the suites start is private:
# its sockets, root, state and pid file under $scratch, its environment naming the suite's policy.
#
# Two things are not private: containerd 1.6 puts every shim's socket in /run/containerd/s (a fixed
# path, runtime/v2/shim/util.go SocketAddress), whatever its --state; and the containerd that dockerd
# starts creates its "opt" plugin's /opt/containerd/{bin,lib} (dockerd writes that containerd's
# config, with no way to move it). Each is removed at the end if it did not exist before (rmdir:
# only what is empty, so never what another engine on the machine has put there).

engine_pids=()
run_containerd_existed=$([ -e /run/containerd ] && echo yes)
opt_containerd_existed=$([ -e /opt/containerd ] && echo yes)

# wait_for SECONDS COMMAND...: polls COMMAND every 0.1 s until it succeeds; 1 on timeout.
wait_for() {
    local tries=$(($1 * 10)); shift
    while [ "$tries" -gt 0 ]; do
        "$@" > /dev/null 2>&1 && return 0
        sleep 0.1
        tries=$((tries - 1))
    done
    return 1
}

# stop_pid PID [SECONDS]: SIGTERM, then SIGKILL if PID has not exited within SECONDS (default 20).
# Returns 1 if it had to be killed.
stop_pid() {
    local pid=$1 tries=$((${2:-20} * 10))
    kill -0 "$pid" 2> /dev/null || return 0
    kill -TERM "$pid" 2> /dev/null
    while [ "$tries" -gt 0 ] && kill -0 "$pid" 2> /dev/null; do sleep 0.1; tries=$((tries - 1)); done
    kill -0 "$pid" 2> /dev/null || { wait "$pid" 2> /dev/null; return 0; }
    kill -KILL "$pid" 2> /dev/null
    wait "$pid" 2> /dev/null
    return 1
}

# The pids of processes whose command line names the scratch directory (the engines' shims, whose
# -address is a socket under it): started by this suite's engines, so this suite's to end.
scratch_pids() {
    local p
    for p in /proc/[0-9]*; do
        [ "${p#/proc/}" = $$ ] && continue
        tr '\0' ' ' 2> /dev/null < "$p/cmdline" | grep -qF -- "$scratch/" && echo "${p#/proc/}"
    done
}

# Mount points under the scratch directory (dockerd bind-mounts its data root onto itself; a
# container's rootfs is an overlay mount under the engine's state), deepest first.
scratch_mounts() {
    awk -v s="$scratch/" 'index($5, s) == 1 {print $5}' /proc/self/mountinfo | sort -r
}

# shim_socket PID: the socket of a containerd shim (containerd-shim-runc-v2 -namespace NS -id ID
# -address ADDR) in /run/containerd/s, named by sha256(ADDR/NS/ID) (containerd 1.6 SocketAddress):
# a shim that is killed leaves it behind.
shim_socket() {
    local args=() ns='' id='' addr='' i
    mapfile -d '' args < "/proc/$1/cmdline" 2> /dev/null || return 0
    for ((i = 0; i + 1 < ${#args[@]}; i++)); do
        case ${args[i]} in
        -namespace) ns=${args[i + 1]} ;;
        -id) id=${args[i + 1]} ;;
        -address) addr=${args[i + 1]} ;;
        esac
    done
    [ -n "$ns" ] && [ -n "$id" ] && [ -n "$addr" ] || return 0
    echo "/run/containerd/s/$(printf '%s' "$addr/$ns/$id" | sha256sum | cut -d' ' -f1)"
}

# runc_leftovers: "ROOT ID" of every runc container still in a runc root under the scratch directory
# (ROOT/ID/state.json): what an engine stopped in the middle of a test left running.
runc_leftovers() {
    find "$scratch" -mindepth 3 -maxdepth 6 -name state.json -path '*runc*' 2> /dev/null |
        while read -r f; do d=$(dirname "$f"); echo "$(dirname "$d") $(basename "$d")"; done
}

# engines_cleanup: the trap's part, for a suite that ends early too: the suite's containers removed
# through its engine (remove_containers, if the suite has one), every daemon stopped, containers
# the engine left to runc deleted (containerd leaves its shims and tasks running when it stops),
# their processes, any mount left under the scratch directory, and what they made in /run/containerd.
engines_cleanup() {
    local pid m root id sock
    declare -F remove_containers > /dev/null && remove_containers > /dev/null 2>&1
    for pid in "${engine_pids[@]}"; do stop_pid "$pid" 20; done
    while read -r root id; do
        [ -n "$id" ] && runc --root "$root" delete --force "$id" > /dev/null 2>&1
    done < <(runc_leftovers)
    for pid in $(scratch_pids); do
        sock=$(shim_socket "$pid")
        kill -KILL "$pid" 2> /dev/null
        [ -n "$sock" ] && rm -f "$sock"
    done
    for m in $(scratch_mounts); do umount "$m" 2> /dev/null || umount -l "$m" 2> /dev/null; done
    remove_host_dirs
    return 0
}

# What the engines made outside the scratch directory (see the top), if it was not there before.
remove_host_dirs() {
    if [ -z "$run_containerd_existed" ]; then
        rmdir /run/containerd/s /run/containerd/fifo /run/containerd/runc/default /run/containerd/runc \
            /run/containerd 2> /dev/null
    fi
    [ -n "$opt_containerd_existed" ] || rmdir /opt/containerd/bin /opt/containerd/lib /opt/containerd 2> /dev/null
    return 0
}
trap 'engines_cleanup; [ -n "${KEEP_SCRATCH:-}" ] && echo "scratch kept: $scratch" || rm -rf --one-file-system "$scratch"; finish' EXIT
# A suite stopped by a signal still cleans up (bash runs the EXIT trap only for signals it traps).
trap 'exit 143' TERM INT HUP

# check_left_nothing ENGINE: after the suite stopped ENGINE: no process and no mount of it left.
check_left_nothing() {
    expect_eq "$1 stopped: no container left to runc" "" "$(runc_leftovers | xargs)"
    expect_eq "$1 stopped: no process of it left" "" "$(scratch_pids | xargs)"
    expect_eq "$1 stopped: no mount left under the scratch directory" "" "$(scratch_mounts | xargs)"
    remove_host_dirs
    local left=
    [ -z "$run_containerd_existed" ] && [ -e /run/containerd ] && left="$left $(find /run/containerd | tr '\n' ' ')"
    [ -z "$opt_containerd_existed" ] && [ -e /opt/containerd ] && left="$left $(find /opt/containerd | tr '\n' ' ')"
    expect_eq "$1 stopped: /run/containerd and /opt/containerd as they were before" "" "$(printf '%s' "$left" | xargs)"
}

# errs: " [stderr: ...]" when the last command's stderr ($scratch/err) has anything, for a check's "got".
# Docker's own warning where the kernel has no swap accounting (the test VM's: no swap) is not
# nodeguard's and says nothing of the run; anything else on stderr is shown with the result.
errs() {
    local e
    e=$(grep -v '^WARNING: Your kernel does not support swap limit capabilities' "$scratch/err" 2> /dev/null)
    [ -n "$e" ] && printf ' [stderr: %s]' "$e"
    return 0
}

# rootfs_tar FILE: the node rootfs as a tarball (what docker import takes), with the test workloads.
rootfs_tar() {
    make_rootfs || return 1
    tar -C "$rootfs" -cf "$1" .
}

# oci_archive FILE NAME [ROOTFS [CMD-JSON]]: ROOTFS (default: the node rootfs) as an OCI image layout
# in a tar (what ctr images import takes), one uncompressed layer, PATH and CMD-JSON (an array, as
# an image's Cmd) in its config, named NAME (io.containerd.image.name).
oci_archive() {
    local dir=$scratch/oci blobs=$scratch/oci/blobs/sha256 layer config manifest cmd=${4:-null}
    mkdir -p "$blobs" || return 1
    # blob FILE: FILE moved to blobs/sha256/DIGEST; prints "DIGEST SIZE"
    blob() {
        local h
        h=$(sha256sum "$1" | cut -d' ' -f1) && mv "$1" "$blobs/$h" && echo "$h $(stat -c %s "$blobs/$h")"
    }
    if [ -n "${3:-}" ]; then tar -C "$3" -cf "$scratch/layer.tar" . || return 1
    else rootfs_tar "$scratch/layer.tar" || return 1; fi
    read -r layer layer_size < <(blob "$scratch/layer.tar")
    jq -n -c --arg l "sha256:$layer" --argjson cmd "$cmd" '{architecture: "amd64", os: "linux",
        config: ({Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]}
                 + if $cmd then {Cmd: $cmd} else {} end),
        rootfs: {type: "layers", diff_ids: [$l]}}' > "$scratch/config.json"
    read -r config config_size < <(blob "$scratch/config.json")
    jq -n -c --arg c "sha256:$config" --argjson cs "$config_size" --arg l "sha256:$layer" --argjson ls "$layer_size" '
        {schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
         config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
         layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $l, size: $ls}]}' > "$scratch/manifest.json"
    read -r manifest manifest_size < <(blob "$scratch/manifest.json")
    jq -n -c --arg m "sha256:$manifest" --argjson ms "$manifest_size" --arg name "$2" '
        {schemaVersion: 2, manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json",
         digest: $m, size: $ms, annotations: {"io.containerd.image.name": $name}}]}' > "$dir/index.json"
    echo '{"imageLayoutVersion": "1.0.0"}' > "$dir/oci-layout"
    tar -C "$dir" -cf "$1" . && rm -rf "$dir"
}

# start_containerd CONFIG: a private containerd (tests/engines/containerd, cri) of CONFIG, the suite's
# policy and a nodeguard state directory in its environment (its shims and nodeguard-runtime inherit
# it), its output appended to $scratch/containerd.log; sets containerd_pid.
start_containerd() {
    NODEGUARD_CONFIG=$policy NODEGUARD_STATE_DIR=$scratch/ngstate \
        containerd --config "$1" >> "$scratch/containerd.log" 2>&1 < /dev/null &
    containerd_pid=$!
    engine_pids+=("$containerd_pid")
}

# records ID EVENT: the log's ($log) records of EVENT for container ID; has_record ID EVENT: any.
records() { jq -c --arg id "$1" --arg ev "$2" 'select(.container_id == $id and .event == $ev)' "$log" 2> /dev/null; }
has_record() { [ -n "$(records "$1" "$2")" ]; }
