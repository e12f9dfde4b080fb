"""A Debezium user's configuration carried over (issue 17): the configs under tests/integration/debezium_configs
(Debezium's documentation and tutorials, unchanged; their sources are in its README) are loaded, pointed at the
test's Postgres and Kafka and given the test's own names, and run with `sluice check` / `sluice run`:
1.x names as aliases, Debezium Server files, slot ownership, no duplicates after a clean stop inside a large
transaction, the default publication and tables without a replica identity, and the smaller items."""
import json
import os
import re
import signal
import subprocess
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import pytest
from confluent_kafka import Consumer

from conftest import KAFKA, PG_URL, SLUICE_BIN, payload, wait_until
from private_servers import PrivateKafka

CONFIGS = Path(__file__).resolve().parent / "debezium_configs"
PG = urlparse(PG_URL)


def load_json(name):
    return json.loads((CONFIGS / name).read_text())


def load_properties_file(name):
    """The Debezium Server file as (key, value) lines, in order (comments dropped)."""
    props = {}
    for line in (CONFIGS / name).read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            k, v = line.split("=", 1)
            props[k.strip()] = v.strip()
    return props


def local_database(cfg, prefix=""):
    """Points a connector config at the test's Postgres (host, port, credentials) and Kafka."""
    cfg[prefix + "database.hostname"] = PG.hostname
    cfg[prefix + "database.port"] = str(PG.port or 5432)
    cfg[prefix + "database.user"] = PG.username or "postgres"
    cfg[prefix + "database.password"] = PG.password or ""
    cfg[prefix + "database.dbname"] = (PG.path or "/postgres").lstrip("/")
    if not prefix:  # a connector config: the broker is the Kafka Connect worker's, here sluice's own key
        cfg["kafka.bootstrap.servers"] = KAFKA
    return cfg


class Run:
    """One `sluice run` of a config file."""

    def __init__(self, path, log_path):
        self.path, self.log_path = path, log_path
        self.log = open(log_path, "ab")
        self.proc = subprocess.Popen([SLUICE_BIN, "run", str(path)], stdout=self.log, stderr=subprocess.STDOUT)

    def text(self):
        return self.log_path.read_text(errors="replace")

    def wait_streaming(self, timeout=60):
        wait_until(lambda: "streaming from slot" in self.text() or self.proc.poll() is not None, timeout,
                   what="sluice to stream")
        assert self.proc.poll() is None, f"sluice exited early:\n{self.text()}"

    def stop(self, sig=signal.SIGTERM, timeout=60):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.log.close()
        return rc


@pytest.fixture
def env(tmp_path, pg):
    """Unique names, config writing, sluice runs and clean-up of slots and publications of one test."""
    tag = uuid.uuid4().hex[:8]
    runs = []

    class Env:
        pass

    e = Env()
    e.tag, e.pg, e.tmp = tag, pg, tmp_path
    e.slot, e.publication, e.prefix = f"dbz_{tag}", f"dbz_pub_{tag}", f"dc{tag}"

    def write(cfg, name, registration=None):
        path = tmp_path / name
        if name.endswith(".properties"):
            path.write_text("".join(f"{k}={v}\n" for k, v in cfg.items()))
        else:
            path.write_text(json.dumps({"name": registration, "config": cfg} if registration else cfg))
        return path

    def run(path):
        r = Run(path, tmp_path / f"{path.stem}-{len(runs)}.log")
        runs.append(r)
        return r

    def cli(*args, timeout=60):
        return subprocess.run([SLUICE_BIN, *map(str, args)], capture_output=True, text=True, timeout=timeout)

    e.write, e.run, e.cli = write, run, cli
    yield e
    for r in runs:
        if r.proc.poll() is None:
            r.stop()
    with pg.cursor() as cur:
        cur.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
                    "WHERE slot_name LIKE %s AND NOT active", (f"%{tag}%",))
        for (pub,) in cur.execute("SELECT pubname FROM pg_publication WHERE pubname LIKE %s", (f"%{tag}%",)).fetchall():
            cur.execute(f'DROP PUBLICATION "{pub}"')


def read_topic(topic, until=None, quiet=2.0, timeout=120, bootstrap=KAFKA):
    """Values of every message on the topic (None for tombstones), in order: until `until` messages were
    read (then until it is quiet), or until it is quiet."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"dc-{uuid.uuid4().hex[:8]}",
                  "auto.offset.reset": "earliest", "enable.auto.commit": False,
                  "topic.metadata.refresh.interval.ms": 500})
    c.subscribe([topic])
    out = []
    deadline = time.monotonic() + timeout
    last = time.monotonic()
    try:
        while time.monotonic() < deadline:
            batch = c.consume(10000, 0.2)
            got = [m for m in batch if not m.error()]
            for m in got:
                out.append(None if m.value() is None else payload(json.loads(m.value())))
            if got:
                last = time.monotonic()
            elif (until is None or len(out) >= until) and time.monotonic() - last > quiet:
                break
    finally:
        c.close()
    return out


def topic_exists(topic):
    c = Consumer({"bootstrap.servers": KAFKA, "group.id": "dc-meta"})
    try:
        return topic in c.list_topics(timeout=10).topics
    finally:
        c.close()


# --- 1. Debezium 1.x names -------------------------------------------------------------------------------

def test_1x_tutorial_config_captures_only_the_whitelisted_schema(env, pg):
    """The Debezium 1.x tutorial's register-postgres.json (database.server.name, schema.whitelist)."""
    reg = load_json("register-postgres-1.x.json")
    cfg = local_database(reg["config"])
    assert cfg["schema.whitelist"] == "inventory" and cfg["database.server.name"] == "dbserver1"
    schema = f"inventory_{env.tag}"
    cfg.update({"database.server.name": env.prefix, "schema.whitelist": schema, "slot.name": env.slot,
                "publication.name": env.publication})
    pg.execute(f"CREATE SCHEMA {schema}")
    pg.execute(f"CREATE TABLE {schema}.customers (id int PRIMARY KEY, name text)")
    pg.execute(f"INSERT INTO {schema}.customers VALUES (1, 'sally'), (2, 'george')")
    other = f"public.outside_{env.tag}"
    pg.execute(f"CREATE TABLE {other} (id int PRIMARY KEY)")
    pg.execute(f"INSERT INTO {other} VALUES (1)")
    path = env.write(cfg, "register-postgres-1.x.json", reg["name"])
    try:
        chk = env.cli("check", path)
        assert "WARN schema.whitelist is deprecated (Debezium 2.0 renamed it): read as schema.include.list" in chk.stdout
        assert "WARN database.server.name is deprecated" in chk.stdout
        assert "unknown property" not in chk.stdout
        assert "OK   1 tables match the filters" in chk.stdout, chk.stdout
        s = env.run(path)
        s.wait_streaming()
        pg.execute(f"INSERT INTO {schema}.customers VALUES (3, 'edward')")
        pg.execute(f"INSERT INTO {other} VALUES (2)")
        values = read_topic(f"{env.prefix}.{schema}.customers", until=3)
        assert [v["after"]["id"] for v in values] == [1, 2, 3]
        assert s.stop() == 0
        assert "schema.whitelist is deprecated" in s.text()
        assert not topic_exists(f"{env.prefix}.public.outside_{env.tag}"), "a table outside the whitelist was captured"
    finally:
        pg.execute(f"DROP SCHEMA {schema} CASCADE")
        pg.execute(f"DROP TABLE {other}")


def test_1x_and_2x_name_of_one_property_exit_2(env):
    reg = load_json("register-postgres-1.x.json")
    cfg = local_database(reg["config"])
    cfg["schema.include.list"] = "inventory"
    r = env.cli("check", env.write(cfg, "both.json", reg["name"]))
    assert r.returncode == 2
    assert "schema.whitelist (its Debezium 1.x name) and schema.include.list are both set" in r.stderr


# --- 2. Debezium Server application.properties ---------------------------------------------------------------

def test_debezium_server_kafka_file_runs_as_it_is(env, pg):
    props = load_properties_file("debezium-server-kafka.properties")
    assert props["debezium.sink.kafka.producer.bootstrap.servers"] == "kafka:9092"
    local_database(props, "debezium.source.")
    table = f"products_{env.tag}"
    props.update({"debezium.sink.kafka.producer.bootstrap.servers": KAFKA,
                  "debezium.source.topic.prefix": env.prefix, "debezium.source.schema.include.list": "public",
                  "debezium.source.table.include.list": f"public.{table}",
                  "debezium.source.plugin.name": "pgoutput",  # as the Debezium Server documentation says
                  "debezium.source.slot.name": env.slot, "debezium.source.publication.name": env.publication,
                  "debezium.source.openlineage.integration.config.file.path": str(env.tmp / "openlineage.yml")})
    pg.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, name text)")
    pg.execute(f"INSERT INTO {table} VALUES (101, 'scooter')")
    path = env.write(props, "application.properties")
    try:
        chk = env.cli("check", path)
        assert chk.returncode == 0, chk.stdout + chk.stderr
        assert f"connected to Kafka at {KAFKA}" in chk.stdout
        assert "quarkus.* properties configure Debezium Server's runtime (ignored)" in chk.stdout
        s = env.run(path)
        s.wait_streaming()
        assert f"kafka={KAFKA}" in s.text()
        assert "localhost:9092" not in s.text()
        pg.execute(f"UPDATE {table} SET name = 'car battery' WHERE id = 101")
        values = read_topic(f"{env.prefix}.public.{table}", until=2)
        assert [(v["op"], v["after"]["name"]) for v in values] == [("r", "scooter"), ("u", "car battery")]
        assert s.stop() == 0
        # MemoryOffsetBackingStore: offsets are kept nowhere but the slot.
        assert "offsets are recorded in the replication slot only" in s.text()
    finally:
        pg.execute(f"DROP TABLE {table}")


def test_debezium_server_file_never_falls_back_to_a_default_broker(env):
    props = local_database(load_properties_file("debezium-server-kafka.properties"), "debezium.source.")
    # The broker named under a key sluice does not read (a mistyped or Java-client-only name).
    del props["debezium.sink.kafka.producer.bootstrap.servers"]
    props["debezium.sink.kafka.bootstrap.servers"] = KAFKA
    r = env.cli("check", env.write(props, "wrong-key.properties"))
    assert r.returncode == 2
    assert "unknown property debezium.sink.kafka.bootstrap.servers names a server that sluice does not read" in r.stderr
    # The documented example's Kinesis sink is refused, not replaced by Kafka.
    doc = local_database(load_properties_file("debezium-server-doc.properties"), "debezium.source.")
    r = env.cli("run", env.write(doc, "kinesis.properties"))
    assert r.returncode == 2
    assert "invalid value for debezium.sink.type: 'kinesis'" in r.stderr


# --- 3. Slot ownership ----------------------------------------------------------------------------------------

def doc_connector(env, table, **extra):
    """The PostgreSQL connector documentation's example config (table.include.list public.inventory)."""
    reg = load_json("postgresql-connector-doc.json")
    cfg = local_database(reg["config"])
    cfg.update({"topic.prefix": f"{env.prefix}f", "table.include.list": f"public.{table}",
                "publication.name": env.publication, "plugin.name": "pgoutput"})
    cfg.update({k: str(v) for k, v in extra.items()})
    return reg["name"], cfg


def tutorial_connector(env, schema, **extra):
    """The tutorial's register-postgres.json (schema.include.list inventory)."""
    reg = load_json("register-postgres.json")
    cfg = local_database(reg["config"])
    cfg.update({"topic.prefix": f"{env.prefix}t", "schema.include.list": schema,
                "publication.name": f"{env.publication}_t", "plugin.name": "pgoutput"})
    cfg.update({k: str(v) for k, v in extra.items()})
    return reg["name"], cfg


def test_second_connector_refuses_the_first_ones_slot_and_snapshots_on_its_own(env, pg):
    # Both examples leave slot.name at Debezium's default, "debezium": here one slot name shared by both.
    table, schema = f"inventory_{env.tag}", f"inv_{env.tag}"
    pg.execute(f"CREATE TABLE public.{table} (id int PRIMARY KEY, qty int)")
    pg.execute(f"INSERT INTO public.{table} VALUES (1, 10), (2, 20)")
    pg.execute(f"CREATE SCHEMA {schema}")
    pg.execute(f"CREATE TABLE {schema}.customers (id int PRIMARY KEY, name text)")
    pg.execute(f"INSERT INTO {schema}.customers VALUES (1001, 'sally')")
    try:
        name_a, cfg_a = doc_connector(env, table, **{"slot.name": env.slot})
        a_path = env.write(cfg_a, "a.json", name_a)
        a = env.run(a_path)
        a.wait_streaming()
        assert "snapshot of public.%s: 2 rows" % table in a.text(), "the per-table count is the table's rows"
        assert a.stop() == 0
        pg.execute(f"INSERT INTO public.{table} VALUES (3, 30)")  # not read by A yet

        name_b, cfg_b = tutorial_connector(env, schema, **{"slot.name": env.slot})
        b_path = env.write(cfg_b, "b.json", name_b)
        chk = env.cli("check", b_path)
        assert chk.returncode == 1
        fail = [l for l in chk.stdout.splitlines() if l.startswith("FAIL") and "may be another connector's" in l]
        assert fail, chk.stdout
        assert f"slot {env.slot} exists but connector {name_b}" in fail[0]
        assert "inactive" in fail[0] and "confirmed_flush_lsn" in fail[0], "the slot's last activity is named"
        b = env.run(b_path)
        assert b.proc.wait(60) == 1
        assert "may belong to another connector" in b.text()
        assert "resuming from existing slot" not in b.text()

        # A still has its change; B on a slot of its own takes its snapshot.
        a2 = env.run(a_path)
        a2.wait_streaming()
        values = read_topic(f"{env.prefix}f.public.{table}", until=3)
        assert sorted(v["after"]["id"] for v in values if v) == [1, 2, 3]
        assert a2.stop() == 0
        cfg_b["slot.name"] = f"{env.slot}_b"
        b2 = env.run(env.write(cfg_b, "b2.json", name_b))
        b2.wait_streaming()
        values = read_topic(f"{env.prefix}t.{schema}.customers", until=1)
        assert [(v["op"], v["after"]["id"]) for v in values] == [("r", 1001)]
        assert b2.stop() == 0

        # Confirmed by slot.takeover: B continues from A's slot (no snapshot).
        cfg_b.update({"slot.name": env.slot, "slot.takeover": "true", "topic.prefix": f"{env.prefix}x"})
        b3 = env.run(env.write(cfg_b, "b3.json", name_b))
        b3.wait_streaming()
        assert "slot.takeover=true: continuing from existing replication slot" in b3.text()
        assert b3.stop() == 0
    finally:
        pg.execute(f"DROP TABLE public.{table}")
        pg.execute(f"DROP SCHEMA {schema} CASCADE")


# --- 4. A clean stop inside a large transaction ----------------------------------------------------------------

ROWS = int(os.environ.get("SLUICE_BIG_TX_ROWS", "200000"))


def big_insert(pg, table, first):
    pg.execute(f"INSERT INTO {table} SELECT g, md5(g::text) FROM generate_series({first}, {first + ROWS - 1}) g")


def creates(values):
    return Counter(v["after"]["id"] for v in values if v and v["op"] == "c")


@pytest.mark.timeout(900)
def test_clean_stop_inside_a_large_transaction_sends_nothing_twice(env, pg):
    name, cfg = tutorial_connector(env, "public", **{"slot.name": env.slot, "snapshot.mode": "no_data",
                                                      "status.update.interval.ms": "500",
                                                      "key.converter.schemas.enable": "false",
                                                      "value.converter.schemas.enable": "false"})
    table = f"big_{env.tag}"
    cfg["table.include.list"] = f"public.{table}"
    pg.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, v text)")
    topic = f"{env.prefix}t.public.{table}"
    path = env.write(cfg, "big.json", name)
    try:
        s = env.run(path)
        s.wait_streaming()
        big_insert(pg, table, 1)
        # SIGTERM once part of the transaction is in Kafka.
        counter = Consumer({"bootstrap.servers": KAFKA, "group.id": f"dc-{env.tag}", "auto.offset.reset": "earliest",
                            "topic.metadata.refresh.interval.ms": 500})
        counter.subscribe([topic])
        seen = [0]

        def seen_at_least(n):
            seen[0] += len([m for m in counter.consume(10000, 0.2) if not m.error()])
            return seen[0] >= n

        wait_until(lambda: seen_at_least(ROWS // 10), 120, interval=0, what="part of the transaction in Kafka")
        t0 = time.monotonic()
        assert s.stop() == 0
        stop_s = time.monotonic() - t0
        log = s.text()
        m = re.search(r"stopped inside transaction \d+ \(commit LSN \S+\): its first (\d+) messages", log)
        assert m, log[-3000:]
        sent_before = int(m.group(1))
        assert 0 < sent_before < ROWS
        s2 = env.run(path)
        s2.wait_streaming()
        values = read_topic(topic, until=ROWS)
        assert f"skipping its first {sent_before} messages" in s2.text()
        counts = creates(values)
        missing = ROWS - len(counts)
        duplicates = sum(n - 1 for n in counts.values())
        print(f"clean stop after {sent_before} of {ROWS} events (stop took {stop_s:.2f} s): "
              f"{len(values)} messages, missing={missing} duplicates={duplicates}")
        assert missing == 0 and duplicates == 0 and len(values) == ROWS

        # kill -9 inside the next one (at-least-once: duplicates allowed, counted, none missing).
        wait_until(lambda: seen_at_least(ROWS), 120, interval=0, what="the counter to catch up")
        big_insert(pg, table, ROWS + 1)
        wait_until(lambda: seen_at_least(ROWS + 1), 120, interval=0, what="part of the second transaction")
        s2.stop(signal.SIGKILL)
        counter.close()
        s3 = env.run(path)
        s3.wait_streaming()
        values = read_topic(topic, until=2 * ROWS)
        counts = creates(values)
        missing = 2 * ROWS - len(counts)
        duplicates = sum(n - 1 for n in counts.values())
        print(f"kill -9 inside a {ROWS}-row transaction ({seen[0] - ROWS} of its events seen in Kafka at the kill): "
              f"missing={missing} duplicates={duplicates} (the part sent before the kill, sent again)")
        assert missing == 0
        assert s3.stop() == 0
    finally:
        pg.execute(f"DROP TABLE {table}")


# --- 5. The default publication and tables without a replica identity (and issue 15 item 4) ----------------

def test_default_publication_leaves_tables_without_replica_identity_writable(env, pg):
    table, keyless = f"inventory_{env.tag}", f"audit_{env.tag}"
    pg.execute(f"CREATE TABLE public.{table} (id int PRIMARY KEY, qty int)")
    pg.execute(f"CREATE TABLE public.{keyless} (at timestamptz, what text)")  # no key: no replica identity
    pg.execute(f"INSERT INTO public.{keyless} VALUES (now(), 'x')")
    try:
        name, cfg = doc_connector(env, table, **{"slot.name": env.slot})  # publication.autocreate.mode not set
        path = env.write(cfg, "default.json", name)
        chk = env.cli("check", path)
        assert chk.returncode == 0, chk.stdout
        assert f"publication {env.publication} will be created on start FOR TABLE the 1 captured tables (filtered" in chk.stdout
        assert f"WARN table public.{keyless}" not in chk.stdout, "a filtered publication does not cover it"
        s = env.run(path)
        s.wait_streaming()
        assert "publication.autocreate.mode is not set and" in s.text() and f"public.{keyless}" in s.text()
        assert not pg.execute("SELECT puballtables FROM pg_publication WHERE pubname = %s",
                              (env.publication,)).fetchone()[0]
        pg.execute(f"UPDATE public.{keyless} SET what = 'y'")  # the application's write still works
        pg.execute(f"DELETE FROM public.{keyless}")
        assert s.stop() == 0
        pg.execute(f"DROP PUBLICATION {env.publication}")
        pg.execute("SELECT pg_drop_replication_slot(%s)", (env.slot,))

        # Explicit all_tables: Debezium's behaviour, with the list in check and one warning in run.
        cfg["publication.autocreate.mode"] = "all_tables"
        cfg["topic.prefix"] = f"{env.prefix}g"  # a connector of its own (the first one's offsets stay)
        path = env.write(cfg, "all.json", name)
        chk = env.cli("check", path)
        line = [l for l in chk.stdout.splitlines() if l.startswith(f"WARN table public.{keyless} has no replica identity")]
        assert line, chk.stdout
        assert f"ALTER TABLE public.{keyless} REPLICA IDENTITY FULL" in line[0]
        assert "WARN or publish only the captured tables: publication.autocreate.mode=filtered" in chk.stdout
        s = env.run(path)
        s.wait_streaming()
        warning = [l for l in s.text().splitlines() if "FOR ALL TABLES: Postgres will refuse UPDATE and DELETE" in l]
        assert len(warning) == 1 and f"public.{keyless}" in warning[0], s.text()
        pg.execute(f"INSERT INTO public.{keyless} VALUES (now(), 'x')")
        with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState, match="does not have a replica identity"):
            pg.execute(f"UPDATE public.{keyless} SET what = 'y'")
        assert s.stop() == 0
    finally:
        pg.execute(f"DROP PUBLICATION IF EXISTS {env.publication}")
        pg.execute(f"DROP TABLE public.{table}, public.{keyless}")


# --- 6. Smaller things ---------------------------------------------------------------------------------------

def test_slot_drop_on_stop_and_topic_delimiter(env, pg):
    table = f"inventory_{env.tag}"
    pg.execute(f"CREATE TABLE public.{table} (id int PRIMARY KEY, qty int)")
    pg.execute(f"INSERT INTO public.{table} VALUES (1, 10)")
    try:
        name, cfg = doc_connector(env, table, **{"slot.name": env.slot, "slot.drop.on.stop": "true",
                                                 "topic.delimiter": "_"})
        path = env.write(cfg, "drop.json", name)
        chk = env.cli("check", path)
        assert "unknown property" not in chk.stdout and "ignored" not in chk.stdout, chk.stdout
        s = env.run(path)
        s.wait_streaming()
        pg.execute(f"INSERT INTO public.{table} VALUES (2, 20)")
        topic = f"{env.prefix}f_public_{table}"
        values = read_topic(topic, until=2)
        assert [v["op"] for v in values] == ["r", "c"]
        assert s.stop() == 0
        assert f"dropped replication slot {env.slot}" in s.text()
        assert pg.execute("SELECT count(*) FROM pg_replication_slots WHERE slot_name = %s",
                          (env.slot,)).fetchone()[0] == 0, "no slot left behind"
        # The next start snapshots again (offsets reset with the slot) instead of refusing a missing slot.
        s2 = env.run(path)
        s2.wait_streaming()
        assert "initial snapshot complete: 2 rows" in s2.text()
        assert s2.stop() == 0
    finally:
        pg.execute(f"DROP TABLE public.{table}")


def test_offsets_file_folder_and_pg_hba_hint(env, pg):
    table = f"inventory_{env.tag}"
    pg.execute(f"CREATE TABLE public.{table} (id int PRIMARY KEY)")
    try:
        missing = env.tmp / "no-such-folder" / "offsets.dat"
        name, cfg = doc_connector(env, table, **{"slot.name": env.slot, "offset.storage.file.filename": missing})
        path = env.write(cfg, "file.json", name)
        chk = env.cli("check", path)
        assert chk.returncode == 1
        assert f"FAIL offset.storage.file.filename={missing}: folder {missing.parent} does not exist" in chk.stdout
        s = env.run(path)
        assert s.proc.wait(60) == 1
        assert "cannot write offset file" in s.text() and "No such file or directory" in s.text()
        # An unknown database is not a pg_hba.conf problem: no pg_hba hint.
        cfg["database.dbname"] = f"nodb_{env.tag}"
        chk = env.cli("check", env.write(cfg, "nodb.json", name))
        refused = [l for l in chk.stdout.splitlines() if "replication connection refused" in l]
        assert refused and "does not exist" in refused[0] and "pg_hba" not in refused[0], chk.stdout
    finally:
        pg.execute(f"DROP TABLE public.{table}")


def test_sigterm_within_a_second_while_kafka_is_unreachable(env, pg):
    table = f"inventory_{env.tag}"
    pg.execute(f"CREATE TABLE public.{table} (id int PRIMARY KEY)")
    try:
        name, cfg = doc_connector(env, table, **{"slot.name": env.slot, "kafka.bootstrap.servers": "127.0.0.1:1"})
        s = env.run(env.write(cfg, "nokafka.json", name))
        wait_until(lambda: "kafka unavailable" in s.text(), 30, what="sluice to wait for Kafka")
        t0 = time.monotonic()
        rc = s.stop(timeout=30)
        took = time.monotonic() - t0
        print(f"SIGTERM while Kafka is unreachable: exit {rc} after {took:.2f} s")
        assert rc == 0 and took < 1.5, s.text()[-2000:]
    finally:
        pg.execute(f"DROP TABLE public.{table}")


@pytest.mark.timeout(600)
def test_kafka_recovery_is_logged_with_the_outage(env, pg):
    kafka = PrivateKafka().start()
    table = f"inventory_{env.tag}"
    pg.execute(f"CREATE TABLE public.{table} (id int PRIMARY KEY)")
    try:
        name, cfg = doc_connector(env, table, **{"slot.name": env.slot, "kafka.bootstrap.servers": kafka.bootstrap,
                                                 "offset.storage": "file",
                                                 "offset.storage.file.filename": env.tmp / "offsets.json"})
        s = env.run(env.write(cfg, "outage.json", name))
        s.wait_streaming()
        kafka.stop()
        pg.execute(f"INSERT INTO public.{table} SELECT generate_series(1, 100)")
        wait_until(lambda: "kafka unavailable" in s.text(), 60, what="the outage to be noticed")
        kafka.start()
        m = wait_until(lambda: re.search(r"kafka available again after (\d+\.\d) s unavailable", s.text()), 120,
                       what="the recovery line")
        print(f"logged: {m.group(0)}")
        assert float(m.group(1)) > 0
        values = read_topic(f"{env.prefix}f.public.{table}", until=100, bootstrap=kafka.bootstrap)
        assert sorted(v["after"]["id"] for v in values) == list(range(1, 101))
        assert s.stop() == 0
    finally:
        kafka.cleanup()
        pg.execute(f"DROP TABLE public.{table}")
