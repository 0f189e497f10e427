#!/usr/bin/env bash
# Gatehouse vs nginx reverse-proxy benchmark.
#
# Starts a fixed nginx upstream, an nginx reverse proxy and Gatehouse (all on 127.0.0.1, free ports),
# drives both proxies with wrk over a sweep of connection counts, and prints/saves a markdown table.
# See bench/README.md for the knobs and how to read the output.
set -euo pipefail

# ---------------------------------------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------------------------------------
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT_DIR=$(cd "$SCRIPT_DIR/.." && pwd)
# shellcheck source=bench/lib.sh
source "$SCRIPT_DIR/lib.sh"
LOG_TAG=bench

BENCH_CONNECTIONS=${BENCH_CONNECTIONS:-"1 50 256"}
BENCH_DURATION=${BENCH_DURATION:-10s}
BENCH_REPEAT=${BENCH_REPEAT:-1}
BENCH_WARMUP=${BENCH_WARMUP:-2s}
BENCH_ONLY_NGINX=${BENCH_ONLY_NGINX:-0}
BENCH_BALANCE=${BENCH_BALANCE:-round_robin}
BENCH_RESILIENCE=${BENCH_RESILIENCE:-0}
BENCH_SECURITY=${BENCH_SECURITY:-0}
BENCH_SECURITY_CONNECTIONS=${BENCH_SECURITY_CONNECTIONS:-50}
BENCH_TLS=${BENCH_TLS:-1}
BENCH_TLS_CONNECTIONS=${BENCH_TLS_CONNECTIONS:-50}
BENCH_KEEP_TMP=${BENCH_KEEP_TMP:-0}
BENCH_RESULTS_DIR=${BENCH_RESULTS_DIR:-$SCRIPT_DIR/results}
WRK_THREADS=2
STARTUP_TIMEOUT=10   # seconds to wait for each listener
STOP_TIMEOUT=5       # seconds a process gets to stop on SIGTERM before SIGKILL
UPSTREAM_BODY='{"ok":true,"service":"bench"}'

DURATION_S=$(duration_seconds "$BENCH_DURATION") || die "BENCH_DURATION must look like 10s, 2m or 10 (got '$BENCH_DURATION')"
((DURATION_S >= 1)) || die "BENCH_DURATION must be at least 1s"
WARMUP_S=0
if [[ $BENCH_WARMUP != 0 && -n $BENCH_WARMUP ]]; then
    WARMUP_S=$(duration_seconds "$BENCH_WARMUP") || die "BENCH_WARMUP must look like 2s or 0 (got '$BENCH_WARMUP')"
fi
[[ $BENCH_REPEAT =~ ^[1-9][0-9]*$ ]] || die "BENCH_REPEAT must be a positive integer (got '$BENCH_REPEAT')"
read -r -a CONNS <<<"$BENCH_CONNECTIONS"
((${#CONNS[@]} > 0)) || die "BENCH_CONNECTIONS is empty"
for c in "${CONNS[@]}"; do
    [[ $c =~ ^[1-9][0-9]*$ ]] || die "BENCH_CONNECTIONS must be positive integers (got '$c')"
done
[[ $BENCH_BALANCE =~ ^[a-z_]+$ ]] || die "BENCH_BALANCE must be a balance name (got '$BENCH_BALANCE')"
[[ $BENCH_RESILIENCE == 0 || $BENCH_RESILIENCE == 1 ]] || die "BENCH_RESILIENCE must be 0 or 1 (got '$BENCH_RESILIENCE')"
[[ $BENCH_SECURITY == 0 || $BENCH_SECURITY == 1 ]] || die "BENCH_SECURITY must be 0 or 1 (got '$BENCH_SECURITY')"
[[ $BENCH_SECURITY_CONNECTIONS =~ ^[1-9][0-9]*$ ]] || die "BENCH_SECURITY_CONNECTIONS must be a positive integer"
[[ $BENCH_TLS == 0 || $BENCH_TLS == 1 ]] || die "BENCH_TLS must be 0 or 1 (got '$BENCH_TLS')"
[[ $BENCH_TLS_CONNECTIONS =~ ^[1-9][0-9]*$ ]] || die "BENCH_TLS_CONNECTIONS must be a positive integer"
check_bench_tools "$BENCH_ONLY_NGINX"

# ---------------------------------------------------------------------------------------------------------
# Process bookkeeping and cleanup: every process we start is recorded here and stopped on exit.
# ---------------------------------------------------------------------------------------------------------
GATEHOUSE_PID=""
NOCACHE_PID=""
PROXY_PID=""
REDIS_PID=""
PROXY_WORKERS=()

# Called by the cleanup on exit (bench/lib.sh).
stop_processes() {
    stop_gatehouse "$GATEHOUSE_PID"
    stop_pid "$NOCACHE_PID"
    stop_pid "$PROXY_PID" "${PROXY_WORKERS[@]}"
    stop_pid "$UPSTREAM_PID" "${UPSTREAM_WORKERS[@]}"
    stop_pid "$REDIS_PID"
}
make_tmp_dir gatehouse-bench "$BENCH_KEEP_TMP"

# ---------------------------------------------------------------------------------------------------------
# 0. Gatehouse binary (resolved, and built if needed, before anything is started)
# ---------------------------------------------------------------------------------------------------------
GATEHOUSE_BIN_DESC="(skipped: BENCH_ONLY_NGINX=1)"
if ((ONLY_NGINX == 0)); then
    resolve_gatehouse_bin
    GATEHOUSE_BIN_DESC=$GATEHOUSE_BIN
fi

# ---------------------------------------------------------------------------------------------------------
# 1. Fixed upstream: nginx, 1 worker, answers every request with a small JSON body.
# ---------------------------------------------------------------------------------------------------------
PORTS=$(free_ports 5)
read -r UPSTREAM_PORT PROXY_PORT GATEHOUSE_PORT PROXY_TLS_PORT GATEHOUSE_TLS_PORT <<<"$PORTS"

# BENCH_TLS=1: both proxies also terminate TLS on a second port, with the same certificate.
TLS_DIR=$TMP_DIR/tls
NGINX_TLS_SERVER=""
GATEHOUSE_TLS_LISTENER=""
if [[ $BENCH_TLS == 1 ]]; then
    command -v openssl >/dev/null || die "'openssl' not found (BENCH_TLS=1 makes the certificate with it)"
    mkdir -p "$TLS_DIR"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
        -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout "$TLS_DIR/key.pem" -out "$TLS_DIR/cert.pem" 2>/dev/null ||
        die "openssl could not make the benchmark certificate"
    chmod 755 "$TLS_DIR"
    chmod 644 "$TLS_DIR/key.pem" # nginx workers may run as another user
    NGINX_TLS_SERVER="    server {
        listen 127.0.0.1:$PROXY_TLS_PORT ssl backlog=4096;
        ssl_certificate $TLS_DIR/cert.pem;
        ssl_certificate_key $TLS_DIR/key.pem;
        ssl_protocols TLSv1.2 TLSv1.3;
        location / {
            proxy_pass http://bench;
            proxy_http_version 1.1;
            proxy_set_header Connection \"\";
        }
    }"
    GATEHOUSE_TLS_LISTENER="  - bind: 127.0.0.1:$GATEHOUSE_TLS_PORT
    tls: { cert: $TLS_DIR/cert.pem, key: $TLS_DIR/key.pem }"
fi

UP_DIR=$TMP_DIR/upstream
start_upstream_nginx "$UP_DIR" "$UPSTREAM_PORT"

# ---------------------------------------------------------------------------------------------------------
# 2. nginx reverse proxy: 2 workers, upstream keep-alive pool of 512.
# ---------------------------------------------------------------------------------------------------------
PROXY_DIR=$TMP_DIR/nginx-proxy
mkdir -p "$PROXY_DIR"
{
    nginx_common "$PROXY_DIR"
    cat <<EOF
worker_processes 2;
events { worker_connections 8192; }
http {
$(nginx_http_common "$PROXY_DIR")
    upstream bench {
        server 127.0.0.1:$UPSTREAM_PORT;
        keepalive 512;
        keepalive_requests 1000000;
    }
    server {
        listen 127.0.0.1:$PROXY_PORT backlog=4096;
        location / {
            proxy_pass http://bench;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }
$NGINX_TLS_SERVER
}
EOF
} >"$PROXY_DIR/nginx.conf"
run_nginx nginx-proxy "$PROXY_DIR" "$PROXY_PORT" 2 PROXY_PID PROXY_WORKERS

# ---------------------------------------------------------------------------------------------------------
# 2b. BENCH_SECURITY=1: keys (openssl), a redis-server, and one route per feature whose cost is measured
#     against the plain route at the same connection count.
# ---------------------------------------------------------------------------------------------------------
SECURITY_FEATURES=(plain hs256 rs256 ps256 es256 eddsa ratelimit-local hs256-ratelimit ratelimit-redis cors gzip
                   hs256-verify rs256-verify ps256-verify es256-verify eddsa-verify)
REDIS_URL=""
security_setup() {
    local dir=$GH_DIR k port
    command -v openssl >/dev/null || die "'openssl' not found (BENCH_SECURITY=1 makes its keys with it)"
    openssl rand -hex 32 >"$dir/hs.secret"
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$dir/rsa.pem" 2>/dev/null
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/ec.pem" 2>/dev/null
    openssl genpkey -algorithm ED25519 -out "$dir/ed.pem" 2>/dev/null
    for k in rsa ec ed; do openssl pkey -in "$dir/$k.pem" -pubout -out "$dir/$k.pub.pem"; done
    if command -v redis-server >/dev/null; then
        port=$(free_ports 1)
        redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" >"$dir/redis.log" 2>&1 &
        REDIS_PID=$!
        REDIS_URL="redis://127.0.0.1:$port"
    else
        log "redis-server not found: the ratelimit-redis row is skipped"
    fi
}

security_profile() {
    local redis_route="" redis_limit=""
    if [[ -n $REDIS_URL ]]; then
        redis_route="  - { name: ratelimit-redis, match: { path: /f/ratelimit-redis }, upstream: bench, rate_limit: [huge-redis] }"
        redis_limit="  - { name: huge-redis, requests: 1000000000, per: 1s, key: ip, store: \"$REDIS_URL\" }"
    fi
    cat <<PROFILE
  - { name: hs256, match: { path: /f/hs256 }, upstream: bench, auth: hs }
  - { name: rs256, match: { path: /f/rs256 }, upstream: bench, auth: rs }
  - { name: ps256, match: { path: /f/ps256 }, upstream: bench, auth: rs }
  - { name: es256, match: { path: /f/es256 }, upstream: bench, auth: es }
  - { name: eddsa, match: { path: /f/eddsa }, upstream: bench, auth: ed }
  - { name: ratelimit-local, match: { path: /f/ratelimit-local }, upstream: bench, rate_limit: [huge-local] }
  - { name: hs256-ratelimit, match: { path: /f/hs256-ratelimit }, upstream: bench, auth: hs, rate_limit: [huge-local] }
$redis_route
  - { name: cors, match: { path: /f/cors }, upstream: bench, cors: { origins: ["http://localhost:*"] } }
  - { name: gzip, match: { path: /f/gzip }, upstream: bench, compress: true }
jwt:
  - { name: hs, algorithms: [HS256], secret: "file:hs.secret" }
  - { name: rs, algorithms: [RS256, PS256], public_key: "file:rsa.pub.pem", private_key: "file:rsa.pem" }
  - { name: es, algorithms: [ES256], public_key: "file:ec.pub.pem", private_key: "file:ec.pem" }
  - { name: ed, algorithms: [EdDSA], public_key: "file:ed.pub.pem", private_key: "file:ed.pem" }
rate_limits:
  - { name: huge-local, requests: 1000000000, per: 1s, key: ip }
$redis_limit
PROFILE
}

# security_header FEATURE -> the request header that feature needs (a token, an Origin), or nothing.
security_header() {
    local jwt="" alg=""
    case ${1%-verify} in
        hs256 | hs256-ratelimit) jwt=hs alg=HS256 ;;
        rs256) jwt=rs alg=RS256 ;;
        ps256) jwt=rs alg=PS256 ;;
        es256) jwt=es alg=ES256 ;;
        eddsa) jwt=ed alg=EdDSA ;;
        cors) echo "Origin: http://localhost:3000"; return ;;
        gzip) echo "Accept-Encoding: gzip"; return ;;
        *) return ;;
    esac
    echo "Authorization: Bearer $("$GATEHOUSE_BIN" token "$GH_DIR/bench.yaml" --jwt "$jwt" --alg "$alg" --ttl 1h)"
}

# ---------------------------------------------------------------------------------------------------------
# 3. Gatehouse
# ---------------------------------------------------------------------------------------------------------
GH_DIR=$TMP_DIR/gatehouse
mkdir -p "$GH_DIR"
if ((ONLY_NGINX == 0)); then
    # BENCH_RESILIENCE=1 turns on everything a request pays for on its way through traffic
    # management: outlier ejection, a circuit breaker and retries (none of them fire here).
    RESILIENCE_UPSTREAM=""
    RESILIENCE_ROUTE=""
    if [[ $BENCH_RESILIENCE == 1 ]]; then
        RESILIENCE_UPSTREAM=$'    outlier: {}\n    circuit_breaker: {}\n'
        RESILIENCE_ROUTE=$'    retries: 2\n'
    fi
    if [[ $BENCH_SECURITY == 1 ]]; then
        security_setup
    fi
    cat >"$GH_DIR/bench.yaml" <<EOF
gatehouse: 1
name: bench
listen:
  - bind: 127.0.0.1:$GATEHOUSE_PORT
$GATEHOUSE_TLS_LISTENER
upstreams:
  - name: bench
    balance: $BENCH_BALANCE
    keepalive: 512
    targets:
      - url: http://127.0.0.1:$UPSTREAM_PORT
${RESILIENCE_UPSTREAM}routes:
  - name: all
    match: { path: / }
    upstream: bench
${RESILIENCE_ROUTE}
EOF
    if [[ $BENCH_SECURITY == 1 ]]; then
        security_profile >>"$GH_DIR/bench.yaml"
    fi
    "$GATEHOUSE_BIN" check "$GH_DIR/bench.yaml" >/dev/null || die "the generated profile does not pass gatehouse check"
    # In its own session/process group (setsid execs in place: same pid), so that anything it might
    # spawn can be stopped with it.
    setsid "$GATEHOUSE_BIN" serve "$GH_DIR/bench.yaml" --quiet </dev/null >"$GH_DIR/stdout.log" 2>"$GH_DIR/stderr.log" &
    GATEHOUSE_PID=$!
    wait_http "gatehouse" "http://127.0.0.1:$GATEHOUSE_PORT/" "$GATEHOUSE_PID" "$GH_DIR"
    log "gatehouse on 127.0.0.1:$GATEHOUSE_PORT (pid $GATEHOUSE_PID, $GATEHOUSE_BIN)"
    if [[ $BENCH_SECURITY == 1 ]]; then
        # The *-verify rows: a second instance that remembers no verified token, so every request
        # pays the full signature check.
        NOCACHE_PORT=$(free_ports 1)
        sed "s/127.0.0.1:$GATEHOUSE_PORT\$/127.0.0.1:$NOCACHE_PORT/" "$GH_DIR/bench.yaml" >"$GH_DIR/bench-nocache.yaml"
        GATEHOUSE_JWT_CACHE=0 setsid "$GATEHOUSE_BIN" serve "$GH_DIR/bench-nocache.yaml" --quiet </dev/null \
            >"$GH_DIR/nocache-stdout.log" 2>"$GH_DIR/nocache-stderr.log" &
        NOCACHE_PID=$!
        wait_http "gatehouse-nocache" "http://127.0.0.1:$NOCACHE_PORT/" "$NOCACHE_PID" "$GH_DIR"
    fi
fi

# ---------------------------------------------------------------------------------------------------------
# 4. Load
# ---------------------------------------------------------------------------------------------------------
STAMP=$(date +%Y%m%d-%H%M%S)
LOADAVG_START=$(cut -d' ' -f1-3 /proc/loadavg)
new_out_dir "$BENCH_RESULTS_DIR/$STAMP"
RUNS_TSV=$OUT_DIR/runs.tsv
printf 'rep\tconns\ttarget\trequests\treq_per_s\tp50_ms\tp99_ms\tnon2xx\tsocket_errors\tcpu_ticks\n' >"$RUNS_TSV"

# bench_one REP CONNS TARGET URL HEADER PIDS...: one wrk run, with the CPU time of PIDS measured around it.
bench_one() {
    local rep=$1 conns=$2 target=$3 url=$4 header=$5
    shift 5
    local raw="$OUT_DIR/raw/rep${rep}-c${conns}-${target}.txt" before after parsed
    log "rep $rep/$BENCH_REPEAT  c=$conns  $target  ($BENCH_DURATION)"
    before=$(cpu_ticks "$@")
    run_wrk "$raw" "$conns" "$BENCH_DURATION" "$url" "$header"
    after=$(cpu_ticks "$@")
    parsed=$(parse_wrk "$raw") || { sed 's/^/    /' "$raw" >&2; die "could not parse wrk output $raw"; }
    local req rps p50 p99 non2xx sockerr
    read -r req rps p50 p99 non2xx sockerr <<<"$parsed"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$rep" "$conns" "$target" "$req" "$rps" "$p50" "$p99" \
        "$non2xx" "$sockerr" "$((after - before))" >>"$RUNS_TSV"
    # Fail loudly if a measured process died under load (its CPU would silently read as 0).
    local pid
    for pid in "$@"; do
        kill -0 "$pid" 2>/dev/null || die "$target process $pid died during the run (see $OUT_DIR)"
    done
}

NGINX_URL="http://127.0.0.1:$PROXY_PORT/"
GATEHOUSE_URL="http://127.0.0.1:$GATEHOUSE_PORT/"

bench_nginx() { bench_one "$1" "$2" nginx "$NGINX_URL" "" "${PROXY_WORKERS[@]}"; }
# bench_tls REP: keep-alive HTTPS (the cost of encryption), then a new TLS connection per request (handshakes).
bench_tls() {
    local rep=$1 c=$BENCH_TLS_CONNECTIONS close="Connection: close"
    local nginx_url="https://127.0.0.1:$PROXY_TLS_PORT/" gh_url="https://127.0.0.1:$GATEHOUSE_TLS_PORT/"
    bench_one "$rep" "$c" nginx-https "$nginx_url" "" "${PROXY_WORKERS[@]}"
    if ((ONLY_NGINX == 0)); then bench_one "$rep" "$c" gatehouse-https "$gh_url" "" "$GATEHOUSE_PID"; fi
    bench_one "$rep" "$c" nginx-https-close "$nginx_url" "$close" "${PROXY_WORKERS[@]}"
    if ((ONLY_NGINX == 0)); then bench_one "$rep" "$c" gatehouse-https-close "$gh_url" "$close" "$GATEHOUSE_PID"; fi
}
bench_gatehouse() { bench_one "$1" "$2" gatehouse "$GATEHOUSE_URL" "" "$GATEHOUSE_PID"; }

feature_url() {
    case $1 in
        plain) echo "$GATEHOUSE_URL" ;;
        *-verify) echo "http://127.0.0.1:$NOCACHE_PORT/f/${1%-verify}" ;;
        *) echo "${GATEHOUSE_URL}f/$1" ;;
    esac
}
bench_feature() { # bench_feature REP FEATURE
    local pid=$GATEHOUSE_PID
    [[ $2 == *-verify ]] && pid=$NOCACHE_PID
    bench_one "$1" "$BENCH_SECURITY_CONNECTIONS" "feature-$2" "$(feature_url "$2")" "${FEATURE_HEADERS[$2]}" "$pid"
}
declare -A FEATURE_HEADERS=()
if ((ONLY_NGINX == 0)) && [[ $BENCH_SECURITY == 1 ]]; then
    for feature in "${SECURITY_FEATURES[@]}"; do
        [[ $feature == ratelimit-redis && -z $REDIS_URL ]] && continue
        FEATURE_HEADERS[$feature]=$(security_header "$feature")
        header_args=()
        [[ -n ${FEATURE_HEADERS[$feature]} ]] && header_args=(-H "${FEATURE_HEADERS[$feature]}")
        code=$(curl -s -o /dev/null -w '%{http_code}' "${header_args[@]}" "$(feature_url "$feature")") || code=""
        [[ $code == 200 ]] || die "feature route $feature answers ${code:-nothing}, not 200"
    done
fi

if ((WARMUP_S > 0)); then
    log "warm-up: ${WARMUP_S}s at c=50 per proxy (not measured)"
    run_wrk "$OUT_DIR/raw/warmup-nginx.txt" 50 "${WARMUP_S}s" "$NGINX_URL"
    if ((ONLY_NGINX == 0)); then
        run_wrk "$OUT_DIR/raw/warmup-gatehouse.txt" 50 "${WARMUP_S}s" "$GATEHOUSE_URL"
    fi
fi

if [[ $BENCH_TLS == 1 ]]; then
    for url in "https://127.0.0.1:$PROXY_TLS_PORT/" "https://127.0.0.1:$GATEHOUSE_TLS_PORT/"; do
        if [[ $url == *":$GATEHOUSE_TLS_PORT/" ]] && ((ONLY_NGINX == 1)); then continue; fi
        body=$(curl -s --max-time 2 --cacert "$TLS_DIR/cert.pem" "$url") || body=""
        [[ $body == *"$UPSTREAM_BODY"* ]] || die "$url does not proxy over TLS (got '${body:0:200}')"
    done
fi

for ((rep = 1; rep <= BENCH_REPEAT; rep++)); do
    if [[ $BENCH_TLS == 1 ]]; then bench_tls "$rep"; fi
    for feature in "${SECURITY_FEATURES[@]}"; do
        if [[ -n ${FEATURE_HEADERS[$feature]+set} ]]; then bench_feature "$rep" "$feature"; fi
    done
    for i in "${!CONNS[@]}"; do
        c=${CONNS[$i]}
        if ((ONLY_NGINX == 1)); then
            bench_nginx "$rep" "$c"
        elif (((i + rep) % 2 == 1)); then # alternate who goes first, per row and per repetition
            bench_nginx "$rep" "$c"
            bench_gatehouse "$rep" "$c"
        else
            bench_gatehouse "$rep" "$c"
            bench_nginx "$rep" "$c"
        fi
    done
done

# ---------------------------------------------------------------------------------------------------------
# 5./6. Report (medians per row over the repetitions)
# ---------------------------------------------------------------------------------------------------------
{
    echo "# Gatehouse vs nginx proxy benchmark, $STAMP"
    echo
    echo "- host: $(uname -srm), $(nproc) CPUs; $("$NGINX_BIN" -v 2>&1); $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)"
    echo "- load average before the runs: $LOADAVG_START (anything else busy on the box skews every number)"
    echo "- gatehouse: $GATEHOUSE_BIN_DESC (git $(git -C "$ROOT_DIR" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT_DIR" diff --quiet HEAD 2>/dev/null || echo ', dirty tree'))"
    echo "- wrk: ${WRK_THREADS} threads (1 at c=1), duration $BENCH_DURATION, connections: ${CONNS[*]}, repetitions: $BENCH_REPEAT, warm-up: $BENCH_WARMUP"
    echo
    python3 - "$RUNS_TSV" "$BENCH_REPEAT" "$CLK_TCK" "$ONLY_NGINX" "$BENCH_CONNECTIONS" "$BENCH_SECURITY_CONNECTIONS" "$BENCH_TLS_CONNECTIONS" <<'EOF'
import csv, statistics, sys

tsv, repeat, clk_tck, only_nginx, conns = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1", sys.argv[5].split()
features_conns = sys.argv[6]
tls_conns = sys.argv[7]
rows = list(csv.DictReader(open(tsv), delimiter="\t"))

def runs(c, target):
    return [r for r in rows if r["conns"] == c and r["target"] == target]

def med(rs, key):
    return statistics.median(float(r[key]) for r in rs) if rs else None

def cpu_us(r):
    req = int(r["requests"])
    return int(r["cpu_ticks"]) * 1e6 / clk_tck / req if req else None

def med_cpu(rs):
    v = [x for x in (cpu_us(r) for r in rs) if x is not None]
    return statistics.median(v) if v else None

def errs(rs):
    return sum(int(r["non2xx"]) + int(r["socket_errors"]) for r in rs) if rs else None

def f(v, fmt):
    return "–" if v is None else format(v, fmt)

label = "median of %d sweeps" % repeat if repeat > 1 else "single sweep"
print("## Throughput and latency (%s)" % label)
print()
print("| conns | nginx req/s | gatehouse req/s | ratio | nginx p50/p99 ms | gatehouse p50/p99 ms | errors (nginx/gatehouse) |")
print("|---:|---:|---:|---:|---:|---:|---:|")
for c in conns:
    n, g = runs(c, "nginx"), runs(c, "gatehouse")
    nr, gr = med(n, "req_per_s"), med(g, "req_per_s")
    ratio = gr / nr if (nr and gr is not None) else None
    print("| %s | %s | %s | %s | %s / %s | %s / %s | %s / %s |" % (
        c, f(nr, ".0f"), f(gr, ".0f"), f(ratio, ".2f"),
        f(med(n, "p50_ms"), ".2f"), f(med(n, "p99_ms"), ".2f"),
        f(med(g, "p50_ms"), ".2f"), f(med(g, "p99_ms"), ".2f"),
        f(errs(n), "d"), f(errs(g), "d")))
print()
print("## Proxy CPU time per request (%s)" % label)
print()
print("| conns | nginx workers µs CPU/req | gatehouse µs CPU/req | ratio |")
print("|---:|---:|---:|---:|")
for c in conns:
    n, g = med_cpu(runs(c, "nginx")), med_cpu(runs(c, "gatehouse"))
    ratio = g / n if (n and g is not None) else None
    print("| %s | %s | %s | %s |" % (c, f(n, ".1f"), f(g, ".1f"), f(ratio, ".2f")))
print()
if any(r["target"] == "nginx-https" for r in rows):
    print("## HTTPS at c=%s: both proxies terminate TLS with the same P-256 certificate (%s)" % (tls_conns, label))
    print()
    print("keep-alive: TLS is set up once per connection, so this is the cost of encryption. close:")
    print("`Connection: close` on every request, so every request pays a full TLS handshake.")
    print()
    print("| connections | nginx req/s | gatehouse req/s | ratio | nginx µs CPU/req | gatehouse µs CPU/req | CPU ratio | errors (nginx/gatehouse) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for kind, suffix in (("keep-alive", "https"), ("close", "https-close")):
        n, g = runs(tls_conns, "nginx-" + suffix), runs(tls_conns, "gatehouse-" + suffix)
        nr, gr = med(n, "req_per_s"), med(g, "req_per_s")
        nc, gc = med_cpu(n), med_cpu(g)
        print("| %s | %s | %s | %s | %s | %s | %s | %s / %s |" % (
            kind, f(nr, ".0f"), f(gr, ".0f"), f(gr / nr if (nr and gr is not None) else None, ".2f"),
            f(nc, ".1f"), f(gc, ".1f"), f(gc / nc if (nc and gc is not None) else None, ".2f"),
            f(errs(n), "d"), f(errs(g), "d")))
    print()
features = [r["target"][len("feature-"):] for r in rows if r["target"].startswith("feature-") and r["rep"] == "1"]
if features:
    plain = med_cpu(runs(features_conns, "feature-plain"))
    print("## Security features at c=%s: CPU per request against the plain route (%s)" % (features_conns, label))
    print()
    print("JWT rows send one token over and over, which workers verify once and then remember; the")
    print("*-verify rows go to a second instance started with GATEHOUSE_JWT_CACHE=0, which checks the")
    print("signature on every request.")
    print()
    print("| route | gatehouse req/s | µs CPU/req | extra µs/req |")
    print("|---|---:|---:|---:|")
    for name in features:
        rs = runs(features_conns, "feature-" + name)
        cpu = med_cpu(rs)
        extra = cpu - plain if (cpu is not None and plain is not None and name != "plain") else None
        print("| %s | %s | %s | %s |" % (name, f(med(rs, "req_per_s"), ".0f"), f(cpu, ".1f"), f(extra, "+.1f")))
    print()
notes = [
    "ratio = gatehouse / nginx (req/s: higher is better for Gatehouse; CPU: lower is better).",
    "errors = non-2xx responses + socket errors (connect/read/write/timeout)%s." % (", summed over all sweeps" if repeat > 1 else ""),
    "CPU = utime+stime from /proc/PID/stat around each wrk run (nginx: both proxy workers; resolution 1/%d s)." % clk_tck,
    "wrk, the upstream nginx and the proxy share the same cores: compare the two proxies, not absolute numbers.",
]
if only_nginx:
    notes.insert(0, "BENCH_ONLY_NGINX=1: Gatehouse was not run.")
for line in notes:
    print("- " + line)
EOF
} >"$OUT_DIR/results.md"

cp "$UP_DIR/nginx.conf" "$OUT_DIR/upstream-nginx.conf"
cp "$PROXY_DIR/nginx.conf" "$OUT_DIR/proxy-nginx.conf"
cp "$UP_DIR/error.log" "$OUT_DIR/upstream-nginx.error.log" 2>/dev/null || true
cp "$PROXY_DIR/error.log" "$OUT_DIR/proxy-nginx.error.log" 2>/dev/null || true
if ((ONLY_NGINX == 0)); then
    cp "$GH_DIR/bench.yaml" "$OUT_DIR/gatehouse-profile.yaml"
    cp "$GH_DIR/stderr.log" "$OUT_DIR/gatehouse.stderr.log" 2>/dev/null || true
fi

echo
cat "$OUT_DIR/results.md"
echo
log "results written to $OUT_DIR"
