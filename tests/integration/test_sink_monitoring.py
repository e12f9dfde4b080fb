"""Monitoring of the Postgres sink: `sluice sink` with metrics.listeners (/metrics, /health, /ready) and the sink
connectors of a worker in its /metrics, against the real Postgres and Kafka. The counters match the rows
applied, the consumer lag grows while the target holds a lock the sink waits for and falls back to 0 after, and
no clear value of a masked source column appears in what the listener serves."""
import json
import shutil
import subprocess
import uuid

import psycopg
import pytest

from conftest import ROOT, SLUICE_BIN, wait_until
from test_monitoring import get, samples, scrape, value
from test_pg_sink import Proc, db_url, dbs, procs, sink_config, source_config  # noqa: F401 (fixtures)
from test_worker import connector_config, free_port, worker_factory  # noqa: F401 (the fixture)
from test_worker_sink import target  # noqa: F401 (the fixture)
from test_worker_sink import sink_config as worker_sink_config


def lag(text, connector):
    """The sink's total consumer lag (None while no partition's lag is known)."""
    return value(text, "sluice_sink_consumer_lag", connector=connector)


def scrape_when(base, predicate):
    """/metrics of `base` when `predicate` holds for it, else None (for wait_until)."""
    text = scrape(base)
    return text if predicate(text) else None


def applied(text, connector, op=None):
    labels = {"connector": connector} if op is None else {"connector": connector, "op": op}
    return value(text, "sluice_sink_records_applied_total", **labels)


def test_sink_metrics_listener_counts_rows_and_lag(dbs, names, tmp_path, procs):  # noqa: F811
    src, dst = dbs
    secret = f"topsecret-{uuid.uuid4().hex}"
    with psycopg.connect(db_url(src), autocommit=True) as s:
        s.execute("CREATE TABLE items (id int PRIMARY KEY, v text, secret text)")
    source = Proc(tmp_path, "run", "source",
                  source_config(names, src, **{"table.include.list": r"public\.items",
                                               "column.mask.with.12.chars": r"public[.]items[.]secret"}))
    procs.append(source.start())
    wait_until(lambda: "streaming from slot" in source.log_text(), 120, what="the source to stream")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    sink = Proc(tmp_path, "sink", "mon-sink",
                sink_config(names, dst, **{"batch.size": "50", "metrics.listeners": base}))
    procs.append(sink.start())
    wait_until(lambda: _listening(base) or sink.proc.poll() is not None, 60, what="the sink's listener")
    assert sink.proc.poll() is None, sink.log_text()

    with psycopg.connect(db_url(src), autocommit=True) as s, psycopg.connect(db_url(dst), autocommit=True) as d:
        s.execute("INSERT INTO items SELECT g, 'v' || g, %s FROM generate_series(1, 200) g", (secret,))
        s.execute("UPDATE items SET v = 'updated' WHERE id <= 20")
        for i in range(181, 191):
            s.execute("DELETE FROM items WHERE id = %s", (i,))

        def caught_up():
            text = scrape(base)
            return text if (applied(text, "mon-sink", "delete") == 10 and lag(text, "mon-sink") == 0) else None
        text = wait_until(caught_up, 120, interval=0.5, what="the sink to apply every record")
        assert d.execute("SELECT count(*) FROM public.items").fetchone()[0] == 190
        assert d.execute("SELECT count(*) FROM public.items WHERE secret = %s", (secret,)).fetchone()[0] == 0
        # 200 inserts and 20 updates (upserts), 10 deletes, each followed by its tombstone (nothing to apply).
        assert applied(text, "mon-sink", "upsert") == 220, text
        assert applied(text, "mon-sink", "insert") == 0
        assert applied(text, "mon-sink", "truncate") == 0
        assert value(text, "sluice_sink_records_ignored_total", connector="mon-sink") == 10
        assert value(text, "sluice_sink_records_read_total", connector="mon-sink") == 240
        assert value(text, "sluice_sink_records_skipped_total", connector="mon-sink") == 0
        committed = value(text, "sluice_sink_transactions_committed_total", connector="mon-sink")
        assert committed >= 240 / 50
        assert value(text, "sluice_sink_batch_apply_seconds_count", connector="mon-sink") == committed
        assert value(text, "sluice_sink_batch_apply_seconds_bucket", connector="mon-sink", le="+Inf") == committed
        assert value(text, "sluice_sink_consuming", connector="mon-sink") == 1
        assert value(text, "sluice_sink_target_connected", connector="mon-sink") == 1
        assert value(text, "sluice_sink_assigned_partitions", connector="mon-sink") >= 1
        assert value(text, "sluice_connector_state", connector="mon-sink", state="RUNNING") == 1
        parts = [(l["topic"], l["partition"], v) for n, l, v in samples(text)
                 if n == "sluice_sink_high_watermark_offset" and l["connector"] == "mon-sink"]
        assert sum(v for _, _, v in parts) == 240, parts
        last = {(l["topic"], l["partition"]): v for n, l, v in samples(text)
                if n == "sluice_sink_last_applied_offset" and l["connector"] == "mon-sink"}
        assert {k: v + 1 for k, v in last.items()} == {(t, p): v for t, p, v in parts}
        st, body, _ = get(base + "/ready")
        assert st == 200, body

        # The target holds a lock on the table: the sink waits in its batch while the topic grows.
        with psycopg.connect(db_url(dst)) as blocker:
            blocker.execute("LOCK TABLE public.items IN ACCESS EXCLUSIVE MODE")
            s.execute("INSERT INTO items SELECT g, 'late', %s FROM generate_series(1001, 1060) g", (secret,))
            first = wait_until(lambda: lag(scrape(base), "mon-sink") or None, 60, interval=0.2,
                               what="the lag to grow")
            s.execute("INSERT INTO items SELECT g, 'later', %s FROM generate_series(1061, 1100) g", (secret,))
            wait_until(lambda: lag(scrape(base), "mon-sink") >= 100, 60, interval=0.2, what="the lag to reach 100")
            assert first <= 100
            blocked = scrape(base)
            assert applied(blocked, "mon-sink", "upsert") == 220  # nothing committed meanwhile
            blocker.rollback()
        text = wait_until(lambda: scrape_when(base, lambda t: lag(t, "mon-sink") == 0), 60, interval=0.2,
                          what="the lag to fall back to 0")
        assert applied(text, "mon-sink", "upsert") == 320
        assert d.execute("SELECT count(*) FROM public.items").fetchone()[0] == 290

    # A masked source column's clear value appears nowhere the listener serves.
    for path in ("/metrics", "/health", "/ready"):
        st, body, _ = get(base + path)
        assert st == 200, (path, body)
        assert secret not in body, path
    assert secret not in sink.log_text()
    assert sink.stop() == 0


def _listening(base):
    try:
        return get(base + "/health")[0] == 200
    except OSError:
        return False


def test_sink_listener_is_not_ready_without_its_target(dbs, names, tmp_path, procs):  # noqa: F811
    """/ready answers 503 naming the target while the sink cannot reach it; /health stays 200."""
    src, dst = dbs
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cfg = sink_config(names, dst, **{"metrics.listeners": base})
    cfg["connection.url"] = f"jdbc:postgresql://127.0.0.1:{free_port()}/{dst}"  # nothing listens there
    sink = Proc(tmp_path, "sink", "unready-sink", cfg)
    procs.append(sink.start())
    wait_until(lambda: _listening(base) or sink.proc.poll() is not None, 60, what="the sink's listener")
    st, body, _ = get(base + "/ready")
    assert st == 503, body
    assert "target Postgres" in body, body
    text = scrape(base)
    assert value(text, "sluice_sink_target_connected", connector="unready-sink") == 0
    assert value(text, "sluice_sink_consuming", connector="unready-sink") == 0
    assert get(base + "/health")[0] == 200
    assert sink.stop() == 0


def test_sluice_sink_rejects_a_bad_metrics_listener(dbs, names, tmp_path):  # noqa: F811
    src, dst = dbs
    sink = Proc(tmp_path, "sink", "bad-listener", sink_config(names, dst, **{"metrics.listeners": "localhost:1"}))
    r = subprocess.run([SLUICE_BIN, "sink", str(sink.path)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert "metrics.listeners" in r.stderr and "localhost:1" in r.stderr, r.stderr


def test_worker_metrics_show_its_sink_connectors(target, worker_factory, pg):  # noqa: F811
    """A worker's /metrics has its JDBC sink beside its source (state, counters, lag); `sluice connectors list`
    names their types; pausing the sink shows PAUSED and no consumer."""
    db, url = target
    w = worker_factory().start()
    tag = w.tag
    table = f"wsm_{tag}"
    pg.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, v text)")
    try:
        st, body, _ = w.request("POST", "/connectors",
                                {"name": f"src-{tag}", "config": connector_config(tag, 1, table)})
        assert st == 201, body
        w.wait_task_state(f"src-{tag}", "RUNNING")
        topic = f"w{tag}1.public.{table}"
        sink = f"sink-{tag}"
        st, body, _ = w.request("PUT", f"/connectors/{sink}/config", worker_sink_config(topic, db))
        assert st == 201, body
        w.wait_task_state(sink, "RUNNING")
        pg.execute(f"INSERT INTO {table} SELECT g, 'v' FROM generate_series(1, 75) g")

        def caught_up():
            text = scrape(w.url)
            return text if applied(text, sink, "upsert") == 75 and lag(text, sink) == 0 else None
        text = wait_until(caught_up, 120, interval=0.5, what="the worker's sink to apply every row")
        assert value(text, "sluice_connector_state", connector=sink, state="RUNNING") == 1
        assert value(text, "sluice_connector_state", connector=f"src-{tag}", state="RUNNING") == 1
        assert value(text, "sluice_sink_records_read_total", connector=sink) == 75
        assert value(text, "sluice_sink_consuming", connector=sink) == 1
        assert value(text, "sluice_streaming_events_seen_total", connector=sink) is None  # a sink, not a source
        assert value(text, "sluice_sink_records_read_total", connector=f"src-{tag}") is None

        r = subprocess.run([SLUICE_BIN, "connectors", "list", "--url", w.url], capture_output=True, text=True,
                           timeout=60)
        assert r.returncode == 0, r.stderr
        listed = {line.split("\t")[0]: line.split("\t")[1:] for line in r.stdout.splitlines()}
        assert listed[sink] == ["sink", "RUNNING", "RUNNING"], r.stdout
        assert listed[f"src-{tag}"] == ["source", "RUNNING", "RUNNING"], r.stdout

        st, body, _ = w.request("PUT", f"/connectors/{sink}/pause")
        assert st == 202, body
        w.wait_task_state(sink, "PAUSED")
        text = wait_until(lambda: scrape_when(w.url, lambda t: value(t, "sluice_sink_consuming", connector=sink) == 0),
                          60, interval=0.2, what="the paused sink's consumer to close")
        assert value(text, "sluice_connector_state", connector=sink, state="PAUSED") == 1
        assert value(text, "sluice_sink_records_read_total", connector=sink) == 75  # kept across the pause
        # The status page is served beside them (its rows come from /connectors and /metrics).
        st, page, _ = get(w.url + "/ui")
        assert st == 200 and "sluice_sink_consumer_lag" in page
    finally:
        for name in (f"sink-{tag}", f"src-{tag}"):
            w.request("DELETE", f"/connectors/{name}")
        pg.execute(f"DROP TABLE IF EXISTS {table}")


def test_sink_metrics_count_skipped_and_dead_letter_records(dbs, names, tmp_path, procs):  # noqa: F811
    """errors.tolerance=all with a dead letter queue: the refused record is counted as skipped and as written to
    the DLQ, the others as applied."""
    src, dst = dbs
    with psycopg.connect(db_url(src), autocommit=True) as s:
        s.execute("CREATE TABLE items (id int PRIMARY KEY, v text)")
    with psycopg.connect(db_url(dst), autocommit=True) as d:
        d.execute("CREATE TABLE items (id int PRIMARY KEY, v text CHECK (v <> 'poison'))")
    source = Proc(tmp_path, "run", "source", source_config(names, src, **{"table.include.list": r"public\.items"}))
    procs.append(source.start())
    wait_until(lambda: "streaming from slot" in source.log_text(), 120, what="the source to stream")
    base = f"http://127.0.0.1:{free_port()}"
    sink = Proc(tmp_path, "sink", "dlq-sink", sink_config(names, dst, **{
        "errors.tolerance": "all", "errors.deadletterqueue.topic.name": f"dlq-{names['tag']}",
        "errors.deadletterqueue.topic.replication.factor": "1", "metrics.listeners": base}))
    procs.append(sink.start())
    with psycopg.connect(db_url(src), autocommit=True) as s:
        s.execute("INSERT INTO items SELECT g, 'v' || g FROM generate_series(1, 50) g")
        s.execute("INSERT INTO items VALUES (51, 'poison')")
        s.execute("INSERT INTO items SELECT g, 'v' || g FROM generate_series(52, 100) g")
    wait_until(lambda: _listening(base), 60, what="the sink's listener")
    text = wait_until(lambda: scrape_when(base, lambda t: lag(t, "dlq-sink") == 0
                                          and value(t, "sluice_sink_records_read_total", connector="dlq-sink") == 100),
                      90, interval=0.3, what="the sink to consume every record")
    assert value(text, "sluice_sink_records_skipped_total", connector="dlq-sink") == 1, text
    assert value(text, "sluice_sink_dead_letter_records_total", connector="dlq-sink") == 1
    assert applied(text, "dlq-sink", "upsert") == 99
    assert applied(text, "dlq-sink") == 99
    assert sink.stop() == 0


def test_status_page_shows_a_sink_and_its_lag_in_chromium(target, worker_factory, pg, tmp_path):  # noqa: F811
    """The status page lists a worker's JDBC sink as a sink: records applied, consumer lag in records."""
    chromium = shutil.which("chromium")
    node_modules = ROOT / ".cache" / "browser-test" / "node_modules"
    if chromium is None:
        pytest.skip("Debian's chromium is not installed (scripts/deps installs it)")
    assert (node_modules / "playwright-core").is_dir(), "run scripts/deps --browser (playwright-core)"
    db, url = target
    w = worker_factory().start()
    tag = w.tag
    table = f"wsp_{tag}"
    pg.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, v text)")
    try:
        assert w.request("POST", "/connectors", {"name": f"src-{tag}", "config": connector_config(tag, 1, table)})[0] == 201
        w.wait_task_state(f"src-{tag}", "RUNNING")
        sink = f"sink-{tag}"
        assert w.request("PUT", f"/connectors/{sink}/config",
                         worker_sink_config(f"w{tag}1.public.{table}", db))[0] == 201
        w.wait_task_state(sink, "RUNNING")
        pg.execute(f"INSERT INTO {table} SELECT g, 'v' FROM generate_series(1, 40) g")
        screenshot = tmp_path / "status-page-sink.png"
        proc = subprocess.run(["node", str(ROOT / "tests" / "integration" / "browser" / "sink_row.js"),
                               w.url + "/", sink, "40", str(screenshot), chromium],
                              capture_output=True, text=True, timeout=240,
                              env={"NODE_PATH": str(node_modules), "PATH": "/usr/bin:/bin"})
        lines = proc.stdout.strip().splitlines()
        seen = json.loads(lines[-1]) if lines else {}
        if proc.returncode == 3:
            pytest.skip(f"chromium cannot start here: {seen.get('launch_error')}")
        assert proc.returncode == 0, f"{seen}\n{proc.stderr[-3000:]}"
        assert seen["type"] == "sink" and seen["state"] == "RUNNING"
        assert seen["applied"] == 40
        assert seen["lag"] == "0 records"
        assert seen["last_commit"].endswith(" ago"), seen
        assert screenshot.stat().st_size > 1000
    finally:
        for name in (f"sink-{tag}", f"src-{tag}"):
            w.request("DELETE", f"/connectors/{name}")
        pg.execute(f"DROP TABLE IF EXISTS {table}")
