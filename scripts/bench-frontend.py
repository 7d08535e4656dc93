#!/usr/bin/env python3
"""The end-to-end speed check of the frontend against its floor (README, Performance).

Runs, interleaved so that a noisy machine hurts every command alike, N rounds of
  seamline debug parse PATH   (the floor: discovery, read + syn parse, same threads)
  seamline debug facts PATH   (the frontend end to end: the model, written out)
  seamline analyze PATH       (everything: clustering, plan, reports)
on cargo's source with and without its tests, on 2 threads and 1, and prints the minimum
and median wall times and the facts/floor ratios (of the minimums, of the medians, and the
median of each round's facts/floor).

Usage: scripts/bench-frontend.py [--bin target/release/seamline] [--rounds 15] [PATH]
PATH defaults to cargo-0.76.0 in the local registry (`cargo fetch` it in a scratch project
that depends on cargo = "=0.76.0"). Build first: cargo build --release.
"""
import argparse, glob, os, statistics, subprocess, sys, time

ap = argparse.ArgumentParser()
ap.add_argument("--bin", default="target/release/seamline")
ap.add_argument("--rounds", type=int, default=15)
ap.add_argument("path", nargs="?")
args = ap.parse_args()
path = args.path
if path is None:
    found = glob.glob(os.path.expanduser("~/.cargo/registry/src/*/cargo-0.76.0"))
    if not found:
        sys.exit("cargo-0.76.0 is not in the registry: give a PATH or cargo fetch it")
    path = found[0]
b = args.bin
cmds = {}
for tests in ("with tests", "src only"):
    extra = ["--include-tests"] if tests == "with tests" else []
    for th in ("2", "1"):
        cmds[(tests, th, "floor")] = [b, "debug", "parse", path, "--threads", th] + extra
        cmds[(tests, th, "facts")] = [b, "debug", "facts", path, "--threads", th] + extra
        cmds[(tests, th, "analyze")] = [b, "analyze", path, "--threads", th, "-q", "--out", "/tmp/seamline-bench-out"] + extra
res = {k: [] for k in cmds}
for _ in range(args.rounds):
    for k, cmd in cmds.items():
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        res[k].append((time.perf_counter() - t) * 1000)
for tests in ("with tests", "src only"):
    for th in ("2", "1"):
        p, f, a = (res[(tests, th, s)] for s in ("floor", "facts", "analyze"))
        paired = statistics.median(x / y for x, y in zip(f, p))
        print(
            f"{tests:10} {th} thread(s): floor min {min(p):.0f} ms, median {statistics.median(p):.0f} | "
            f"facts min {min(f):.0f}, median {statistics.median(f):.0f} | "
            f"analyze min {min(a):.0f}, median {statistics.median(a):.0f} | "
            f"facts/floor {min(f) / min(p):.2f} (minimums), {statistics.median(f) / statistics.median(p):.2f} (medians), {paired:.2f} (paired median)"
        )
