# The incident of issue 15 replayed: the replica (tests/workloads/seed-app) under podman in a 512 MiB
# container, with a private MariaDB, steady traffic and edits that make `tsx watch` restart it.
# Sourced after tests/lib/common.sh by tests/integration/incident and bench/incident.
#
#   incident_prepare        setup (npm ci cache, rootfs), MariaDB started, schema pushed
#   incident_arm ARM SECS   one arm (none, report-fix, nodeguard-fix, nodeguard-enforce,
#                           nodeguard-after); its measurements in $scratch/ARM/result.json
# Everything started here is stopped by the EXIT trap: containers, load, mysqld.
#
# Knobs (environment): NG_INCIDENT_RPS (8), NG_INCIDENT_EDIT_EVERY (s between edits, 60),
# NG_INCIDENT_CACHE_MIB (the app's cache cap: its live set, preloaded at each start: 180),
# NG_INCIDENT_ENTRY_KIB (256), NG_INCIDENT_BIG_JSON_ROWS (20000), NG_INCIDENT_STRAY (1: leave
# `npx drizzle-kit studio` running beside the server, as the report found; 0: not),
# NG_INCIDENT_FIX_PROCESSES (node processes the report-fix arm's heap is planned for: 1).
seed_app=$top/tests/workloads/seed-app
incident_memory=512m
incident_containers=() incident_pids=() mysqld_pid=""

incident_cleanup() {
    local c p
    for p in "${incident_pids[@]}"; do kill "$p" 2> /dev/null; done
    for c in "${incident_containers[@]}"; do podman rm -f -t 0 "$c" > /dev/null 2>&1; done
    mysqld_stop
}
incident_previous_trap=$(trap -p EXIT | sed -E "s/^trap -- '(.*)' EXIT$/\1/")
trap "incident_cleanup; $incident_previous_trap" EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# A private mysqld: its own datadir in $scratch, TCP on 127.0.0.1 and a free port, no systemd.
mysqld_start() {
    local data=$scratch/mysql
    db_port=$(free_port)
    mkdir -p "$data"
    mariadb-install-db --no-defaults --datadir="$data/data" --user=root --auth-root-authentication-method=normal \
        --skip-test-db > "$data/install.log" 2>&1 || { echo "mariadb-install-db failed: $(tail -n 3 "$data/install.log")"; return 1; }
    mariadbd --no-defaults --datadir="$data/data" --user=root --bind-address=127.0.0.1 --port="$db_port" \
        --socket="$data/sock" --pid-file="$data/pid" --skip-name-resolve --skip-log-bin \
        --innodb-buffer-pool-size=64M --max-connections=200 > "$data/mysqld.log" 2>&1 &
    mysqld_pid=$!
    for _ in $(seq 150); do
        db_sql 'SELECT 1' > /dev/null 2>&1 && break
        kill -0 "$mysqld_pid" 2> /dev/null || { echo "mysqld exited: $(tail -n 3 "$data/mysqld.log")"; mysqld_pid=""; return 1; }
        sleep 0.2
    done
    db_sql "CREATE DATABASE seed; CREATE USER 'seed'@'%' IDENTIFIED BY 'seed'; GRANT ALL ON seed.* TO 'seed'@'%'" ||
        { echo "mysqld did not come up on port $db_port"; return 1; }
    db_url=mysql://seed:seed@127.0.0.1:$db_port/seed
}
mysqld_stop() {
    [ -n "$mysqld_pid" ] || return 0
    kill "$mysqld_pid" 2> /dev/null
    for _ in $(seq 100); do kill -0 "$mysqld_pid" 2> /dev/null || break; sleep 0.1; done
    kill -KILL "$mysqld_pid" 2> /dev/null
    wait "$mysqld_pid" 2> /dev/null
    mysqld_pid=""
}
db_sql() { mariadb --no-defaults -h 127.0.0.1 -P "$db_port" -u root -N -B -e "$1"; }

# incident_prepare: the cached node_modules and rootfs, mysqld, and the schema from drizzle-kit push.
incident_prepare() {
    local out
    out=$("$seed_app/setup" 2>&1) || { printf '%s\n' "$out"; return 1; }
    seed_modules=$(printf '%s\n' "$out" | sed -n 's/^modules=//p')
    seed_rootfs=$(printf '%s\n' "$out" | sed -n 's/^rootfs=//p')
    mysqld_start || return 1
    app_copy "$scratch/push" none
    rmdir "$scratch/push/node_modules" && ln -s "$seed_modules" "$scratch/push/node_modules"
    out=$(cd "$scratch/push" && DATABASE_URL=$db_url node "$seed_modules/drizzle-kit/bin.cjs" push --force 2>&1) ||
        { echo "drizzle-kit push failed: $out"; return 1; }
    [ "$(db_sql 'SHOW TABLES FROM seed')" = translations ] || { echo "drizzle-kit push made no table: $out"; return 1; }
}

# app_copy DIR ARM: the app's sources (node_modules is a mount point for the cached modules), with
# the dev script as the arm has it.
app_copy() {
    mkdir -p "$1/node_modules"
    cp -r "$seed_app/package.json" "$seed_app/package-lock.json" "$seed_app/drizzle.config.ts" "$seed_app/server" "$1/"
    local script
    case $2 in
    # The report's fix: the flag lowered to what fits (nodeguard's plan for the server's node,
    # NG_INCIDENT_FIX_PROCESSES to count tsx's watcher too).
    report-fix) script="NODE_OPTIONS='--max-old-space-size=$(report_fix_heap)' NODE_ENV=development tsx watch server/_core/index.ts" ;;
    # What nodeguard's record tells the operator: take the inline NODE_OPTIONS out of the script.
    nodeguard-after) script="NODE_ENV=development tsx watch server/_core/index.ts" ;;
    *) return 0 ;;
    esac
    jq --arg s "$script" '.scripts.dev = $s' "$seed_app/package.json" > "$1/package.json"
}
report_fix_heap() { "$cli" plan --memory "$incident_memory" --processes "${NG_INCIDENT_FIX_PROCESSES:-1}" --json | jq -r .heap_mib; }

# The memory cgroup (v1) of the container whose pid 1 is PID.
memcg_of() { awk -F: '$2 ~ /(^|,)memory(,|$)/ {print "/sys/fs/cgroup/memory" $3}' "/proc/$1/cgroup" 2> /dev/null; }

# sampler DIR CGROUP: once a second, the cgroup's usage, high-water mark, OOM kill counter and
# MariaDB's Threads_connected (which counts the sampler's own connection: arm_result takes it
# off), one TSV line each, until killed. The last line stays readable after
# the cgroup is gone.
sampler() {
    while :; do
        printf '%s\t%s\t%s\t%s\t%s\n' "$(date +%s)" "$(cat "$2/memory.usage_in_bytes" 2> /dev/null)" \
            "$(cat "$2/memory.max_usage_in_bytes" 2> /dev/null)" \
            "$(awk '$1 == "oom_kill" {print $2}' "$2/memory.oom_control" 2> /dev/null)" \
            "$(db_sql "SHOW STATUS LIKE 'Threads_connected'" 2> /dev/null | cut -f2)" >> "$1/samples.tsv"
        sleep 1
    done
}

# process_snapshot NAME: the container's processes, each with its anon RSS (KiB) as the host sees it.
process_snapshot() {
    local hpid rest
    podman top "$1" hpid args 2> /dev/null | tail -n +2 | while read -r hpid rest; do
        printf '%s\t%s\t%s\n' "$hpid" "$(awk '$1 == "RssAnon:" {print $2}' "/proc/$hpid/status" 2> /dev/null)" "$rest"
    done
}

# editor DIR EVERY: rewrites the app's server/_core/revision.ts every EVERY seconds (tsx restarts).
editor() {
    local n=0
    while sleep "$2"; do
        n=$((n + 1))
        printf '// edited by the replay harness\nexport const revision = %d;\n' "$n" > "$1/server/_core/revision.ts"
    done
}

# incident_arm ARM SECONDS: runs one arm; $scratch/ARM/ holds app/, podman.log, samples.tsv,
# load.json, result.json. Returns 0 when the arm ran (whatever its outcome).
incident_arm() {
    local arm=$1 seconds=$2 dir=$scratch/$1 name="ngincident-$$-$1" hooks=$scratch/no-hooks url=$db_url
    local port studio_port pid cg started
    mkdir -p "$dir" "$hooks"
    app_copy "$dir/app" "$arm"
    port=$(free_port) studio_port=$(free_port)
    case $arm in
    nodeguard-fix | nodeguard-after) write_policy "$scratch/policy-fix.json" '"mode": "fix", "connection_limit": {"database_url": true}'; hooks=$scratch/hooks-fix
        hooks_dir "$hooks" "$scratch/policy-fix.json" || return 1 ;;
    nodeguard-enforce) write_policy "$scratch/policy-enforce.json" '"mode": "enforce", "connection_limit": {"database_url": true}'; hooks=$scratch/hooks-enforce
        hooks_dir "$hooks" "$scratch/policy-enforce.json" || return 1 ;;
    report-fix) url="$db_url?connectionLimit=5" ;;
    esac
    incident_containers+=("$name")
    started=$(date +%s)
    podman --runtime "$oci_runtime" --hooks-dir "$hooks" run -d --name "$name" "${ulimits[@]}" \
        -m "$incident_memory" --memory-swap "$incident_memory" --network host \
        -v "$dir/app:/app" -v "$seed_modules:/app/node_modules" -w /app \
        -e "DATABASE_URL=$url" -e "PORT=$port" -e npm_config_update_notifier=false \
        -e "CACHE_MIB=${NG_INCIDENT_CACHE_MIB:-180}" -e "ENTRY_KIB=${NG_INCIDENT_ENTRY_KIB:-256}" \
        -e "BIG_JSON_ROWS=${NG_INCIDENT_BIG_JSON_ROWS:-20000}" \
        --rootfs "$seed_rootfs" npm run dev > "$dir/run.out" 2> "$dir/run.err"
    local run_rc=$?
    if [ $run_rc -eq 0 ]; then
        for _ in $(seq 120); do
            podman logs "$name" 2>&1 | grep -q 'seed-app listening' && break
            [ "$(podman inspect -f '{{.State.Running}}' "$name" 2> /dev/null)" = true ] || break
            sleep 0.5
        done
        pid=$(podman inspect -f '{{.State.Pid}}' "$name" 2> /dev/null)
        cg=$(memcg_of "$pid")
        sampler "$dir" "$cg" & incident_pids+=($!)
        local sampler_pid=$!
        if [ "$arm" != report-fix ] && [ "${NG_INCIDENT_STRAY:-1}" = 1 ]; then
            podman exec -d "$name" npx drizzle-kit studio --port "$studio_port" --host 127.0.0.1 > /dev/null 2>&1
        fi
        editor "$dir/app" "${NG_INCIDENT_EDIT_EVERY:-60}" & incident_pids+=($!)
        local editor_pid=$!
        node "$seed_app/loadgen.mjs" "http://127.0.0.1:$port" "${NG_INCIDENT_RPS:-8}" "$seconds" > "$dir/load.json" 2> "$dir/load.err" &
        local load_pid=$!
        # NG_INCIDENT_UNTIL_OOM=1 (the CI suite's killed arm): the arm may end at the first kernel
        # OOM kill, a few seconds after it (kmsg and the records settle), instead of running its
        # whole time: how long node thrashes at the limit before the kill varies (10 to 40 s seen).
        while kill -0 "$load_pid" 2> /dev/null; do
            if [ "${NG_INCIDENT_UNTIL_OOM:-0}" = 1 ] &&
                [ "$(awk -F'\t' '$4 != "" {k = $4} END {print k + 0}' "$dir/samples.tsv" 2> /dev/null)" -gt 0 ]; then
                sleep 3
                kill -TERM "$load_pid" 2> /dev/null
                break
            fi
            sleep 1
        done
        wait "$load_pid"
        process_snapshot "$name" > "$dir/processes.txt"
        [ "$arm" = nodeguard-fix ] || [ "$arm" = nodeguard-after ] &&
            NODEGUARD_STATE_DIR=$scratch/state "$cli" status > "$dir/status.txt" 2>&1
        kill "$editor_pid" "$sampler_pid" 2> /dev/null
        wait "$editor_pid" "$sampler_pid" 2> /dev/null
    fi
    podman stop -t 3 "$name" > /dev/null 2>&1
    podman logs "$name" > "$dir/podman.log" 2>&1
    podman inspect "$name" > "$dir/inspect.json" 2> /dev/null
    podman rm -f "$name" > /dev/null 2>&1
    dmesg > "$dir/dmesg" 2> /dev/null
    arm_result "$arm" "$dir" "$run_rc" $(($(date +%s) - started)) > "$dir/result.json"
}

count_lines() { local n; n=$(grep -cE "$1" "$2" 2> /dev/null); echo "${n:-0}"; }

# arm_result ARM DIR RUN_RC SECONDS: the arm's measurements as one JSON object.
arm_result() {
    local arm=$1 dir=$2 id kmsg log=$scratch/events.jsonl
    id=$(jq -r '.[0].Id // ""' "$dir/inspect.json" 2> /dev/null)
    # The kernel's "oom-kill:" lines for this container's memcg (its id is new), each followed by
    # its "Killed process" line: the victim and its anon-rss.
    kmsg=$(grep -A1 "oom-kill:.*task_memcg=[^,]*${id:-none}" "$dir/dmesg" 2> /dev/null |
        grep -o 'Killed process [0-9]* ([^)]*).*anon-rss:[0-9]*kB' || true)
    local samples=$dir/samples.tsv
    [ -f "$samples" ] || : > "$samples"
    jq -n --arg arm "$arm" --argjson seconds "$4" --argjson run_rc "$3" --arg id "$id" \
        --arg run_err "$(cat "$dir/run.err")" --arg kmsg "$kmsg" \
        --argjson load "$(cat "$dir/load.json" 2> /dev/null || echo null)" \
        --argjson inspect "$(jq '.[0].State // null' "$dir/inspect.json" 2> /dev/null || echo null)" \
        --argjson cg_kills "$(awk -F'\t' '$4 != "" {k = $4} END {print k + 0}' "$samples")" \
        --argjson peak "$(awk -F'\t' '$3 > p {p = $3} END {print int(p / 1048576)}' "$samples")" \
        --argjson db_max "$(awk -F'\t' '$5 > m {m = $5} END {print (m > 0 ? m - 1 : 0)}' "$samples")" \
        --argjson listening "$(count_lines 'seed-app listening' "$dir/podman.log")" \
        --argjson v8_ooms "$(count_lines 'Reached heap limit|JavaScript heap out of memory' "$dir/podman.log")" \
        --arg heap "$(sed -n 's/.*seed-app listening.* heap_limit=\([0-9]*\).*/\1/p' "$dir/podman.log" 2> /dev/null | sort -u | tr '\n' ' ')" \
        --arg pool "$(sed -n 's/.*seed-app listening.* pool=\([0-9]*\).*/\1/p' "$dir/podman.log" 2> /dev/null | sort -u | tr '\n' ' ')" \
        --argjson records "$(cat "$log" 2> /dev/null | jq -sc --arg id "$id" '[.[] | select(.container_id == $id)]')" '
        {arm: $arm, seconds: $seconds, started: ($run_rc == 0), run_error: $run_err, container_id: $id,
         kmsg_kills: ($kmsg | split("\n") | map(select(. != ""))), cgroup_oom_kills: $cg_kills}
        # The cgroup counter is sampled once a second and gone with the cgroup; the kernel log
        # can lose lines to its rate limit: the larger of the two.
        | .kernel_oom_kills = ([.cgroup_oom_kills, (.kmsg_kills | length)] | max)
        | . + {
         podman_oom_killed: $inspect.OOMKilled, exit_code: $inspect.ExitCode,
         v8_heap_ooms: $v8_ooms, server_starts: $listening, tsx_restarts: ([$listening - 1, 0] | max),
         heap_limit_mib: ($heap | rtrimstr(" ")), pool_size: ($pool | rtrimstr(" ")),
         peak_mib: $peak, max_db_connections: $db_max,
         requests_ok: ($load.ok // 0), requests_failed: ($load.failed // 0), load: $load,
         nodeguard: {decisions: [$records[] | select(.event == "decision") | {stage, mode, action, verdict, heap_mib_after, heap_source, node_options_after, reason}],
                     oom_kills: [$records[] | select(.event == "oom_kill") | {victim: .victim.name, anon_rss_kb: .victim.anon_rss_kb, heap_flag,
                                 processes: [.processes[]? | .name], commands: [.processes[]? | .command]}],
                     exit: ([$records[] | select(.event == "container_exit") | .exit.classification] | first)}}'
}

# One line per arm for people: what happened.
arm_summary() {
    jq -r '"\(.arm)\t\(.seconds)s\tstarted=\(.started)\tkernel_oom_kills=\(.kernel_oom_kills)\tv8_heap_ooms=\(.v8_heap_ooms)\ttsx_restarts=\(.tsx_restarts)\tpeak_mib=\(.peak_mib)\trequests_ok=\(.requests_ok)\tfailed=\(.requests_failed)\tmax_db_conn=\(.max_db_connections)\theap=\(.heap_limit_mib)\tpool=\(.pool_size)"' "$1"
}
