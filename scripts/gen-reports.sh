#!/usr/bin/env bash
# Regenerates reports/ (the example reports of every fixture) and shows what changed.
#
# usage: scripts/gen-reports.sh
#
# The generator is the test that checks them (tests/it/reports.rs): with
# SEAMLINE_UPDATE_REPORTS=1 it rewrites the reports that differ instead of failing, so the
# committed reports are byte for byte what the test expects.
set -euo pipefail
cd "$(dirname "$0")/.."
SEAMLINE_UPDATE_REPORTS=1 cargo test --test it reports -- --quiet
git status --short -- reports/
