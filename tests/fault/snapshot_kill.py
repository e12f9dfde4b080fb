#!/usr/bin/env python3
"""Fault test: an initial snapshot killed (SIGKILL) mid-table resumes after the last key range in Kafka.

Creates a table of --rows rows (5 columns, ~100 bytes each), starts sluice (initial snapshot, offsets in a file,
--threads snapshot threads) while a workload updates, deletes and inserts random rows, kills sluice once about
--kill-at of the rows are on the topic, and starts it again. The restart must read only the rows after the key
ranges already acknowledged (as an incremental snapshot, while streaming from the snapshot's LSN). Once the
workload stopped and the slot confirmed the end of the WAL, the whole topic is replayed (last event per key) and
compared with the table row by row. Prints the rows read by each run, the resume condition, the differences,
sluice's peak RSS (VmHWM) and the rates.

  tests/fault/snapshot_kill.py [--rows 5000000] [--threads 1|2] [--kill-at 0.4]
Needs scripts/services running (eval "$(scripts/services env)") and build/sluice (or SLUICE_BIN).
Exits 1 when the replay differs from the table.
"""
import argparse
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

import psycopg
from confluent_kafka import Consumer, TopicPartition

ROOT = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("SLUICE_PG_URL", "postgresql://postgres@127.0.0.1:25432/postgres")
KAFKA = os.environ.get("SLUICE_KAFKA_BOOTSTRAP", "127.0.0.1:29092")
SLUICE = os.environ.get("SLUICE_BIN", str(ROOT / "build" / "sluice"))


def peak_rss_mb(pid):
    return int(re.search(r"VmHWM:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text()).group(1)) / 1024


def end_offset(topic):
    c = Consumer({"bootstrap.servers": KAFKA, "group.id": f"snapkill-{uuid.uuid4().hex[:8]}"})
    try:
        md = c.list_topics(topic, timeout=10).topics.get(topic)
        if md is None or md.error is not None:
            return 0
        return sum(c.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1] for p in md.partitions)
    finally:
        c.close()


def replay(topic, expected):
    """id -> column a of the last event (None once deleted), and the count of r events."""
    c = Consumer({"bootstrap.servers": KAFKA, "group.id": f"snapkill-{uuid.uuid4().hex[:8]}",
                  "auto.offset.reset": "earliest", "enable.auto.commit": False})
    c.subscribe([topic])
    state, reads, seen = {}, 0, 0
    idle_since = time.time()
    try:
        while seen < expected or time.time() - idle_since < 5:
            batch = c.consume(10000, 1.0)
            if not batch:
                continue
            idle_since = time.time()
            for m in batch:
                if m.error():
                    continue
                seen += 1
                if m.value() is None:
                    continue
                v = json.loads(m.value())
                if v["op"] == "d":
                    state[v["before"]["id"]] = None
                else:
                    state[v["after"]["id"]] = v["after"]["a"]
                    reads += v["op"] == "r"
    finally:
        c.close()
    return state, reads


class Workload(threading.Thread):
    """Random updates, deletes and inserts (ids up to rows + 10000), one per transaction, until stopped."""

    def __init__(self, table, rows):
        super().__init__()
        self.table, self.rows = table, rows
        self.stop_event = threading.Event()
        self.changes = 0

    def run(self):
        rng = random.Random(5)
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            while not self.stop_event.is_set():
                k = rng.randint(1, self.rows + 10000)
                op = rng.random()
                if op < 0.5:
                    conn.execute(f"UPDATE {self.table} SET a = md5(random()::text) WHERE id = %s", (k,))
                elif op < 0.7:
                    conn.execute(f"DELETE FROM {self.table} WHERE id = %s", (k,))
                else:
                    conn.execute(f"INSERT INTO {self.table} VALUES (%s, md5(random()::text), 'ins', 1.5, true, now()) "
                                 "ON CONFLICT (id) DO UPDATE SET a = excluded.a", (k,))
                self.changes += 1
                time.sleep(0.002)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=5_000_000)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--kill-at", type=float, default=0.4)
    args = ap.parse_args()
    tag = uuid.uuid4().hex[:8]
    table, slot, pub, prefix = f"snapkill_{tag}", f"snapkill_{tag}", f"snapkill_pub_{tag}", f"snapkill{tag}"
    topic = f"{prefix}.public.{table}"
    u = urlparse(PG_URL)
    admin = psycopg.connect(PG_URL, autocommit=True)
    admin.execute(f"CREATE TABLE {table} (id bigint primary key, a text, b text, n numeric(12,2), f bool, "
                  "ts timestamptz)")
    admin.execute(f"INSERT INTO {table} SELECT g, md5(g::text), 'payload-' || (g % 1000), (g % 100000) / 100.0, "
                  f"g % 2 = 0, now() FROM generate_series(1, {args.rows}) g")
    admin.execute(f"ANALYZE {table}")
    tmp = Path(tempfile.mkdtemp(prefix="sluice-snapkill-"))
    cfg = {"name": f"snapkill-{tag}", "database.hostname": u.hostname, "database.port": str(u.port),
           "database.user": u.username, "database.password": u.password or "", "database.dbname": u.path.lstrip("/"),
           "topic.prefix": prefix, "slot.name": slot, "publication.name": pub,
           "publication.autocreate.mode": "filtered", "table.include.list": f"public.{table}",
           "snapshot.max.threads": str(args.threads), "offset.storage.file.filename": str(tmp / "offsets.json"),
           "key.converter.schemas.enable": "false", "value.converter.schemas.enable": "false",
           "kafka.bootstrap.servers": KAFKA}
    (tmp / "config.json").write_text(json.dumps(cfg))
    procs = []

    def start(n):
        log = open(tmp / f"sluice-{n}.log", "ab")
        p = subprocess.Popen([SLUICE, "run", str(tmp / "config.json")], stdout=log, stderr=subprocess.STDOUT)
        procs.append(p)
        return p

    ok = False
    work = Workload(table, args.rows)
    try:
        work.start()
        t0 = time.time()
        first = start(1)
        while end_offset(topic) < args.kill_at * args.rows:
            if first.poll() is not None:
                raise RuntimeError(f"sluice exited with {first.returncode} (log {tmp / 'sluice-1.log'})")
            time.sleep(0.2)
        rss1 = peak_rss_mb(first.pid)
        first.send_signal(signal.SIGKILL)
        first.wait()
        killed_s = time.time() - t0
        checkpoint = next(iter(json.loads((tmp / "offsets.json").read_text()).values()), {}).get("sluice_snapshot", {})
        on_topic = end_offset(topic)
        t1 = time.time()
        second = start(2)
        log2 = tmp / "sluice-2.log"
        while b"incremental snapshot complete" not in log2.read_bytes():
            if second.poll() is not None:
                raise RuntimeError(f"sluice exited with {second.returncode} (log {log2})")
            time.sleep(0.2)
        resumed_s = time.time() - t1
        work.stop_event.set()
        work.join()
        end = admin.execute("SELECT pg_current_wal_insert_lsn()").fetchone()[0]
        while not admin.execute("SELECT confirmed_flush_lsn >= %s FROM pg_replication_slots WHERE slot_name = %s",
                                (end, slot)).fetchone()[0]:
            if second.poll() is not None:
                raise RuntimeError(f"sluice exited with {second.returncode} (log {log2})")
            time.sleep(0.2)
        rss2 = peak_rss_mb(second.pid)
        text = log2.read_text(errors="replace")
        reread = int(text.split("incremental snapshot complete: ")[1].split()[0])
        state, reads = replay(topic, end_offset(topic))
        want = dict(admin.execute(f"SELECT id, a FROM {table}").fetchall())
        got = {k: v for k, v in state.items() if v is not None}
        missing = sum(1 for k in want if k not in got)
        extra = sum(1 for k in got if k not in want)
        wrong = sum(1 for k, v in want.items() if k in got and got[k] != v)
        ok = missing == extra == wrong == 0
        print(f"rows={args.rows} threads={args.threads} killed_after_s={killed_s:.1f} events_on_topic_at_kill={on_topic} "
              f"resume={checkpoint.get('resume')} reread_rows={reread} resume_seconds={resumed_s:.1f} "
              f"r_events_total={reads} workload_changes={work.changes} missing={missing} extra={extra} "
              f"different={wrong} peak_rss_mb={rss1:.1f}/{rss2:.1f} {'OK' if ok else 'FAILED'} (logs {tmp})")
    finally:
        work.stop_event.set()
        if work.is_alive():
            work.join()
        for p in procs:
            if p.poll() is None:
                p.terminate()
                p.wait(60)
        deadline = time.time() + 30
        while admin.execute("SELECT count(*) FROM pg_replication_slots WHERE slot_name = %s AND active",
                            (slot,)).fetchone()[0] and time.time() < deadline:
            time.sleep(0.1)
        admin.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = %s",
                      (slot,))
        admin.execute(f"DROP PUBLICATION IF EXISTS {pub}")
        admin.execute(f"DROP TABLE {table}")
        admin.close()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
