#!/usr/bin/env python3
"""One big transaction, end to end: sluice -> Kafka against pg_recvlogical (the walsender's ceiling).

Inserts N rows (default 100k) in one transaction into a 6-column table, then measures, in the same run:
  - ceiling: pg_recvlogical (pgoutput, proto_version 1) decoding the transaction to /dev/null;
  - sluice:  from COMMIT until the slot's confirmed_flush_lsn passes the commit, i.e. every event is
             acknowledged by Kafka (acks=all); plus sluice's peak RSS (VmHWM).
Prints events/s for both and the ratio. Needs scripts/services running (uses its env) and build/sluice.
Usage: bench/single_tx.py [--rows N]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

import psycopg

ROOT = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("SLUICE_PG_URL", "postgresql://postgres@127.0.0.1:25432/postgres")
KAFKA = os.environ.get("SLUICE_KAFKA_BOOTSTRAP", "127.0.0.1:29092")
SLUICE = os.environ.get("SLUICE_BIN", str(ROOT / "build" / "sluice"))
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def lsn_int(text):
    hi, lo = text.split("/")
    return (int(hi, 16) << 32) | int(lo, 16)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="extra sluice property, e.g. --set producer.compression.type=lz4")
    args = ap.parse_args()
    tag = f"bench{os.getpid()}"
    table = f"bench_tx_{tag}"
    u = urlparse(PG_URL)
    conn = psycopg.connect(PG_URL, autocommit=True)
    conn.execute(f"CREATE TABLE {table} (id bigint primary key, a text, b text, amount numeric(12,2), "
                 "flag bool, at timestamptz)")
    conn.execute(f"CREATE PUBLICATION {tag}_pub FOR TABLE {table}")
    conn.execute(f"SELECT pg_create_logical_replication_slot('{tag}_ceiling', 'pgoutput')")
    cfg = {"database.hostname": u.hostname, "database.port": str(u.port), "database.user": u.username,
           "database.dbname": u.path.lstrip("/"), "topic.prefix": tag, "slot.name": f"{tag}_slot",
           "publication.name": f"{tag}_pub", "publication.autocreate.mode": "disabled", "snapshot.mode": "no_data",
           "status.update.interval.ms": "100", "kafka.bootstrap.servers": KAFKA}
    cfg.update(kv.split("=", 1) for kv in args.set)
    tmp = Path(tempfile.mkdtemp())
    (tmp / "c.json").write_text(json.dumps(cfg))
    log = open(tmp / "sluice.log", "w")
    proc = subprocess.Popen([SLUICE, *os.environ.get("SLUICE_BENCH_ARGS", "").split(), "run", str(tmp / "c.json")], stderr=log, stdout=log)
    try:
        deadline = time.time() + 60
        while "streaming from slot" not in (tmp / "sluice.log").read_text():
            if proc.poll() is not None or time.time() > deadline:
                sys.exit(f"sluice did not start:\n{(tmp / 'sluice.log').read_text()}")
            time.sleep(0.05)
        conn.execute(f"INSERT INTO {table} SELECT g, md5(g::text), 'row ' || g, g * 1.25, g % 2 = 0, "
                     f"now() FROM generate_series(1, {args.rows}) g")
        commit_done = time.monotonic()
        end = conn.execute("SELECT pg_current_wal_insert_lsn()").fetchone()[0]
        end_i = lsn_int(str(end))
        while True:
            r = conn.execute("SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = %s",
                             (f"{tag}_slot",)).fetchone()
            if r and r[0] and lsn_int(str(r[0])) >= end_i:
                break
            if proc.poll() is not None:
                sys.exit(f"sluice died:\n{(tmp / 'sluice.log').read_text()}")
            time.sleep(0.01)
        sluice_s = time.monotonic() - commit_done
        status = Path(f"/proc/{proc.pid}/status").read_text()
        hwm = next(l for l in status.splitlines() if l.startswith("VmHWM")).split()[1]
        cpu = Path(f"/proc/{proc.pid}/stat").read_text().split(")")[1].split()
        cpu_s = (int(cpu[11]) + int(cpu[12])) / os.sysconf("SC_CLK_TCK")

        t0 = time.monotonic()
        subprocess.run([str(PG_BIN / "pg_recvlogical"), "-d", PG_URL, "--slot", f"{tag}_ceiling", "--start",
                        "--endpos", str(end), "-o", "proto_version=1", "-o", f"publication_names={tag}_pub",
                        "-f", "/dev/null", "--no-loop"], check=True)
        ceiling_s = time.monotonic() - t0
    finally:
        proc.terminate()
        proc.wait(30)
        for stmt in (f"SELECT pg_drop_replication_slot('{tag}_ceiling')",
                     f"SELECT pg_drop_replication_slot('{tag}_slot')", f"DROP PUBLICATION IF EXISTS {tag}_pub",
                     f"DROP TABLE {table}"):
            try:
                conn.execute(stmt)
            except psycopg.Error:
                pass
    n = args.rows
    print(f"| run | rows | seconds | events/s |\n|---|---|---|---|")
    print(f"| ceiling: pg_recvlogical -> /dev/null | {n} | {ceiling_s:.2f} | {n / ceiling_s:,.0f} |")
    print(f"| sluice -> Kafka (acks=all, acknowledged) | {n} | {sluice_s:.2f} | {n / sluice_s:,.0f} |")
    print(f"\nsluice/ceiling: {ceiling_s / sluice_s:.2f}x   sluice peak RSS: {int(hwm) / 1024:.1f} MiB   "
          f"sluice CPU: {cpu_s:.2f} s")


if __name__ == "__main__":
    main()
