"""`sluice connect`: the worker and Kafka Connect's REST API, driven as Kafka Connect's documentation does.

Each test starts its own worker (its own REST port and storage topics) against the real Postgres and Kafka.
"""
import base64
import json
import shutil
import signal
import ssl
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import pytest
from confluent_kafka import Consumer, TopicPartition

from conftest import KAFKA, PG_URL, ROOT, SLUICE_BIN, LoggedProcess, key_of, payload, value_of, wait_until
from pki import Pki
from support.net import free_port


class Worker(LoggedProcess):
    """One `sluice connect` process."""

    def __init__(self, tmp_path, tag, port=None, extra=None):
        self.tag = tag
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.topics = {"config": f"it-{tag}-configs", "offset": f"it-{tag}-offsets", "status": f"it-{tag}-status"}
        props = {
            "bootstrap.servers": KAFKA,
            "group.id": f"it-{tag}",
            "config.storage.topic": self.topics["config"],
            "offset.storage.topic": self.topics["offset"],
            "status.storage.topic": self.topics["status"],
            "config.storage.replication.factor": "1",
            "offset.storage.replication.factor": "1",
            "status.storage.replication.factor": "1",
            "listeners": self.url,
            # Connect keys sluice has no use for: accepted (a connect-distributed.properties runs as is).
            "key.converter": "org.apache.kafka.connect.json.JsonConverter",
            "value.converter": "org.apache.kafka.connect.json.JsonConverter",
            "key.converter.schemas.enable": "true",
            "value.converter.schemas.enable": "true",
            "plugin.path": "/usr/share/java",
            "offset.flush.interval.ms": "10000",
        }
        props.update(extra or {})
        if props["listeners"].startswith("https://"):
            self.url = props["listeners"]
        self.ssl_context = None  # for https: an ssl.SSLContext that trusts the worker's CA
        self.auth = None  # (user, password) for basic auth
        self.props_path = tmp_path / f"worker-{tag}-{self.port}.properties"
        self.props_path.write_text("".join(f"{k}={v}\n" for k, v in props.items()))
        self.log_path = tmp_path / f"worker-{tag}-{self.port}.log"
        self.proc = None

    def start(self):
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([SLUICE_BIN, "connect", str(self.props_path)], stdout=self.log,
                                     stderr=subprocess.STDOUT)
        wait_until(lambda: self._listening() or self.proc.poll() is not None, 60, what="the worker's REST API")
        assert self.proc.poll() is None, f"worker exited early:\n{self.log_text()}"
        return self

    def _listening(self):
        try:
            return self.request("GET", "/")[0] == 200
        except OSError:
            return False

    def stop(self, sig=signal.SIGTERM, timeout=90):
        return super().stop(sig, timeout)

    def request(self, method, path, body=None, content_type="application/json", raw=None):
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None and content_type:
            req.add_header("Content-Type", content_type)
        req.add_header("Accept", "application/json")
        if self.auth:
            req.add_header("Authorization", "Basic " + base64.b64encode(":".join(self.auth).encode()).decode())
        try:
            with urllib.request.urlopen(req, timeout=120, context=self.ssl_context) as resp:
                text = resp.read().decode()
                return resp.status, (json.loads(text) if text else None), dict(resp.headers)
        except urllib.error.HTTPError as e:
            text = e.read().decode()
            return e.code, (json.loads(text) if text else None), dict(e.headers)

    def status(self, name):
        return self.request("GET", f"/connectors/{name}/status")[1]

    def wait_task_state(self, name, state, timeout=60):
        def check():
            st = self.status(name)
            return st if st and st.get("tasks") and st["tasks"][0]["state"] == state else None
        try:
            return wait_until(check, timeout, interval=0.2, what=f"{name}'s task to be {state}")
        except AssertionError:
            raise AssertionError(f"{name} status {self.status(name)}\n{self.log_text()[-4000:]}")


@pytest.fixture
def worker_factory(tmp_path, pg):
    started = []
    tag = uuid.uuid4().hex[:8]

    def make(**kw):
        w = Worker(tmp_path, kw.pop("tag", tag), **kw)
        started.append(w)
        return w

    yield make
    for w in started:
        w.stop()
    with pg.cursor() as cur:
        cur.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
                    "WHERE slot_name LIKE %s AND NOT active", (f"w_{tag}%",))


def pg_params(dbname=None):
    u = urlparse(PG_URL)
    return {"database.hostname": u.hostname, "database.port": str(u.port or 5432),
            "database.user": u.username or "postgres", "database.password": u.password or "",
            "database.dbname": dbname or (u.path or "/postgres").lstrip("/")}


def connector_config(tag, n, table, dbname=None, **extra):
    cfg = {"connector.class": "io.debezium.connector.postgresql.PostgresConnector", "plugin.name": "pgoutput",
           **pg_params(dbname), "topic.prefix": f"w{tag}{n}", "slot.name": f"w_{tag}_{n}",
           "publication.name": f"w_pub_{tag}_{n}", "publication.autocreate.mode": "filtered",
           "table.include.list": f"public.{table}", "status.update.interval.ms": "200"}
    cfg.update({k: str(v) for k, v in extra.items()})
    return cfg


def read_ids(topic, expected, timeout=90, until=None):
    """Distinct ids of the create/read events on `topic`, reading until `expected` are there (or `until` is)."""
    c = Consumer({"bootstrap.servers": KAFKA, "group.id": f"it-{uuid.uuid4().hex[:8]}",
                  "auto.offset.reset": "earliest", "enable.auto.commit": False,
                  "topic.metadata.refresh.interval.ms": 500})
    c.subscribe([topic])
    ids = set()
    deadline = time.monotonic() + timeout
    try:
        while (len(ids) < expected if until is None else until not in ids) and time.monotonic() < deadline:
            m = c.poll(0.2)
            if m is None or m.error() or m.value() is None:
                continue
            p = payload(value_of(m))
            if p.get("op") in ("c", "r"):
                ids.add(p["after"]["id"])
    finally:
        c.close()
    return ids


def read_storage(topic, timeout=30):
    """The latest value per key of a storage topic (None for a tombstone)."""
    c = Consumer({"bootstrap.servers": KAFKA, "group.id": f"it-{uuid.uuid4().hex[:8]}",
                  "auto.offset.reset": "earliest", "enable.auto.commit": False, "enable.partition.eof": True})
    md = c.list_topics(topic, timeout=10)
    parts = list(md.topics[topic].partitions)
    c.assign([TopicPartition(topic, p, 0) for p in parts])
    latest, eof = {}, set()
    deadline = time.monotonic() + timeout
    while len(eof) < len(parts) and time.monotonic() < deadline:
        m = c.poll(0.2)
        if m is None:
            continue
        if m.error():
            eof.add(m.partition())
            continue
        latest[m.key().decode()] = None if m.value() is None else json.loads(m.value())
    c.close()
    return latest


def test_origin_story_curl_commands(worker_factory, pg, tmp_path):
    """The origin story: POST examples/pg-source-config.json with curl, then GET /connectors."""
    w = worker_factory(tag=f"o{uuid.uuid4().hex[:7]}").start()
    pg.execute("CREATE TABLE IF NOT EXISTS customers (id int primary key, name text)")
    example = json.loads((ROOT / "examples" / "pg-source-config.json").read_text())
    # The example names the default service ports; point it at this run's services if they differ.
    cfg = example["config"]
    cfg.update({k: v for k, v in pg_params().items() if k in ("database.hostname", "database.port")})
    cfg["kafka.bootstrap.servers"] = KAFKA
    cfg["slot.name"] = f"w_{w.tag}_origin"
    # Its own publication, dropped at the end: a FOR ALL TABLES one left behind would make other tests' tables
    # without a replica identity refuse UPDATE and DELETE.
    cfg["publication.name"] = f"w_{w.tag}_origin_pub"
    path = tmp_path / "pg-source-config.json"
    path.write_text(json.dumps(example, indent=2))

    out = subprocess.run(["curl", "-s", f"{w.url}/connectors"], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []
    out = subprocess.run(["curl", "-i", "-s", "-X", "POST", "-H", "Accept:application/json", "-H",
                          "Content-Type:application/json", f"{w.url}/connectors/", "-d", f"@{path}"],
                         capture_output=True, text=True, check=True)
    head, _, body = out.stdout.partition("\n\n")  # text mode turned \r\n into \n
    assert head.startswith("HTTP/1.1 201"), out.stdout
    assert "Location: /connectors/customers-connector" in head
    created = json.loads(body)
    assert created["name"] == "customers-connector"
    assert created["tasks"] == [] and created["type"] == "source"
    expected = dict(cfg, name="customers-connector", **{"database.password": "[hidden]"})
    assert created["config"] == expected
    out = subprocess.run(["curl", "-s", f"{w.url}/connectors"], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == ["customers-connector"]

    w.wait_task_state("customers-connector", "RUNNING")
    pg.execute("INSERT INTO customers VALUES (%s, 'origin') ON CONFLICT (id) DO NOTHING", (900001,))
    assert 900001 in read_ids("myserver.public.customers", 0, timeout=60, until=900001)
    # The worker's internal topics exist beside the connector's.
    c = Consumer({"bootstrap.servers": KAFKA, "group.id": "it-list"})
    topics = c.list_topics(timeout=10).topics
    c.close()
    assert all(t in topics for t in w.topics.values())
    info = w.request("GET", "/connectors/customers-connector")[1]
    assert info["tasks"] == [{"connector": "customers-connector", "task": 0}]
    assert w.request("DELETE", "/connectors/customers-connector")[0] == 204
    # The connector may still have been snapshotting (its slot then is <slot>_snapshot, dropped with it).
    slots = "SELECT slot_name FROM pg_replication_slots WHERE slot_name LIKE %s"
    wait_until(lambda: not pg.execute(slots + " AND active", (cfg["slot.name"] + "%",)).fetchone(), 60,
               what="the slot to be released")
    pg.execute(f"SELECT pg_drop_replication_slot(slot_name) FROM ({slots}) s", (cfg["slot.name"] + "%",))
    pg.execute(f'DROP PUBLICATION IF EXISTS "{cfg["publication.name"]}"')


def test_error_per_status_code(worker_factory, pg):
    w = worker_factory().start()
    tag = w.tag
    table = f"err_{tag}"
    pg.execute(f"CREATE TABLE {table} (id int primary key)")
    cfg = connector_config(tag, 1, table)

    st, body, _ = w.request("GET", "/connectors/nope")
    assert (st, body) == (404, {"error_code": 404, "message": "Connector nope not found"})
    st, body, _ = w.request("GET", "/nowhere")
    assert (st, body) == (404, {"error_code": 404, "message": "HTTP 404 Not Found"})
    st, body, _ = w.request("DELETE", "/connectors")
    assert (st, body) == (405, {"error_code": 405, "message": "HTTP 405 Method Not Allowed"})
    st, body, _ = w.request("POST", "/connectors", {"name": "c1", "config": cfg},
                            content_type="application/x-www-form-urlencoded")
    assert (st, body["error_code"]) == (415, 415)
    bad = dict(cfg, **{"snapshot.mode": "sometimes"})
    st, body, _ = w.request("POST", "/connectors", {"name": "c1", "config": bad})
    assert st == 400 and "snapshot.mode" in body["message"] and "sometimes" in body["message"]
    st, body, _ = w.request("POST", "/connectors", raw=b'{"name": "c1", "config": {')
    assert st == 400 and body["error_code"] == 400
    st, body, _ = w.request("POST", "/connectors", raw=b"{" + b" " * (8 << 20) + b"}")
    assert st == 413 and body["error_code"] == 413
    st, body, _ = w.request("POST", "/connectors", {"name": "c1", "config": cfg})
    assert st == 201, body
    st, body, _ = w.request("POST", "/connectors", {"name": "c1", "config": cfg})
    assert (st, body) == (409, {"error_code": 409, "message": "Connector c1 already exists"})
    st, body, _ = w.request("DELETE", "/connectors/c1/offsets")
    assert st == 400 and "STOPPED" in body["message"]
    # Validation names each property's error.
    st, body, _ = w.request("PUT", "/connector-plugins/PostgresConnector/config/validate",
                            {"connector.class": "io.debezium.connector.postgresql.PostgresConnector",
                             "snapshot.mode": "sometimes", "database.port": "http"})
    assert st == 200
    errors = {c["value"]["name"]: c["value"]["errors"] for c in body["configs"] if c["value"]["errors"]}
    assert {"snapshot.mode", "database.port", "database.hostname", "name"} <= set(errors), errors
    assert body["error_count"] == sum(len(e) for e in errors.values())
    # The worker is still serving.
    assert w.request("GET", "/connectors")[1] == ["c1"]
    w.wait_task_state("c1", "RUNNING")


def test_three_connectors_two_databases_one_fails(worker_factory, pg):
    w = worker_factory().start()
    tag = w.tag
    db2 = f"itdb_{tag}"
    pg.execute(f"CREATE DATABASE {db2}")
    u = urlparse(PG_URL)
    url2 = u._replace(path="/" + db2).geturl()
    try:
        with psycopg.connect(url2, autocommit=True) as pg2:
            pg.execute(f"CREATE TABLE a_{tag} (id int primary key, v text)")
            pg2.execute(f"CREATE TABLE b_{tag} (id int primary key, v text)")
            pg.execute(f"INSERT INTO a_{tag} SELECT g, 'a' FROM generate_series(1, 50) g")
            pg2.execute(f"INSERT INTO b_{tag} SELECT g, 'b' FROM generate_series(1, 50) g")
            assert w.request("POST", "/connectors", {"name": "a", "config": connector_config(tag, 1, f"a_{tag}")})[0] == 201
            assert w.request("POST", "/connectors", {"name": "b", "config": connector_config(tag, 2, f"b_{tag}", db2)})[0] == 201
            # The third fails at run time: its database does not exist and it may not retry.
            failing = connector_config(tag, 3, f"a_{tag}", f"missing_{tag}", **{"errors.max.retries": 0})
            assert w.request("POST", "/connectors", {"name": "c", "config": failing})[0] == 201
            st = w.wait_task_state("c", "FAILED")
            trace = st["tasks"][0]["trace"]
            assert f"missing_{tag}" in trace and "LSN" in trace and "\tat " in trace, trace
            assert "Exception" not in trace and ".java" not in trace
            assert st["connector"]["state"] == "RUNNING"
            w.wait_task_state("a", "RUNNING")
            w.wait_task_state("b", "RUNNING")
            pg.execute(f"INSERT INTO a_{tag} SELECT g, 'a' FROM generate_series(51, 100) g")
            pg2.execute(f"INSERT INTO b_{tag} SELECT g, 'b' FROM generate_series(51, 100) g")
            assert read_ids(f"w{tag}1.public.a_{tag}", 100) == set(range(1, 101))
            assert read_ids(f"w{tag}2.public.b_{tag}", 100) == set(range(1, 101))
            # The failed connector's status is in the status topic too.
            status = read_storage(w.topics["status"])
            assert status["status-task-c-0"]["state"] == "FAILED"
            assert status["status-task-a-0"]["state"] == "RUNNING"
            # Fixing its config restarts it; a restart of the failed task alone is accepted too.
            st, body, _ = w.request("POST", "/connectors/c/restart?includeTasks=true&onlyFailed=true")
            assert st == 202 and body["tasks"][0]["state"] == "RESTARTING"
            fixed = dict(failing, **{"database.dbname": (u.path or "/postgres").lstrip("/"),
                                     "table.include.list": f"public.a_{tag}"})
            st, body, _ = w.request("PUT", "/connectors/c/config", fixed)
            assert st == 200 and body["name"] == "c"
            w.wait_task_state("c", "RUNNING")
            assert read_ids(f"w{tag}3.public.a_{tag}", 100) == set(range(1, 101))
            expanded = w.request("GET", "/connectors?expand=status&expand=info")[1]
            assert sorted(expanded) == ["a", "b", "c"]
            assert all(e["status"]["tasks"][0]["state"] == "RUNNING" for e in expanded.values())
            assert expanded["b"]["info"]["config"]["database.dbname"] == db2
            topics = w.request("GET", "/connectors/a/topics")[1]
            assert f"w{tag}1.public.a_{tag}" in topics["a"]["topics"]
            for n in ("a", "b", "c"):
                assert w.request("DELETE", f"/connectors/{n}")[0] == 204
    finally:
        wait_until(lambda: not pg.execute("SELECT 1 FROM pg_stat_activity WHERE datname=%s", (db2,)).fetchone(),
                   60, what="connections to the second database to end")
        for slot in (f"w_{tag}_2",):
            pg.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name=%s",
                       (slot,))
        pg.execute(f"DROP DATABASE IF EXISTS {db2}")


def test_restarted_worker_resumes_every_connector(worker_factory, pg):
    w = worker_factory().start()
    tag = w.tag
    for n in (1, 2):
        pg.execute(f"CREATE TABLE r{n}_{tag} (id int primary key)")
        pg.execute(f"INSERT INTO r{n}_{tag} SELECT g FROM generate_series(1, 100) g")
        assert w.request("POST", "/connectors", {"name": f"r{n}", "config": connector_config(tag, n, f"r{n}_{tag}")})[0] == 201
    pg.execute(f"CREATE TABLE r3_{tag} (id int primary key)")
    assert w.request("POST", "/connectors", {"name": "r3", "config": connector_config(tag, 3, f"r3_{tag}")})[0] == 201
    for n in (1, 2, 3):
        w.wait_task_state(f"r{n}", "RUNNING")
    assert read_ids(f"w{tag}1.public.r1_{tag}", 100) == set(range(1, 101))
    assert w.request("PUT", "/connectors/r3/pause")[0] == 202
    w.wait_task_state("r3", "PAUSED")
    pg.execute(f"INSERT INTO r1_{tag} SELECT g FROM generate_series(101, 200) g")
    assert w.stop() == 0
    status = read_storage(w.topics["status"])
    assert status["status-task-r1-0"]["state"] == "UNASSIGNED"
    configs = read_storage(w.topics["config"])
    assert configs["connector-r1"]["properties"]["name"] == "r1"
    assert configs["target-state-r3"] == {"state": "PAUSED", "state.v2": "PAUSED"}
    assert configs["commit-r1"] == {"tasks": 1}
    # Changes made while no worker runs are delivered once it is back.
    pg.execute(f"INSERT INTO r1_{tag} SELECT g FROM generate_series(201, 300) g")
    pg.execute(f"INSERT INTO r2_{tag} SELECT g FROM generate_series(101, 300) g")
    pg.execute(f"INSERT INTO r3_{tag} SELECT g FROM generate_series(1, 10) g")

    w2 = worker_factory(tag=tag, port=w.port).start()
    assert sorted(w2.request("GET", "/connectors")[1]) == ["r1", "r2", "r3"]
    w2.wait_task_state("r1", "RUNNING")
    w2.wait_task_state("r2", "RUNNING")
    assert w2.status("r3")["connector"]["state"] == "PAUSED"
    assert read_ids(f"w{tag}1.public.r1_{tag}", 300) == set(range(1, 301))
    assert read_ids(f"w{tag}2.public.r2_{tag}", 300) == set(range(1, 301))
    # The offsets were resumed, not restarted: no second snapshot of r1's first rows.
    offsets = w2.request("GET", "/connectors/r1/offsets")[1]["offsets"]
    assert offsets and offsets[0]["partition"] == {"server": f"w{tag}1"} and offsets[0]["offset"]["lsn"] > 0
    assert w2.request("PUT", "/connectors/r3/resume")[0] == 202
    w2.wait_task_state("r3", "RUNNING")
    assert read_ids(f"w{tag}3.public.r3_{tag}", 10) == set(range(1, 11))


def test_stop_and_offsets_api(worker_factory, pg):
    w = worker_factory().start()
    tag = w.tag
    pg.execute(f"CREATE TABLE o_{tag} (id int primary key)")
    pg.execute(f"INSERT INTO o_{tag} SELECT g FROM generate_series(1, 20) g")
    assert w.request("POST", "/connectors", {"name": "o", "config": connector_config(tag, 1, f"o_{tag}")})[0] == 201
    w.wait_task_state("o", "RUNNING")
    assert read_ids(f"w{tag}1.public.o_{tag}", 20) == set(range(1, 21))
    wait_until(lambda: w.request("GET", "/connectors/o/offsets")[1]["offsets"], 30, what="an offset")
    assert w.request("PUT", "/connectors/o/stop")[0] == 202
    st = w.status("o")
    assert st["connector"]["state"] == "STOPPED" and st["tasks"] == []
    assert w.request("GET", "/connectors/o")[1]["tasks"] == []
    offsets = w.request("GET", "/connectors/o/offsets")[1]["offsets"]
    assert offsets[0]["partition"] == {"server": f"w{tag}1"}
    lsn = offsets[0]["offset"]["lsn"]
    st, body, _ = w.request("PATCH", "/connectors/o/offsets",
                            {"offsets": [{"partition": {"server": f"w{tag}1"}, "offset": {"lsn": lsn}}]})
    assert st == 200 and "altered successfully" in body["message"], body
    st, body, _ = w.request("PATCH", "/connectors/o/offsets",
                            {"offsets": [{"partition": {"server": f"w{tag}1"}, "offset": {"nope": 1}}]})
    assert st == 400 and "lsn" in body["message"]
    st, body, _ = w.request("DELETE", "/connectors/o/offsets")
    assert st == 200 and "reset successfully" in body["message"]
    assert w.request("GET", "/connectors/o/offsets")[1] == {"offsets": []}
    assert read_storage(w.topics["config"])["target-state-o"] == {"state": "PAUSED", "state.v2": "STOPPED"}
    # Resumed, it trusts the slot (offsets were reset) and streams on.
    assert w.request("PUT", "/connectors/o/resume")[0] == 202
    w.wait_task_state("o", "RUNNING")
    pg.execute(f"INSERT INTO o_{tag} VALUES (21)")
    assert 21 in read_ids(f"w{tag}1.public.o_{tag}", 21)


def test_cli_against_a_worker(worker_factory, pg):
    w = worker_factory().start()
    tag = w.tag
    pg.execute(f"CREATE TABLE cli_{tag} (id int primary key)")
    assert w.request("POST", "/connectors", {"name": "cli", "config": connector_config(tag, 1, f"cli_{tag}")})[0] == 201
    w.wait_task_state("cli", "RUNNING")

    def cli(*args):
        return subprocess.run([SLUICE_BIN, "connectors", *args, "--url", w.url], capture_output=True, text=True,
                              timeout=120)

    r = cli("list")
    assert r.returncode == 0 and r.stdout.split() == ["cli", "source", "RUNNING", "RUNNING"], r.stdout + r.stderr
    r = cli("status", "cli")
    assert r.returncode == 0 and "connector RUNNING" in r.stdout and "task 0: RUNNING" in r.stdout
    assert cli("pause", "cli").returncode == 0
    w.wait_task_state("cli", "PAUSED")
    assert cli("resume", "cli").returncode == 0
    w.wait_task_state("cli", "RUNNING")
    r = cli("restart", "cli")
    assert r.returncode == 0 and "RESTARTING" in r.stdout, r.stdout + r.stderr
    w.wait_task_state("cli", "RUNNING")
    r = cli("status", "ghost")
    assert r.returncode == 1 and "No status found for connector ghost" in r.stderr
    assert cli("delete", "cli").returncode == 0
    assert w.request("GET", "/connectors")[1] == []
    r = subprocess.run([SLUICE_BIN, "connectors", "list", "--url", f"http://127.0.0.1:{free_port()}"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "cannot reach the worker" in r.stderr



def test_https_listener_with_basic_auth(worker_factory, pg, tmp_path):
    """listeners=https://… with a PEM keystore and rest.basic.auth.file (Connect's PropertyFileLoginModule
    format): TLS verified against the test CA, 401 without or with wrong credentials, the connector runs, and
    the CLI reaches the worker with --cacert."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl not installed")
    (tmp_path / "pki").mkdir()
    pki = Pki(tmp_path / "pki")
    keystore = tmp_path / "keystore.pem"
    keystore.write_text(pki.server_key.read_text() + pki.server.read_text())
    password = "rest-Secret-" + uuid.uuid4().hex[:6]
    users = tmp_path / "rest-users.properties"
    users.write_text(f"# user: password, roles\nadmin: {password},admin\nreader: other-{password}\n")
    port = free_port()
    w = worker_factory(port=port, extra={"listeners": f"https://127.0.0.1:{port}",
                                         "listeners.https.ssl.keystore.type": "PEM",
                                         "listeners.https.ssl.keystore.location": str(keystore),
                                         "rest.basic.auth.file": str(users)})
    w.ssl_context = ssl.create_default_context(cafile=str(pki.ca))
    w.auth = ("admin", password)
    w.start()
    assert w.url.startswith("https://")

    code, body, _ = w.request("GET", "/")
    assert code == 200 and "version" in body
    for auth in (None, ("admin", "wrong"), ("nobody", password)):
        w.auth = auth
        code, body, headers = w.request("GET", "/connectors")
        assert code == 401 and body["error_code"] == 401, (auth, code, body)
        assert headers.get("WWW-Authenticate", "").startswith("Basic")
    w.auth = ("admin", password)
    # TLS is required, and verified: plain HTTP to the port gets no answer, an unknown CA is refused.
    with pytest.raises((OSError, urllib.error.URLError)):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10).read()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"https://127.0.0.1:{port}/", timeout=10,
                               context=ssl.create_default_context(cafile=str(pki.other_ca))).read()

    tag = w.tag
    pg.execute(f"CREATE TABLE tls_{tag} (id int primary key)")
    pg.execute(f"INSERT INTO tls_{tag} VALUES (1), (2)")
    code, body, _ = w.request("POST", "/connectors", {"name": "tls", "config": connector_config(tag, 1, f"tls_{tag}")})
    assert code == 201, body
    w.wait_task_state("tls", "RUNNING")
    pg.execute(f"INSERT INTO tls_{tag} VALUES (3)")
    assert read_ids(f"w{tag}1.public.tls_{tag}", 3) == {1, 2, 3}

    url = f"https://admin:{password}@127.0.0.1:{port}"
    r = subprocess.run([SLUICE_BIN, "connectors", "list", "--url", url, "--cacert", str(pki.ca)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.split() == ["tls", "source", "RUNNING", "RUNNING"], r.stdout + r.stderr
    r = subprocess.run([SLUICE_BIN, "connectors", "list", "--url", url, "--cacert", str(pki.other_ca)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "cannot reach the worker" in r.stderr, r.stdout + r.stderr
    r = subprocess.run([SLUICE_BIN, "connectors", "list", "--url", f"https://admin:wrong@127.0.0.1:{port}",
                        "--cacert", str(pki.ca)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "HTTP 401" in r.stderr, r.stdout + r.stderr
    assert w.request("DELETE", "/connectors/tls")[0] == 204
    assert password not in w.log_text()


def test_killed_worker_connectors_taken_over(worker_factory, pg):
    """Two workers of one group: kill -9 the one running a connector; the other takes it over, nothing lost."""
    w1 = worker_factory().start()
    tag = w1.tag
    w2 = worker_factory(tag=tag).start()
    # The second worker joined the group (its share of the assignment partitions) before the connector exists.
    wait_until(lambda: "assigned" in w2.log_text(), 60, interval=0.2, what="the second worker's assignment")
    table = f"ha_{tag}"
    pg.execute(f"CREATE TABLE {table} (id int primary key)")
    pg.execute(f"INSERT INTO {table} SELECT g FROM generate_series(1, 100) g")
    # Created through one worker, visible through both.
    assert w1.request("POST", "/connectors", {"name": "ha", "config": connector_config(tag, 1, table)})[0] == 201
    wait_until(lambda: w2.request("GET", "/connectors")[1] == ["ha"], 30, what="the connector on both workers")
    ids = {w.url: f"127.0.0.1:{w.port}" for w in (w1, w2)}

    def owner():
        sts = [w.status("ha") for w in (w1, w2)]
        ok = all(s and s["tasks"] and s["tasks"][0]["state"] == "RUNNING" for s in sts)
        if ok and sts[0]["tasks"][0]["worker_id"] == sts[1]["tasks"][0]["worker_id"]:
            return sts[0]["tasks"][0]["worker_id"]
        return None

    running_on = wait_until(owner, 60, interval=0.2, what="both workers to agree who runs the connector")
    assert running_on in ids.values()
    own, other = (w1, w2) if ids[w1.url] == running_on else (w2, w1)
    assert read_ids(f"w{tag}1.public.{table}", 100) == set(range(1, 101))

    # Requests sent to the worker that does not run it are served: status, pause, resume, restart.
    st = other.status("ha")
    assert st["connector"]["state"] == "RUNNING" and st["tasks"][0]["worker_id"] == ids[own.url]
    assert other.request("PUT", "/connectors/ha/pause")[0] == 202
    own.wait_task_state("ha", "PAUSED")
    other.wait_task_state("ha", "PAUSED")
    assert other.request("PUT", "/connectors/ha/resume")[0] == 202
    own.wait_task_state("ha", "RUNNING")
    other.wait_task_state("ha", "RUNNING")
    # As Connect's clients do, a 409 while the group rebalances (cooperative rebalancing may run a second
    # round after the second worker joined) is retried.
    def restart():
        answer = other.request("POST", "/connectors/ha/restart?includeTasks=true")
        if answer[0] == 409:
            assert "rebalance is expected" in answer[1]["message"], answer
            return None
        return answer
    st, body, _ = wait_until(restart, 60, interval=0.5, what="a restart answered outside a rebalance")
    assert st == 202 and body["tasks"][0]["state"] == "RESTARTING", body
    wait_until(owner, 60, interval=0.2, what="the restarted connector to run")
    # Stopped through the other worker, its offsets read and altered there (Connect's STOPPED precondition).
    assert other.request("PUT", "/connectors/ha/stop")[0] == 202
    wait_until(lambda: other.status("ha")["connector"]["state"] == "STOPPED" and not other.status("ha")["tasks"],
               30, interval=0.2, what="the other worker to see the connector STOPPED")
    st, body, _ = other.request("GET", "/connectors/ha/offsets")
    assert st == 200 and body["offsets"][0]["partition"] == {"server": f"w{tag}1"}, body
    st, body, _ = other.request("PATCH", "/connectors/ha/offsets", {"offsets": body["offsets"]})
    assert st == 200 and "altered successfully" in body["message"], body
    assert other.request("PUT", "/connectors/ha/resume")[0] == 202
    wait_until(owner, 60, interval=0.2, what="the resumed connector to run")
    pg.execute(f"INSERT INTO {table} SELECT g FROM generate_series(101, 200) g")
    assert read_ids(f"w{tag}1.public.{table}", 200) == set(range(1, 201))

    # kill -9 the worker running it: no revocation, no flush, no UNASSIGNED status.
    killed_id = ids[own.url]
    own.proc.kill()
    own.proc.wait(30)
    killed_at = time.monotonic()
    pg.execute(f"INSERT INTO {table} SELECT g FROM generate_series(201, 300) g")

    def taken_over():
        s = other.status("ha")
        t = s["tasks"][0] if s and s["tasks"] else {}
        return t.get("state") == "RUNNING" and t.get("worker_id") == ids[other.url]

    # Restart requests meanwhile: served (204: nothing failed to restart) while the group still counts the dead
    # worker, 409 as Connect's "rebalance is expected" once the coordinator dropped it and until the connector
    # is reassigned; never an error of another kind.
    answers = []
    while not taken_over() and time.monotonic() - killed_at < 60:
        code, body, _ = other.request("POST", "/connectors/ha/restart")
        answers.append(code)
        assert code in (204, 409), (code, body)
        if code == 409:
            assert body["error_code"] == 409 and "rebalance is expected" in body["message"], body
        time.sleep(0.2)
    print("restart answers during the takeover:", answers)
    try:
        wait_until(taken_over, 60, interval=0.2, what="the surviving worker to run the connector")
    except AssertionError:
        raise AssertionError(f"status {other.status('ha')} (was on {killed_id})\n{other.log_text()[-4000:]}")
    took = time.monotonic() - killed_at
    # The group coordinator notices the dead member after session.timeout.ms (10 s, Connect's default).
    assert took < 30, f"takeover took {took:.1f}s"
    pg.execute(f"INSERT INTO {table} SELECT g FROM generate_series(301, 400) g")
    # Every row reached the topic: none lost across the kill (duplicates are allowed: at-least-once).
    assert read_ids(f"w{tag}1.public.{table}", 400) == set(range(1, 401))
    status = read_storage(other.topics["status"])
    assert status["status-task-ha-0"] == {"state": "RUNNING", "trace": None, "worker_id": ids[other.url],
                                          "generation": 0}
    assert other.request("DELETE", "/connectors/ha")[0] == 204


def test_joining_and_leaving_worker_moves_connectors(worker_factory, pg):
    """A worker joining the group takes a share of the running connectors; stopped (SIGTERM), it hands them back
    at once (it leaves the group, no session timeout), and no row is lost on either move."""
    w1 = worker_factory().start()
    tag = w1.tag
    names = [f"m{n}" for n in range(1, 5)]
    for n, name in enumerate(names, 1):
        pg.execute(f"CREATE TABLE {name}_{tag} (id int primary key)")
        pg.execute(f"INSERT INTO {name}_{tag} SELECT g FROM generate_series(1, 50) g")
        cfg = connector_config(tag, n, f"{name}_{tag}")
        assert w1.request("POST", "/connectors", {"name": name, "config": cfg})[0] == 201
    for name in names:
        w1.wait_task_state(name, "RUNNING")
    id1 = f"127.0.0.1:{w1.port}"
    w2 = worker_factory(tag=tag).start()
    id2 = f"127.0.0.1:{w2.port}"

    def owners():
        out = {}
        for name in names:
            sts = [w.status(name) for w in (w1, w2)]
            tasks = [s["tasks"][0] if s and s["tasks"] else {} for s in sts]
            if any(t.get("state") != "RUNNING" for t in tasks) or tasks[0]["worker_id"] != tasks[1]["worker_id"]:
                return None
            out[name] = tasks[0]["worker_id"]
        return out

    # The second worker joined (its assignment is logged) and both agree who runs what.
    wait_until(lambda: "assigned" in w2.log_text(), 60, interval=0.2, what="the second worker's assignment")
    try:
        placed = wait_until(owners, 90, interval=0.3, what="both workers to agree who runs each connector")
    except AssertionError:
        views = {w.port: {n: w.status(n) for n in names} for w in (w1, w2)}
        raise AssertionError(f"statuses: {views}\n{w2.log_text()[-3000:]}")
    for n, name in enumerate(names, 1):
        pg.execute(f"INSERT INTO {name}_{tag} SELECT g FROM generate_series(51, 100) g")
    moved = [name for name, owner in placed.items() if owner == id2]
    assert set(placed.values()) <= {id1, id2}
    assert w2.stop() == 0
    left_at = time.monotonic()
    for name in names:
        pg.execute(f"INSERT INTO {name}_{tag} SELECT g FROM generate_series(101, 150) g")

    def back():
        return all((w1.status(n)["tasks"] or [{}])[0].get("worker_id") == id1 and
                   w1.status(n)["tasks"][0]["state"] == "RUNNING" for n in names)

    wait_until(back, 60, interval=0.2, what="the first worker to run every connector again")
    if moved:
        # Faster than the coordinator would notice a dead member (session.timeout.ms 10 s): the worker left.
        assert time.monotonic() - left_at < 9, f"hand-back of {moved} took {time.monotonic() - left_at:.1f}s"
    for n, name in enumerate(names, 1):
        assert read_ids(f"w{tag}{n}.public.{name}_{tag}", 150) == set(range(1, 151)), name
    for name in names:
        assert w1.request("DELETE", f"/connectors/{name}")[0] == 204
