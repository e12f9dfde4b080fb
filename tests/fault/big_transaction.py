#!/usr/bin/env python3
"""Fault test: a huge transaction passes with bounded memory, and an aborted one emits nothing.

One transaction inserts --rows rows (5 columns, ~100 bytes each) into a captured table; before it, another
transaction inserts --aborted-rows rows and rolls back; after it, one marker row is committed. sluice streams
with pgoutput protocol v1: the walsender sends a transaction only once it committed (spilling it to disk past
logical_decoding_work_mem), and sluice forwards each change as it arrives, bounded by max.queue.size /
max.queue.size.in.bytes, so its memory does not grow with the transaction. The run checks that exactly
rows + 1 events reach the topic (its end offset: none of the rolled-back rows, nothing lost), that the slot
confirmed past the marker, and prints sluice's peak RSS (VmHWM) and the rate.

  tests/fault/big_transaction.py [--rows 5000000] [--aborted-rows 1000000] [--sink kafka|null]
Needs scripts/services running (eval "$(scripts/services env)") and build/sluice (or SLUICE_BIN).
Exits 1 when an event is missing or one of the rolled-back rows was emitted.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
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

INSERT = ("INSERT INTO {t} SELECT g, md5(g::text), 'payload-' || (g %% 1000), (g %% 100000) / 100.0, g %% 2 = 0, "
          "now() FROM generate_series(%s, %s) g")


def peak_rss_mb(pid):
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


def end_offset(topic):
    """Messages on the topic (sum of the partitions' high watermarks; the topic is written from offset 0)."""
    c = Consumer({"bootstrap.servers": KAFKA, "group.id": f"bigtx-{uuid.uuid4().hex[:8]}"})
    try:
        md = c.list_topics(topic, timeout=10).topics.get(topic)
        if md is None or md.error is not None:
            return 0
        return sum(c.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1] for p in md.partitions)
    finally:
        c.close()


def last_value(topic):
    """The value of the last message of a single-partition topic."""
    c = Consumer({"bootstrap.servers": KAFKA, "group.id": f"bigtx-{uuid.uuid4().hex[:8]}",
                  "enable.auto.commit": False})
    try:
        high = c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)[1]
        c.assign([TopicPartition(topic, 0, high - 1)])
        deadline = time.time() + 30
        while time.time() < deadline:
            m = c.poll(0.5)
            if m is not None and not m.error():
                return json.loads(m.value())
        return None
    finally:
        c.close()


def drop_slot_publication_table(admin, slot, pub, table):
    """Drops the run's slot (once its sluice let go of it), publication and table."""
    deadline = time.time() + 30
    while admin.execute("SELECT count(*) FROM pg_replication_slots WHERE slot_name = %s AND active",
                        (slot,)).fetchone()[0] and time.time() < deadline:
        time.sleep(0.1)
    admin.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = %s",
                  (slot,))
    admin.execute(f"DROP PUBLICATION IF EXISTS {pub}")
    admin.execute(f"DROP TABLE {table}")


def run(rows, aborted_rows, sink="kafka", log=print, timeout=1800):
    tag = uuid.uuid4().hex[:8]
    table, slot, pub, prefix = f"bigtx_{tag}", f"bigtx_{tag}", f"bigtx_pub_{tag}", f"bigtx{tag}"
    topic = f"{prefix}.public.{table}"
    u = urlparse(PG_URL)
    admin = psycopg.connect(PG_URL, autocommit=True)
    admin.execute(f"CREATE TABLE {table} (id bigint primary key, a text, b text, n numeric(12,2), f bool, "
                  "ts timestamptz)")
    cfg = {"name": f"bigtx-{tag}", "database.hostname": u.hostname, "database.port": str(u.port),
           "database.user": u.username, "database.password": u.password or "",
           "database.dbname": u.path.lstrip("/"), "topic.prefix": prefix, "slot.name": slot,
           "publication.name": pub, "publication.autocreate.mode": "filtered",
           "table.include.list": f"public.{table}", "snapshot.mode": "no_data",
           "key.converter.schemas.enable": "false", "value.converter.schemas.enable": "false",
           "kafka.bootstrap.servers": KAFKA, "sink.type": sink}
    if sink == "null":
        cfg["offset.storage"] = "none"
    tmp = Path(tempfile.mkdtemp(prefix="sluice-bigtx-"))
    (tmp / "config.json").write_text(json.dumps(cfg))
    logf = open(tmp / "sluice.log", "ab")
    proc = subprocess.Popen([SLUICE, "run", str(tmp / "config.json")], stdout=logf, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 60
        while b"streaming from slot" not in (tmp / "sluice.log").read_bytes():
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"sluice did not start (log {tmp / 'sluice.log'})")
            time.sleep(0.05)

        with psycopg.connect(PG_URL) as conn:  # rolled back: must emit nothing
            conn.execute(INSERT.format(t=table), (rows + 2, rows + 1 + aborted_rows))
            conn.rollback()
        t0 = time.time()
        with psycopg.connect(PG_URL) as conn:
            conn.execute(INSERT.format(t=table), (1, rows))
            conn.commit()
        commit_s = time.time() - t0
        admin.execute(INSERT.format(t=table), (rows + 1, rows + 1))  # the marker, after the big one
        end = admin.execute("SELECT pg_current_wal_insert_lsn()").fetchone()[0]

        t1 = time.time()
        deadline = t1 + timeout
        while not admin.execute("SELECT confirmed_flush_lsn >= %s FROM pg_replication_slots WHERE slot_name = %s",
                                (end, slot)).fetchone()[0]:
            if proc.poll() is not None:
                raise RuntimeError(f"sluice exited with {proc.returncode} (log {tmp / 'sluice.log'})")
            if time.time() > deadline:
                raise RuntimeError(f"sluice did not confirm the transaction within {timeout} s")
            time.sleep(0.2)
        drain_s = time.time() - t1
        rss = peak_rss_mb(proc.pid)
        events = None
        last_id = None
        if sink == "kafka":
            events = end_offset(topic)
            last = last_value(topic)
            last_id = last["after"]["id"] if last else None
        ok = sink == "null" or (events == rows + 1 and last_id == rows + 1)
        log(f"sink={sink} rows={rows} aborted_rows={aborted_rows} commit_seconds={commit_s:.1f} "
            f"drain_seconds={drain_s:.1f} events_on_topic={events} last_id={last_id} "
            f"rows_per_s={rows / max(drain_s, 1e-9):.0f} sluice_peak_rss_mb={rss:.1f} "
            f"{'OK' if ok else 'FAILED'} (log {tmp / 'sluice.log'})")
        return events, last_id, rss
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(60)
        logf.close()
        drop_slot_publication_table(admin, slot, pub, table)
        admin.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=5_000_000)
    ap.add_argument("--aborted-rows", type=int, default=1_000_000)
    ap.add_argument("--sink", choices=["kafka", "null"], default="kafka")
    args = ap.parse_args()
    events, last_id, _ = run(args.rows, args.aborted_rows, args.sink)
    if args.sink == "kafka" and (events != args.rows + 1 or last_id != args.rows + 1):
        sys.exit(1)


if __name__ == "__main__":
    main()
