#!/usr/bin/env python3
"""The end-to-end speed check of `analyze` against its floor (docs/performance.md).

Runs, interleaved so that a noisy machine hurts both commands alike, N rounds of
  seamline debug parse PATH --threads T        (the floor: discovery, read + syn parse)
  seamline analyze PATH --threads T -v --out D (everything: facts, clustering, plan, HTML + JSON)
and prints the minimum and median wall time of each, the analyze/floor ratio (of the
minimums, of the medians, and the median of each round's own ratio), the peak resident
memory of each command (the kernel's figure for the child, as /usr/bin/time -v reports it),
and the median time of every stage that `analyze -v` reports.

The targets: analyze/floor at most 2 on 2 threads, the stages after the frontend
cheaper than the frontend, peak memory under 200 MB on a 400k-line workspace.

Usage: scripts/bench-analyze.py [--bin target/release/seamline] [--rounds 10]
                                [--threads 2] [--include-tests] PATH
Build first: cargo build --release.
"""
import argparse, os, re, statistics, subprocess, sys, tempfile, time

ap = argparse.ArgumentParser()
ap.add_argument("--bin", default="target/release/seamline")
ap.add_argument("--rounds", type=int, default=10)
ap.add_argument("--threads", default="2")
ap.add_argument("--include-tests", action="store_true")
ap.add_argument("path")
args = ap.parse_args()

extra = ["--include-tests"] if args.include_tests else []
out_dir = tempfile.mkdtemp(prefix="seamline-bench-")
cmds = {
    "floor": [args.bin, "debug", "parse", args.path, "--threads", args.threads] + extra,
    "analyze": [args.bin, "analyze", args.path, "--threads", args.threads, "-v", "--out", out_dir] + extra,
}
STAGE = re.compile(r"^timing: (\S+)\s+([\d.]+)(ms|s)$")


def run(cmd):
    """Wall seconds, peak RSS in MB and stderr of one run."""
    start = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    err = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        sys.exit(f"{' '.join(cmd)} exited with {child.returncode}:\n{err}")
    return wall, usage.ru_maxrss / 1024, err


walls = {k: [] for k in cmds}
peaks = {k: [] for k in cmds}
stages = {}
for _ in range(args.rounds):
    for name, cmd in cmds.items():
        wall, peak, err = run(cmd)
        walls[name].append(wall)
        peaks[name].append(peak)
        for line in err.splitlines():
            m = STAGE.match(line.strip())
            if m:
                value = float(m.group(2)) / (1000 if m.group(3) == "ms" else 1)
                stages.setdefault(m.group(1), []).append(value)

f, a = walls["floor"], walls["analyze"]
paired = statistics.median(x / y for x, y in zip(a, f))
med = statistics.median
print(f"{args.path} on {args.threads} thread(s), {args.rounds} interleaved rounds")
print(f"floor    min {min(f):.3f} s, median {med(f):.3f} s, peak {max(peaks['floor']):.0f} MB")
print(f"analyze  min {min(a):.3f} s, median {med(a):.3f} s, peak {max(peaks['analyze']):.0f} MB")
print(
    f"analyze/floor {min(a) / min(f):.2f} (minimums), {med(a) / med(f):.2f} (medians), "
    f"{paired:.2f} (median of the rounds' ratios)"
)
if stages:
    after = sum(med(v) for k, v in stages.items() if k != "frontend")
    parts = ", ".join(f"{k} {med(v):.3f}" for k, v in stages.items())
    print(f"stages (medians, s): {parts}; after the frontend {after:.3f}")
