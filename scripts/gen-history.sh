#!/usr/bin/env bash
# Generates a reproducible git history for a fixture, so that history signals (change
# coupling, churn, ownership) can be measured on it; see crates/seamline_history.
#
# Usage: scripts/gen-history.sh SRC_DIR MAPPING OUT_DIR [COMMITS] [SEED]
#
#   SRC_DIR  the fixture to copy (e.g. fixtures/shop); it is not modified.
#   MAPPING  a text file of `PATH DOMAIN` lines (PATH relative to SRC_DIR, `#` comments);
#            files not listed are "shared" and change only now and then.
#   OUT_DIR  where the repository is created; it must not exist yet.
#   COMMITS  commits after the initial import (default 300).
#   SEED     seed of the pseudo-random choices (default 1).
#
# The history: an initial commit imports everything (it is huge, so history readers skip
# it), then each commit picks a domain, is written by that domain's owner 80% of the
# time (else by another team's owner), and appends a comment line to 1 to 3 of the
# domain's files; 10% of commits also touch a file of another, random domain (noise), and
# 5% touch a shared file. Domains own distinct authors (in order of first appearance in
# MAPPING: Ada, Brendan, Chen, Dana, Emeka, Farah, Goran, Hana, ...), and Ada sometimes
# commits under an old identity that the committed .mailmap merges.
# Same arguments, same git version -> the same commits (fixed dates, names and a
# portable LCG instead of $RANDOM), so the expected signals are stable.
set -euo pipefail

if [[ $# -lt 3 || $# -gt 5 ]]; then
    sed -n '5,12p' "$0" >&2
    exit 2
fi
src=$1
mapping=$2
out=$3
commits=${4:-300}
state=${5:-1}

[[ -d $src ]] || { echo "gen-history: no folder $src" >&2; exit 2; }
[[ -f $mapping ]] || { echo "gen-history: no mapping file $mapping" >&2; exit 2; }
[[ -e $out ]] && { echo "gen-history: $out exists already" >&2; exit 2; }
src=$(cd "$src" && pwd)
mapping=$(cd "$(dirname "$mapping")" && pwd)/$(basename "$mapping")

# Read the mapping: domains in order of first appearance, and each domain's files.
declare -a domains=()
declare -A files_of=()
while read -r path domain _; do
    [[ -z ${path:-} || $path == \#* ]] && continue
    [[ -n ${domain:-} ]] || { echo "gen-history: no domain for $path" >&2; exit 2; }
    [[ -f $src/$path ]] || { echo "gen-history: mapped file $src/$path does not exist" >&2; exit 2; }
    if [[ -z ${files_of[$domain]+set} ]]; then
        domains+=("$domain")
        files_of[$domain]=""
    fi
    files_of[$domain]+="$path"$'\n'
done < "$mapping"
(( ${#domains[@]} > 0 )) || { echo "gen-history: the mapping names no file" >&2; exit 2; }

# Shared files: every file of the fixture that the mapping does not name (sorted).
mapfile -t shared < <(cd "$src" && find . -type f -name '*.rs' | sed 's|^\./||' | LC_ALL=C sort | while read -r f; do
    awk -v f="$f" '$1 == f { found = 1 } END { exit !found }' "$mapping" || echo "$f"
done)

names=(Ada Brendan Chen Dana Emeka Farah Goran Hana Ines Jonas Kofi Lena)

# A portable LCG (the one from POSIX rand()), so no shell version changes the choices.
rand_below() { # $1 = n; sets $r in [0, n)
    state=$(( (state * 1103515245 + 12345) % 2147483648 ))
    r=$(( (state / 65536) % $1 ))
}

mkdir -p "$out"
cp -R "$src"/. "$out"/
rm -rf "$out/.git" "$out/target"
cd "$out"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
unset GIT_DIR GIT_WORK_TREE
git init -q -b main
printf 'Ada <ada@shop.example> <ada.old@legacy.example>\n' > .mailmap

clock=1700000000
commit_as() { # $1 = name, $2 = email, $3 = message
    clock=$(( clock + 3600 ))
    GIT_AUTHOR_NAME=$1 GIT_AUTHOR_EMAIL=$2 GIT_AUTHOR_DATE="$clock +0000" \
    GIT_COMMITTER_NAME=$1 GIT_COMMITTER_EMAIL=$2 GIT_COMMITTER_DATE="$clock +0000" \
        git commit -q --no-verify -m "$3"
}

git add -A
commit_as Founder founder@shop.example "Import the monolith"

touch_file() { # $1 = path, $2 = commit number, $3 = author
    printf '// change %s by %s\n' "$2" "$3" >> "$1"
    git add -- "$1"
}

for (( n = 1; n <= commits; n++ )); do
    rand_below "${#domains[@]}"; d=$r
    domain=${domains[$d]}
    rand_below 10
    if (( r < 8 )); then
        author=$(( d % ${#names[@]} ))
    else
        rand_below "${#domains[@]}"; author=$(( r % ${#names[@]} ))
    fi
    name=${names[$author]}
    email="$(tr '[:upper:]' '[:lower:]' <<< "$name")@shop.example"
    if (( author == 0 )); then
        rand_below 4
        (( r == 0 )) && { name="ada.l"; email="ada.old@legacy.example"; }
    fi

    mapfile -t own < <(printf '%s' "${files_of[$domain]}")
    rand_below 3; count=$(( r + 1 ))
    for (( k = 0; k < count; k++ )); do
        rand_below "${#own[@]}"
        touch_file "${own[$r]}" "$n" "$name"
    done
    rand_below 10
    if (( r == 0 && ${#domains[@]} > 1 )); then
        rand_below "${#domains[@]}"
        other=${domains[$r]}
        if [[ $other != "$domain" ]]; then
            mapfile -t theirs < <(printf '%s' "${files_of[$other]}")
            rand_below "${#theirs[@]}"
            touch_file "${theirs[$r]}" "$n" "$name"
        fi
    fi
    rand_below 20
    if (( r == 0 && ${#shared[@]} > 0 )); then
        rand_below "${#shared[@]}"
        touch_file "${shared[$r]}" "$n" "$name"
    fi
    commit_as "$name" "$email" "$domain: change $n"
done
echo "gen-history: $out has $(( commits + 1 )) commits, HEAD $(git rev-parse HEAD)"
