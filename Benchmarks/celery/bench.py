"""The Chorus durable workloads on Celery: prefork pool, concurrency 2, redis.

    python bench.py [--quick] --json OUT.json --pidfile PIDS

Starts its own Celery worker processes (and stops them by process id, also on
failure); Benchmarks/run owns redis-server. Prints a Markdown table and writes
the samples as JSON for Benchmarks/report.py.
"""
import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from celery import chain, chord, group  # noqa: E402
from celery.result import ResultSet  # noqa: E402

from benchtasks import add, app, identity, noop, tsum  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


class Worker:
    """One `celery worker` (prefork, concurrency 2) started as our child."""

    def __init__(self, pidfile, name):
        self.log = open(os.path.join(os.environ.get("BENCH_TMP", "/tmp"), f"celery-{name}.log"), "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "benchtasks", "worker", "--pool", "prefork",
             "--concurrency", "2", "--loglevel", "WARNING", "--without-gossip", "--without-mingle",
             "--without-heartbeat", "-n", f"bench-{name}@%h"],
            cwd=HERE, stdout=self.log, stderr=subprocess.STDOUT)
        self.pidfile = pidfile
        self._record(self.proc.pid)
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"celery worker exited with {self.proc.returncode}; see {self.log.name}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"celery worker did not answer a ping within 60 s; see {self.log.name}")
            replies = app.control.ping(timeout=0.5)
            if replies and len(self.children()) >= 2:
                break
        for c in self.children():
            self._record(c)

    def _record(self, pid):
        if self.pidfile:
            with open(self.pidfile, "a") as f:
                f.write(f"{pid}\n")

    def children(self):
        kids = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.proc.pid:
                kids.append(int(entry))
        return kids

    @staticmethod
    def hwm_mib(pid):
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return float("nan")

    def memory(self):
        """(parent, sum of pool children) peak RSS in MiB."""
        return self.hwm_mib(self.proc.pid), sum(self.hwm_mib(c) for c in self.children())

    def stop(self):
        if self.proc.poll() is None:
            kids = self.children()
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            for c in kids:
                try:
                    os.kill(c, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self.log.close()


def timed(runs, body):
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        body()
        samples.append(time.perf_counter() - start)
    return samples


def drain(count):
    done = 0
    while done < count:
        batch = min(10_000, count - done)
        ResultSet([noop.delay() for _ in range(batch)]).join_native(timeout=600)
        done += batch


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", required=True)
    parser.add_argument("--pidfile")
    args = parser.parse_args()
    quick = args.quick
    runs = 1 if quick else 3
    results = []

    def add_result(key, name, unit, samples):
        results.append({"key": key, "name": name, "unit": unit, "samples": samples})

    worker = Worker(args.pidfile, "bench")
    try:
        noop.delay().get(timeout=60)  # warm-up: the pool is consuming
        tasks = 2_000 if quick else 10_000
        add_result("tasks", f"{tasks} no-op tasks (delay() each, until every result)", "tasks/s",
                   [tasks / s for s in timed(runs, lambda: drain(tasks))])

        width = 1_000 if quick else 10_000  # issue 7's size; ~100 s per Celery run here
        add_result("group", f"group of {width}", "ms",
                   [s * 1000 for s in timed(runs, lambda: group(noop.s() for _ in range(width)).apply_async().join_native(timeout=600))])

        chord_width = 1_000

        def run_chord():
            total = chord((identity.s(i) for i in range(chord_width)), tsum.s()).apply_async().get(timeout=600)
            assert total == chord_width * (chord_width - 1) // 2, total
        add_result("chord", f"chord of {chord_width} (until the body's result)", "ms",
                   [s * 1000 for s in timed(runs, run_chord)])

        length = 200 if quick else 1_000

        def run_chain():
            last = chain(add.s(0, 0), *[add.s(1) for _ in range(length - 1)]).apply_async().get(timeout=600)
            assert last == length - 1, last
        try:
            add_result("chain", f"chain of {length}", "ms", [s * 1000 for s in timed(runs, run_chain)])
        except Exception as error:  # report and carry on: the other rows stand
            print(f"celery chain of {length} failed: {error!r}", file=sys.stderr)
            add_result("chain", f"chain of {length} (FAILED: {type(error).__name__})", "ms", [])

        samples = 200 if quick else 1_000
        p50, p99 = [], []
        for _ in range(runs):
            latencies = []
            for _ in range(samples):
                start = time.perf_counter()
                noop.delay().get(timeout=60)
                latencies.append((time.perf_counter() - start) * 1000)
            latencies.sort()
            p50.append(latencies[len(latencies) // 2])
            p99.append(latencies[len(latencies) * 99 // 100])
        add_result("p50", f"round trip p50 ({samples} sequential tasks)", "ms", p50)
        add_result("p99", "round trip p99", "ms", p99)
    finally:
        worker.stop()

    memory_tasks = int(os.environ.get("CHORUS_BENCH_MEMORY_TASKS") or (5_000 if quick else 20_000))
    idle, busy, idle_parts, busy_parts = [], [], [], []
    for run in range(1):  # one run: VmHWM barely varies, and Celery is slow
        worker = Worker(args.pidfile, f"memory{run}")
        try:
            time.sleep(1)
            parent, kids = worker.memory()
            idle.append(parent + kids)
            idle_parts.append((parent, kids))
            drain(memory_tasks)
            parent, kids = worker.memory()
            busy.append(parent + kids)
            busy_parts.append((parent, kids))
        finally:
            worker.stop()
    add_result("mem_idle", "worker peak RSS, idle (VmHWM, parent + 2 pool children)", "MiB", idle)
    add_result("mem_busy", f"worker peak RSS after {memory_tasks} tasks (parent + children)", "MiB", busy)
    results[-2]["parts"] = idle_parts
    results[-1]["parts"] = busy_parts

    print("| Celery (redis, prefork × 2) | median | min–max |")
    print("|---|---|---|")
    for r in results:
        s = r["samples"]
        if s:
            print(f"| {r['name']} | {statistics.median(s):.4g} {r['unit']} | {min(s):.4g}–{max(s):.4g} |")
        else:
            print(f"| {r['name']} | — | — |")
    with open(args.json, "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
