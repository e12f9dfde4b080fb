"""Incremental snapshots (signals, DBLog watermarks) and resumable initial snapshots: replaying the topic
gives exactly the table, no snapshot row is older than a streamed change before it, and a kill -9 resumes
instead of starting over."""
import json
import random
import signal
import subprocess
import threading
import time

import psycopg
import pytest

from confluent_kafka import Producer

from conftest import KAFKA, PG_URL, SLUICE_BIN, payload, value_of, key_of, wait_until


def create(pg, table, rows):
    with pg.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {table}")
        cur.execute(f"CREATE TABLE {table} (id int primary key, v text)")
        if rows:
            cur.execute(f"INSERT INTO {table} SELECT g, 'row ' || g FROM generate_series(1, {rows}) g")


def create_signal_table(pg, table):
    with pg.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {table}")
        cur.execute(f"CREATE TABLE {table} (id varchar(42) primary key, type varchar(32) not null, "
                    "data varchar(2048))")


class Workload:
    """Random inserts, updates and deletes (some on existing keys) in small transactions until stopped."""

    def __init__(self, table, max_id, seed=7):
        self.table, self.max_id = table, max_id
        self.rng = random.Random(seed)
        self.stop_event = threading.Event()
        self.changes = 0
        self.thread = threading.Thread(target=self.run)

    def run(self):
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            n = 0
            while not self.stop_event.is_set():
                n += 1
                k = self.rng.randint(1, self.max_id + 500)
                op = self.rng.random()
                with conn.transaction():
                    if op < 0.4:
                        conn.execute(f"UPDATE {self.table} SET v = %s WHERE id = %s", (f"upd {n}", k))
                    elif op < 0.7:
                        conn.execute(f"DELETE FROM {self.table} WHERE id = %s", (k,))
                    else:
                        conn.execute(f"INSERT INTO {self.table} VALUES (%s, %s) ON CONFLICT (id) DO UPDATE "
                                     "SET v = excluded.v", (k, f"ins {n}"))
                self.changes += 1
                time.sleep(0.001)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop_event.set()
        self.thread.join()


def replay(messages):
    """key id -> last row (None once deleted), and the check that no r event is older than a streamed change
    of its key emitted before it."""
    state, streamed = {}, {}
    for m in messages:
        if m.value() is None:
            continue
        p = payload(value_of(m))
        op = p["op"]
        if op == "d":
            k = p["before"]["id"]
            state[k] = None
            streamed[k] = None
            continue
        k = p["after"]["id"]
        if op == "r" and k in streamed:
            # A snapshot row after a streamed change of its key must show that change (the window drops rows
            # whose key changed while it was open): never an older state, never a deleted row.
            assert streamed[k] is not None, f"r event for id {k} after its delete"
            assert p["after"] == streamed[k], f"r event for id {k} older than a streamed change: {p['after']} " \
                                              f"after {streamed[k]}"
        if op != "r":
            streamed[k] = p["after"]
        state[k] = p["after"]
    return {k: v for k, v in state.items() if v is not None}


def table_rows(pg, table):
    with pg.cursor() as cur:
        cur.execute(f"SELECT id, v FROM {table}")
        return {r[0]: {"id": r[0], "v": r[1]} for r in cur.fetchall()}


def wait_replayed(pg, reader, table, timeout=90):
    """Polls the topic until replaying it gives the table (which no longer changes)."""
    want = table_rows(pg, table)
    deadline = time.monotonic() + timeout
    while True:
        reader.drain(0.5)
        got = replay(reader.messages)
        if got == want:
            return got
        if time.monotonic() > deadline:
            missing = set(want) - set(got)
            extra = set(got) - set(want)
            wrong = [k for k in want if k in got and got[k] != want[k]]
            raise AssertionError(f"topic replay differs from the table: {len(missing)} missing, {len(extra)} "
                                 f"extra, {len(wrong)} different (e.g. {sorted(missing)[:5]} {sorted(extra)[:5]} "
                                 f"{wrong[:5]})")


def r_count(messages):
    return sum(1 for m in messages if m.value() is not None and payload(value_of(m))["op"] == "r")


def send_signal(s, *args):
    s.write()
    out = subprocess.run([SLUICE_BIN, "signal", "--config", str(s.path), *args], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_incremental_snapshot_with_concurrent_changes(pg, names, sluice_factory, topic_reader):
    table, sig = f"inc_{names['tag']}", f"sig_{names['tag']}"
    create(pg, table, 3000)
    create_signal_table(pg, sig)
    s = sluice_factory(**{"table.include.list": f"public.{table}", "snapshot.mode": "no_data",
                          "signal.data.collection": f"public.{sig}", "incremental.snapshot.chunk.size": "200",
                          "value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false"})
    s.start()
    s.wait_streaming()
    reader = topic_reader(f"{names['prefix']}.public.{table}")
    with Workload(table, 3000):
        out = send_signal(s, "execute-snapshot", f"public.{table}")
        assert f"in public.{sig}" in out
        wait_until(lambda: "incremental snapshot complete" in s.log_text(), 90, what="the incremental snapshot")
    got = wait_replayed(pg, reader, table)
    assert len(got) > 2000
    rs = [payload(value_of(m)) for m in reader.messages if m.value() is not None
          and payload(value_of(m))["op"] == "r"]
    assert rs and {p["source"]["snapshot"] for p in rs} == {"incremental"}
    # The signal table is not captured: neither the signal nor the watermark rows are emitted.
    assert "signal " in s.log_text() and "execute-snapshot" in s.log_text()
    out = subprocess.run([SLUICE_BIN, "status", str(s.path)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "replication slot:" in out.stdout and "snapshot: none in progress" in out.stdout


def test_incremental_snapshot_resumes_after_kill(pg, names, sluice_factory, topic_reader, tmp_path):
    table, sig = f"ikill_{names['tag']}", f"sig_{names['tag']}"
    rows = 40000  # 2000 windows of 20: the kill lands mid-snapshot
    create(pg, table, rows)
    create_signal_table(pg, sig)
    offsets = tmp_path / "offsets.json"
    cfg = {"table.include.list": f"public.{table}", "snapshot.mode": "no_data",
           "signal.data.collection": f"public.{sig}", "incremental.snapshot.chunk.size": "20",
           "offset.storage.file.filename": str(offsets), "status.update.interval.ms": "100",
           "value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false"}
    s = sluice_factory(**cfg)
    s.start()
    s.wait_streaming()
    reader = topic_reader(f"{names['prefix']}.public.{table}")

    def stored_key():
        if not offsets.exists():
            return None
        entry = next(iter(json.loads(offsets.read_text()).values()), {})
        key = entry.get("incremental_snapshot_primary_key")
        return key and int(json.loads(key)[0]) >= 1000 and key

    with Workload(table, 4000, seed=11):
        send_signal(s, "execute-snapshot", f"public.{table}")
        wait_until(stored_key, 60, what="incremental snapshot progress in the offsets")
        s.stop(signal.SIGKILL)
        s2 = sluice_factory(**cfg)
        s2.start()
        s2.wait_streaming()
        wait_until(lambda: "incremental snapshot complete" in s2.log_text(), 90, what="the resumed snapshot")
    wait_replayed(pg, reader, table)
    second = int(s2.log_text().split("incremental snapshot complete: ")[1].split()[0])
    assert 0 < second < rows - 900, f"the resumed snapshot emitted {second} rows: it started over"


def test_resumable_initial_snapshot_after_kill(pg, names, sluice_factory, topic_reader, tmp_path):
    tables = [f"ra_{names['tag']}", f"rb_{names['tag']}", f"rc_{names['tag']}"]
    for t in tables:
        create(pg, t, 1500)
    offsets = tmp_path / "offsets.json"
    cfg = {"table.include.list": ",".join(f"public.{t}" for t in tables), "snapshot.max.threads": "2",
           "offset.storage.file.filename": str(offsets), "status.update.interval.ms": "100",
           "value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false",
           # The last table's SELECT waits, so the kill lands while the others are read.
           "snapshot.select.statement.overrides": f"public.{tables[2]}",
           f"snapshot.select.statement.overrides.public.{tables[2]}":
               f"SELECT id, v FROM public.{tables[2]}, pg_sleep(20)"}
    s = sluice_factory(**cfg)

    def done_tables():
        if not offsets.exists():
            return None
        entry = next(iter(json.loads(offsets.read_text()).values()), {})
        # One of the first two tables is done (a table's last row waits for the next row: its snapshot marker).
        return len(entry.get("sluice_snapshot", {}).get("done", [])) >= 1

    readers = [topic_reader(f"{names['prefix']}.public.{t}") for t in tables]
    with Workload(tables[0], 1500, seed=3), Workload(tables[2], 1500, seed=5):
        s.start()
        wait_until(done_tables, 60, what="two tables checkpointed")
        s.stop(signal.SIGKILL)
        out = subprocess.run([SLUICE_BIN, "status", str(s.path)], capture_output=True, text=True, timeout=60)
        assert "initial snapshot: interrupted or running, 1 of 3 tables done" in out.stdout, out.stdout
        # Two threads read the first two tables at once: either may finish first (the third is still asleep).
        assert any(f"public.{t}: done" in out.stdout for t in tables[:2]), out.stdout
        s2 = sluice_factory(**cfg)
        s2.start()
        s2.wait_streaming()
        wait_until(lambda: "incremental snapshot complete" in s2.log_text(), 90, what="the snapshot remainder")
    assert "the initial snapshot was interrupted after 1 of 3 tables" in s2.log_text()
    for t, r in zip(tables, readers):
        wait_replayed(pg, r, t)
    second = int(s2.log_text().split("incremental snapshot complete: ")[1].split()[0])
    assert second < 3500, f"the restart read {second} rows: it started over"


def test_initial_snapshot_resumes_after_the_last_key_range_in_kafka(pg, names, sluice_factory, topic_reader,
                                                                    tmp_path):
    """A table bigger than a chunk is read in primary-key ranges; killed after the first ranges are in Kafka,
    the restart reads only the rows after them (as an incremental snapshot), and a table without a primary key
    that was not finished is read again whole before streaming."""
    keyed, keyless = f"rk_{names['tag']}", f"rz_{names['tag']}"
    rows = 40000
    with pg.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {keyed}, {keyless}")
        cur.execute(f"CREATE TABLE {keyed} (id int primary key, v text)")
        # ~850-byte rows (kept inline): ~33 MB, so about four ranges of ~8 MB.
        cur.execute(f"INSERT INTO {keyed} SELECT g, repeat('x', 840) || g FROM generate_series(1, {rows}) g")
        cur.execute(f"CREATE TABLE {keyless} (id int, v text)")
        cur.execute(f"INSERT INTO {keyless} SELECT g, 'row ' || g FROM generate_series(1, 1000) g")
    offsets = tmp_path / "offsets.json"
    cfg = {"table.include.list": f"public.{keyed},public.{keyless}", "offset.storage.file.filename": str(offsets),
           "value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false",
           # Few events in flight, sent every 100 ms: a few thousand rows/s, so the kill lands mid-table.
           "max.queue.size": "500", "max.batch.size": "250", "producer.override.linger.ms": "100"}

    def resume_condition():
        if not offsets.exists():
            return None
        entry = next(iter(json.loads(offsets.read_text()).values()), {})
        return entry.get("sluice_snapshot", {}).get("resume", {}).get(f"public.{keyed}")

    reader = topic_reader(f"{names['prefix']}.public.{keyed}")
    keyless_reader = topic_reader(f"{names['prefix']}.public.{keyless}")
    s = sluice_factory(**cfg)
    with Workload(keyed, rows, seed=11):
        s.start()
        condition = wait_until(resume_condition, 90, what="a key range of the table checkpointed")
        s.stop(signal.SIGKILL)
        assert condition.startswith('ROW("id") > ROW('), condition
        out = subprocess.run([SLUICE_BIN, "status", str(s.path)], capture_output=True, text=True, timeout=60)
        assert f"public.{keyed}: not done" in out.stdout and "; resumes with the rows where ROW(" in out.stdout, \
            out.stdout
        first = r_count(reader.drain(2))
        assert first < rows, "the kill came after the whole table"
        s2 = sluice_factory(**{k: v for k, v in cfg.items() if k not in ("producer.override.linger.ms",)})
        s2.start()
        s2.wait_streaming()
        wait_until(lambda: "incremental snapshot complete" in s2.log_text(), 120, what="the snapshot remainder")
    log = s2.log_text()
    assert f"public.{keyed} (rows where {condition})" in log, log
    assert f"blocking snapshot of public.{keyless}" in log, log
    wait_replayed(pg, reader, keyed)
    second = int(log.split("incremental snapshot complete: ")[1].split()[0])
    done_before = int(condition.split("ROW('")[1].split("'")[0])
    assert second <= rows + 2000 - done_before, f"the restart read {second} rows, not only those after {done_before}"
    keyless_reader.drain(2)
    ids = {payload(value_of(m))["after"]["id"] for m in keyless_reader.messages if m.value() is not None}
    assert ids == set(range(1, 1001))


def produce_signal(names, kind, data=None):
    """A signal written straight to the Kafka channel, as a user's producer would (key: topic.prefix)."""
    p = Producer({"bootstrap.servers": KAFKA})
    p.produce(f"{names['prefix']}-signal", key=names["prefix"], value=json.dumps({"type": kind, "data": data or {}}))
    assert p.flush(30) == 0


def test_kafka_signals_pause_resume_and_message_watermarks(pg, names, sluice_factory, topic_reader):
    """Signals from the Kafka channel; no signal table, so the watermarks are logical decoding messages."""
    table = f"ksig_{names['tag']}"
    # Enough windows (50000 rows, chunks of 20) that the pause lands before the snapshot ends.
    rows = 50000
    create(pg, table, rows)
    s = sluice_factory(**{"table.include.list": f"public.{table}", "snapshot.mode": "no_data",
                          "signal.enabled.channels": "kafka", "incremental.snapshot.chunk.size": "20",
                          "value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false"})
    s.start()
    s.wait_streaming()
    reader = topic_reader(f"{names['prefix']}.public.{table}")
    out = send_signal(s, "log", "hello", "from", "kafka")
    assert f"Kafka topic {names['prefix']}-signal" in out
    wait_until(lambda: "signal log message: hello from kafka" in s.log_text(), 60, what="the log signal")
    with Workload(table, 2000, seed=13):
        send_signal(s, "execute-snapshot", f"public.{table}")
        produce_signal(names, "pause-snapshot")  # at once: the snapshot takes a few seconds
        wait_until(lambda: "incremental snapshot paused" in s.log_text(), 60, what="the pause")
    reader.drain(1.0)  # the workload stopped: what was in flight arrives
    paused_at = r_count(reader.messages)
    assert paused_at < rows
    with Workload(table, 2000, seed=14):
        reader.poll_until(len(reader.messages) + 200)
    reader.drain(1.0)
    assert r_count(reader.messages) == paused_at, "snapshot rows kept coming while paused"
    assert "incremental snapshot complete" not in s.log_text()
    with Workload(table, 2000, seed=15):
        send_signal(s, "resume-snapshot")
        wait_until(lambda: "incremental snapshot complete" in s.log_text(), 90, what="the resumed snapshot")
    wait_replayed(pg, reader, table)
    # The watermark messages are not published as logical decoding message events.
    msgs = topic_reader(f"{names['prefix']}.message")
    assert not any(m.value() for m in msgs.drain(1.0))


def test_stop_snapshot_and_read_only_watermarks(pg, names, sluice_factory, topic_reader):
    """read.only: no writes to the database (windows end at WAL positions); stop-snapshot drops a table."""
    table, other = f"ro_{names['tag']}", f"ro2_{names['tag']}"
    create(pg, table, 2000)
    create(pg, other, 50000)
    s = sluice_factory(**{"table.include.list": f"public.{table},public.{other}", "snapshot.mode": "no_data",
                          "read.only": "true", "signal.enabled.channels": "kafka",
                          "incremental.snapshot.chunk.size": "100",
                          "value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false"})
    s.start()
    s.wait_streaming()
    reader = topic_reader(f"{names['prefix']}.public.{table}")
    with Workload(table, 2000, seed=17), Workload(other, 100, seed=19):
        send_signal(s, "execute-snapshot", f"public.{other}", f"public.{table}")
        wait_until(lambda: f"incremental snapshot of public.{other} started" in s.log_text(), 60, what="start")
        send_signal(s, "stop-snapshot", f"public.{other}")
        wait_until(lambda: f"incremental snapshot stopped for public.{other}" in s.log_text(), 60, what="stop")
        wait_until(lambda: "incremental snapshot complete" in s.log_text(), 90, what="the snapshot of the rest")
    wait_replayed(pg, reader, table)
    with pg.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_stat_user_tables WHERE relname LIKE %s", (f"%sig_{names['tag']}%",))
        assert cur.fetchone()[0] == 0


@pytest.mark.parametrize("mode,statement", [
    ("serializable", "SERIALIZABLE READ ONLY DEFERRABLE"),
    ("read_committed", "READ COMMITTED READ ONLY"),
])
def test_snapshot_isolation_mode_without_slot(pg, names, sluice_factory, topic_reader, mode, statement):
    table = f"iso_{names['tag']}"
    create(pg, table, 300)
    s = sluice_factory(**{"table.include.list": f"public.{table}", "snapshot.mode": "initial_only",
                          "snapshot.isolation.mode": mode, "snapshot.max.threads": "2",
                          "value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false"})
    s.start()
    assert s.proc.wait(60) == 0, s.log_text()
    assert f"snapshot transaction: BEGIN ISOLATION LEVEL {statement}" in s.log_text()
    reader = topic_reader(f"{names['prefix']}.public.{table}")
    reader.poll_until(300)
    assert r_count(reader.messages) == 300


def test_blocking_snapshot_signal(pg, names, sluice_factory, topic_reader):
    """execute-snapshot type blocking: streaming pauses at the signal, the tables are read like an initial
    snapshot (op r, first/last markers, additional-conditions applied), then streaming goes on."""
    table, other, sig = f"blk_{names['tag']}", f"blk2_{names['tag']}", f"sig_{names['tag']}"
    create(pg, table, 30)
    create(pg, other, 5)
    create_signal_table(pg, sig)
    s = sluice_factory(**{"table.include.list": f"public.{table},public.{other}", "snapshot.mode": "no_data",
                          "signal.data.collection": f"public.{sig}", "snapshot.fetch.size": "7",
                          "provide.transaction.metadata": "true",
                          "value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false"})
    s.start()
    s.wait_streaming()
    reader = topic_reader(f"{names['prefix']}.public.{table}")
    other_reader = topic_reader(f"{names['prefix']}.public.{other}")
    with pg.cursor() as cur:
        cur.execute(f"UPDATE {table} SET v = 'changed' WHERE id = 1")
    send_signal(s, "execute-snapshot", "--type", "blocking", f"public.{table}", f"public.{other}",
                "--filter", f"public.{table}=id > 10")
    # The snapshot reads the tables as they are when the stream reaches the signal (as Debezium's).
    wait_until(lambda: "blocking snapshot complete" in s.log_text(), 60, what="the blocking snapshot")
    with pg.cursor() as cur:
        cur.execute(f"INSERT INTO {table} VALUES (100, 'after')")

    def ops():
        return [payload(value_of(m)) for m in reader.messages if m.value() is not None]

    def drained():
        reader.drain(0.5)
        other_reader.drain(0.1)
        return any(p["op"] == "c" for p in ops()) and len(other_reader.messages) >= 5

    wait_until(drained, 60, what="the blocking snapshot and the insert after it")
    events = ops()
    assert [p["op"] for p in events][0] == "u"
    rs = [p for p in events if p["op"] == "r"]
    # The filter applies: rows 11..30, read after the update and before the insert, in one snapshot.
    assert sorted(p["after"]["id"] for p in rs) == list(range(11, 31))
    assert [p["op"] for p in events] == ["u"] + ["r"] * 20 + ["c"]
    assert events[-1]["after"] == {"id": 100, "v": "after"}
    # Tables in TableId order (blk2_… before blk_…), markers as in an initial snapshot.
    others = [payload(value_of(m)) for m in other_reader.messages]
    assert sorted(p["after"]["id"] for p in others) == [1, 2, 3, 4, 5] and {p["op"] for p in others} == {"r"}
    assert [p["source"]["snapshot"] for p in others] == ["first", "true", "true", "true",
                                                         "last_in_data_collection"]
    assert rs[0]["source"]["snapshot"] == "first_in_data_collection"
    assert {p["source"]["snapshot"] for p in rs[1:-1]} == {"true"}
    assert rs[-1]["source"]["snapshot"] == "last"
    # Read inside the signal's transaction, yet no transaction block (as initial snapshot rows).
    assert events[0]["transaction"] and all(p.get("transaction") is None for p in rs + others)
    assert "blocking snapshot complete: 25 rows" in s.log_text()


def test_blocking_snapshot_from_kafka_signal(pg, names, sluice_factory, topic_reader):
    """A blocking snapshot requested on the Kafka channel (outside any Postgres transaction)."""
    table = f"kblk_{names['tag']}"
    create(pg, table, 12)
    s = sluice_factory(**{"table.include.list": f"public.{table}", "snapshot.mode": "no_data",
                          "signal.enabled.channels": "kafka",
                          "value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false"})
    s.start()
    s.wait_streaming()
    reader = topic_reader(f"{names['prefix']}.public.{table}")
    send_signal(s, "execute-snapshot", "--type", "blocking", f"public.{table}")
    wait_until(lambda: "blocking snapshot complete: 12 rows" in s.log_text(), 60, what="the blocking snapshot")
    with pg.cursor() as cur:
        cur.execute(f"DELETE FROM {table} WHERE id = 3")
    reader.poll_until(14)  # 12 r, the d and its tombstone
    events = [payload(value_of(m)) for m in reader.messages if m.value() is not None]
    assert [p["op"] for p in events] == ["r"] * 12 + ["d"]
    assert sorted(p["after"]["id"] for p in events[:12]) == list(range(1, 13))
    assert [events[0]["source"]["snapshot"], events[11]["source"]["snapshot"]] == ["first", "last"]
