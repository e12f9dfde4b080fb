"""Monitoring: GET /metrics, /health, /ready and the status page, on `sluice connect` and on `sluice run`
(metrics.listeners), against the real Postgres and Kafka (and a private broker that is stopped on purpose)."""
import json
import re
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid

import psycopg
import pytest

from conftest import PG_URL, ROOT, wait_until
from private_servers import PrivateKafka
from test_worker import connector_config, free_port, worker_factory  # noqa: F401 (the fixture)

EXAMPLES = ROOT / "examples" / "monitoring"


def get(url, accept=None):
    req = urllib.request.Request(url)
    if accept:
        req.add_header("Accept", accept)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.read().decode(), dict(resp.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(), dict(e.headers)


def scrape(base):
    status, text, headers = get(base + "/metrics")
    assert status == 200, text
    assert headers["Content-Type"].startswith("text/plain; version=0.0.4"), headers
    return text


SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def samples(text):
    """[(name, {labels}, value)] of a Prometheus text exposition."""
    out = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        assert m, f"not a Prometheus sample line: {line!r}"
        out.append((m.group(1), dict(LABEL.findall(m.group(2) or "")), float(m.group(3))))
    return out


def value(text, name, **labels):
    """The sum of the samples of `name` whose labels include `labels`; None when there is none."""
    found = [v for n, l, v in samples(text) if n == name and all(l.get(k) == str(x) for k, x in labels.items())]
    return sum(found) if found else None


class Load:
    """Inserts rows in small transactions from a thread until stopped."""

    def __init__(self, table, rows_per_tx=5, pad=0):
        self.table, self.rows_per_tx, self.pad = table, rows_per_tx, pad
        self.next_id, self.transactions = 1, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        with psycopg.connect(PG_URL, autocommit=True) as c:
            while not self._stop.is_set():
                with c.transaction():
                    for _ in range(self.rows_per_tx):
                        c.execute(f"INSERT INTO {self.table} (id, pad) VALUES (%s, repeat('x', %s))",
                                  (self.next_id, self.pad))
                        self.next_id += 1
                self.transactions += 1
                self._stop.wait(0.01)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        self._thread.join(30)


def metric_names_used(text):
    return set(re.findall(r"\bsluice_[a-z_]+", text))


def exposed_families(text):
    """Metric family names of an exposition (from its # TYPE lines), histograms also as _bucket/_sum/_count."""
    names = set()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split()
            names.add(name)
            if kind == "histogram":
                names.update({name + "_bucket", name + "_sum", name + "_count"})
    return names


@pytest.fixture
def table(pg):
    name = f"mon_{uuid.uuid4().hex[:8]}"
    pg.execute(f"CREATE TABLE {name} (id int PRIMARY KEY, pad text)")
    pg.execute(f"INSERT INTO {name} (id, pad) SELECT -g, 'snap' FROM generate_series(1, 50) g")
    yield name
    pg.execute(f"DROP TABLE IF EXISTS {name}")


def test_worker_metrics_move_under_load_and_ready_turns_503(worker_factory, pg, table):  # noqa: F811
    w = worker_factory().start()
    assert get(w.url + "/health")[0] == 200
    assert json.loads(get(w.url + "/health")[1])["status"] == "UP"
    # No connector yet: ready, and every family is listed (with HELP) even without samples.
    status, body, _ = get(w.url + "/ready")
    assert status == 200 and json.loads(body)["status"] == "UP"
    empty = scrape(w.url)
    assert "# HELP sluice_slot_retained_wal_bytes " in empty

    name = f"mon-{w.tag}"
    cfg = connector_config(w.tag, 1, table, **{"metrics.slot.poll.interval.ms": 200})
    assert w.request("POST", "/connectors", {"name": name, "config": cfg})[0] == 201
    w.wait_task_state(name, "RUNNING")
    # The snapshot's 50 rows: completed, rows scanned per table.
    def streaming():
        t = scrape(w.url)
        done = (value(t, "sluice_snapshot_completed", connector=name) == 1
                and value(t, "sluice_streaming_connected", connector=name) == 1)
        return t if done else None
    text = wait_until(streaming, 60, interval=0.2, what="the snapshot to complete and streaming to start")
    assert value(text, "sluice_snapshot_rows_scanned", connector=name, table=f"public.{table}") == 50
    assert value(text, "sluice_snapshot_remaining_tables", connector=name) == 0
    assert value(text, "sluice_snapshot_aborted", connector=name) == 0
    assert value(text, "sluice_streaming_events_seen_total", connector=name, op="r") == 50
    assert value(text, "sluice_connector_state", connector=name, state="RUNNING") == 1
    assert get(w.url + "/ready")[0] == 200

    before = text
    load = Load(table).start()
    try:
        def moved():
            t = scrape(w.url)
            ok = (value(t, "sluice_streaming_events_seen_total", connector=name, op="c") >= 200
                  and value(t, "sluice_streaming_committed_transactions_total", connector=name) >= 40
                  and value(t, "sluice_latency_seconds_count", connector=name, stage="commit_to_acked") >= 200)
            return t if ok else None
        during = wait_until(moved, 90, interval=0.5, what="event counters, transactions and latency to move")
    finally:
        load.stop()
    for metric, labels in [("sluice_streaming_events_seen_total", {"op": "c"}),
                           ("sluice_streaming_committed_transactions_total", {}),
                           ("sluice_latency_seconds_count", {"stage": "commit_to_acked"}),
                           ("sluice_latency_seconds_sum", {"stage": "commit_to_acked"}),
                           ("sluice_latency_seconds_count", {"stage": "produced_to_acked"})]:
        assert value(during, metric, connector=name, **labels) > (value(before, metric, connector=name, **labels) or 0), metric
    # The histogram is cumulative and ends with +Inf = _count.
    buckets = [(l["le"], v) for n, l, v in samples(during)
               if n == "sluice_latency_seconds_bucket" and l.get("connector") == name and l["stage"] == "commit_to_acked"]
    assert buckets[-1][0] == "+Inf"
    assert [v for _, v in buckets] == sorted(v for _, v in buckets)
    assert buckets[-1][1] == value(during, "sluice_latency_seconds_count", connector=name, stage="commit_to_acked")
    assert value(during, "sluice_streaming_milliseconds_behind_source", connector=name) >= 0
    assert value(during, "sluice_streaming_milliseconds_since_last_event", connector=name) >= 0
    assert value(during, "sluice_queue_total_capacity", connector=name) == 8192
    # The slot monitor's reading (its own connection, every 200 ms here).
    assert value(during, "sluice_slot_retained_wal_bytes", connector=name) >= 0
    assert value(during, "sluice_slot_lag_bytes", connector=name) >= 0
    assert value(during, "sluice_slot_active", connector=name) == 1
    assert value(during, "sluice_source_wal_position_bytes", connector=name) > 0

    # The dashboard and the alert rules use only metrics /metrics serves.
    families = exposed_families(during)
    for path in [EXAMPLES / "grafana-dashboard.json", EXAMPLES / "alerts.yml"]:
        used = metric_names_used(path.read_text())
        assert used, path
        assert used <= families, f"{path.name} uses metrics that /metrics does not serve: {sorted(used - families)}"
    json.loads((EXAMPLES / "grafana-dashboard.json").read_text())

    # A second connector that fails (its slot exists but it has no offsets: sluice refuses to take it over):
    # /ready answers 503 naming it, and its state is FAILED in /metrics.
    slot = f"w_{w.tag}_taken"
    pg.execute("SELECT pg_create_logical_replication_slot(%s, 'pgoutput')", (slot,))
    try:
        bad = f"mon-bad-{w.tag}"
        bad_cfg = connector_config(w.tag, 2, table, **{"slot.name": slot, "metrics.slot.poll.interval.ms": 200})
        assert w.request("POST", "/connectors", {"name": bad, "config": bad_cfg})[0] == 201
        w.wait_task_state(bad, "FAILED")
        status, body, _ = get(w.url + "/ready")
        assert status == 503, body
        ready = json.loads(body)
        assert ready["status"] == "DOWN"
        checks = {c["name"]: c for c in ready["checks"]}
        assert checks[name]["status"] == "UP"
        assert checks[bad]["status"] == "DOWN"
        assert "has no offsets" in checks[bad]["data"]["reason"], checks[bad]
        text = scrape(w.url)
        assert value(text, "sluice_connector_state", connector=bad, state="FAILED") == 1
        assert value(text, "sluice_connector_state", connector=name, state="RUNNING") == 1
        # A failed connector's slot still holds WAL: it is still read (and its lag grows with the writes).
        failed_at = value(text, "sluice_slot_polled_timestamp_seconds", connector=bad)
        lag_at = value(text, "sluice_slot_lag_bytes", connector=bad)
        pg.execute(f"INSERT INTO {table} SELECT g, repeat('z', 500) FROM generate_series(100000, 100999) g")
        wait_until(lambda: (t := scrape(w.url)) and value(t, "sluice_slot_polled_timestamp_seconds", connector=bad)
                   > failed_at and value(t, "sluice_slot_lag_bytes", connector=bad) > lag_at + 100000, 30,
                   interval=0.2, what="the failed connector's slot to be read on")
        assert w.request("DELETE", f"/connectors/{bad}")[0] == 204
        wait_until(lambda: get(w.url + "/ready")[0] == 200, 30, what="/ready once the failed connector is gone")
    finally:
        pg.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = %s "
                   "AND NOT active", (slot,))


@pytest.fixture
def private_kafka():
    k = PrivateKafka()
    yield k
    k.cleanup()


def test_run_listener_slot_lag_grows_while_kafka_is_down(private_kafka, sluice_factory, names, pg):
    kafka = private_kafka.start()
    table = f"mlag_{names['tag']}"
    pg.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, pad text)")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    s = sluice_factory(**{"kafka.bootstrap.servers": kafka.bootstrap, "table.include.list": f"public.{table}",
                          "snapshot.mode": "no_data", "metrics.listeners": base,
                          "metrics.slot.poll.interval.ms": 200}).start()
    try:
        s.wait_streaming()
        assert get(base + "/health")[0] == 200
        wait_until(lambda: get(base + "/ready")[0] == 200, 30, what="sluice run's /ready")
        assert get(base + "/connectors")[0] == 404  # no REST API on `sluice run`

        def lag():
            return value(scrape(base), "sluice_slot_lag_bytes", connector="it-connector")

        with psycopg.connect(PG_URL, autocommit=True) as c:
            c.execute(f"INSERT INTO {table} SELECT g, 'x' FROM generate_series(1, 100) g")
        # Everything acknowledged: the slot follows the server (keepalives move it past other databases' WAL).
        wait_until(lambda: (v := lag()) is not None and v < 1024 * 1024, 60, interval=0.2, what="a small slot lag")
        kafka.stop()
        # ~8 MB of WAL that cannot reach Kafka: the slot's confirmed position stays where it was.
        with psycopg.connect(PG_URL, autocommit=True) as c:
            for i in range(8):
                c.execute(f"INSERT INTO {table} SELECT g, repeat('y', 1000) FROM generate_series({1000 + i * 1000}, "
                          f"{1999 + i * 1000}) g")
        grown = wait_until(lambda: (v := lag()) is not None and v > 4 * 1024 * 1024 and v, 60, interval=0.2,
                           what="the slot lag to grow while Kafka is down")
        text = scrape(base)
        assert value(text, "sluice_slot_retained_wal_bytes", connector="it-connector") >= grown
        kafka.start()
        fell = wait_until(lambda: (v := lag()) is not None and v < 1024 * 1024 and (v,), 120, interval=0.2,
                          what="the slot lag to fall after Kafka is back")
        print(f"slot lag: {grown} bytes while Kafka was down, {fell[0]} after it came back")
        assert value(scrape(base), "sluice_streaming_events_seen_total", connector="it-connector", op="c") >= 8100
    finally:
        s.stop()
        pg.execute(f"DROP TABLE IF EXISTS {table}")


def test_run_serves_nothing_without_metrics_listeners(sluice_factory, names, pg):
    table = f"mnone_{names['tag']}"
    pg.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, pad text)")
    try:
        s = sluice_factory(**{"table.include.list": f"public.{table}", "snapshot.mode": "no_data"}).start()
        s.wait_streaming()
        assert "listening on" not in s.log_text()
    finally:
        pg.execute(f"DROP TABLE IF EXISTS {table}")


def test_run_rejects_a_bad_metrics_listener(sluice_factory):
    s = sluice_factory(**{"metrics.listeners": "ftp://127.0.0.1:1"}).start()
    assert s.proc.wait(30) == 2
    assert "metrics.listeners" in s.log_text() and "ftp://127.0.0.1:1" in s.log_text()
    s2 = sluice_factory(**{"metrics.listeners": "http://127.0.0.1:notaport"}).start()
    assert s2.proc.wait(30) == 2
    assert "metrics.listeners" in s2.log_text()


def test_status_page_in_chromium(worker_factory, pg, table, tmp_path):  # noqa: F811
    chromium = shutil.which("chromium")
    node_modules = ROOT / ".cache" / "browser-test" / "node_modules"
    if chromium is None:
        pytest.skip("Debian's chromium is not installed (scripts/deps installs it)")
    assert (node_modules / "playwright-core").is_dir(), "run scripts/deps --browser (playwright-core)"
    w = worker_factory().start()
    name = f"page-{w.tag}"
    cfg = connector_config(w.tag, 1, table, **{"metrics.slot.poll.interval.ms": 500})
    assert w.request("POST", "/connectors", {"name": name, "config": cfg})[0] == 201
    w.wait_task_state(name, "RUNNING")
    status, html, headers = get(w.url + "/", accept="text/html")
    assert status == 200 and headers["Content-Type"].startswith("text/html"), headers
    # 49 more connectors, STOPPED (no slot, no task): the page lists all 50, and the filter finds one.
    for i in range(49):
        bulk = connector_config(w.tag, 100 + i, table)
        assert w.request("POST", "/connectors", {"name": f"bulk-{i:02d}-{w.tag}", "config": bulk,
                                                  "initial_state": "STOPPED"})[0] == 201
    st = w.status(f"bulk-00-{w.tag}")
    assert st["connector"]["state"] == "STOPPED" and st["tasks"] == [], st
    load = Load(table, rows_per_tx=2).start()
    screenshot = tmp_path / "status-page.png"
    try:
        proc = subprocess.run(["node", str(ROOT / "tests" / "integration" / "browser" / "status_page.js"),
                               w.url + "/", name, str(screenshot), chromium, "50", f"bulk-07-{w.tag}"],
                              capture_output=True, text=True, timeout=240,
                              env={"NODE_PATH": str(node_modules), "PATH": "/usr/bin:/bin"})
    finally:
        load.stop()
    lines = proc.stdout.strip().splitlines()
    seen = json.loads(lines[-1]) if lines else {}
    if proc.returncode == 3:
        pytest.skip(f"chromium cannot start here: {seen.get('launch_error')}")
    assert proc.returncode == 0, f"{seen}\n{proc.stderr[-3000:]}"
    assert seen["name"] == name
    assert seen["state"] == "RUNNING"
    assert seen["events_later"] > seen["events_first"]
    assert seen["state_after_pause"] == "PAUSED"
    assert seen["rows"] == 50
    assert seen["filtered"] == f"bulk-07-{w.tag}"
    assert screenshot.stat().st_size > 1000
    # The button called the REST API: the worker paused the connector.
    w.wait_task_state(name, "PAUSED")
    print(f"status page: {seen}")
