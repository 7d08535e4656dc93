#!/usr/bin/env bash
# Runs `seamline analyze` over local checkouts of real monoliths and prints, per repository,
# the numbers that tell whether the plan is advice an architect would act on, as
# a Markdown table.
# It fetches nothing: the checkouts are listed in a file, one `name path` pair per line
# (`#` starts a comment; a line with only a path takes the folder name).
# Usage: scripts/real-monoliths.sh LIST [--bin PATH] [--out DIR] [--history]
# --bin defaults to target/release/seamline; --out keeps every report (default: a temp dir);
# --history passes --history to analyze (the checkouts must then be git repositories).
# Columns:
# - lines: lines of code analysed; contexts: contexts proposed;
# - fragments: contexts under 1% of the code that own no table and expose no endpoint
#   (not services);
# - numbered: contexts with a numbered or fallback name (`context-2`, `download-2`);
# - no-writer: tables whose owner context holds none of the code that writes them (the
#   contexts of the writing modules and of their items, from `tables[].accessed_by`);
# - kernel: share of the code in the shared kernel;
# - step 1: the first extraction step, with its share of the code;
# - verdict: the plan's verdict.
set -u
cd "$(dirname "$0")/.."
LIST=""
BIN="target/release/seamline"
OUT=""
HISTORY=()
while [ $# -gt 0 ]; do
    case "$1" in
        --bin) BIN="$2"; shift 2 ;;
        --out) OUT="$2"; shift 2 ;;
        --history) HISTORY=(--history); shift ;;
        -*) echo "unknown argument $1" >&2; exit 2 ;;
        *) LIST="$1"; shift ;;
    esac
done
if [ -z "$LIST" ] || [ ! -f "$LIST" ]; then
    echo "usage: scripts/real-monoliths.sh LIST [--bin PATH] [--out DIR] [--history]" >&2
    exit 2
fi
if [ ! -x "$BIN" ]; then
    echo "no binary at $BIN (cargo build --release, or --bin PATH)" >&2
    exit 2
fi
[ -n "$OUT" ] || OUT="$(mktemp -d)"
mkdir -p "$OUT"
echo "| repository | lines | contexts | fragments | numbered | no-writer | kernel | step 1 | verdict |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"
status=0
while read -r name path rest; do
    case "$name" in ''|'#'*) continue ;; esac
    if [ -z "${path:-}" ]; then path="$name"; name="$(basename "$name")"; fi
    dir="$OUT/$name"
    mkdir -p "$dir"
    if ! "$BIN" analyze "$path" --format json --out "$dir" "${HISTORY[@]}" \
        >"$dir/stdout" 2>"$dir/stderr"; then
        echo "| $name | analyze failed (see $dir/stderr) | | | | | | | |"
        status=1
        continue
    fi
    python3 - "$name" "$dir/seamline.json" <<'PY'
import json, re, sys
name, path = sys.argv[1], sys.argv[2]
doc = json.load(open(path))
plan = doc["plan"]
total = max(plan["numbers"]["code_lines"], 1)
services = {s["name"]: s for s in plan["services"]}
def endpoint(s):
    return any(a.get("endpoint") for a in s["api"])
fragments = sum(
    1 for s in plan["services"]
    if s["code_lines"] < 0.01 * total and not s["tables"] and not endpoint(s)
)
numbered = sum(
    1 for s in plan["services"]
    if re.search(r"-\d+$", s["name"]) or s["name"].startswith("context")
)
module_ctx = {m["id"]: m["context"] for m in doc["modules"]}
item_ctx = {i["id"]: i["context"] for i in doc["items"]}
no_writer = 0
for t in doc["tables"]:
    owners = [s["name"] for s in plan["services"] if t["name"] in s["tables"]]
    if not owners:
        continue
    # At item granularity a module's items can sit in several contexts: the writers are
    # the contexts of the items of each writing module, not the module's majority context.
    writers = set()
    for a in t["accessed_by"]:
        if a["writes"] > 0:
            writers.add(module_ctx.get(a["module"]))
            writers.update(item_ctx.get(i) for i in a.get("items", []))
    if owners[0] not in writers:
        no_writer += 1
kernel_lines = sum(m["code_lines"] for m in doc["modules"] if m["context"] is None)
step1 = "-"
if plan["extraction"]:
    c = plan["extraction"][0]["context"]
    share = services[c]["code_lines"] / total if c in services else 0
    step1 = f"`{c}` ({share:.0%})"
print(
    f"| {name} | {plan['numbers']['code_lines']:,} | {len(plan['services'])} | {fragments} | "
    f"{numbered} | {no_writer} | {kernel_lines / total:.0%} | {step1} | {plan['verdict']} |"
)
PY
done <"$LIST"
exit $status
