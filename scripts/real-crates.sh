#!/usr/bin/env bash
# Reruns the frontend on a sample of real crates from the local cargo registry (small to
# 400k+ lines), on real and assembled workspaces, and on the whole registry folder (a tree of
# hundreds of packages without a top manifest): every run must end without a panic, within
# a timeout, with facts that validate.
#
# The sources come from `cargo fetch` in a scratch project, for example one whose
# Cargo.toml depends on cargo, tokio, diesel, regex, chrono, nom, hyper and ripgrep.
# Usage: scripts/real-crates.sh [--threads N] [--with-registry]   (missing crates are skipped)
# --with-registry adds the whole registry folder (12k files, 549 crates, 6.3M lines, no top
# manifest). On 2026-11-23 it first exceeded the 10-minute timeout in name resolution (glob
# imports); since the memoised glob targets (d977e2e) it takes about 33 s CPU (100 s wall on
# the loaded 2-core box) and 2.9 GB peak RSS with --threads 2; windows-sys-0.48 alone
# (500k lines, 190k items) about 3 s CPU and 380 MB.
# Output: one line per path from the `probe` bench, then a tally. Exit 1 on any failure.
set -u
cd "$(dirname "$0")/.."
THREADS=2
WITH_REGISTRY=0
while [ $# -gt 0 ]; do
    case "$1" in
        --threads) THREADS="$2"; shift 2 ;;
        --with-registry) WITH_REGISTRY=1; shift ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
REG="$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/ 2>/dev/null | head -1)"
if [ -z "$REG" ]; then
    echo "no registry sources found; run cargo fetch in a scratch project first" >&2
    exit 2
fi
PATTERNS=(
    itoa-1 either-1 same-file-1 walkdir-2 anyhow-1 memchr-2 semver-1 fixedbitset-0.5
    indexmap-2 hashbrown-0.15 rayon-core-1 rayon-1 petgraph-0.8 proc-macro2-1 quote-1
    serde-1 serde_json-1 toml_edit- winnow-0.7 nom-7 chrono-0.4 regex-1 regex-syntax-0.8
    regex-automata-0.4 clap_builder-4 syn-2 syn-3 sqlparser-0 hyper-1 gix-pack- gix-0.90
    jiff-0.2 encoding_rs-0 libc-0.2 tokio-1 diesel-2 ripgrep- grep-printer- cargo-0
    linux-raw-sys-0.12 windows-sys-0.48
)
ROOTS=()
for p in "${PATTERNS[@]}"; do
    d="$(ls -d "$REG$p"* 2>/dev/null | sort -V | tail -1)"
    [ -n "$d" ] && ROOTS+=("$d")
done
# Workspaces: this repository, an assembled workspace of registry crates (members keep
# their published manifests), the fixtures, and the registry folder itself (walk fallback).
WS="$(mktemp -d)/assembled"
mkdir -p "$WS"
MEMBERS=()
for p in gix-path- gix-fs- gix-chunk- semver-1; do
    d="$(ls -d "$REG$p"* 2>/dev/null | sort -V | tail -1)"
    if [ -n "$d" ]; then
        cp -r "$d" "$WS/"
        MEMBERS+=("\"$(basename "$d")\"")
    fi
done
printf '[workspace]\nmembers = [%s]\nresolver = "2"\n' "$(IFS=,; echo "${MEMBERS[*]}")" > "$WS/Cargo.toml"
ROOTS+=("$PWD" "$WS" "$PWD/fixtures/workspace" "$PWD/fixtures/broken")
[ $WITH_REGISTRY -eq 1 ] && ROOTS+=("$REG")

cargo bench -q -p seamline_frontend --bench probe --no-run 2>/dev/null
ok=0
failed=0
for root in "${ROOTS[@]}"; do
    out="$(timeout 600 cargo bench -q -p seamline_frontend --bench probe -- --threads "$THREADS" "$root" 2>&1)"
    status=$?
    line="$(echo "$out" | tail -1)"
    if [ $status -ne 0 ] || ! echo "$line" | grep -q " ok " || echo "$line" | grep -q INVALID; then
        echo "FAIL ($status) $line"
        failed=$((failed + 1))
    else
        echo "$line"
        ok=$((ok + 1))
    fi
done
rm -rf "$(dirname "$WS")"
echo "$ok passed, $failed failed"
[ $failed -eq 0 ]
