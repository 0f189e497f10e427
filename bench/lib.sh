# shellcheck shell=bash
# Shared by bench/run.sh and bench/ui-responsiveness.sh, which source it right after their own
# SCRIPT_DIR. What it reads of theirs, when its functions run: LOG_TAG, ROOT_DIR, STARTUP_TIMEOUT,
# STOP_TIMEOUT, UPSTREAM_BODY, WRK_THREADS, NGINX_BIN, and stop_processes() for the cleanup.
# Not a script of its own: no `set` here, the caller's `set -euo pipefail` applies.

TMP_DIR=""
KEEP_TMP=0
WRK_PID=""
# shellcheck disable=SC2034 # set by start_upstream_nginx, read by the scripts' stop_processes
UPSTREAM_PID=""
# shellcheck disable=SC2034
UPSTREAM_WORKERS=()

log() { printf '[%s] %s\n' "$LOG_TAG" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "$LOG_TAG" "$*" >&2; exit 1; }

# "10s" / "2m" / "1h" / "10" -> seconds (wrk accepts the same forms).
duration_seconds() {
    local d=$1
    [[ $d =~ ^([0-9]+)([smh]?)$ ]] || return 1
    local n=${BASH_REMATCH[1]}
    case ${BASH_REMATCH[2]} in
        m) echo $((n * 60)) ;;
        h) echo $((n * 3600)) ;;
        *) echo "$n" ;;
    esac
}

# ---------------------------------------------------------------------------------------------------------
# Process bookkeeping and cleanup: every process a benchmark starts is stopped on exit, whatever the exit.
# ---------------------------------------------------------------------------------------------------------

stop_pid() { # stop_pid PID [extra pids to SIGKILL if PID had to be killed]
    local pid=$1
    shift
    [[ -n $pid ]] || return 0
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    kill -TERM "$pid" 2>/dev/null || true
    local i
    for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "process $pid did not stop on SIGTERM; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
    # Children (nginx workers) are orphaned if their master was SIGKILLed: make sure they are gone too.
    local child
    for child in "$@"; do
        if kill -0 "$child" 2>/dev/null; then kill -KILL "$child" 2>/dev/null || true; fi
    done
}

# check_bench_tools ONLY_NGINX_VALUE: dies unless every tool the benchmarks run is there; sets
# ONLY_NGINX (0 or 1), NGINX_BIN and CLK_TCK.
check_bench_tools() {
    case $1 in
        0 | "") ONLY_NGINX=0 ;;
        *) ONLY_NGINX=1 ;;
    esac
    local tool
    for tool in nginx wrk curl python3 timeout setsid pgrep; do
        command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found in PATH"
    done
    NGINX_BIN=$(command -v nginx)
    CLK_TCK=$(getconf CLK_TCK)
}

stop_gatehouse() { # stop_gatehouse PID: stop_pid, then whatever is left of its process group
    [[ -n $1 ]] || return 0
    stop_pid "$1"
    kill -KILL -- "-$1" 2>/dev/null || true
}

# The EXIT trap: wrk, then the script's stop_processes, then TMP_DIR unless KEEP_TMP=1; the exit
# status stays the script's.
cleanup() {
    local rc=$?
    trap - EXIT INT TERM HUP
    set +e
    if [[ -n $WRK_PID ]]; then
        kill -TERM "$WRK_PID" 2>/dev/null
        wait "$WRK_PID" 2>/dev/null
    fi
    stop_processes
    if [[ -n $TMP_DIR && -d $TMP_DIR ]]; then
        if [[ $KEEP_TMP == 1 ]]; then
            log "temporary files kept in $TMP_DIR"
        else
            rm -rf "$TMP_DIR"
        fi
    fi
    exit "$rc"
}

# make_tmp_dir NAME KEEP: installs the cleanup, then makes TMP_DIR (kept on exit when KEEP is 1).
make_tmp_dir() {
    KEEP_TMP=$2
    trap cleanup EXIT
    trap 'log "interrupted"; exit 130' INT
    trap 'log "terminated"; exit 143' TERM
    trap 'exit 129' HUP
    TMP_DIR=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
    chmod 755 "$TMP_DIR" # nginx workers may run as another user (nobody) when started as root
}

# ---------------------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------------------

# Prints N distinct free TCP ports on 127.0.0.1 (all held open together, so they are distinct).
free_ports() {
    python3 - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
EOF
}

# Total CPU ticks (utime+stime) of the given /proc stat files; vanished ones count as 0.
stat_ticks() {
    local total=0 file stat rest f
    for file in "$@"; do
        stat=$(cat "$file" 2>/dev/null) || continue
        rest=${stat##*) }               # the command name may contain spaces and parens
        read -r -a f <<<"$rest"         # f[0] is field 3 (state); utime = field 14, stime = field 15
        total=$((total + f[11] + f[12]))
    done
    echo "$total"
}

# The same for whole processes: total CPU ticks of the given pids.
cpu_ticks() {
    local pid files=()
    for pid in "$@"; do
        files+=("/proc/$pid/stat")
    done
    stat_ticks "${files[@]}"
}

# show_logs DIR: print every non-empty *.log of DIR (stderr, nginx error log) to stderr.
show_logs() {
    local f
    for f in "$1"/*.log; do
        [[ -s $f ]] || continue
        printf '  --- %s\n' "$f" >&2
        tail -n 50 "$f" | sed 's/^/    /' >&2
    done
}

# wait_http NAME URL PID LOG_DIR [TIMEOUT]: bounded wait (STARTUP_TIMEOUT seconds unless given) until
# URL answers 200 with the bench body.
wait_http() {
    local name=$1 url=$2 pid=$3 logdir=$4 limit=${5:-$STARTUP_TIMEOUT} rc
    local deadline=$((SECONDS + limit)) code="" body_file="$TMP_DIR/probe-$name.body"
    while ((SECONDS < deadline)); do
        if ! kill -0 "$pid" 2>/dev/null; then
            wait "$pid" 2>/dev/null && rc=0 || rc=$?
            log "$name exited during startup (exit status $rc). Its logs:"
            show_logs "$logdir"
            die "$name did not start"
        fi
        code=$(curl -s -o "$body_file" -w '%{http_code}' --max-time 1 "$url" 2>/dev/null) || code=""
        if [[ $code == 200 ]]; then
            if grep -qF "$UPSTREAM_BODY" "$body_file"; then
                return 0
            fi
            log "$name answered 200 but with an unexpected body: $(head -c 200 "$body_file")"
            show_logs "$logdir"
            die "$name does not proxy to the bench upstream correctly"
        fi
        sleep 0.1
    done
    log "$name did not answer 200 on $url within ${limit}s (last HTTP status: '${code:-none}'). Its logs:"
    show_logs "$logdir"
    die "$name did not come up"
}

# Sets GATEHOUSE_BIN: the one given, else the release build, made first when it is missing (before
# anything is started).
resolve_gatehouse_bin() {
    if [[ -n ${GATEHOUSE_BIN:-} ]]; then
        [[ -x $GATEHOUSE_BIN ]] || die "GATEHOUSE_BIN=$GATEHOUSE_BIN is not an executable file"
        return 0
    fi
    GATEHOUSE_BIN=$ROOT_DIR/build/release/app/gatehouse
    if [[ ! -x $GATEHOUSE_BIN ]]; then
        log "$GATEHOUSE_BIN missing: building the release preset"
        (cd "$ROOT_DIR" && cmake --preset release && cmake --build --preset release) >&2 ||
            die "release build failed"
        [[ -x $GATEHOUSE_BIN ]] || die "release build did not produce $GATEHOUSE_BIN"
    fi
}

# new_out_dir BASE: a results folder not used before, BASE or BASE-1, BASE-2..., with raw/ in it; sets OUT_DIR.
new_out_dir() {
    local n=1
    OUT_DIR=$1
    while [[ -e $OUT_DIR ]]; do OUT_DIR=$1-$((n++)); done
    mkdir -p "$OUT_DIR/raw"
}

# ---------------------------------------------------------------------------------------------------------
# nginx
# ---------------------------------------------------------------------------------------------------------

# nginx_workers MASTER_PID COUNT: the worker pids of an nginx master (its direct children).
nginx_workers() {
    local master=$1 deadline=$((SECONDS + STARTUP_TIMEOUT)) want=$2 pids=()
    while ((SECONDS < deadline)); do
        mapfile -t pids < <(pgrep -P "$master" || true)
        ((${#pids[@]} >= want)) && break
        sleep 0.1
    done
    ((${#pids[@]} >= want)) || die "nginx master $master has ${#pids[@]} workers, expected $want"
    echo "${pids[@]}"
}

# nginx_common PREFIX: directives shared by every nginx instance (everything stays in PREFIX).
nginx_common() {
    local prefix=$1
    cat <<EOF
daemon off;
master_process on;
pid $prefix/nginx.pid;
error_log $prefix/error.log warn;
worker_rlimit_nofile 16384;
EOF
}

nginx_http_common() {
    local prefix=$1
    cat <<EOF
    access_log off;
    client_body_temp_path $prefix/client_body_temp;
    proxy_temp_path $prefix/proxy_temp;
    fastcgi_temp_path $prefix/fastcgi_temp;
    uwsgi_temp_path $prefix/uwsgi_temp;
    scgi_temp_path $prefix/scgi_temp;
    keepalive_timeout 65s;
    keepalive_requests 1000000;
EOF
}

# run_nginx NAME PREFIX PORT COUNT PID_VAR WORKERS_VAR: starts the nginx configured in PREFIX and waits
# (bounded) until it answers on PORT and has COUNT workers. Its pid goes into the variable PID_VAR at
# once, so that the cleanup stops it whatever happens next; its workers go into the array WORKERS_VAR.
run_nginx() {
    local name=$1 prefix=$2 port=$3 count=$4 workers
    local -n pid_var=$5 workers_var=$6
    "$NGINX_BIN" -t -q -p "$prefix/" -e "$prefix/error.log" -c "$prefix/nginx.conf" 2>>"$prefix/stderr.log" ||
        { show_logs "$prefix"; die "invalid nginx config $prefix/nginx.conf"; }
    "$NGINX_BIN" -p "$prefix/" -e "$prefix/error.log" -c "$prefix/nginx.conf" </dev/null >>"$prefix/stdout.log" 2>>"$prefix/stderr.log" &
    pid_var=$!
    wait_http "$name" "http://127.0.0.1:$port/" "$pid_var" "$prefix"
    workers=$(nginx_workers "$pid_var" "$count")
    read -r -a workers_var <<<"$workers"
    log "$name on 127.0.0.1:$port (master $pid_var, workers ${workers_var[*]})"
}

# start_upstream_nginx DIR PORT: the fixed upstream both benchmarks proxy to, an nginx with one worker
# that answers every request with UPSTREAM_BODY; sets UPSTREAM_PID and UPSTREAM_WORKERS.
start_upstream_nginx() {
    local dir=$1 port=$2
    mkdir -p "$dir"
    {
        nginx_common "$dir"
        cat <<EOF
worker_processes 1;
events { worker_connections 8192; }
http {
$(nginx_http_common "$dir")
    server {
        listen 127.0.0.1:$port backlog=4096;
        location / {
            default_type application/json;
            return 200 '$UPSTREAM_BODY';
        }
    }
}
EOF
    } >"$dir/nginx.conf"
    run_nginx upstream-nginx "$dir" "$port" 1 UPSTREAM_PID UPSTREAM_WORKERS
}

# ---------------------------------------------------------------------------------------------------------
# wrk
# ---------------------------------------------------------------------------------------------------------

# run_wrk OUTFILE CONNS DURATION URL [HEADER]: wrk in the background so Ctrl-C interrupts at once; hard time bound.
run_wrk() {
    local out=$1 conns=$2 dur=$3 url=$4 header=${5:-} secs threads=$WRK_THREADS
    ((conns < threads)) && threads=$conns
    secs=$(duration_seconds "$dur")
    local extra=()
    [[ -n $header ]] && extra=(-H "$header")
    timeout --kill-after=5 $((secs + 30)) wrk -t"$threads" -c"$conns" -d"$dur" --latency "${extra[@]}" "$url" </dev/null >"$out" 2>&1 &
    WRK_PID=$!
    local rc=0
    wait "$WRK_PID" || rc=$?
    WRK_PID=""
    ((rc == 0)) || { sed 's/^/    /' "$out" >&2; die "wrk failed (exit status $rc) against $url"; }
}

# parse_wrk FILE -> "requests req_per_s p50_ms p99_ms non2xx socket_errors"
parse_wrk() {
    awk '
        function ms(v,   n, u) {
            n = v; sub(/[a-z]+$/, "", n); u = v; sub(/^[0-9.]+/, "", u)
            if (u == "us") return n / 1000
            if (u == "ms") return n + 0
            if (u == "s")  return n * 1000
            if (u == "m")  return n * 60000
            return -1
        }
        $1 == "50%" { p50 = ms($2) }
        $1 == "99%" { p99 = ms($2) }
        / requests in / { req = $1 }
        /^Requests\/sec:/ { rps = $2 }
        /Non-2xx or 3xx responses:/ { non2xx = $NF }
        /Socket errors:/ {
            # Socket errors: connect 0, read 0, write 0, timeout 0
            for (i = 1; i <= NF; i++) { v = $i; gsub(/,/, "", v); if (v ~ /^[0-9]+$/) sockerr += v }
        }
        END {
            if (rps == "" || req == "" || p50 == "" || p99 == "") exit 1
            printf "%s %s %.3f %.3f %d %d\n", req, rps, p50, p99, non2xx + 0, sockerr + 0
        }' "$1"
}
