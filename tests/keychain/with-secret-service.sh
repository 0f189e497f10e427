#!/usr/bin/env bash
# Runs "$@" inside a private D-Bus session with gnome-keyring's Secret Service, unlocked, on a
# throwaway home folder: the test stores real secrets without touching the user's keyring.
set -euo pipefail
if [ -z "${GATEHOUSE_IN_TEST_BUS:-}" ]; then
    export GATEHOUSE_IN_TEST_BUS=1
    exec dbus-run-session -- bash "$0" "$@" 2> >(grep -v 'Failed to set fd limit' >&2)
fi
HOME="$(mktemp -d)"
export HOME
trap 'rm -rf "$HOME"' EXIT
# --unlock creates the login keyring with this password on first use and unlocks it.
printf 'gatehouse-test-keyring' | gnome-keyring-daemon --unlock --components=secrets >/dev/null
"$@"
