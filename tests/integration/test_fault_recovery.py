"""Delivery under faults, each with a load running: the Kafka broker away for 30 s, Postgres restarted and the
walsender killed, servers not up at start-up, a bad configuration, and an exactly-once instance fenced by its
hot standby. Every test replays the topic and compares it with the table: no change may be missing;
duplicates (at-least-once) are reported. The brokers and Postgres clusters they stop are private ones
(tests/integration/private_servers.py), never the shared servers of scripts/services."""
import json
import os
import signal
import threading
import time
import uuid
from collections import Counter

import psycopg
import pytest
from confluent_kafka import Consumer

from conftest import KAFKA, PG_URL, payload, wait_until
from private_servers import PrivateKafka, PrivatePostgres

KAFKA_DOWN_SECONDS = float(os.environ.get("SLUICE_FAULT_KAFKA_DOWN_SECONDS", "30"))


class Load:
    """Inserts rows (ids 1, 2, …) in small transactions until stopped, riding out lost connections (the ids
    of a transaction whose commit failed may or may not be in the table: the table is the truth)."""

    def __init__(self, url, table, rows_per_tx=10, tx_per_second=50, pad=0):
        self.url, self.table, self.rows, self.pad = url, table, rows_per_tx, "x" * pad
        self.interval = 1.0 / tx_per_second
        self.next_id = 1
        self.errors = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def _run(self):
        conn = None
        while not self.stopping.is_set():
            try:
                if conn is None or conn.closed:
                    conn = psycopg.connect(self.url, autocommit=True, connect_timeout=5)
                ids = list(range(self.next_id, self.next_id + self.rows))
                self.next_id += self.rows
                with conn.transaction():
                    with conn.cursor() as cur:
                        cur.executemany(f"INSERT INTO {self.table} (id, pad) VALUES (%s, %s)",
                                        [(i, self.pad) for i in ids])
            except psycopg.OperationalError:
                self.errors += 1
                if conn is not None:
                    conn.close()
                conn = None
            self.stopping.wait(self.interval)  # pacing, not synchronisation
        if conn is not None:
            conn.close()

    def stop(self):
        self.stopping.set()
        self.thread.join(60)


def table_ids(url, table):
    with psycopg.connect(url, autocommit=True) as c:
        return {r[0] for r in c.execute(f"SELECT id FROM {table}")}


def read_creates(bootstrap, topic, expected, timeout=180, read_committed=False):
    """Reads the topic from the start until every expected id has its create event (or the timeout), then
    until nothing new arrives for 3 s. Returns id -> number of create events."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"fault-{uuid.uuid4().hex[:8]}",
                         "auto.offset.reset": "earliest", "enable.auto.commit": False,
                         "isolation.level": "read_committed" if read_committed else "read_uncommitted",
                         "topic.metadata.refresh.interval.ms": 500})
    consumer.subscribe([topic])
    counts = Counter()
    deadline = time.monotonic() + timeout
    last = time.monotonic()
    try:
        while time.monotonic() < deadline:
            m = consumer.poll(0.2)
            if m is not None and not m.error() and m.value() is not None:
                v = payload(json.loads(m.value()))
                if v["op"] == "c":
                    counts[v["after"]["id"]] += 1
                last = time.monotonic()
            elif expected <= counts.keys() and time.monotonic() - last > 3:
                break
    finally:
        consumer.close()
    return counts


def verdict(expected, counts):
    missing = sorted(expected - counts.keys())
    duplicates = sum(n - 1 for n in counts.values() if n > 1)
    return missing, duplicates


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def new_table(url, table):
    with psycopg.connect(url, autocommit=True) as c:
        c.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, pad text)")


def pg_overrides(pg):
    return {"database.hostname": "127.0.0.1", "database.port": pg.port, "database.password": pg.password or ""}


@pytest.fixture
def private_kafka():
    k = PrivateKafka()
    yield k
    k.cleanup()


@pytest.fixture
def private_pg():
    created = []

    def make(password=None):
        p = PrivatePostgres(password)
        created.append(p)
        return p

    yield make
    for p in created:
        p.cleanup()


@pytest.mark.timeout(600)
def test_kafka_broker_down_30s_backpressure_bounded_memory_nothing_lost(private_kafka, sluice_factory, names, pg):
    kafka = private_kafka.start()
    table = f"kdown_{names['tag']}"
    topic = f"{names['prefix']}.public.{table}"
    new_table(PG_URL, table)
    pad = 2000  # bytes per row: the outage's changes are many times the queue bound
    s = sluice_factory(**{"kafka.bootstrap.servers": kafka.bootstrap, "table.include.list": f"public.{table}",
                          "snapshot.mode": "no_data", "max.queue.size": 2000, "max.batch.size": 500,
                          "max.queue.size.in.bytes": 2 * 1024 * 1024,
                          "key.converter.schemas.enable": "false", "value.converter.schemas.enable": "false"}).start()
    s.wait_streaming()
    load = Load(PG_URL, table, rows_per_tx=10, tx_per_second=50, pad=pad).start()
    try:
        # Streaming under load, then the broker goes away.
        wait_until(lambda: load.next_id > 2000, 60, what="load")
        with pg.cursor() as cur:
            wait_until(lambda: cur.execute("SELECT confirmed_flush_lsn IS NOT NULL AND confirmed_flush_lsn > "
                                           "'0/0' FROM pg_replication_slots WHERE slot_name = %s",
                                           (names["slot"],)).fetchone()[0], 60, what="a confirmed LSN")
        rss_before = rss_kb(s.proc.pid)
        ids_before = load.next_id
        kafka.stop()
        down_at = time.monotonic()
        rss_max = rss_before
        while time.monotonic() - down_at < KAFKA_DOWN_SECONDS:
            assert s.proc.poll() is None, f"sluice exited while Kafka was down:\n{s.log_text()[-3000:]}"
            rss_max = max(rss_max, rss_kb(s.proc.pid))
            time.sleep(0.5)  # sampling RSS during the outage
        ids_during = load.next_id - ids_before
        with pg.cursor() as cur:
            lag = cur.execute("SELECT pg_current_wal_lsn() - sent_lsn FROM pg_stat_replication WHERE "
                              "application_name = %s", (f"sluice-{names['slot']}",)).fetchone()
        kafka.start()
        wait_until(lambda: "resumed" in s.log_text(), 120, what="sluice to resume after the broker came back")
    finally:
        load.stop()
    expected = table_ids(PG_URL, table)
    counts = read_creates(kafka.bootstrap, topic, expected)
    missing, duplicates = verdict(expected, counts)
    log = s.log_text()
    print(f"kafka down {KAFKA_DOWN_SECONDS:.0f} s: rows={len(expected)} written during the outage={ids_during} "
          f"(~{ids_during * pad / 1e6:.0f} MB) walsender lag at the end of the outage={lag[0] if lag else '?'} "
          f"bytes; sluice RSS before={rss_before} kB max during the outage={rss_max} kB; "
          f"missing={len(missing)} duplicates={duplicates}")
    assert s.proc.poll() is None, "sluice must keep running"
    assert not missing, f"{len(missing)} changes missing, e.g. {missing[:10]}"
    assert "kafka unavailable" in log, "the broker's absence is logged"
    assert "queue full" in log, "backpressure: reading from Postgres paused while the queue was full"
    # The changes made during the outage (tens of MB) stayed in Postgres, not in sluice.
    assert ids_during * pad > 8 * (2 * 1024 * 1024)
    assert rss_max - rss_before < 24 * 1024, f"RSS grew from {rss_before} kB to {rss_max} kB"


@pytest.mark.timeout(300)
def test_postgres_restart_and_walsender_kill_resume_without_loss(private_pg, sluice_factory, names, topic_reader):
    pgp = private_pg(password="s3cret").start()
    table = f"pgrestart_{names['tag']}"
    topic = f"{names['prefix']}.public.{table}"
    new_table(pgp.url(), table)
    s = sluice_factory(**pg_overrides(pgp), **{"table.include.list": f"public.{table}", "snapshot.mode": "no_data",
                                               "errors.retry.delay.initial.ms": 200,
                                               "errors.retry.delay.max.ms": 2000}).start()
    s.wait_streaming()
    load = Load(pgp.url(), table).start()
    streams = lambda: s.log_text().count("streaming from slot")  # noqa: E731
    try:
        wait_until(lambda: load.next_id > 500, 60, what="load")
        pgp.restart()
        wait_until(lambda: streams() >= 2, 120, what="sluice to stream again after the Postgres restart")
        wait_until(lambda: load.next_id > 1500, 60, what="load after the restart")
        with pgp.connect() as c:
            killed = c.execute("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots "
                               "WHERE slot_name = %s AND active", (names["slot"],)).fetchone()
        assert killed and killed[0], "the walsender was terminated"
        wait_until(lambda: streams() >= 3, 120, what="sluice to stream again after pg_terminate_backend")
        wait_until(lambda: load.next_id > 2500, 60, what="load after the walsender kill")
    finally:
        load.stop()
    expected = table_ids(pgp.url(), table)
    counts = read_creates(KAFKA, topic, expected)
    missing, duplicates = verdict(expected, counts)
    log = s.log_text()
    retries = [line for line in log.splitlines() if "— retry " in line]
    print(f"postgres restart + walsender kill: rows={len(expected)} load errors={load.errors} "
          f"missing={len(missing)} duplicates={duplicates}; retries logged:\n" + "\n".join(retries))
    assert s.proc.poll() is None
    assert not missing, f"{len(missing)} changes missing, e.g. {missing[:10]}"
    assert retries, "each retry is logged with its attempt, delay and error"
    assert any("retry 1 of unlimited in 200 ms" in line for line in retries)
    assert log.count("resuming from existing slot") >= 2


@pytest.mark.timeout(300)
def test_servers_not_up_at_start_sluice_retries_then_streams(private_pg, private_kafka, sluice_factory, names):
    pgp = private_pg()
    kafka = private_kafka
    table = f"late_{names['tag']}"
    s = sluice_factory(**pg_overrides(pgp), **{"kafka.bootstrap.servers": kafka.bootstrap,
                                               "table.include.list": f"public.{table}", "snapshot.mode": "no_data",
                                               "errors.retry.delay.max.ms": 1000}).start()
    # Postgres is not up: connection refused, retried with backoff.
    wait_until(lambda: s.log_text().count("— retry ") >= 2 or s.proc.poll() is not None, 60,
               what="retries while Postgres is down")
    assert s.proc.poll() is None, s.log_text()
    assert "Connection refused" in s.log_text()
    pgp.start()
    new_table(pgp.url(), table)
    pg_up = len(s.log_text())
    # Postgres up, Kafka not: sluice gets as far as the offsets topic and waits there (retrying).
    wait_until(lambda: "tables captured" in s.log_text()[pg_up:] or s.proc.poll() is not None, 120,
               what="sluice to reach Postgres")
    assert s.proc.poll() is None, s.log_text()
    kafka.start()
    s.wait_streaming(timeout=120)
    with pgp.connect() as c:
        c.execute(f"INSERT INTO {table} (id) SELECT generate_series(1, 100)")
    expected = set(range(1, 101))
    counts = read_creates(kafka.bootstrap, f"{names['prefix']}.public.{table}", expected)
    missing, duplicates = verdict(expected, counts)
    print(f"late servers: retries logged={s.log_text().count('— retry ')} missing={len(missing)} "
          f"duplicates={duplicates}")
    assert not missing


@pytest.mark.timeout(120)
@pytest.mark.parametrize("bad", ["password", "database"])
def test_bad_connection_config_fails_fast(private_pg, sluice_factory, names, bad):
    pgp = private_pg(password="s3cret").start()
    overrides = pg_overrides(pgp)
    if bad == "password":
        overrides["database.password"] = "wrong"
    else:
        overrides["database.dbname"] = "no_such_db"
    s = sluice_factory(**overrides).start()
    rc = s.proc.wait(60)  # fails at once instead of retrying forever
    log = s.log_text()
    assert rc == 1, log
    assert "— retry " not in log
    expected = ("password authentication failed for user \"postgres\"" if bad == "password"
                else "database \"no_such_db\" does not exist")
    assert expected in log, log


@pytest.mark.timeout(120)
def test_errors_max_retries_gives_up(private_pg, sluice_factory, names):
    pgp = private_pg()  # never started: connection refused
    s = sluice_factory(**pg_overrides(pgp), **{"errors.max.retries": 2, "errors.retry.delay.initial.ms": 50}).start()
    rc = s.proc.wait(60)
    log = s.log_text()
    assert rc == 1, log
    assert "retry 2 of 2 in 100 ms" in log
    assert "giving up after 2 retries (errors.max.retries=2)" in log


@pytest.mark.timeout(300)
def test_fenced_exactly_once_instance_returns_to_hot_standby(sluice_factory, names, pg):
    table = f"fence_{names['tag']}"
    topic = f"{names['prefix']}.public.{table}"
    new_table(PG_URL, table)
    common = {"table.include.list": f"public.{table}", "snapshot.mode": "no_data", "exactly.once.support": "required",
              "key.converter.schemas.enable": "false", "value.converter.schemas.enable": "false"}
    # a reconnects slowly, so its standby b takes the slot (and fences a's producer) first.
    a = sluice_factory(**common, **{"errors.retry.delay.initial.ms": 4000}).start()
    a.wait_streaming()
    b = sluice_factory(**common).start()
    wait_until(lambda: "waiting as a hot standby" in b.log_text(), 60, what="b to wait as a hot standby")
    load = Load(PG_URL, table).start()
    try:
        wait_until(lambda: load.next_id > 300, 60, what="load")
        with pg.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = %s",
                        (names["slot"],))
        wait_until(lambda: "streaming from slot" in b.log_text(), 60, what="b to take over")
        taken_over_at = load.next_id
        wait_until(lambda: "returning to hot standby" in a.log_text() or
                   a.log_text().count("waiting as a hot standby") >= 1, 60, what="a to become the standby")
        assert a.proc.poll() is None, f"the fenced instance must not exit:\n{a.log_text()[-3000:]}"
        wait_until(lambda: load.next_id > taken_over_at + 500, 60, what="load while b streams")
        wait_until(lambda: "waiting as a hot standby" in a.log_text(), 60, what="a to wait for the slot")
        b.stop(signal.SIGKILL)
        wait_until(lambda: a.log_text().count("streaming from slot") >= 2, 60, what="a to take over again")
        resumed_at = load.next_id
        wait_until(lambda: load.next_id > resumed_at + 500, 60, what="load while a streams again")
    finally:
        load.stop()
    expected = table_ids(PG_URL, table)
    counts = read_creates(KAFKA, topic, expected, read_committed=True)
    missing, duplicates = verdict(expected, counts)
    print(f"fenced exactly-once instance: rows={len(expected)} missing={len(missing)} duplicates={duplicates}")
    assert a.proc.poll() is None
    assert not missing, f"{len(missing)} changes missing, e.g. {missing[:10]}"
    assert duplicates == 0
