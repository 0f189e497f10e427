#!/usr/bin/env bash
# Gatehouse vs nginx at scale (issue 20): memory per idle keep-alive connection and per idle WebSocket
# tunnel, throughput of a wrk load while those connections are held, and new connections per second.
#
# Starts a WebSocket upstream (bench/scale_helper.py), an nginx with one worker and Gatehouse (all on
# 127.0.0.1, free ports), opens many idle connections to each from 127.0.0.2.. with the helper, reads
# VmRSS from /proc, and prints/saves a markdown table. See bench/README.md ("Scale") for the knobs.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT_DIR=$(cd "$SCRIPT_DIR/.." && pwd)
# shellcheck source=bench/lib.sh
source "$SCRIPT_DIR/lib.sh"
LOG_TAG=scale

SCALE_CONNECTIONS=${SCALE_CONNECTIONS:-10000}
SCALE_WEBSOCKETS=${SCALE_WEBSOCKETS:-10000}
SCALE_DURATION=${SCALE_DURATION:-3s}
SCALE_WRK_CONNECTIONS=${SCALE_WRK_CONNECTIONS:-50}
SCALE_PER_PROCESS=${SCALE_PER_PROCESS:-5000}
SCALE_SOURCES=${SCALE_SOURCES:-8}
SCALE_SETTLE=${SCALE_SETTLE:-2}
SCALE_CONNECT_TIMEOUT=${SCALE_CONNECT_TIMEOUT:-60}
SCALE_REPEAT=${SCALE_REPEAT:-1}
SCALE_ONLY_NGINX=${SCALE_ONLY_NGINX:-0}
SCALE_KEEP_TMP=${SCALE_KEEP_TMP:-0}
SCALE_RESULTS_DIR=${SCALE_RESULTS_DIR:-$SCRIPT_DIR/results}
WRK_THREADS=2
STARTUP_TIMEOUT=10   # seconds to wait for each listener
STOP_TIMEOUT=15      # seconds a process gets to stop on SIGTERM (the helper closes thousands of sockets)
UPSTREAM_BODY='{"ok":true,"service":"bench"}'
HELPER=$SCRIPT_DIR/scale_helper.py

DURATION_S=$(duration_seconds "$SCALE_DURATION") || die "SCALE_DURATION must look like 3s or 3 (got '$SCALE_DURATION')"
((DURATION_S >= 1)) || die "SCALE_DURATION must be at least 1s"
for v in SCALE_CONNECTIONS SCALE_WEBSOCKETS SCALE_WRK_CONNECTIONS SCALE_PER_PROCESS SCALE_SETTLE SCALE_CONNECT_TIMEOUT; do
    [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer (got '${!v}')"
done
((SCALE_PER_PROCESS >= 1 && SCALE_WRK_CONNECTIONS >= 1)) || die "SCALE_PER_PROCESS and SCALE_WRK_CONNECTIONS must be at least 1"
[[ $SCALE_REPEAT =~ ^[1-9][0-9]*$ ]] || die "SCALE_REPEAT must be a positive integer (got '$SCALE_REPEAT')"
if ! [[ $SCALE_SOURCES =~ ^[1-9][0-9]*$ ]] || ((SCALE_SOURCES > 250)); then
    die "SCALE_SOURCES must be 1..250 (got '$SCALE_SOURCES')"
fi
check_bench_tools "$SCALE_ONLY_NGINX"
SOURCES=$(seq -s, -f '127.0.0.%g' 2 $((SCALE_SOURCES + 1)))

# ---------------------------------------------------------------------------------------------------------
# Descriptors: everything started from here inherits the raised soft limit. The client side spreads its
# connections over processes of at most SCALE_PER_PROCESS each, so it never needs more than the hard
# limit per process; a proxy needs one descriptor per idle client connection, two per WebSocket tunnel
# (client + upstream), and cannot go beyond the hard limit (raising that takes CAP_SYS_RESOURCE).
# ---------------------------------------------------------------------------------------------------------
NOFILE_HARD=$(ulimit -Hn)
[[ $NOFILE_HARD == unlimited ]] && NOFILE_HARD=1048576
ulimit -n "$NOFILE_HARD" || die "cannot raise the soft open files limit to the hard limit $NOFILE_HARD"
RESERVED_FDS=256 # listeners, logs, wrk's connections, upstream pool
if ((SCALE_CONNECTIONS + SCALE_WRK_CONNECTIONS + RESERVED_FDS > NOFILE_HARD)); then
    die "SCALE_CONNECTIONS=$SCALE_CONNECTIONS does not fit the hard open files limit $NOFILE_HARD of one proxy process (at most $((NOFILE_HARD - SCALE_WRK_CONNECTIONS - RESERVED_FDS)))"
fi
WS_WANTED=$SCALE_WEBSOCKETS
WS_MAX=$(((NOFILE_HARD - RESERVED_FDS) / 2))
if ((SCALE_WEBSOCKETS > WS_MAX)); then
    log "SCALE_WEBSOCKETS=$SCALE_WEBSOCKETS tunnels need $((2 * SCALE_WEBSOCKETS)) descriptors in one proxy process, the hard limit is $NOFILE_HARD: measuring $WS_MAX and extrapolating"
    SCALE_WEBSOCKETS=$WS_MAX
fi
MAX_CONNECTIONS=$((NOFILE_HARD - RESERVED_FDS / 2)) # Gatehouse's limits.max_connections: never the bottleneck

# ---------------------------------------------------------------------------------------------------------
# Process bookkeeping and cleanup
# ---------------------------------------------------------------------------------------------------------
GATEHOUSE_PID=""
NGINX_PID=""
NGINX_WORKERS=()
WSUP_PID=""
HOLD_PID=""

stop_processes() {
    stop_pid "$HOLD_PID"
    stop_gatehouse "$GATEHOUSE_PID"
    stop_pid "$NGINX_PID" "${NGINX_WORKERS[@]}"
    stop_pid "$WSUP_PID"
}
make_tmp_dir gatehouse-scale "$SCALE_KEEP_TMP"

GATEHOUSE_BIN_DESC="(skipped: SCALE_ONLY_NGINX=1)"
if ((ONLY_NGINX == 0)); then
    resolve_gatehouse_bin
    GATEHOUSE_BIN_DESC=$GATEHOUSE_BIN
fi

STAMP=$(date -u +%Y%m%d-%H%M%S)
new_out_dir "$SCALE_RESULTS_DIR/$STAMP-scale"
METRICS=$OUT_DIR/metrics.tsv
printf 'proxy\tkey\tvalue\n' >"$METRICS"
metric() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$METRICS"; }

WSUP_PORT=$(free_ports 1)
NGINX_PORT=""
GATEHOUSE_PORT=""

# ---------------------------------------------------------------------------------------------------------
# 1. WebSocket upstream: completes upgrades and holds them idle; plain requests get UPSTREAM_BODY.
# ---------------------------------------------------------------------------------------------------------
WSUP_DIR=$TMP_DIR/ws-upstream
mkdir -p "$WSUP_DIR"
python3 "$HELPER" ws-upstream --port "$WSUP_PORT" --body "$UPSTREAM_BODY" --max-run 1800 \
    </dev/null >"$WSUP_DIR/stdout.log" 2>"$WSUP_DIR/stderr.log" &
WSUP_PID=$!
wait_http ws-upstream "http://127.0.0.1:$WSUP_PORT/" "$WSUP_PID" "$WSUP_DIR"
log "WebSocket upstream on 127.0.0.1:$WSUP_PORT (pid $WSUP_PID)"

# ---------------------------------------------------------------------------------------------------------
# 2. nginx: one worker, `return 200` on /, WebSocket proxy on /ws; idle timeouts far beyond the run.
#    Both proxies are started afresh (on new free ports) before each memory phase: memory freed by
#    an earlier phase stays in the allocator and would be reused, hiding part of the next growth.
# ---------------------------------------------------------------------------------------------------------
NGINX_DIR=$TMP_DIR/nginx
mkdir -p "$NGINX_DIR"
# Once fewer than 1/16 of worker_connections are free, nginx closes idle keep-alive connections and
# connections still reading their head ("worker_connections are not enough, reusing connections"):
# with worker_connections at the descriptor limit it dropped ~5% of the WebSocket upgrades. Sized so
# that the descriptor limit, not that threshold, is what binds (nginx warns that it exceeds it).
NGINX_WORKER_CONNECTIONS=$((NOFILE_HARD * 17 / 16 + 64))
start_nginx() {
    NGINX_PORT=$(free_ports 1)
    cat >"$NGINX_DIR/nginx.conf" <<EOF
daemon off;
master_process on;
pid $NGINX_DIR/nginx.pid;
error_log $NGINX_DIR/error.log warn;
worker_processes 1;
worker_rlimit_nofile $NOFILE_HARD;
events { worker_connections $NGINX_WORKER_CONNECTIONS; }
http {
    access_log off;
    client_body_temp_path $NGINX_DIR/client_body_temp;
    proxy_temp_path $NGINX_DIR/proxy_temp;
    fastcgi_temp_path $NGINX_DIR/fastcgi_temp;
    uwsgi_temp_path $NGINX_DIR/uwsgi_temp;
    scgi_temp_path $NGINX_DIR/scgi_temp;
    keepalive_timeout 600s;
    keepalive_requests 1000000;
    client_header_timeout 600s;
    server {
        listen 127.0.0.1:$NGINX_PORT backlog=4096;
        location / {
            default_type application/json;
            return 200 '$UPSTREAM_BODY';
        }
        location /ws {
            proxy_pass http://127.0.0.1:$WSUP_PORT;
            proxy_http_version 1.1;
            proxy_set_header Upgrade \$http_upgrade;
            proxy_set_header Connection "upgrade";
            proxy_read_timeout 600s;
            proxy_send_timeout 600s;
        }
    }
}
EOF
    run_nginx nginx "$NGINX_DIR" "$NGINX_PORT" 1 NGINX_PID NGINX_WORKERS
    metric nginx nofile_soft "$(awk '/^Max open files/ { print $4 }' "/proc/${NGINX_WORKERS[0]}/limits")"
}

# ---------------------------------------------------------------------------------------------------------
# 3. Gatehouse: a `respond` route on /, the WebSocket upstream on /ws.
#    header_timeout matters: after an exchange, Gatehouse closes an idle keep-alive connection once
#    header_timeout (default 10s) passes without a new request head, so both timeouts are raised.
# ---------------------------------------------------------------------------------------------------------
GH_DIR=$TMP_DIR/gatehouse
mkdir -p "$GH_DIR"
start_gatehouse() {
    GATEHOUSE_PORT=$(free_ports 1)
    cat >"$GH_DIR/scale.yaml" <<EOF
gatehouse: 1
name: scale-bench
listen:
  - bind: 127.0.0.1:$GATEHOUSE_PORT
limits:
  header_timeout: 10m
  idle_timeout: 10m
  max_connections: $MAX_CONNECTIONS
upstreams:
  - name: ws
    targets:
      - url: http://127.0.0.1:$WSUP_PORT
routes:
  - name: hold
    match: { path: / }
    respond: { status: 200, headers: { Content-Type: application/json }, body: '$UPSTREAM_BODY' }
  - name: ws
    match: { path: /ws }
    upstream: ws
EOF
    "$GATEHOUSE_BIN" check "$GH_DIR/scale.yaml" >/dev/null || die "the generated profile does not pass gatehouse check"
    setsid "$GATEHOUSE_BIN" serve "$GH_DIR/scale.yaml" --quiet </dev/null >"$GH_DIR/stdout.log" 2>>"$GH_DIR/stderr.log" &
    GATEHOUSE_PID=$!
    wait_http gatehouse "http://127.0.0.1:$GATEHOUSE_PORT/" "$GATEHOUSE_PID" "$GH_DIR"
    log "gatehouse on 127.0.0.1:$GATEHOUSE_PORT (pid $GATEHOUSE_PID, $GATEHOUSE_BIN)"
    metric gatehouse nofile_soft "$(awk '/^Max open files/ { print $4 }' "/proc/$GATEHOUSE_PID/limits")"
}

# restart_proxy PROXY: stops it and starts it afresh.
restart_proxy() {
    if [[ $1 == nginx ]]; then
        stop_pid "$NGINX_PID" "${NGINX_WORKERS[@]}"
        NGINX_PID=""
        NGINX_WORKERS=()
        start_nginx
    else
        stop_pid "$GATEHOUSE_PID"
        GATEHOUSE_PID=""
        start_gatehouse
    fi
}

# ---------------------------------------------------------------------------------------------------------
# Measuring helpers. The memory figure is VmRSS of the process that holds the connections: Gatehouse's
# only process (all threads), nginx's single worker (the master holds no client connection).
# ---------------------------------------------------------------------------------------------------------
port_of() { if [[ $1 == nginx ]]; then echo "$NGINX_PORT"; else echo "$GATEHOUSE_PORT"; fi; }
pid_of() { if [[ $1 == nginx ]]; then echo "${NGINX_WORKERS[0]}"; else echo "$GATEHOUSE_PID"; fi; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
fd_count() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }

# hold_open PROXY COUNT MODE PATH TAG: the helper opens COUNT connections and holds them (HOLD_PID);
# bounded wait for its `ready` line; sets HOLD_OK HOLD_FAILED HOLD_SECS.
hold_open() {
    local proxy=$1 count=$2 mode=$3 path=$4 tag=$5 out line deadline
    out=$OUT_DIR/raw/$proxy-$tag-hold.txt
    python3 "$HELPER" hold --port "$(port_of "$proxy")" --count "$count" --mode "$mode" --path "$path" \
        --sources "$SOURCES" --per-process "$SCALE_PER_PROCESS" --connect-timeout "$SCALE_CONNECT_TIMEOUT" \
        --max-hold 600 </dev/null >"$out" 2>&1 &
    HOLD_PID=$!
    deadline=$((SECONDS + SCALE_CONNECT_TIMEOUT + 30))
    line=""
    while ((SECONDS < deadline)); do
        line=$(grep -m1 '^ready ' "$out" || true)
        [[ -n $line ]] && break
        kill -0 "$HOLD_PID" 2>/dev/null || break
        sleep 0.2
    done
    [[ -n $line ]] || { sed 's/^/    /' "$out" >&2; die "the client helper did not report on $count $mode connections to $proxy"; }
    read -r _ HOLD_OK HOLD_FAILED HOLD_SECS _ <<<"$line"
    local reasons
    reasons=$(cut -d' ' -f6- <<<"$line")
    log "$proxy: $HOLD_OK of $count $mode connections open in ${HOLD_SECS}s${reasons:+ (failed: $reasons)}"
}

# hold_close PROXY: stops the helper (its sockets close with RST) and waits, bounded, until the proxy's
# descriptor count is back near where it was before (FDS_BEFORE).
hold_close() {
    local proxy=$1 pid deadline
    stop_pid "$HOLD_PID"
    HOLD_PID=""
    pid=$(pid_of "$proxy")
    deadline=$((SECONDS + 20))
    while ((SECONDS < deadline)); do
        (($(fd_count "$pid") <= FDS_BEFORE + 16)) && return 0
        sleep 0.2
    done
    log "$proxy still has $(fd_count "$pid") descriptors open 20 s after the clients went (before: $FDS_BEFORE)"
}

# wrk_rps PROXY TAG [HEADER]: one wrk run at SCALE_WRK_CONNECTIONS; echoes req/s, records errors.
wrk_rps() {
    local proxy=$1 tag=$2 header=${3:-} out parsed
    out=$OUT_DIR/raw/$proxy-$tag-wrk.txt
    local pid t0 t1
    pid=$(pid_of "$proxy")
    t0=$(cpu_ticks "$pid")
    run_wrk "$out" "$SCALE_WRK_CONNECTIONS" "$SCALE_DURATION" "http://127.0.0.1:$(port_of "$proxy")/" "$header"
    t1=$(cpu_ticks "$pid")
    parsed=$(parse_wrk "$out") || die "cannot read wrk's output $out"
    local req rps non2xx sockerr
    read -r req rps _ _ non2xx sockerr <<<"$parsed"
    metric "$proxy" "${tag}_rps" "$rps"
    metric "$proxy" "${tag}_requests" "$req"
    metric "$proxy" "${tag}_cpu_ticks" "$((t1 - t0))"
    metric "$proxy" "${tag}_errors" "$((non2xx + sockerr))"
    echo "$rps"
}

# One cycle per SCALE_REPEAT: wrk, open the idle connections, wrk, close them, wrk. The memory figures
# come from the first cycle (a fresh process); later cycles reuse what the first one freed.
phase_keepalive() {
    local proxy=$1 pid rss0 rss1 rss2 rss3 rps rep sfx
    pid=$(pid_of "$proxy")
    run_wrk "$OUT_DIR/raw/$proxy-warmup-wrk.txt" "$SCALE_WRK_CONNECTIONS" 1s "http://127.0.0.1:$(port_of "$proxy")/"
    for ((rep = 1; rep <= SCALE_REPEAT; rep++)); do
        sfx=""
        ((rep == 1)) || sfx="@$rep"
        rps=$(wrk_rps "$proxy" "base1$sfx")
        sleep "$SCALE_SETTLE"
        FDS_BEFORE=$(fd_count "$pid")
        rss0=$(rss_kib "$pid")
        hold_open "$proxy" "$SCALE_CONNECTIONS" http / "keepalive$sfx"
        sleep "$SCALE_SETTLE"
        rss1=$(rss_kib "$pid")
        metric "$proxy" "ka_ok$sfx" "$HOLD_OK"
        metric "$proxy" "ka_failed$sfx" "$HOLD_FAILED"
        metric "$proxy" "ka_open_secs$sfx" "$HOLD_SECS"
        metric "$proxy" "ka_fds$sfx" "$(($(fd_count "$pid") - FDS_BEFORE))"
        metric "$proxy" "ka_rss_before$sfx" "$rss0"
        metric "$proxy" "ka_rss_after$sfx" "$rss1"
        rps=$(wrk_rps "$proxy" "held$sfx")
        rss2=$(rss_kib "$pid")
        metric "$proxy" "ka_rss_after_load$sfx" "$rss2"
        metric "$proxy" "ka_fds_after_load$sfx" "$(($(fd_count "$pid") - FDS_BEFORE))"
        hold_close "$proxy"
        sleep 1
        rss3=$(rss_kib "$pid")
        metric "$proxy" "ka_rss_closed$sfx" "$rss3"
        rps=$(wrk_rps "$proxy" "base2$sfx")
        log "$proxy (cycle $rep): RSS ${rss0} -> ${rss1} KiB with $HOLD_OK idle connections (${rss2} after the held load, ${rss3} once closed)"
    done
}

phase_close() {
    local proxy=$1 rps
    rps=$(wrk_rps "$proxy" close "Connection: close")
    log "$proxy: $rps new connections/s (Connection: close)"
}

phase_websocket() {
    local proxy=$1 pid rss0 rss1
    restart_proxy "$proxy"
    pid=$(pid_of "$proxy")
    sleep 1
    FDS_BEFORE=$(fd_count "$pid")
    rss0=$(rss_kib "$pid")
    hold_open "$proxy" "$SCALE_WEBSOCKETS" ws /ws websocket
    sleep "$SCALE_SETTLE"
    rss1=$(rss_kib "$pid")
    metric "$proxy" ws_ok "$HOLD_OK"
    metric "$proxy" ws_failed "$HOLD_FAILED"
    metric "$proxy" ws_open_secs "$HOLD_SECS"
    metric "$proxy" ws_fds "$(($(fd_count "$pid") - FDS_BEFORE))"
    metric "$proxy" ws_rss_before "$rss0"
    metric "$proxy" ws_rss_after "$rss1"
    hold_close "$proxy"
    log "$proxy: RSS ${rss0} -> ${rss1} KiB with $HOLD_OK idle WebSocket tunnels"
}

# ---------------------------------------------------------------------------------------------------------
# 4. The phases; the two proxies alternate which goes first, phase by phase.
# ---------------------------------------------------------------------------------------------------------
PROXIES=(nginx)
((ONLY_NGINX == 0)) && PROXIES=(gatehouse nginx)
for proxy in "${PROXIES[@]}"; do "start_$proxy"; done
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
T0=$SECONDS
i=0
for phase in keepalive close websocket; do
    order=("${PROXIES[@]}")
    if ((i % 2 == 1 && ${#PROXIES[@]} == 2)); then order=("${PROXIES[1]}" "${PROXIES[0]}"); fi
    for proxy in "${order[@]}"; do
        if [[ $phase == websocket ]] && ((SCALE_WEBSOCKETS == 0)); then continue; fi
        if [[ $phase == keepalive ]] && ((SCALE_CONNECTIONS == 0)); then continue; fi
        log "phase $phase: $proxy"
        "phase_$phase" "$proxy"
    done
    i=$((i + 1))
done
ELAPSED=$((SECONDS - T0))

# ---------------------------------------------------------------------------------------------------------
# 5. Report
# ---------------------------------------------------------------------------------------------------------
{
    echo "# Gatehouse vs nginx at scale ($STAMP UTC)"
    echo
    echo "- host: $(uname -srm), $(nproc) cores, load average before: $LOAD_BEFORE, measured in ${ELAPSED}s"
    echo "- gatehouse: $GATEHOUSE_BIN_DESC ($(cd "$ROOT_DIR" && git rev-parse --short HEAD 2>/dev/null || echo '?'))"
    echo "- nginx: $("$NGINX_BIN" -v 2>&1 | sed 's/^nginx version: //'), 1 worker"
    echo "- sizes: SCALE_CONNECTIONS=$SCALE_CONNECTIONS, SCALE_WEBSOCKETS=$SCALE_WEBSOCKETS (asked: $WS_WANTED), wrk -t$WRK_THREADS -c$SCALE_WRK_CONNECTIONS -d$SCALE_DURATION, clients from $SCALE_SOURCES source addresses ($SOURCES), at most $SCALE_PER_PROCESS connections per client process"
    echo "- open files limit: hard $NOFILE_HARD (soft raised to it for every process started here)"
    echo
    python3 - "$METRICS" "$ONLY_NGINX" "$WS_WANTED" "$SCALE_SETTLE" "$CLK_TCK" <<'EOF'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
only_nginx = sys.argv[2] == "1"
ws_wanted = int(sys.argv[3])
m = {}
for r in rows:
    m.setdefault(r["proxy"], {})[r["key"]] = r["value"]

def g(p, k):
    v = m.get(p, {}).get(k)
    return float(v) if v not in (None, "") else None

def fmt(v, spec):
    return "–" if v is None else format(v, spec)

def derived(p):
    d = {}
    ok, b, a = g(p, "ka_ok"), g(p, "ka_rss_before"), g(p, "ka_rss_after")
    if ok and b is not None and a is not None:
        d["ka_per"] = (a - b) / ok
        d["ka_100k"] = d["ka_per"] * 100000 / 1024
        d["ka_100k_total"] = b / 1024 + d["ka_100k"]
    # Held load, per keep-alive cycle (SCALE_REPEAT), then medians over the cycles.
    clk = int(sys.argv[5])
    def cpu(tag):
        req, ticks = g(p, tag + "_requests"), g(p, tag + "_cpu_ticks")
        return ticks * 1e6 / clk / req if (req and ticks is not None) else None
    cyc = {k: [] for k in ("base", "held_rps", "held_ratio", "base_cpu", "held_cpu", "held_cpu_ratio")}
    for sfx in [""] + ["@%d" % r for r in range(2, 1000) if g(p, "held@%d_rps" % r) is not None]:
        b1, b2, h = g(p, "base1%s_rps" % sfx), g(p, "base2%s_rps" % sfx), g(p, "held%s_rps" % sfx)
        if b1 is None or b2 is None or h is None:
            continue
        cyc["base"].append((b1 + b2) / 2)
        cyc["held_rps"].append(h)
        if b1 + b2:
            cyc["held_ratio"].append(2 * h / (b1 + b2))
        c1, c2, ch = cpu("base1" + sfx), cpu("base2" + sfx), cpu("held" + sfx)
        if None not in (c1, c2, ch):
            cyc["base_cpu"].append((c1 + c2) / 2)
            cyc["held_cpu"].append(ch)
            cyc["held_cpu_ratio"].append(2 * ch / (c1 + c2))
    for k, v in cyc.items():
        if v:
            d[k] = statistics.median(v)
    d["cycles"] = len(cyc["base"])
    d["close_cpu"] = cpu("close")
    ok, b, a = g(p, "ws_ok"), g(p, "ws_rss_before"), g(p, "ws_rss_after")
    if ok and b is not None and a is not None:
        d["ws_per"] = (a - b) / ok
        d["ws_10k"] = d["ws_per"] * 10000 / 1024
        d["ws_10k_total"] = b / 1024 + d["ws_10k"]
    return d

dn, dg = derived("nginx"), derived("gatehouse")
def val(p, d, key, spec):
    if key in d:
        return fmt(d[key], spec)
    return fmt(g(p, key), spec)

def ratio(key, d_or_key=None):
    a = dg.get(key, g("gatehouse", key))
    b = dn.get(key, g("nginx", key))
    return fmt(a / b if (a is not None and b) else None, ".2f")

def mib(p, key):
    v = g(p, key)
    return None if v is None else v / 1024

def held(p, prefix):
    ok, failed = g(p, prefix + "_ok"), g(p, prefix + "_failed")
    if ok is None:
        return "–"
    return "%d%s" % (ok, (" (%d failed)" % failed) if failed else "")

def check(ok):
    return "" if ok is None else (" ✔" if ok else " ✘")

print("| | nginx | gatehouse | gatehouse / nginx | target (gatehouse) |")
print("|---|---:|---:|---:|---|")
print("| idle keep-alive connections held | %s | %s | | |" % (held("nginx", "ka"), held("gatehouse", "ka")))
print("| RSS before → with them, MiB | %s → %s | %s → %s | | |" % (
    fmt(mib("nginx", "ka_rss_before"), ".1f"), fmt(mib("nginx", "ka_rss_after"), ".1f"),
    fmt(mib("gatehouse", "ka_rss_before"), ".1f"), fmt(mib("gatehouse", "ka_rss_after"), ".1f")))
print("| descriptors the proxy gained, after the wrk load (its soft limit) | %s, %s (%s) | %s, %s (%s) | | |" % (
    fmt(g("nginx", "ka_fds"), ".0f"), fmt(g("nginx", "ka_fds_after_load"), ".0f"), fmt(g("nginx", "nofile_soft"), ".0f"),
    fmt(g("gatehouse", "ka_fds"), ".0f"), fmt(g("gatehouse", "ka_fds_after_load"), ".0f"), fmt(g("gatehouse", "nofile_soft"), ".0f")))
t = dg.get("ka_per")
print("| **KiB per idle keep-alive connection** | %s | %s | %s | ≤ 2%s |" % (
    fmt(dn.get("ka_per"), ".2f"), fmt(t, ".2f"), ratio("ka_per"), check(None if t is None else t <= 2)))
print("| 100,000 idle connections: growth (total RSS), MiB | %s (%s) | %s (%s) | | |" % (
    fmt(dn.get("ka_100k"), ".0f"), fmt(dn.get("ka_100k_total"), ".0f"),
    fmt(dg.get("ka_100k"), ".0f"), fmt(dg.get("ka_100k_total"), ".0f")))
print("| RSS after the wrk load / once closed, MiB | %s / %s | %s / %s | | |" % (
    fmt(mib("nginx", "ka_rss_after_load"), ".1f"), fmt(mib("nginx", "ka_rss_closed"), ".1f"),
    fmt(mib("gatehouse", "ka_rss_after_load"), ".1f"), fmt(mib("gatehouse", "ka_rss_closed"), ".1f")))
print("| wrk req/s, no idle connections (mean of before/after) | %s | %s | %s | |" % (
    fmt(dn.get("base"), ".0f"), fmt(dg.get("base"), ".0f"), ratio("base")))
print("| wrk req/s while they are held | %s | %s | %s | |" % (
    fmt(dn.get("held_rps"), ".0f"), fmt(dg.get("held_rps"), ".0f"), ratio("held_rps")))
t = dg.get("held_ratio")
print("| **held / without** | %s | %s | | ≥ 0.9%s |" % (
    fmt(dn.get("held_ratio"), ".2f"), fmt(t, ".2f"), check(None if t is None else t >= 0.9)))
print("| µs CPU/request without → while held | %s → %s | %s → %s | | |" % (
    fmt(dn.get("base_cpu"), ".1f"), fmt(dn.get("held_cpu"), ".1f"), fmt(dg.get("base_cpu"), ".1f"), fmt(dg.get("held_cpu"), ".1f")))
print("| CPU/request held / without (steadier than req/s) | %s | %s | | |" % (
    fmt(dn.get("held_cpu_ratio"), ".2f"), fmt(dg.get("held_cpu_ratio"), ".2f")))
rn, rg = g("nginx", "close_rps"), g("gatehouse", "close_rps")
print("| **new connections/s** (`Connection: close`) | %s | %s | %s | ≥ nginx%s |" % (
    fmt(rn, ".0f"), fmt(rg, ".0f"), ratio("close_rps"), check(None if (rn is None or rg is None) else rg >= rn)))
print("| µs CPU per new connection + request | %s | %s | %s | |" % (
    fmt(dn.get("close_cpu"), ".1f"), fmt(dg.get("close_cpu"), ".1f"), ratio("close_cpu")))
print("| idle WebSocket tunnels held | %s | %s | | |" % (held("nginx", "ws"), held("gatehouse", "ws")))
print("| descriptors the proxy gained | %s | %s | | |" % (fmt(g("nginx", "ws_fds"), ".0f"), fmt(g("gatehouse", "ws_fds"), ".0f")))
print("| RSS before → with them, MiB | %s → %s | %s → %s | | |" % (
    fmt(mib("nginx", "ws_rss_before"), ".1f"), fmt(mib("nginx", "ws_rss_after"), ".1f"),
    fmt(mib("gatehouse", "ws_rss_before"), ".1f"), fmt(mib("gatehouse", "ws_rss_after"), ".1f")))
print("| KiB per idle WebSocket tunnel | %s | %s | %s | |" % (
    fmt(dn.get("ws_per"), ".2f"), fmt(dg.get("ws_per"), ".2f"), ratio("ws_per")))
t = dg.get("ws_10k_total")
print("| **10,000 tunnels: growth (total RSS), MiB** | %s (%s) | %s (%s) | | total < 60%s |" % (
    fmt(dn.get("ws_10k"), ".1f"), fmt(dn.get("ws_10k_total"), ".1f"),
    fmt(dg.get("ws_10k"), ".1f"), fmt(t, ".1f"), check(None if t is None else t < 60)))
errs = {p: sum(int(float(v)) for k, v in m.get(p, {}).items() if k.endswith("_errors")) for p in ("nginx", "gatehouse")}
print("| wrk errors (non-2xx + socket) | %d | %s | | |" % (errs["nginx"], "–" if only_nginx else errs["gatehouse"]))
print()
notes = [
    "RSS = VmRSS from /proc/PID/status: Gatehouse's process (all threads); nginx's single worker only (its master holds no connection and does not change).",
    "per connection = (RSS with the connections − RSS before) / connections held, measured %s s after the last one was set up; 100,000 and 10,000 are that figure scaled linearly (total = RSS before + growth)." % sys.argv[4],
    "idle keep-alive: each connection sent one GET / (Gatehouse: a `respond` route; nginx: `return 200`), read the whole answer, then sent nothing more. The wrk runs use other connections, from 127.0.0.1.",
    "WebSocket: each connection completed an upgrade on /ws through the proxy to a Python upstream that holds it idle (the upstream's own memory is not counted).",
    "held / without = wrk req/s while the idle connections are open / mean of the runs just before opening and just after closing them%s." % (
        "; medians over %d open/close cycles (SCALE_REPEAT), memory from the first" % dg.get("cycles", dn.get("cycles", 0)) if max(dg.get("cycles", 0), dn.get("cycles", 0)) > 1 else ""),
    "µs CPU/request = utime+stime of the measured process (Gatehouse: all threads; nginx: its worker) during the wrk run / requests wrk completed (tick 1/%s s). On a shared 2-core box req/s swings by ±15%% or more from run to run; CPU per request much less." % sys.argv[5],
]
if ws_wanted != int(g("nginx", "ws_ok") or 0) + int(g("nginx", "ws_failed") or 0):
    notes.append("%d WebSocket tunnels were asked for, but one proxy process cannot hold that many (two descriptors each, hard limit above): fewer were opened and the 10,000 row is extrapolated." % ws_wanted)
if only_nginx:
    notes.insert(0, "SCALE_ONLY_NGINX=1: Gatehouse was not run.")
for n in notes:
    print("- " + n)
EOF
} >"$OUT_DIR/results.md"

cp "$NGINX_DIR/nginx.conf" "$OUT_DIR/nginx.conf"
cp "$NGINX_DIR/error.log" "$OUT_DIR/nginx.error.log" 2>/dev/null || true
if ((ONLY_NGINX == 0)); then
    cp "$GH_DIR/scale.yaml" "$OUT_DIR/gatehouse-profile.yaml"
    cp "$GH_DIR/stderr.log" "$OUT_DIR/gatehouse.stderr.log" 2>/dev/null || true
fi

echo
cat "$OUT_DIR/results.md"
echo
log "results written to $OUT_DIR"
