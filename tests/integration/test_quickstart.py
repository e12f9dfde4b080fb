"""The README's first command, as a new user runs it: `scripts/quickstart` on services of its own (own ports, own
state folder), with a `sluice connect` worker, the example config registered over its REST API and the kafkajs
consumer of examples/consumer-node. It must print the three snapshot reads and the create event for josip. Also:
each example consumer (plain kafkajs with no codec package, confluent-kafka, librdkafka's C++ API) decodes every
kind of record sluice publishes with its defaults."""
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from conftest import KAFKA, ROOT, SLUICE_BIN, wait_until


def free_port(start):
    """The first port from `start` that nothing listens on or uses (127.0.0.1), with its successor free too."""
    def free(p):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", p))
                return True
            except OSError:
                return False
    for p in range(start, start + 200, 2):
        if free(p) and free(p + 1):
            return p
    raise AssertionError(f"no free port pair from {start}")


def events_of(text):
    return [json.loads(line) for line in text.splitlines() if line.startswith('{"topic"')]


@pytest.mark.timeout(900)
def test_quickstart_prints_the_josip_event():
    """The origin story through a worker: `sluice connect`, the connector POSTed with curl, then the events, with
    each background start slowed by a second."""
    run_dir = ROOT / ".run" / "quickstart-test"
    env = {k: v for k, v in os.environ.items()
           if k not in ("SLUICE_PG_URL", "SLUICE_KAFKA_BOOTSTRAP", "SLUICE_PG_PORT", "SLUICE_KAFKA_PORT",
                        "SLUICE_KAFKA_CONTROLLER_PORT")}
    env["SLUICE_RUN"] = str(run_dir)
    # Every background start (Kafka, the worker, the consumer) waits a second before its exec: the window in which
    # the child's command line is still the script's own bash stays open, as on a fresh, busy machine. A liveness
    # check that ran inside it once declared a healthy consumer dead (regression: scripts/lib/common.sh spawn_bg).
    env["SLUICE_START_DELAY"] = "1"
    subprocess.run([str(ROOT / "scripts" / "quickstart"), "stop"], cwd=ROOT, env=env, capture_output=True,
                   timeout=120)  # a previous run's leftovers, if any (their ports come from its ports.env)
    shutil.rmtree(run_dir, ignore_errors=True)  # fresh services, as on a new machine
    kafka_port = free_port(29192)
    env.update({"SLUICE_PG_PORT": str(free_port(25532)), "SLUICE_KAFKA_PORT": str(kafka_port),
                "SLUICE_KAFKA_CONTROLLER_PORT": str(kafka_port + 1), "SLUICE_CONNECT_PORT": str(free_port(28183))})
    leftovers = None
    try:
        r = subprocess.run([str(ROOT / "scripts" / "quickstart"), "--then-stop", "--wait", "180"], cwd=ROOT,
                           env=env, capture_output=True, text=True, timeout=840)
        if r.returncode == 0:
            # --then-stop leaves no slot and no publication behind: a FOR ALL TABLES publication left in the
            # database made every later keyless table refuse UPDATE (regression: test_debezium_configs after a
            # quickstart on the same services).
            subprocess.run([str(ROOT / "scripts" / "services"), "start", "pg"], cwd=ROOT, env=env, check=True,
                           capture_output=True, timeout=120)
            with psycopg.connect(f"host=127.0.0.1 port={env['SLUICE_PG_PORT']} dbname=postgres user=postgres",
                                 autocommit=True) as conn:
                leftovers = (conn.execute("SELECT pubname FROM pg_publication").fetchall(),
                             conn.execute("SELECT slot_name FROM pg_replication_slots").fetchall())
    finally:  # never leave the second set of services behind
        subprocess.run([str(ROOT / "scripts" / "quickstart"), "stop"], cwd=ROOT, env=env, capture_output=True,
                       timeout=120)
    out = r.stdout + r.stderr
    assert r.returncode == 0, f"scripts/quickstart failed (exit {r.returncode}):\n{out[-6000:]}"
    events = events_of(r.stdout)
    reads = sorted(e["after"]["name"] for e in events if e.get("op") == "r")
    assert reads == ["jack", "jane", "john"], out[-4000:]
    creates = [e for e in events if e.get("op") == "c"]
    assert [e["after"] for e in creates] == [{"id": 4, "name": "josip"}], out[-4000:]
    assert all(e["topic"] == "myserver.public.customers" for e in events)
    # The origin story: the connector registered with curl on the worker, listed, and the worker's topics.
    assert "HTTP/1.1 201" in r.stdout and '"name":"customers-connector"' in r.stdout, out[-4000:]
    assert '["customers-connector"]' in r.stdout, out[-4000:]
    lines = r.stdout.splitlines()
    for topic in ("pg_connect_configs", "pg_connect_offsets", "pg_connect_statuses", "myserver.public.customers"):
        assert topic in lines, out[-4000:]
    assert "consumer crashed" not in (run_dir / "consumer.log").read_text()
    assert leftovers == ([], []), f"publications and slots left by --then-stop: {leftovers}"


def example_consumer(kind, topics, group, log_path):
    """One of the example consumers (examples/consumer-node: kafkajs; consumer-python: confluent-kafka;
    consumer-cpp: librdkafka's C++ API, built with sluice) on `topics`, printing one JSON line per record."""
    env = dict(os.environ, SLUICE_KAFKA_BOOTSTRAP=KAFKA, SLUICE_TOPIC=",".join(topics), SLUICE_CONSUMER_GROUP=group)
    if kind == "node":
        subprocess.run([str(ROOT / "scripts" / "deps"), "--node", "--quiet", "--no-apt"], check=True, timeout=600)
        cmd, cwd = ["node", "index.js"], ROOT / "examples" / "consumer-node"
    elif kind == "python":
        cmd, cwd = [sys.executable, "consumer.py"], ROOT / "examples" / "consumer-python"
    else:
        binary = Path(SLUICE_BIN).parent / "examples" / "consumer-cpp" / "consumer-cpp"
        assert binary.exists(), f"{binary} missing: scripts/build builds it with sluice"
        cmd, cwd = [str(binary)], ROOT
    out = open(log_path, "wb")
    err = open(str(log_path) + ".stderr", "wb")
    return subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err)


@pytest.mark.parametrize("kind", ["node", "python", "cpp"])
@pytest.mark.parametrize("schemas", [True, False], ids=["schemas", "no-schemas"])
def test_example_consumer_reads_every_default_record(pg, names, sluice_factory, tmp_path, schemas, kind):
    """Each example consumer, as a user runs it (kafkajs with no codec package), decodes every kind of record
    sluice publishes with its defaults: r/c/u/d, the tombstone, transaction metadata, a heartbeat and a logical
    decoding message."""
    table = f"kjs_{names['tag']}"
    with pg.cursor() as cur:
        cur.execute(f"CREATE TABLE {table} (id int primary key, name text)")
        cur.execute(f"INSERT INTO {table} VALUES (1, 'john')")
    flag = "true" if schemas else "false"
    s = sluice_factory(**{"table.include.list": f"public.{table}", "provide.transaction.metadata": "true",
                          "heartbeat.interval.ms": "300", "key.converter.schemas.enable": flag,
                          "value.converter.schemas.enable": flag}).start()
    s.wait_streaming()
    with pg.cursor() as cur:
        cur.execute(f"INSERT INTO {table} VALUES (2, 'josip')")
        cur.execute(f"UPDATE {table} SET name = 'jo' WHERE id = 1")
        cur.execute(f"DELETE FROM {table} WHERE id = 2")
        cur.execute("SELECT pg_logical_emit_message(true, 'kjs', 'hello')")
    prefix = names["prefix"]
    data_topic = f"{prefix}.public.{table}"
    topics = [data_topic, f"{prefix}.transaction", f"__debezium-heartbeat.{prefix}", f"{prefix}.message"]
    log_path = tmp_path / f"{kind}.jsonl"
    proc = example_consumer(kind, topics, f"{kind}-{names['tag']}", log_path)
    try:
        def seen():
            assert proc.poll() is None, (f"the {kind} consumer exited {proc.returncode}:\n"
                                         f"{open(str(log_path) + '.stderr').read()[-3000:]}")
            recs = [json.loads(x) for x in log_path.read_text().splitlines() if x.strip()]
            data = [r for r in recs if r["topic"] == data_topic]
            tx = [r for r in recs if r["topic"] == topics[1]]
            hb = [r for r in recs if r["topic"] == topics[2]]
            msg = [r for r in recs if r["topic"] == topics[3]]
            return (data, tx, hb, msg) if len(data) >= 5 and len(tx) >= 8 and hb and msg else None
        data, tx, hb, msg = wait_until(seen, timeout=90, interval=0.3, what=f"the {kind} consumer to read every topic")
    finally:
        proc.terminate()
        proc.wait(20)
    assert proc.returncode == 0, f"the {kind} consumer did not stop cleanly on SIGTERM: {proc.returncode}"
    stderr = open(str(log_path) + ".stderr").read()
    assert "crashed" not in stderr and "KafkaJSNotImplemented" not in stderr, stderr[-3000:]
    ops = [(r["key"], r.get("op"), r.get("tombstone", False)) for r in data[:5]]
    assert ops == [({"id": 1}, "r", False), ({"id": 2}, "c", False), ({"id": 1}, "u", False),
                   ({"id": 2}, "d", False), ({"id": 2}, None, True)]  # the tombstone: a null value
    assert data[2]["before"] is None and data[2]["after"] == {"id": 1, "name": "jo"}
    assert data[3]["before"]["id"] == 2 and data[3]["after"] is None
    statuses = [r["value"]["status"] for r in tx]
    assert statuses[:8] == ["BEGIN", "END"] * 4
    assert all(isinstance(r["key"]["id"], str) for r in tx)
    assert isinstance(hb[0]["value"]["ts_ms"], int) and hb[0]["key"] == {"serverName": prefix}
    assert msg[0]["key"] == {"prefix": "kjs"} and msg[0]["op"] == "m"
