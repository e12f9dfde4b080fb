#!/usr/bin/env python3
"""Fault test: SIGKILL sluice at random moments under load and prove no change is lost.

A writer commits small transactions (inserts, and updates of earlier rows) into one table while sluice is killed
with SIGKILL at random moments and restarted each time. Afterwards every committed change must be on the topic:
each inserted id has its `c` event and each update its `u` event with the right value. Duplicates (the
at-least-once tail re-sent after a kill) are counted and reported, not failed.

With --exactly-once sluice runs with exactly.once.support=required, the topic is read with
isolation.level=read_committed, and a duplicate fails the run too.

  tests/fault/kill_loop.py [--changes 200000] [--kills 10] [--seed N] [--exactly-once]
Needs scripts/services running (eval "$(scripts/services env)") and build/sluice (or SLUICE_BIN).
Prints its figures; exits 1 if any change is missing (or, with --exactly-once, duplicated).
"""
import argparse
import json
import os
import random
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
from confluent_kafka import Consumer

ROOT = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("SLUICE_PG_URL", "postgresql://postgres@127.0.0.1:25432/postgres")
KAFKA = os.environ.get("SLUICE_KAFKA_BOOTSTRAP", "127.0.0.1:29092")
SLUICE = os.environ.get("SLUICE_BIN", str(ROOT / "build" / "sluice"))


def run(changes, kills, seed, log=print, exactly_once=False):
    rng = random.Random(seed)
    tag = uuid.uuid4().hex[:8]
    table, slot, pub, prefix = f"fault_{tag}", f"fault_{tag}", f"fault_pub_{tag}", f"fault{tag}"
    u = urlparse(PG_URL)
    admin = psycopg.connect(PG_URL, autocommit=True)
    admin.execute(f"CREATE TABLE {table} (id int primary key, v int not null)")
    cfg = {"name": f"fault-{tag}", "database.hostname": u.hostname, "database.port": str(u.port),
           "database.user": u.username, "database.dbname": u.path.lstrip("/"), "topic.prefix": prefix,
           "slot.name": slot, "publication.name": pub, "publication.autocreate.mode": "filtered",
           "table.include.list": f"public.{table}", "snapshot.mode": "no_data", "status.update.interval.ms": "50",
           "key.converter.schemas.enable": "false", "value.converter.schemas.enable": "false",
           "kafka.bootstrap.servers": KAFKA}
    if exactly_once:
        cfg["exactly.once.support"] = "required"
    tmp = Path(tempfile.mkdtemp(prefix="sluice-fault-"))
    (tmp / "config.json").write_text(json.dumps(cfg))
    logf = open(tmp / "sluice.log", "ab")

    def start():
        p = subprocess.Popen([SLUICE, "run", str(tmp / "config.json")], stdout=logf, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while b"streaming from slot" not in (tmp / "sluice.log").read_bytes().split(b"starting connector")[-1]:
            if p.poll() is not None or time.time() > deadline:
                sys.exit(f"sluice did not start (log {tmp / 'sluice.log'})")
            time.sleep(0.02)
        return p

    proc = start()
    expected = {}  # id -> final v; every insert and update is one change
    done = threading.Event()
    written = [0]

    def writer():
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            next_id = 1
            while written[0] < changes:
                with conn.transaction():
                    for _ in range(min(20, changes - written[0])):
                        if next_id > 1 and rng.random() < 0.3:
                            i = rng.randrange(1, next_id)
                            expected[i] += 1
                            conn.execute(f"UPDATE {table} SET v = %s WHERE id = %s", (expected[i], i))
                        else:
                            expected[next_id] = 0
                            conn.execute(f"INSERT INTO {table} VALUES (%s, 0)", (next_id,))
                            next_id += 1
                        written[0] += 1
        done.set()

    t0 = time.time()
    wt = threading.Thread(target=writer)
    wt.start()
    kill_count = 0
    while kill_count < kills and not done.is_set():
        time.sleep(rng.uniform(0.2, 1.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        kill_count += 1
        proc = start()
    wt.join()
    write_s = time.time() - t0

    # Drain: wait until the slot has confirmed everything written, then read the topic.
    end = admin.execute("SELECT pg_current_wal_insert_lsn()").fetchone()[0]
    deadline = time.time() + 300
    while not admin.execute("SELECT confirmed_flush_lsn >= %s FROM pg_replication_slots WHERE slot_name = %s",
                            (end, slot)).fetchone()[0]:
        if time.time() > deadline:
            sys.exit("sluice did not catch up within 300 s")
        time.sleep(0.1)
    proc.send_signal(signal.SIGTERM)
    proc.wait(60)

    consumer = Consumer({"bootstrap.servers": KAFKA, "group.id": f"fault-{tag}", "auto.offset.reset": "earliest",
                         "enable.auto.commit": False,
                         "isolation.level": "read_committed" if exactly_once else "read_uncommitted"})
    consumer.subscribe([f"{prefix}.public.{table}"])
    seen = {}  # (id, v) -> count
    events, last = 0, time.time()
    while time.time() - last < 3:
        m = consumer.poll(0.2)
        if m is None or m.error() or m.value() is None:
            continue
        after = json.loads(m.value())["after"]
        seen[(after["id"], after["v"])] = seen.get((after["id"], after["v"]), 0) + 1
        events += 1
        last = time.time()
    consumer.close()

    wanted = {(i, v) for i, final in expected.items() for v in range(final + 1)}
    missing = wanted - set(seen)
    duplicates = sum(c - 1 for c in seen.values())
    mode = "exactly-once" if exactly_once else "at-least-once"
    log(f"mode={mode} changes={written[0]} kills={kill_count} write_seconds={write_s:.1f} events_read={events} "
        f"missing={len(missing)} duplicates={duplicates} (log {tmp / 'sluice.log'})")
    admin.execute("SELECT pg_drop_replication_slot(%s)", (slot,))
    admin.execute(f"DROP PUBLICATION {pub}")
    admin.execute(f"DROP TABLE {table}")
    return len(missing), duplicates, kill_count


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--changes", type=int, default=200_000)
    ap.add_argument("--kills", type=int, default=10)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    ap.add_argument("--exactly-once", action="store_true", help="exactly.once.support=required; fail on duplicates")
    args = ap.parse_args()
    print(f"seed={args.seed}")
    missing, duplicates, _ = run(args.changes, args.kills, args.seed, exactly_once=args.exactly_once)
    sys.exit(1 if missing or (args.exactly_once and duplicates) else 0)


if __name__ == "__main__":
    main()
