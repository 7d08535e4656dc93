#!/usr/bin/env bash
# Renders a seamline HTML report in headless Chromium, takes a full-page screenshot, and fails
# on console errors, uncaught exceptions, network requests or an unfinished inline script.
#
# usage: scripts/browser-check.sh REPORT.html OUT.png [WIDTH]
#
# Installs Debian's `chromium` package when it is missing (needs root and apt). The checks run
# through the DevTools protocol over a pipe (scripts/browser-check.mjs, Node >= 18); without
# Node, a fallback dumps the DOM and greps Chromium's log for console errors.
set -euo pipefail

if [[ $# -lt 2 ]]; then
    echo "usage: $0 REPORT.html OUT.png [WIDTH]" >&2
    exit 2
fi
report=$1
out=$2
width=${3:-1400}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [[ ! -f $report ]]; then
    echo "browser-check: no such file: $report" >&2
    exit 2
fi

chromium=$(command -v chromium || command -v chromium-browser || true)
if [[ -z $chromium ]]; then
    echo "browser-check: installing chromium (apt-get)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends chromium >&2
    chromium=$(command -v chromium)
fi

if command -v node >/dev/null 2>&1; then
    exec node "$here/browser-check.mjs" "$chromium" "$report" "$out" "$width"
fi

# Fallback without Node: screenshot, then the DOM after scripts ran, with console logging.
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
    --disable-background-networking --disable-component-update --disable-sync
    --hide-scrollbars "--user-data-dir=$profile")
url="file://$(realpath "$report")"
"$chromium" "${flags[@]}" "--window-size=$width,3000" "--screenshot=$out" "$url" 2>/dev/null
log=$profile/console.log
dom=$("$chromium" "${flags[@]}" --enable-logging=stderr --v=0 --dump-dom "$url" 2>"$log")
status=0
if grep -E 'Uncaught|CONSOLE.*(error|Error)' "$log" >&2; then
    echo "browser-check: console errors" >&2
    status=1
fi
if ! grep -q 'data-sl-ready="1"' <<<"$dom"; then
    echo "browser-check: the report's inline script did not finish" >&2
    status=1
fi
[[ $status -eq 0 ]] && echo "browser-check: screenshot $out; no console errors"
exit $status
