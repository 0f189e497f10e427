#!/usr/bin/env bash
# The .deb end to end (SPEC §7.9): `make package` builds it (release, UI on, no tests), then
# lintian, desktop-file-validate and appstreamcli check it, apt installs it, the installed binary
# runs, and a purge leaves nothing behind. Installing needs root: without it the test fails,
# unless GATEHOUSE_PACKAGE_SKIP_INSTALL=1 asks to check the package without installing it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

fail() {
    echo "package-test: FAIL: $*" >&2
    exit 1
}
installing=1
if [ "$(id -u)" -ne 0 ]; then
    [ "${GATEHOUSE_PACKAGE_SKIP_INSTALL:-}" = 1 ] \
        || fail "installing the package needs root (GATEHOUSE_PACKAGE_SKIP_INSTALL=1 checks it without)"
    echo "package-test: not root: SKIPPING apt install, the installed binary and the purge" >&2
    installing=0
fi
if dpkg-query -W -f='${Status}' gatehouse 2>/dev/null | grep -q 'ok installed'; then
    fail "a gatehouse package is installed already, and this test ends by purging it"
fi

rm -f build/package/gatehouse_*.deb
make --no-print-directory package
debs=(build/package/gatehouse_*.deb)
[ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] || fail "make package made no build/package/gatehouse_*.deb"
deb=${debs[0]}
echo "package-test: $deb"

files=$(dpkg-deb -c "$deb" | awk '{print $6}')
[ "$(grep '^\./usr/bin/.' <<<"$files")" = ./usr/bin/gatehouse ] \
    || fail "usr/bin must hold gatehouse alone: $(grep '^\./usr/bin/.' <<<"$files" | tr '\n' ' ')"

# Errors fail; warnings are printed for whoever reads the log.
lintian --fail-on error "$deb" || fail "lintian reports errors"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dpkg-deb -x "$deb" "$tmp"
desktop-file-validate "$tmp/usr/share/applications/dev.gatehouse.Gatehouse.desktop" \
    || fail "desktop-file-validate"
appstreamcli validate --no-net "$tmp/usr/share/metainfo/dev.gatehouse.Gatehouse.metainfo.xml" \
    || fail "appstreamcli validate"
for size in 16 32 48 64 128 256; do
    file "$tmp/usr/share/icons/hicolor/${size}x$size/apps/dev.gatehouse.Gatehouse.png" \
        | grep -q "PNG image data, $size x $size" || fail "no ${size}x$size icon"
done

if [ $installing -eq 0 ]; then
    echo "package-test: ok (checked, NOT installed)"
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
trap 'rm -rf "$tmp"; apt-get remove --purge -y -qq gatehouse >/dev/null 2>&1 || true' EXIT
apt-get install -y -qq --no-install-recommends "./$deb" >/dev/null
version=$(dpkg-deb -f "$deb" Version)
[ "$(/usr/bin/gatehouse --version)" = "gatehouse $version" ] || fail "gatehouse --version is not $version"
[ "$(/usr/bin/gatehouse check /usr/share/gatehouse/profiles/default.yaml)" = ok ] \
    || fail "the installed default profile does not check"
apt-get remove --purge -y -qq gatehouse >/dev/null
[ ! -e /usr/bin/gatehouse ] && [ ! -e /usr/share/gatehouse ] || fail "the purge left files behind"
echo "package-test: ok (built, checked, installed, ran, purged)"
