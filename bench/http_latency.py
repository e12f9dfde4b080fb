#!/usr/bin/env python3
"""Latency of GET /connectors, /metrics and /health on `sluice connect`'s REST listener, idle and under the
load of issue 24: 500 slow clients (half a request line each, from 127.0.0.2-127.0.0.9) and 200 keep-alive
pollers (GET /health every 2 s), then a burst of 1,000 concurrent requests.

Each sample is one GET on a new connection from 127.0.0.1 with a 5 s client timeout (a timeout counts as a
failure, not as 5 s); the three paths are measured in turn. Prints a markdown table (p50/p99/max in ms).

  .cache/venv/bin/python bench/http_latency.py [--bin build/sluice] [--samples 300] [--seconds 20]
Needs the project-local Kafka (scripts/services start; eval "$(scripts/services env)").
With --port P it measures a listener that is already running instead of starting a worker.
"""
import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
from http_load import Load, burst, get, raise_open_file_limit, rss_bytes  # noqa: E402

PATHS = ["/connectors", "/metrics", "/health"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_worker(binary, kafka, workdir):
    port, tag = free_port(), uuid.uuid4().hex[:8]
    props = workdir / "worker.properties"
    props.write_text("\n".join([
        f"bootstrap.servers={kafka}", f"group.id=bench-http-{tag}", f"config.storage.topic=bench-http-{tag}-configs",
        f"offset.storage.topic=bench-http-{tag}-offsets", f"status.storage.topic=bench-http-{tag}-status",
        "config.storage.replication.factor=1", "offset.storage.replication.factor=1",
        "status.storage.replication.factor=1", f"listeners=http://127.0.0.1:{port}", ""]))
    log = open(workdir / "worker.log", "wb")
    proc = subprocess.Popen([binary, "connect", str(props)], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if get(port, "/", timeout=2)[0] == 200:
                return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"the worker did not come up; log: {workdir / 'worker.log'}")


def sample(port, samples, seconds):
    """{path: ([seconds…], failures)}, the paths interleaved so that each sees the same load, the rounds spread
    evenly over `seconds` (so the pollers poll many times meanwhile)."""
    res = {p: ([], 0) for p in PATHS}
    t0 = time.monotonic()
    for i in range(samples):
        time.sleep(max(0.0, t0 + i * seconds / samples - time.monotonic()))
        for p in PATHS:
            try:
                res[p][0].append(get(port, p, timeout=5.0)[2])
            except OSError:
                res[p] = (res[p][0], res[p][1] + 1)
    return res


def pct(values, q):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def row(label, path, times, failures):
    ms = [t * 1000 for t in times]
    return (f"| {label} | {path} | {len(ms)} | {failures} | {pct(ms, 50):.1f} | {pct(ms, 99):.1f} | "
            f"{max(ms) if ms else float('nan'):.1f} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.environ.get("SLUICE_BIN", str(ROOT / "build" / "sluice")))
    ap.add_argument("--kafka", default=os.environ.get("SLUICE_KAFKA_BOOTSTRAP", "127.0.0.1:29092"))
    ap.add_argument("--port", type=int, help="measure this running listener instead of starting a worker")
    ap.add_argument("--samples", type=int, default=300, help="GETs per path and phase")
    ap.add_argument("--seconds", type=float, default=20.0, help="how long each phase samples")
    ap.add_argument("--slow", type=int, default=500)
    ap.add_argument("--pollers", type=int, default=200)
    ap.add_argument("--burst", type=int, default=1000)
    args = ap.parse_args()
    if not raise_open_file_limit(args.slow + args.pollers + args.burst + 256):
        raise SystemExit("the open-file hard limit is too low for the load (ulimit -Hn)")
    proc = None
    with tempfile.TemporaryDirectory(prefix="sluice-http-bench-") as tmp:
        if args.port:
            port = args.port
        else:
            proc, port = start_worker(args.bin, args.kafka, Path(tmp))
        try:
            lines = ["| phase | path | answered | failed (5 s timeout) | p50 ms | p99 ms | max ms |",
                     "|---|---|---:|---:|---:|---:|---:|"]
            idle = sample(port, args.samples, args.seconds)
            lines += [row("idle", p, *idle[p]) for p in PATHS]
            idle_rss = rss_bytes(proc.pid) if proc else None
            idle_threads = len(os.listdir(f"/proc/{proc.pid}/task")) if proc else None
            load = Load(port, slow=args.slow, pollers=args.pollers).start()
            try:
                t0 = time.monotonic()
                while load.open_counts() != (args.slow, args.pollers) and time.monotonic() - t0 < 60:
                    time.sleep(0.2)
                opened = load.open_counts()
                loaded = sample(port, args.samples, args.seconds)
                lines += [row(f"{opened[0]} slow + {opened[1]} pollers", p, *loaded[p]) for p in PATHS]
                t0 = time.monotonic()
                results = burst(port, PATHS, args.burst, timeout=30.0)
                burst_s = time.monotonic() - t0
                ok = sum(1 for r in results if isinstance(r, int) and 200 <= r < 500)
                peak_rss = rss_bytes(proc.pid) if proc else None
                threads = len(os.listdir(f"/proc/{proc.pid}/task")) if proc else None
                stats = dict(load.stats)
            finally:
                load.stop()
            print("\n".join(lines))
            print(f"\nburst: {ok}/{args.burst} concurrent requests answered in {burst_s:.2f} s "
                  f"(under the same load); poller answers {stats['poll_ok']}, slow clients closed by the server "
                  f"{stats['slow_closed_by_server']}")
            if proc:
                print(f"worker RSS: idle {idle_rss / 2**20:.1f} MiB, under load after the burst "
                      f"{peak_rss / 2**20:.1f} MiB; threads idle {idle_threads}, under load {threads}")
        finally:
            if proc:
                proc.terminate()
                proc.wait(60)


if __name__ == "__main__":
    main()
