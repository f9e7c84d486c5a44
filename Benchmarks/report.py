"""Writes BENCHMARKS.md from the outputs Benchmarks/run collected, and prints the table.

Standard library only (it runs with the system python3). Not meant to be run
by hand: Benchmarks/run passes every file and version source.
"""
import argparse
import datetime
import json
import math
import os
import platform
import statistics
import subprocess


def sh(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "?"


def fmt(v):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    a = abs(v)
    if a >= 100:
        return f"{v:,.0f}"
    if a >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def cell(row):
    s = [x for x in row["samples"] if x is not None]
    if not s:
        return "— (failed)", None
    m = statistics.median(s)
    spread = f" ({fmt(min(s))}–{fmt(max(s))})" if len(s) > 1 else " (1 run)"
    return f"{fmt(m)} {row['unit']}{spread}", m


def machine():
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(next(l for l in f if l.startswith("MemTotal")).split()[1])
    return model, os.cpu_count(), mem_kb / 1024 / 1024


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--quick", action="store_true")
    for name in ("inprocess", "durable", "celery", "chorus", "python", "redis", "load-before", "load-after", "out"):
        p.add_argument("--" + name, required=True)
    p.add_argument("--seconds", type=int, default=0)
    a = p.parse_args()

    durable = {r["key"]: r for r in json.load(open(a.durable))}
    celery = {r["key"]: r for r in json.load(open(a.celery))}
    inprocess = open(a.inprocess).read().strip()

    model, cores, mem_gib = machine()
    versions = {
        "Swift": sh("swift", "--version").splitlines()[0] if sh("swift", "--version") else "?",
        "Chorus": sh(a.chorus, "--version") + (f" at commit {sh('git', 'rev-parse', '--short', 'HEAD')}"
                                              if sh("git", "rev-parse", "--short", "HEAD") else ""),
        "Celery": sh(a.python, "-c", "import celery, kombu, redis; print(f'{celery.__version__} (kombu {kombu.__version__}, redis-py {redis.__version__})')"),
        "redis-server": sh(a.redis, "--version").split(" sha=")[0],
        "Python (Celery's)": sh(a.python, "-c", "import sys; print(sys.version.split()[0])"),
    }
    load_before = [float(x) for x in a.load_before.split()]
    load_after = [float(x) for x in a.load_after.split()]
    # Only the load before the run tells of other work: the 1-minute load
    # after it is the run's own (its workers keep both cores busy), and the
    # 5-minute one before it still holds whatever ran minutes earlier.
    noisy = load_before[0] > 0.5 * cores

    lower_is_better = {"tasks": False, "tasks_tx": False, "tasks_tx_strict": False}
    # Celery has no transactional publish: Chorus's one-transaction figure is
    # set against the same Celery figure (delay() each) as the like-for-like row.
    if "tasks" in celery:
        celery["tasks_tx"] = celery["tasks"]
        celery["tasks_tx_strict"] = celery["tasks"]
    rows = []
    for key in ("tasks", "tasks_tx", "tasks_tx_strict", "group", "chord", "chain", "p50", "p99", "mem_idle", "mem_busy"):
        d, c = durable.get(key), celery.get(key)
        if not d or not c:
            continue
        dc, dm = cell(d)
        cc, cm = cell(c)
        if dm and cm:
            ratio = dm / cm
            better_chorus = ratio > 1 if not lower_is_better.get(key, True) else ratio < 1
            factor = ratio if ratio >= 1 else 1 / ratio
            if key.startswith("mem"):
                verdict = f"Chorus uses {factor:.1f}× less" if better_chorus else f"Celery uses {factor:.1f}× less"
            else:
                verdict = f"Chorus {factor:.1f}× faster" if better_chorus else f"Celery {factor:.1f}× faster"
            rtext = f"{ratio:.3g}"
        else:
            rtext, verdict = "—", "not compared"
        name = d["name"] if d["name"] == c["name"] or d["name"].split(" (")[0] == c["name"].split(" (")[0] and not key.startswith("tasks_tx") else d["name"]
        if key == "tasks":
            name = d["name"].split(" (")[0] + " (published one by one: apply() / delay(), until every result)"
        if key == "tasks_tx":
            cc = "(the row above: Celery has no transactional publish)"
        if key == "tasks_tx_strict":
            cc = "(the first row)"
        rows.append(f"| {name} | {dc} | {cc} | {rtext} | {verdict} |")
    table = "\n".join([
        "| workload | Chorus, durable SQLite: median (min–max) | Celery 5.7 + redis: median (min–max) | Chorus/Celery | |",
        "|---|---|---|---|---|",
        *rows,
    ])
    celery_mem = celery.get("mem_busy", {}).get("parts") or []
    celery_idle = celery.get("mem_idle", {}).get("parts") or []
    parts = ""
    if celery_idle and celery_mem:
        parts = (f" Celery's figure is the parent's VmHWM plus the sum of its two pool children's "
                 f"(idle: parent {fmt(celery_idle[0][0])} MiB + children {fmt(celery_idle[0][1])} MiB; "
                 f"after the tasks: parent {fmt(celery_mem[0][0])} MiB + children {fmt(celery_mem[0][1])} MiB).")

    def est(key, scale):
        r = celery.get(key)
        s = [x for x in (r or {}).get("samples", []) if x]
        return statistics.median(s) * scale if s else float("nan")
    group_width = int(durable.get("group", {}).get("name", "group of 0").split()[-1])
    group10k_s = est("group", 10_000 / max(1, group_width) / 1000)
    group_note = "" if group_width >= 10_000 else (
        f"- The group is {group_width:,} tasks, not 10,000 (a `--quick` run): a group of 10,000 would take Celery about"
        f" {group10k_s:.0f} s per run on this machine (extrapolated).\n")
    memory100k_min = 100_000 / est("tasks", 1) / 60

    memory_tasks = int(durable.get("mem_busy", {}).get("name", "0").split()[-2])
    memory_note = "" if memory_tasks >= 100_000 else (
        f" The issue asks for 100,000 tasks; at Celery's rate here ({fmt(est('tasks', 1))} tasks/s) that alone takes"
        f" ~{memory100k_min:.0f} minutes, so the default is {memory_tasks:,}; "
        "`CHORUS_BENCH_MEMORY_TASKS=100000 Benchmarks/run` measures the issue's figure.")

    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    env = "CHORUS_BENCH_MEMORY_TASKS=100000 " if memory_tasks >= 100_000 else ""
    mode = f"`{env}Benchmarks/run --quick` (smaller workloads, one run each)" if a.quick else f"`{env}Benchmarks/run` (full: 5 runs of each in-process figure, 7 of each invocation, 3 of each durable one; 1 of Celery's memory)"
    md = f"""# Benchmarks

Generated by {mode} on {now} in {a.seconds // 60} min {a.seconds % 60} s. Every figure is the median of the
runs, with min–max in brackets ("1 run" when there was one). Rerun with one command from the repository root:

    Benchmarks/run            # everything, ~15 minutes; writes this file
    Benchmarks/run --quick    # smaller workloads, ~3 minutes
    CHORUS_BENCH_MEMORY_TASKS=100000 Benchmarks/run   # memory after 100,000 tasks (Celery alone: ~5–11 min more)

It builds release, installs `celery[redis]==5.7.0` into a temporary virtualenv and `redis-server` from Debian if
missing, starts redis on 127.0.0.1 only (no persistence) and every worker itself, and stops them all by process id,
also on failure.

## Machine

- CPU: {model}, {cores} cores; memory {mem_gib:.1f} GiB; {platform.system()} {platform.release()}
- load average (1, 5, 15 min) before: {a.load_before}; after: {a.load_after}
{"- **The machine was shared and noisy**: other work was running when the run began (1-minute load above half the cores), so figures move by tens of percent between runs; compare ratios measured in the same run rather than absolute numbers across runs." if noisy else "- Nothing else was running when the run began (1-minute load below half the cores); the load after it is the run's own."}

## Versions

""" + "\n".join(f"- {k}: {v}" for k, v in versions.items()) + f"""

## Chorus against Celery: the same workloads, out of process

{table}

Chorus/Celery is the ratio of the medians: above 1 for tasks/s, or below 1 for times and memory, means Chorus did better.

How each side runs:

- **Chorus**: the durable SQLite backend (one database file in a temporary directory), two `chorus worker`
  processes with `--concurrency 1` each (2 executors in all), the bundled examples plugin's C tasks `noop`,
  `identity`, `add`, `tsum`. The bench process is the producer: a `Runtime` on the same file that only publishes
  and waits (`AsyncResult.waitAll` for the no-op tasks, Chorus's `ResultSet.join_native`: it sleeps until a worker
  commits the next result, then reads the later ones already done in one query, pausing 1 ms when they trickle
  in one by one; `AsyncResult.wait` for the
  rest, and a group's wait works like `waitAll`. Chorus's commits wake the
  waiters of every process through a shared `<db>-wake` file, since SQLite has no cross-process notification;
  idle workers wait for publishes the same way). Workers use the defaults `--prefetch 4 --prefetch-burst 64` (a claim takes about 10 ms of work while tasks finish fast) and store one task's outcome and begin the next in one transaction. The no-op tasks are published one by one with
  `Runtime.apply` (each its own SQLite write transaction, like Celery's `delay()`), and again all in one
  transaction (`Runtime.transaction`), which Celery has no equivalent of; the other workloads use `Runtime.apply`.
- **Celery**: one `celery worker --pool prefork --concurrency 2 --without-gossip --without-mingle
  --without-heartbeat --loglevel WARNING`, redis as broker and result backend, JSON serializer, default prefetch;
  equivalent Python tasks (`Benchmarks/celery/benchtasks.py`). The producer calls `delay()` once per task and
  waits with `ResultSet.join_native` (no-op tasks, group) or `AsyncResult.get` (chord, chain, round trip).
{group_note}- Round trip: one task at a time, send → result, workers otherwise idle.
- Memory: peak RSS (VmHWM in `/proc/PID/status`) of ONE worker with 2 executors (Chorus: one process;
  Celery: prefork with concurrency 2), 1 s after it is ready, and again after it ran the stated number of no-op
  tasks.{parts}{memory_note}

## Chorus in process (memory backend)

Invocation overhead of the no-op int64 → int64 task and the in-process workloads, from `chorus-bench{' --quick' if a.quick else ''}`
(`Benchmarks/ChorusBenchmarks`); there is no Celery equivalent of an in-process runtime. Each workload runs on a
fresh runtime with 2 executors; the clock runs from the first publish to the last result (starting the runtime and
tearing it down, which frees every stored result at once, are not counted). Results and attempt history are kept,
as always, so memory grows with every task: faulting in fresh pages is a real part of these figures.

{inprocess}
"""
    with open(a.out, "w") as f:
        f.write(md)
    print()
    print(table)
    print(f"\nwrote {a.out}")


if __name__ == "__main__":
    main()
