"""Fixtures for integration tests against the real Postgres and Kafka that scripts/services starts.

Environment (scripts/test exports it): SLUICE_PG_URL, SLUICE_KAFKA_BOOTSTRAP, SLUICE_BIN.
Every test gets its own table names, slot, publication and topic prefix, so tests never see each other's data.
"""
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the shared `support` package
from support.net import free_port, wait_until  # noqa: E402,F401 (re-exported to the test modules)

import psycopg
import pytest
from confluent_kafka import Consumer, TopicPartition

ROOT = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("SLUICE_PG_URL", "postgresql://postgres@127.0.0.1:25432/postgres")
KAFKA = os.environ.get("SLUICE_KAFKA_BOOTSTRAP", "127.0.0.1:29092")
SLUICE_BIN = os.environ.get("SLUICE_BIN", str(ROOT / "build" / "sluice"))


@pytest.fixture
def pg():
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        yield conn


@pytest.fixture
def names():
    """Unique names for one test: prefix, slot, publication, and a table-name suffix."""
    tag = uuid.uuid4().hex[:8]
    return {"tag": tag, "prefix": f"it{tag}", "slot": f"it_{tag}", "publication": f"it_pub_{tag}"}


class LoggedProcess:
    """A sluice subprocess whose output goes to self.log_path (open as self.log while it runs, self.proc)."""

    def log_text(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self, sig=signal.SIGTERM, timeout=60):
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.log.close()
        self.proc = None
        return rc


class Sluice(LoggedProcess):
    """One sluice process (`sluice run CONFIG`) with a config derived from the test's names."""

    instances = 0

    def __init__(self, tmp_path, names, **overrides):
        Sluice.instances += 1
        u = urlparse(PG_URL)
        self.config = {
            "connector.class": "io.debezium.connector.postgresql.PostgresConnector",
            "plugin.name": "pgoutput",
            "database.hostname": u.hostname,
            "database.port": str(u.port or 5432),
            "database.user": u.username or "postgres",
            "database.password": u.password or "",
            "database.dbname": (u.path or "/postgres").lstrip("/"),
            "topic.prefix": names["prefix"],
            "slot.name": names["slot"],
            "publication.name": names["publication"],
            "publication.autocreate.mode": "filtered",
            "status.update.interval.ms": "200",
            "kafka.bootstrap.servers": KAFKA,
        }
        self.config.update({k: str(v) for k, v in overrides.items()})
        self.path = tmp_path / f"sluice-{names['tag']}.json"
        self.log_path = tmp_path / f"sluice-{names['tag']}-{Sluice.instances}.log"
        self.proc = None

    def write(self):
        self.path.write_text(json.dumps({"name": "it-connector", "config": self.config}))

    def start(self):
        self.write()
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([SLUICE_BIN, "run", str(self.path)], stdout=self.log, stderr=subprocess.STDOUT)
        return self

    def wait_streaming(self, timeout=60):
        wait_until(lambda: "streaming from slot" in self.log_text() or self._died(), timeout, what="sluice to stream")
        assert self.proc.poll() is None, f"sluice exited early:\n{self.log_text()}"

    def _died(self):
        return self.proc.poll() is not None



@pytest.fixture
def sluice_factory(tmp_path, names, pg):
    started = []

    def make(**overrides):
        s = Sluice(tmp_path, names, **overrides)
        started.append(s)
        return s

    yield make
    for s in started:
        s.stop()
    with pg.cursor() as cur:
        cur.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
                    "WHERE slot_name LIKE %s AND NOT active", (names["slot"] + "%",))
        cur.execute(f'DROP PUBLICATION IF EXISTS "{names["publication"]}"')


class TopicReader:
    """Reads a topic from the beginning; keeps every message (key, value, headers) in order."""

    def __init__(self, topic):
        self.topic = topic
        self.messages = []
        self.consumer = Consumer({
            "bootstrap.servers": KAFKA,
            "group.id": f"it-{uuid.uuid4().hex[:8]}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "topic.metadata.refresh.interval.ms": 500,
        })
        self.consumer.subscribe([topic])

    def poll_until(self, count, timeout=60):
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            msg = self.consumer.poll(0.2)
            if msg is None or msg.error():
                continue
            self.messages.append(msg)
        assert len(self.messages) >= count, (
            f"expected {count} messages on {self.topic}, got {len(self.messages)}")
        return self.messages

    def drain(self, quiet=2.0):
        """Reads until nothing new arrives for `quiet` seconds."""
        last = time.monotonic()
        while time.monotonic() - last < quiet:
            msg = self.consumer.poll(0.2)
            if msg is None or msg.error():
                continue
            self.messages.append(msg)
            last = time.monotonic()
        return self.messages

    def close(self):
        self.consumer.close()


@pytest.fixture
def topic_reader():
    readers = []

    def make(topic):
        r = TopicReader(topic)
        readers.append(r)
        return r

    yield make
    for r in readers:
        r.close()


def value_of(msg):
    v = msg.value()
    return None if v is None else json.loads(v)


def key_of(msg):
    k = msg.key()
    return None if k is None else json.loads(k)


def payload(doc):
    """The payload of a JsonConverter document with or without schemas."""
    if isinstance(doc, dict) and set(doc.keys()) == {"schema", "payload"}:
        return doc["payload"]
    return doc


VOLATILE_SOURCE = ("ts_ms", "ts_us", "ts_ns", "txId", "lsn", "sequence", "version")
VOLATILE_TOP = ("ts_ms", "ts_us", "ts_ns")


def normalize(doc, tag):
    """Replaces clock- and WAL-dependent fields by placeholders and the test's unique tag by TAG."""
    text = json.dumps(doc)
    doc = json.loads(text.replace(tag, "TAG"))
    p = payload(doc)
    if isinstance(p, dict) and "source" in p:
        for k in VOLATILE_SOURCE:
            if p["source"].get(k) is not None:
                p["source"][k] = f"<{k}>"
        for k in VOLATILE_TOP:
            if p.get(k) is not None:
                p[k] = f"<{k}>"
    return doc


GOLDEN = ROOT / "tests" / "golden" / "integration"


def assert_golden(name, actual):
    """Compares with tests/golden/integration/<name>.json; SLUICE_UPDATE_GOLDEN=1 rewrites it."""
    path = GOLDEN / f"{name}.json"
    text = json.dumps(actual, indent=1, sort_keys=False) + "\n"
    if os.environ.get("SLUICE_UPDATE_GOLDEN") == "1" or not path.exists():
        if os.environ.get("SLUICE_UPDATE_GOLDEN") != "1":
            raise AssertionError(f"golden file {path} is missing; run with SLUICE_UPDATE_GOLDEN=1 to create it")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return
    expected = path.read_text()
    assert text == expected, f"event differs from {path}:\n--- expected\n{expected}\n--- actual\n{text}"
