#!/bin/sh
# Render an HTML page (a diff or validation report) in headless Chromium and save a PNG of it.
#
#   scripts/screenshot.sh REPORT.html OUT.png [WIDTH,HEIGHT]      (default 1280,1800)
#   scripts/screenshot.sh --dom REPORT.html                         the DOM after scripts ran, on stdout
#
# Needs Debian's chromium package (`apt-get install chromium`); nothing is downloaded.
set -eu
if ! command -v chromium >/dev/null 2>&1; then
    echo "screenshot.sh: chromium not found; install Debian's package: apt-get install chromium" >&2
    exit 2
fi
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
# no background networking: this machine has no internet, and Chromium would retry Google's hosts
run() {
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile" "$@" 2>/dev/null
}
if [ "${1:-}" = "--dom" ]; then
    [ $# -eq 2 ] || { echo "usage: $0 --dom REPORT.html" >&2; exit 2; }
    run --dump-dom "file://$(realpath "$2")"
    exit 0
fi
[ $# -ge 2 ] || { echo "usage: $0 REPORT.html OUT.png [WIDTH,HEIGHT]" >&2; exit 2; }
in=$(realpath "$1")
out=$(realpath -m "$2")
run --hide-scrollbars --window-size="${3:-1280,1800}" --screenshot="$out" "file://$in"
[ -s "$out" ] || { echo "screenshot.sh: no image written to $out" >&2; exit 1; }
echo "$out"
