#!/usr/bin/env bash
# Renders the desktop app's main views into docs/screenshots/*.png under Xvfb, on the bundled
# default profile with a few seconds of real traffic. Used for the README; rerun after UI changes:
#   bash docs/screenshots/render.sh            (GATEHOUSE_BIN=... to use another build)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${GATEHOUSE_BIN:-$root/build/release/app/gatehouse}
[[ -x $bin ]] || { echo "render.sh: $bin not found; build with 'make build' or set GATEHOUSE_BIN" >&2; exit 1; }
command -v xvfb-run >/dev/null || { echo "render.sh: xvfb-run not found (installer/debian-packages.txt has xvfb)" >&2; exit 1; }

work=$(mktemp -d)
# Only a known pid: "kill 0" would signal this script's whole process group.
trap 'if [[ -n ${app_pid:-} ]]; then kill "$app_pid" 2>/dev/null || true; fi; rm -rf "$work"' EXIT
# A copy, so the app opens it as a normal file (the bundled default opens as "Untitled"), and a
# private settings and data folder, so your recent files and local CA stay untouched.
cp "$root/profiles/default.yaml" "$work/default.yaml"
export XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/data

GATEHOUSE_SCREENSHOTS=$here QT_QPA_PLATFORM=xcb timeout 60 \
    xvfb-run -a -s "-screen 0 1280x800x24" "$bin" "$work/default.yaml" >"$work/app.log" 2>&1 &
app_pid=$!

# Traffic for the views: a mix of routes, statuses and methods, bounded in time.
for _ in $(seq 1 50); do curl -s -o /dev/null --max-time 2 http://127.0.0.1:8080/hello && break; sleep 0.1; done
end=$((SECONDS + 4))
while ((SECONDS < end)); do
    curl -s -o /dev/null --max-time 2 http://127.0.0.1:8080/api/users/$RANDOM || true
    curl -s -o /dev/null --max-time 2 -H 'Content-Type: application/json' \
        --data-binary '{"name":"Ada Lovelace","email":"ada@example.test","roles":["admin"]}' http://127.0.0.1:8080/api/users || true
    curl -s -o /dev/null --max-time 2 http://127.0.0.1:8080/nothing-here || true
    curl -s -o /dev/null --max-time 2 http://127.0.0.1:8080/hello || true
done
wait "$app_pid" || { cat "$work/app.log" >&2; exit 1; }
app_pid=
ls -1 "$here"/*.png
