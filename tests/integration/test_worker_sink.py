"""`sluice connect` running the Postgres sink as Debezium's JDBC sink connector, registered over the REST API.

A worker runs a source connector (a table of the test database) and a JDBC sink connector that applies its
topic to a second database; the sink's offsets live in the target (its offsets table) and the REST API shows
and changes them as Kafka Connect does for a sink (KIP-875).
"""
import json
import subprocess
import threading
import time
import uuid
from urllib.parse import urlparse

import psycopg
import pytest
from confluent_kafka import Consumer, TopicPartition

from conftest import KAFKA, PG_URL, SLUICE_BIN, wait_until
from test_worker import connector_config, worker_factory  # noqa: F401 (the fixture)

SINK_CLASS = "io.debezium.connector.jdbc.JdbcSinkConnector"


@pytest.fixture
def target(pg):
    """A target database for one test, dropped afterwards; yields (name, url)."""
    name = f"sinkdst_{uuid.uuid4().hex[:8]}"
    pg.execute(f"CREATE DATABASE {name}")
    u = urlparse(PG_URL)
    yield name, u._replace(path="/" + name).geturl()
    pg.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def sink_config(topic, db, **extra):
    u = urlparse(PG_URL)
    cfg = {"connector.class": SINK_CLASS, "topics": topic,
           "connection.url": f"jdbc:postgresql://{u.hostname}:{u.port or 5432}/{db}",
           "connection.username": u.username or "postgres", "connection.password": u.password or "",
           "insert.mode": "upsert", "primary.key.mode": "record_key", "delete.enabled": "true",
           "schema.evolution": "basic", "collection.name.format": "${source.table}", "batch.size": "50"}
    cfg.update({k: str(v) for k, v in extra.items()})
    return cfg


def rows(url, table):
    with psycopg.connect(url) as conn:
        return conn.execute(f"SELECT id, v FROM {table} ORDER BY id").fetchall()


def target_rows(url, table):
    try:
        return rows(url, table)
    except psycopg.errors.UndefinedTable:
        return []


def high_watermark(topic):
    c = Consumer({"bootstrap.servers": KAFKA, "group.id": f"it-{uuid.uuid4().hex[:8]}"})
    try:
        return c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)[1]
    finally:
        c.close()


def sink_offsets(w, name):
    st, body, _ = w.request("GET", f"/connectors/{name}/offsets")
    assert st == 200, body
    return body["offsets"]


def applied(w, name):
    """The next offset the sink stored for partition 0 (None before any)."""
    offsets = sink_offsets(w, name)
    return offsets[0]["offset"]["kafka_offset"] if offsets else None


def test_jdbc_sink_registered_over_rest(target, worker_factory, pg):  # noqa: F811
    """Source + JDBC sink in one worker: rows equal; plugins, validation, status, topics, pause/resume, stop
    and the sink's offsets (GET, PATCH, DELETE) as Kafka Connect answers them."""
    w = worker_factory().start()
    tag, (db, url) = w.tag, target
    table = f"s_{tag}"
    topic = f"w{tag}1.public.{table}"
    pg.execute(f"CREATE TABLE {table} (id int primary key, v text)")
    pg.execute(f"INSERT INTO {table} SELECT g, 'v' || g FROM generate_series(1, 100) g")

    st, plugins, _ = w.request("GET", "/connector-plugins")
    assert st == 200
    assert {"class": SINK_CLASS, "type": "sink", "version": plugins[0]["version"]} in plugins
    assert any(p["class"] == "io.debezium.connector.postgresql.PostgresConnector" and p["type"] == "source"
               for p in plugins)

    # Validation with pgsink's parser, per property, under the short and the full class name.
    for plugin in ("JdbcSinkConnector", SINK_CLASS):
        st, body, _ = w.request("PUT", f"/connector-plugins/{plugin}/config/validate",
                                {"connector.class": SINK_CLASS, "name": "x", "topics": topic,
                                 "insert.mode": "merge"})
        assert st == 200 and body["name"] == SINK_CLASS, body
        errors = {c["value"]["name"]: c["value"]["errors"] for c in body["configs"]}
        assert body["error_count"] == 2, body
        assert "'merge'" in errors["insert.mode"][0] and errors["connection.url"], errors
    # A bad config: 400 naming the key.
    st, body, _ = w.request("POST", "/connectors", {"name": "bad", "config": sink_config(topic, db,
                                                                                        **{"batch.size": "x"})})
    assert st == 400 and "batch.size" in body["message"], body

    assert w.request("POST", "/connectors", {"name": "src", "config": connector_config(tag, 1, table)})[0] == 201
    st, body, _ = w.request("POST", "/connectors", {"name": "pg-sink", "config": sink_config(topic, db)})
    assert st == 201 and body["type"] == "sink" and body["name"] == "pg-sink", body
    w.wait_task_state("pg-sink", "RUNNING")
    st, info, _ = w.request("GET", "/connectors/pg-sink")
    assert info["type"] == "sink" and info["tasks"] == [{"connector": "pg-sink", "task": 0}], info
    st, expanded, _ = w.request("GET", "/connectors?expand=info&expand=status")
    assert expanded["pg-sink"]["info"]["type"] == "sink" and expanded["pg-sink"]["status"]["type"] == "sink"
    assert expanded["src"]["status"]["type"] == "source"
    status = w.status("pg-sink")
    worker_id = f"127.0.0.1:{w.port}"
    assert status == {"name": "pg-sink", "connector": {"state": "RUNNING", "worker_id": worker_id},
                      "tasks": [{"id": 0, "state": "RUNNING", "worker_id": worker_id}], "type": "sink"}
    st, tasks, _ = w.request("GET", "/connectors/pg-sink/tasks")
    assert tasks[0]["config"]["task.class"] == "io.debezium.connector.jdbc.JdbcSinkConnectorTask", tasks

    source = lambda: rows(PG_URL, table)  # noqa: E731
    wait_until(lambda: target_rows(url, table) == source(), 90, interval=0.5, what="the target to equal the source")
    assert w.request("GET", "/connectors/pg-sink/topics")[1] == {"pg-sink": {"topics": [topic]}}

    # Paused: the sink stops consuming (the new rows reach the topic, not the target); resumed: they arrive.
    assert w.request("PUT", "/connectors/pg-sink/pause")[0] == 202
    w.wait_task_state("pg-sink", "PAUSED")
    before = high_watermark(topic)
    pg.execute(f"INSERT INTO {table} SELECT g, 'p' || g FROM generate_series(101, 150) g")
    pg.execute(f"UPDATE {table} SET v = 'u' || id WHERE id <= 10")
    pg.execute(f"DELETE FROM {table} WHERE id BETWEEN 11 AND 20")
    wait_until(lambda: high_watermark(topic) >= before + 70, 60, interval=0.3, what="the changes in the topic")
    assert len(target_rows(url, table)) == 100
    assert w.status("pg-sink")["tasks"][0]["state"] == "PAUSED"
    assert w.request("PUT", "/connectors/pg-sink/resume")[0] == 202
    w.wait_task_state("pg-sink", "RUNNING")
    wait_until(lambda: target_rows(url, table) == source(), 90, interval=0.5, what="the changes in the target")
    assert len(source()) == 140

    # Offsets of a running sink: the next offset the target stored (Connect's consumer-group shape).
    end = high_watermark(topic)
    expected = [{"partition": {"kafka_topic": topic, "kafka_partition": 0}, "offset": {"kafka_offset": end}}]
    wait_until(lambda: sink_offsets(w, "pg-sink") == expected, 30, interval=0.3, what="the applied offsets")
    # Changing them needs a STOPPED connector (Connect's 400).
    st, body, _ = w.request("DELETE", "/connectors/pg-sink/offsets")
    assert st == 400 and "must be in the STOPPED state" in body["message"], body

    assert w.request("PUT", "/connectors/pg-sink/stop")[0] == 202
    wait_until(lambda: w.status("pg-sink")["connector"]["state"] == "STOPPED" and not w.status("pg-sink")["tasks"],
               30, interval=0.2, what="the sink STOPPED")
    assert sink_offsets(w, "pg-sink") == expected
    st, body, _ = w.request("PATCH", "/connectors/pg-sink/offsets",
                            {"offsets": [{"partition": {"kafka_topic": topic}, "offset": {"kafka_offset": 1}}]})
    assert st == 400 and body["message"] == ("The partition for a sink connector offset must contain the keys "
                                             "'kafka_topic' and 'kafka_partition'"), body
    st, body, _ = w.request("PATCH", "/connectors/pg-sink/offsets",
                            {"offsets": [{"partition": {"kafka_topic": topic, "kafka_partition": 0},
                                          "offset": {"kafka_offset": "x"}}]})
    assert st == 400 and "Offset values for sink connectors need to be integers" in body["message"], body
    # Altered to re-apply the last 30 records (upserts and deletes: the same end state).
    st, body, _ = w.request("PATCH", "/connectors/pg-sink/offsets",
                            {"offsets": [{"partition": {"kafka_topic": topic, "kafka_partition": 0},
                                          "offset": {"kafka_offset": end - 30}}]})
    assert st == 200 and body == {"message": "The offsets for this connector have been altered successfully"}, body
    assert sink_offsets(w, "pg-sink")[0]["offset"] == {"kafka_offset": end - 30}
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT next_offset FROM sluice_sink_offsets WHERE connector = 'pg-sink'"
                            ).fetchall() == [(end - 30,)]
    # Reset: nothing stored (the target's table and the consumer group): the sink starts over.
    st, body, _ = w.request("DELETE", "/connectors/pg-sink/offsets")
    assert st == 200 and body == {"message": "The offsets for this connector have been reset successfully"}, body
    assert sink_offsets(w, "pg-sink") == []
    pg.execute(f"INSERT INTO {table} VALUES (1000, 'after reset')")
    assert w.request("PUT", "/connectors/pg-sink/resume")[0] == 202
    w.wait_task_state("pg-sink", "RUNNING")
    wait_until(lambda: target_rows(url, table) == source(), 90, interval=0.5, what="the target after the reset")
    wait_until(lambda: applied(w, "pg-sink") == high_watermark(topic), 60, interval=0.3,
               what="the whole topic re-applied")
    assert w.request("DELETE", "/connectors/pg-sink")[0] == 204
    assert w.request("DELETE", "/connectors/src")[0] == 204


def test_jdbc_sink_poison_record_fails_then_restarts(target, worker_factory, pg):  # noqa: F811
    """errors.tolerance=none: a record the target refuses makes the task FAILED with a trace naming its
    topic, partition, offset and the reason; fixed in the target, a task restart applies it and goes on."""
    w = worker_factory().start()
    tag, (db, url) = w.tag, target
    table = f"p_{tag}"
    topic = f"w{tag}1.public.{table}"
    pg.execute(f"CREATE TABLE {table} (id int primary key, v text)")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {table} (id int primary key, v text CONSTRAINT short CHECK (length(v) < 10))")
    pg.execute(f"INSERT INTO {table} SELECT g, 'v' || g FROM generate_series(1, 20) g")
    assert w.request("POST", "/connectors", {"name": "src", "config": connector_config(tag, 1, table)})[0] == 201
    assert w.request("POST", "/connectors", {"name": "pg-sink", "config": sink_config(topic, db)})[0] == 201
    wait_until(lambda: len(target_rows(url, table)) == 20, 90, interval=0.3, what="the first rows")
    poison_offset = high_watermark(topic)
    pg.execute(f"INSERT INTO {table} VALUES (21, 'far too long for the target')")
    status = w.wait_task_state("pg-sink", "FAILED", timeout=90)
    trace = status["tasks"][0]["trace"]
    print("trace:", trace)
    assert f"{topic}[0] offset {poison_offset}" in trace and "short" in trace, trace
    assert status["connector"]["state"] == "RUNNING" and status["type"] == "sink", status
    assert len(target_rows(url, table)) == 20
    # More changes wait in the topic while the task is FAILED.
    pg.execute(f"INSERT INTO {table} SELECT g, 'v' || g FROM generate_series(22, 40) g")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"ALTER TABLE {table} DROP CONSTRAINT short")
    st, body, _ = w.request("POST", "/connectors/pg-sink/restart?includeTasks=true&onlyFailed=true")
    assert st == 202 and body["tasks"][0]["state"] == "RESTARTING", body
    w.wait_task_state("pg-sink", "RUNNING")
    wait_until(lambda: target_rows(url, table) == rows(PG_URL, table), 90, interval=0.5,
               what="the fixed record and the rest in the target")
    # A task restart of a running sink re-runs it from the stored offsets: nothing applied twice.
    assert w.request("POST", "/connectors/pg-sink/tasks/0/restart")[0] == 204
    w.wait_task_state("pg-sink", "RUNNING")
    pg.execute(f"INSERT INTO {table} VALUES (41, 'last')")
    wait_until(lambda: target_rows(url, table) == rows(PG_URL, table), 90, interval=0.5, what="the last row")


def test_jdbc_sink_taken_over_after_kill(target, worker_factory, pg):  # noqa: F811
    """Two workers of one group: the sink paused, resumed, restarted, stopped and resumed through the worker
    that does not run it, then the one running it killed with kill -9, all while rows are written; the other
    takes it over and every record is applied exactly once (insert mode, no key in the target: a record
    applied twice would be a second row)."""
    w1 = worker_factory().start()
    tag, (db, url) = w1.tag, target
    w2 = worker_factory(tag=tag).start()
    wait_until(lambda: "assigned" in w2.log_text(), 60, interval=0.2, what="the second worker's assignment")
    table = f"k_{tag}"
    topic = f"w{tag}1.public.{table}"
    pg.execute(f"CREATE TABLE {table} (id int primary key, v text)")
    assert w1.request("POST", "/connectors", {"name": "src", "config": connector_config(tag, 1, table)})[0] == 201
    cfg = sink_config(topic, db, **{"insert.mode": "insert", "primary.key.mode": "none",
                                    "delete.enabled": "false", "batch.size": "20"})
    assert w1.request("POST", "/connectors", {"name": "pg-sink", "config": cfg})[0] == 201
    ids = {w.url: f"127.0.0.1:{w.port}" for w in (w1, w2)}

    def owner():
        sts = [w.status("pg-sink") for w in (w1, w2)]
        ok = all(s and s["tasks"] and s["tasks"][0]["state"] == "RUNNING" for s in sts)
        if ok and sts[0]["tasks"][0]["worker_id"] == sts[1]["tasks"][0]["worker_id"]:
            return sts[0]["tasks"][0]["worker_id"]
        return None

    running_on = wait_until(owner, 60, interval=0.2, what="both workers to agree who runs the sink")
    own, other = (w1, w2) if ids[w1.url] == running_on else (w2, w1)

    total = 10000

    # Load while the sink applies: 200 transactions of 50 rows, paced over about 20 s.
    def load():
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            for i in range(total // 50):
                conn.execute(f"INSERT INTO {table} SELECT g, 'v' || g FROM generate_series({i * 50 + 1}, "
                             f"{i * 50 + 50}) g")
                time.sleep(0.1)

    def count():
        try:
            with psycopg.connect(url) as conn:
                return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        except psycopg.errors.UndefinedTable:
            return 0

    def task_state(state):
        def check():
            st = [w.status("pg-sink") for w in (own, other)]
            return all(s and s["tasks"] and s["tasks"][0]["state"] == state for s in st)
        wait_until(check, 60, interval=0.2, what=f"the sink {state} on both workers")

    def served(method, path):  # a 409 while the group rebalances is retried, as Connect's clients do
        def call():
            answer = other.request(method, path)
            return None if answer[0] == 409 else answer
        return wait_until(call, 60, interval=0.5, what=f"{method} {path} answered outside a rebalance")[0]

    loader = threading.Thread(target=load)
    loader.start()
    try:
        wait_until(lambda: count() >= 300, 90, interval=0.1, what="the sink to be applying")
        assert served("PUT", "/connectors/pg-sink/pause") == 202
        task_state("PAUSED")
        assert served("PUT", "/connectors/pg-sink/resume") == 202
        task_state("RUNNING")
        assert served("POST", "/connectors/pg-sink/tasks/0/restart") == 204
        task_state("RUNNING")
        assert served("PUT", "/connectors/pg-sink/stop") == 202
        wait_until(lambda: all(w.status("pg-sink")["connector"]["state"] == "STOPPED" for w in (own, other)), 60,
                   interval=0.2, what="the sink STOPPED")
        assert served("PUT", "/connectors/pg-sink/resume") == 202
        task_state("RUNNING")
        resumed = count()
        wait_until(lambda: count() > resumed + 200, 90, interval=0.1, what="the sink applying again")
        own.proc.kill()
        own.proc.wait(30)
        killed_at = time.monotonic()
        applied_at_kill = count()

        def taken_over():
            s = other.status("pg-sink")
            t = s["tasks"][0] if s and s["tasks"] else {}
            return t.get("state") == "RUNNING" and t.get("worker_id") == ids[other.url]

        try:
            wait_until(taken_over, 90, interval=0.2, what="the surviving worker to run the sink")
        except AssertionError:
            raise AssertionError(f"status {other.status('pg-sink')}\n{other.log_text()[-4000:]}")
        took = time.monotonic() - killed_at
    finally:
        loader.join()
    assert applied_at_kill < total, "the sink had applied everything before the kill"
    # The group coordinators notice the dead worker and its consumer after session.timeout.ms (10 s each, at
    # once).
    assert took < 30, f"takeover took {took:.1f}s"
    print(f"sink taken over in {took:.1f}s, {applied_at_kill} rows applied at the kill")
    # Every record of the topic applied once: as many rows as records (the source may have sent some twice
    # across its own takeover: the target then has them twice, as the topic does), and every id.
    def counts():
        with psycopg.connect(url) as conn:
            return conn.execute(f"SELECT count(*), count(DISTINCT id) FROM {table}").fetchone()

    wait_until(lambda: counts()[1] == total and applied(other, "pg-sink") == high_watermark(topic), 120,
               interval=0.5, what="every row and the whole topic applied")
    n, _ = counts()
    assert n == high_watermark(topic), (n, high_watermark(topic))
    with psycopg.connect(url) as conn:
        (checksum,) = conn.execute(f"SELECT md5(string_agg(id || ':' || v, ',' ORDER BY id)) FROM "
                                   f"(SELECT DISTINCT id, v FROM {table}) t").fetchone()
    (expected,) = pg.execute(f"SELECT md5(string_agg(id || ':' || v, ',' ORDER BY id)) FROM {table}").fetchone()
    assert checksum == expected


def test_jdbc_sink_offsets_refused_while_the_group_has_members(target, worker_factory, pg, tmp_path):  # noqa: F811
    """DELETE/PATCH of a STOPPED sink's offsets while its consumer group still has a member (here a `sluice sink`
    of the same name): Connect's 500 naming the cause, nothing changed; once the member is gone, the retry
    succeeds."""
    w = worker_factory().start()
    tag, (db, url) = w.tag, target
    table = f"g_{tag}"
    topic = f"w{tag}1.public.{table}"
    pg.execute(f"CREATE TABLE {table} (id int primary key, v text)")
    pg.execute(f"INSERT INTO {table} SELECT g, 'v' || g FROM generate_series(1, 30) g")
    assert w.request("POST", "/connectors", {"name": "src", "config": connector_config(tag, 1, table)})[0] == 201
    cfg = sink_config(topic, db)
    assert w.request("POST", "/connectors", {"name": "pg-sink", "config": cfg})[0] == 201
    wait_until(lambda: target_rows(url, table) == rows(PG_URL, table), 90, interval=0.3, what="the rows")
    assert w.request("PUT", "/connectors/pg-sink/stop")[0] == 202
    wait_until(lambda: not w.status("pg-sink")["tasks"], 30, interval=0.2, what="the sink STOPPED")
    stored = sink_offsets(w, "pg-sink")
    assert stored and stored[0]["offset"]["kafka_offset"] == high_watermark(topic)

    # `sluice sink` with the same name: the same group (connect-pg-sink) and the same stored offsets.
    config = tmp_path / "pg-sink.json"
    config.write_text(json.dumps({"name": "pg-sink", "config": {
        **cfg, "kafka.bootstrap.servers": KAFKA, "consumer.override.session.timeout.ms": "6000"}}))
    log = open(tmp_path / "pg-sink.log", "ab")
    proc = subprocess.Popen([SLUICE_BIN, "sink", str(config)], stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: b"assigned" in (tmp_path / "pg-sink.log").read_bytes(), 60, interval=0.2,
                   what="the sluice sink in the group")
        st, body, _ = w.request("DELETE", "/connectors/pg-sink/offsets")
        assert st == 500 and body["message"].startswith(
            "Failed to reset consumer group offsets for connector pg-sink either because its tasks haven't "
            "stopped completely yet"), body
        st, body, _ = w.request("PATCH", "/connectors/pg-sink/offsets", {"offsets": [
            {"partition": {"kafka_topic": topic, "kafka_partition": 0}, "offset": {"kafka_offset": 0}}]})
        assert st == 500 and body["message"].startswith(
            "Failed to alter consumer group offsets for connector pg-sink"), body
        assert sink_offsets(w, "pg-sink") == stored
    finally:
        proc.terminate()
        proc.wait(60)
        log.close()

    # Its static member stays in the group until its session ends (6 s): retried, the reset succeeds.
    def reset():
        answer = w.request("DELETE", "/connectors/pg-sink/offsets")
        return answer if answer[0] == 200 else None
    st, body, _ = wait_until(reset, 60, interval=1, what="the reset once the group is empty")
    assert body == {"message": "The offsets for this connector have been reset successfully"}
    assert sink_offsets(w, "pg-sink") == []
