"""`sluice sink`: Debezium-format topics -> a target Postgres (a second database on the same server).

The source side is sluice itself (`sluice run`); the sink applies its topics to the target with the consumed
offsets in the same transactions. The pgbench replication test (load, kill -9, ADD COLUMN) is in
test_pg_sink_replication.py, which shares this file's helpers.
"""
import json
import signal
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import pytest
from confluent_kafka import Consumer, TopicPartition

from conftest import KAFKA, PG_URL, SLUICE_BIN, LoggedProcess, wait_until

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def db_url(db):
    u = urlparse(PG_URL)
    return u._replace(path="/" + db).geturl()


@pytest.fixture
def dbs(pg, names):
    """A source and a target database for one test, dropped afterwards."""
    src, dst = f"src_{names['tag']}", f"dst_{names['tag']}"
    with pg.cursor() as cur:
        cur.execute(f"CREATE DATABASE {src}")
        cur.execute(f"CREATE DATABASE {dst}")
    yield src, dst
    with pg.cursor() as cur:
        # A stopped sluice's walsender may still hold its slot for a moment (DROP DATABASE refuses a database
        # with an active slot, FORCE or not): end it, then drop the slots and the databases.
        def slots_released():
            cur.execute("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots "
                        "WHERE database = %s AND active", (src,))
            return not cur.fetchall()

        wait_until(slots_released, 30, what=f"the replication slots of {src} to be released")
        cur.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
                    "WHERE database = %s AND NOT active", (src,))
        for db in (src, dst):
            cur.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")


class Proc(LoggedProcess):
    """A sluice subprocess (run or sink) with its log."""

    def __init__(self, tmp_path, kind, name, config):
        self.kind, self.config = kind, config
        self.path = tmp_path / f"{name}.json"
        self.path.write_text(json.dumps({"name": name, "config": config}))
        self.log_path = tmp_path / f"{name}.log"
        self.proc = None

    def start(self):
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([SLUICE_BIN, self.kind, str(self.path)], stdout=self.log,
                                     stderr=subprocess.STDOUT)
        return self



@pytest.fixture
def procs():
    started = []
    yield started
    for p in started:
        p.stop()


def source_config(names, db, **extra):
    u = urlparse(PG_URL)
    c = {
        "connector.class": "io.debezium.connector.postgresql.PostgresConnector",
        "database.hostname": u.hostname, "database.port": str(u.port or 5432),
        "database.user": u.username or "postgres", "database.password": u.password or "",
        "database.dbname": db, "topic.prefix": names["prefix"], "slot.name": names["slot"],
        "publication.name": names["publication"], "publication.autocreate.mode": "filtered",
        "status.update.interval.ms": "200", "kafka.bootstrap.servers": KAFKA,
    }
    c.update(extra)
    return c


def sink_config(names, db, **extra):
    u = urlparse(PG_URL)
    c = {
        "connector.class": "io.debezium.connector.jdbc.JdbcSinkConnector",
        "topics.regex": names["prefix"] + r"\.public\..*",
        "connection.url": f"jdbc:postgresql://{u.hostname}:{u.port or 5432}/{db}",
        "connection.username": u.username or "postgres", "connection.password": u.password or "",
        "insert.mode": "upsert", "primary.key.mode": "record_key", "delete.enabled": "true",
        "schema.evolution": "basic", "collection.name.format": "${source.schema}.${source.table}",
        "kafka.bootstrap.servers": KAFKA, "consumer.override.topic.metadata.refresh.interval.ms": "1000",
    }
    c.update(extra)
    return c


def checksum(conn, table, order_by):
    with conn.cursor() as cur:
        cur.execute(f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY {order_by}), '')) "
                    f"FROM {table} t")
        return cur.fetchone()


def columns(conn, table):
    with conn.cursor() as cur:
        cur.execute("SELECT attname, format_type(atttypid, atttypmod), attnum FROM pg_attribute "
                    "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum", (table,))
        return cur.fetchall()


def test_exactly_once_insert_mode_survives_kill_9(dbs, names, tmp_path, procs):
    """insert.mode=insert into a table without a primary key: a record applied twice would be a second
    row, one lost a missing row."""
    src, dst = dbs
    with psycopg.connect(db_url(src), autocommit=True) as s:
        s.execute("CREATE TABLE events (id serial PRIMARY KEY, v text, at timestamptz DEFAULT now())")
    source = Proc(tmp_path, "run", "source", source_config(names, src, **{"table.include.list": r"public\.events"}))
    procs.append(source.start())
    wait_until(lambda: "streaming from slot" in source.log_text(), 120, what="the source to stream")
    sink = Proc(tmp_path, "sink", "append-sink",
                sink_config(names, dst, **{"insert.mode": "insert", "primary.key.mode": "none",
                                           "delete.enabled": "false", "batch.size": "200"}))
    procs.append(sink.start())
    total = 0
    with psycopg.connect(db_url(src), autocommit=True) as s, psycopg.connect(db_url(dst), autocommit=True) as d:
        for round_ in range(4):
            for _ in range(10):
                s.execute("INSERT INTO events (v) SELECT 'r' || g FROM generate_series(1, 500) g")
                total += 500
            # Kill once rows are arriving (a batch may be half applied in an open transaction).
            wait_until(lambda: d.execute("SELECT to_regclass('public.events')").fetchone()[0] is not None
                       and d.execute("SELECT count(*) FROM events").fetchone()[0] > 0, 60, what="rows in the target")
            sink.stop(signal.SIGKILL)
            sink.start()
        wait_until(lambda: d.execute("SELECT count(*) FROM events").fetchone()[0] >= total, 120, interval=0.5,
                   what="every row in the target")
        time.sleep(1)
        count, distinct = d.execute("SELECT count(*), count(DISTINCT id) FROM events").fetchone()
        assert (count, distinct) == (total, total)
        assert checksum(d, "events", "id") == checksum(s, "events", "id")
        stored = d.execute("SELECT connector, kafka_partition, next_offset FROM sluice_sink_offsets").fetchall()
        assert stored and stored[0][0] == "append-sink"
    assert sink.stop() == 0


def test_errors_tolerance_all_writes_dead_letter_queue_with_connect_headers(dbs, names, tmp_path, procs):
    src, dst = dbs
    with psycopg.connect(db_url(src), autocommit=True) as s:
        s.execute("CREATE TABLE items (id int PRIMARY KEY, v text)")
    with psycopg.connect(db_url(dst), autocommit=True) as d:
        d.execute("CREATE TABLE items (id int PRIMARY KEY, v text CHECK (v <> 'poison'))")
    source = Proc(tmp_path, "run", "source", source_config(names, src, **{"table.include.list": r"public\.items"}))
    procs.append(source.start())
    wait_until(lambda: "streaming from slot" in source.log_text(), 120, what="the source to stream")
    dlq = f"dlq-{names['tag']}"
    sink = Proc(tmp_path, "sink", "tolerant-sink", sink_config(names, dst, **{
        "errors.tolerance": "all", "errors.deadletterqueue.topic.name": dlq,
        "errors.deadletterqueue.topic.replication.factor": "1",
        "errors.deadletterqueue.context.headers.enable": "true"}))
    procs.append(sink.start())
    with psycopg.connect(db_url(src), autocommit=True) as s:
        s.execute("INSERT INTO items SELECT g, 'v' || g FROM generate_series(1, 50) g")
        s.execute("INSERT INTO items VALUES (51, 'poison')")
        s.execute("INSERT INTO items SELECT g, 'v' || g FROM generate_series(52, 100) g")
    with psycopg.connect(db_url(dst), autocommit=True) as d:
        wait_until(lambda: d.execute("SELECT count(*) FROM items").fetchone()[0] == 99, 90, interval=0.3,
                   what="the 99 good rows")
        assert d.execute("SELECT count(*) FROM items WHERE id = 51").fetchone()[0] == 0
    c = Consumer({"bootstrap.servers": KAFKA, "group.id": f"dlq-{names['tag']}", "auto.offset.reset": "earliest"})
    c.subscribe([dlq])
    msg = None
    deadline = time.monotonic() + 60
    while msg is None and time.monotonic() < deadline:
        m = c.poll(0.5)
        if m is not None and not m.error():
            msg = m
    c.close()
    assert msg is not None, "no dead letter record"
    headers = {k: (v.decode() if v is not None else None) for k, v in msg.headers()}
    assert headers["__connect.errors.topic"] == f"{names['prefix']}.public.items"
    assert headers["__connect.errors.partition"] == "0"
    assert int(headers["__connect.errors.offset"]) >= 0
    assert headers["__connect.errors.connector.name"] == "tolerant-sink"
    assert headers["__connect.errors.stage"] == "TASK_PUT"
    assert "items_v_check" in headers["__connect.errors.exception.message"]
    assert json.loads(msg.value())["payload"]["after"] == {"id": 51, "v": "poison"}
    assert "__debezium.context.connectorName" in headers  # the original headers are kept


def test_errors_tolerance_none_stops_naming_the_record(dbs, names, tmp_path, procs):
    src, dst = dbs
    with psycopg.connect(db_url(src), autocommit=True) as s:
        s.execute("CREATE TABLE items (id int PRIMARY KEY, v text)")
    with psycopg.connect(db_url(dst), autocommit=True) as d:
        d.execute("CREATE TABLE items (id int PRIMARY KEY, v text CHECK (v <> 'poison'))")
    source = Proc(tmp_path, "run", "source", source_config(names, src, **{"table.include.list": r"public\.items"}))
    procs.append(source.start())
    wait_until(lambda: "streaming from slot" in source.log_text(), 120, what="the source to stream")
    with psycopg.connect(db_url(src), autocommit=True) as s:
        s.execute("INSERT INTO items VALUES (1, 'ok')")
        s.execute("INSERT INTO items VALUES (2, 'poison')")
    # Both records in Kafka before the sink starts, so that they arrive in one batch.
    probe = Consumer({"bootstrap.servers": KAFKA, "group.id": f"probe-{names['tag']}"})
    try:
        tp = TopicPartition(f"{names['prefix']}.public.items", 0)
        wait_until(lambda: probe.get_watermark_offsets(tp, timeout=5)[1] >= 2, 60, what="both records on the topic")
    finally:
        probe.close()
    sink = Proc(tmp_path, "sink", "strict-sink", sink_config(names, dst))
    procs.append(sink.start())
    assert sink.proc.wait(90) == 1
    log = sink.log_text()
    assert f"{names['prefix']}.public.items[0] offset 1" in log and "errors.tolerance=none" in log, log
    assert "items_v_check" in log
    with psycopg.connect(db_url(dst), autocommit=True) as d:  # the batch was not committed in part
        assert d.execute("SELECT count(*) FROM items").fetchone()[0] == 0


def test_schemas_off_values_are_read_by_the_target_column_types(dbs, names, tmp_path, procs):
    src, dst = dbs
    ddl = ("CREATE TABLE typed (id int PRIMARY KEY, d date, ts timestamp, ts3 timestamp(3), tz timestamptz, "
           "n numeric(10,2), vn numeric, b bytea, arr int[], j jsonb, u uuid, iv interval, t time)")
    with psycopg.connect(db_url(src), autocommit=True) as s:
        s.execute(ddl)
    with psycopg.connect(db_url(dst), autocommit=True) as d:
        d.execute(ddl)
    source = Proc(tmp_path, "run", "source", source_config(names, src, **{
        "table.include.list": r"public\.typed", "key.converter.schemas.enable": "false",
        "value.converter.schemas.enable": "false"}))
    procs.append(source.start())
    wait_until(lambda: "streaming from slot" in source.log_text(), 120, what="the source to stream")
    sink = Proc(tmp_path, "sink", "schemaless-sink", sink_config(names, dst, **{"schema.evolution": "none"}))
    procs.append(sink.start())
    with psycopg.connect(db_url(src), autocommit=True) as s:
        s.execute("INSERT INTO typed VALUES (1, '2024-02-29', '2024-02-29 13:14:15.123456', '2001-01-01 00:00:01.5', "
                  "'2024-02-29 13:14:15+02', 1234.56, -0.000123, '\\xdeadbeef', '{1,NULL,3}', '{\"a\": [1, 2]}', "
                  "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '02:03:04.5', '23:59:59.999999')")
        s.execute("INSERT INTO typed (id) VALUES (2)")
        s.execute("UPDATE typed SET n = -5.5 WHERE id = 1")
        s.execute("INSERT INTO typed (id, d) VALUES (3, '1999-12-31')")
        s.execute("DELETE FROM typed WHERE id = 3")
    with psycopg.connect(db_url(src), autocommit=True) as s, psycopg.connect(db_url(dst), autocommit=True) as d:
        want = checksum(s, "typed", "id")
        wait_until(lambda: checksum(d, "typed", "id") == want or sink.proc.poll() is not None, 90, interval=0.3,
                   what="typed rows to match")
        assert checksum(d, "typed", "id") == want, (sink.log_text(), d.execute("SELECT * FROM typed").fetchall())
