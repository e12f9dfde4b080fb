#!/usr/bin/env python3
"""Snapshot benchmark: one table of N rows (5 columns, ~100 bytes/row on disk), read by
  - `COPY t TO STDOUT` through psql into /dev/null (the in-run baseline: what Postgres serves one reader),
  - sluice `snapshot.mode=initial_only` with snapshot.max.threads 1 and 2, to the null sink (sluice's own cost)
    and to Kafka (acks=all, the topic deleted afterwards),
each timed from process start to exit (sluice exits once every event is acknowledged), with CPU seconds and
peak RSS (VmHWM) of sluice. Events are bare JSON (*.schemas.enable=false). Prints one markdown table. Numbers are measurements, never assertions.

  bench/snapshot.py [--rows 5000000] [--threads 1,2] [--sinks null,kafka] [--keep-table]
Needs the project-local Postgres and Kafka (scripts/services start) and SLUICE_BIN or build/sluice.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

import psycopg
from confluent_kafka.admin import AdminClient

ROOT = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("SLUICE_PG_URL", "postgresql://postgres@127.0.0.1:25432/postgres")
KAFKA = os.environ.get("SLUICE_KAFKA_BOOTSTRAP", "127.0.0.1:29092")
SLUICE = os.environ.get("SLUICE_BIN", str(ROOT / "build" / "sluice"))
TABLE = "bench_snapshot"


def log(msg):
    print(f"[bench/snapshot] {msg}", file=sys.stderr, flush=True)


def proc_cpu(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_hwm_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def prepare(conn, rows):
    cur = conn.execute("SELECT count(*) FROM pg_class WHERE relname = %s AND relkind = 'r'", (TABLE,))
    if cur.fetchone()[0]:
        n = conn.execute(f"SELECT reltuples::bigint FROM pg_class WHERE relname = '{TABLE}'").fetchone()[0]
        if n == rows:
            log(f"reusing {TABLE} ({rows} rows)")
            return
        conn.execute(f"DROP TABLE {TABLE}")
    log(f"creating {TABLE} with {rows} rows")
    conn.execute(f"CREATE TABLE {TABLE} (id bigint PRIMARY KEY, qty int NOT NULL, name text NOT NULL, "
                 f"created timestamptz NOT NULL, price double precision)")
    conn.execute(f"INSERT INTO {TABLE} SELECT g, (g % 1000)::int, md5(g::text) || '-' || (g * 7919)::text, "
                 f"'2024-01-01'::timestamptz + g * interval '1 second', g / 7.0 FROM generate_series(1::bigint, {rows}) g")
    conn.execute(f"VACUUM ANALYZE {TABLE}")


def run_copy():
    u = urlparse(PG_URL)
    env = dict(os.environ, PGPASSWORD=u.password or "")
    t0 = time.monotonic()
    with open(os.devnull, "wb") as null:
        subprocess.run(["psql", "-X", "-q", "-h", u.hostname, "-p", str(u.port or 5432), "-U", u.username or "postgres",
                        "-d", (u.path or "/postgres").lstrip("/"), "-c", f"COPY {TABLE} TO STDOUT"],
                       stdout=null, check=True, env=env)
    return time.monotonic() - t0


def run_sluice(tmp, threads, sink, rows):
    u = urlparse(PG_URL)
    tag = uuid.uuid4().hex[:8]
    prefix = f"bsnap{tag}"
    cfg = {"name": f"bench-snapshot-{tag}", "database.hostname": u.hostname, "database.port": str(u.port or 5432),
           "database.user": u.username or "postgres", "database.password": u.password or "",
           "database.dbname": (u.path or "/postgres").lstrip("/"), "topic.prefix": prefix,
           "slot.name": f"bsnap_{tag}", "publication.name": f"bsnap_pub_{tag}",
           "publication.autocreate.mode": "filtered", "table.include.list": f"public.{TABLE}",
           "snapshot.mode": "initial_only", "snapshot.max.threads": str(threads),
           "kafka.bootstrap.servers": KAFKA, "offset.storage": "none",
           # Bare JSON (~300 B/event): with schemas each event is ~3.5 KB, 17 GB per 5M-row run.
           "key.converter.schemas.enable": "false", "value.converter.schemas.enable": "false"}
    if sink == "null":
        cfg["sink.type"] = "null"
    path = Path(tmp) / f"{prefix}.json"
    path.write_text(json.dumps(cfg))
    logpath = Path(tmp) / f"{prefix}.log"
    with open(logpath, "w") as logf:
        t0 = time.monotonic()
        p = subprocess.Popen([SLUICE, "run", str(path)], stdout=logf, stderr=subprocess.STDOUT)
        cpu = rss = 0.0
        while p.poll() is None:
            try:
                cpu, rss = proc_cpu(p.pid), max(rss, proc_hwm_mb(p.pid))
            except (FileNotFoundError, ProcessLookupError, IndexError):
                pass
            time.sleep(0.05)
        secs = time.monotonic() - t0
    text = logpath.read_text()
    if p.returncode != 0 or f"snapshot complete: {rows} rows" not in text:
        log(text[-3000:])
        raise SystemExit(f"sluice (threads={threads}, sink={sink}) failed")
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'DROP PUBLICATION IF EXISTS "bsnap_pub_{tag}"')
    if sink == "kafka":
        AdminClient({"bootstrap.servers": KAFKA}).delete_topics([f"{prefix}.public.{TABLE}"])
    progress = [line for line in text.splitlines() if "snapshot progress" in line]
    return secs, cpu, rss, progress[-1] if progress else ""


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=5_000_000)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--sinks", default="null,kafka")
    ap.add_argument("--keep-table", action="store_true", help="leave the table for the next run")
    args = ap.parse_args()
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        prepare(conn, args.rows)
        size_mb = conn.execute(f"SELECT pg_relation_size('{TABLE}') / 1e6").fetchone()[0]
    load = os.getloadavg()
    results = []
    copy_s = run_copy()
    results.append(("`COPY … TO STDOUT` (psql > /dev/null)", copy_s, None, None))
    log(f"COPY: {copy_s:.1f} s")
    with tempfile.TemporaryDirectory() as tmp:
        for sink in args.sinks.split(","):
            for threads in (int(t) for t in args.threads.split(",")):
                secs, cpu, rss, last = run_sluice(tmp, threads, sink, args.rows)
                log(f"sluice sink={sink} threads={threads}: {secs:.1f} s, {cpu:.1f} CPU s, {rss:.0f} MB; {last}")
                results.append((f"sluice → {sink}, snapshot.max.threads={threads}", secs, cpu, rss))
    if not args.keep_table:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"DROP TABLE {TABLE}")
    print(f"\n{args.rows} rows, {size_mb:.0f} MB table, {os.cpu_count()} CPUs, load average before {load[0]:.2f}\n")
    print("| reader | seconds | rows/s | vs COPY | sluice CPU s | sluice peak RSS MB |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, secs, cpu, rss in results:
        print(f"| {name} | {secs:.1f} | {args.rows / secs:,.0f} | {copy_s / secs:.2f} | "
              f"{'' if cpu is None else f'{cpu:.1f}'} | {'' if rss is None else f'{rss:.0f}'} |")


if __name__ == "__main__":
    main()
