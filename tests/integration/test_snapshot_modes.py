"""Snapshot modes and settings (Debezium names): initial_only, always, snapshot.include.collection.list,
snapshot.select.statement.overrides, snapshot.fetch.size, and the parallel snapshot (snapshot.max.threads)."""
import subprocess
import threading
import time

import pytest

from conftest import SLUICE_BIN, payload, value_of, wait_until


def create(pg, table, rows=0, pk=True, pad=0):
    with pg.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {table}")
        cur.execute(f"CREATE TABLE {table} (id int {'primary key' if pk else ''}, payload text)")
        if rows:
            cur.execute(f"INSERT INTO {table} SELECT g, 'row ' || g || repeat('x', {pad}) "
                        f"FROM generate_series(1, {rows}) g")


def drop(pg, *tables):
    with pg.cursor() as cur:
        for t in tables:
            cur.execute(f"DROP TABLE IF EXISTS {t}")


def events(messages):
    return [payload(value_of(m)) for m in messages if m.value() is not None]


def slots(pg, names):
    with pg.cursor() as cur:
        cur.execute("SELECT slot_name FROM pg_replication_slots WHERE slot_name LIKE %s", (names["slot"] + "%",))
        return [r[0] for r in cur.fetchall()]


def check_markers(evs):
    """One table's r events in topic order: first*/…/last* markers, the rest true."""
    m = [e["source"]["snapshot"] for e in evs]
    if len(m) == 1:  # Debezium checks last, first, last in table: a one-row first table's row is "first"
        assert m[0] in ("first", "last", "last_in_data_collection")
        return
    assert m[0] in ("first", "first_in_data_collection"), m[:3]
    assert m[-1] in ("last", "last_in_data_collection"), m[-3:]
    assert set(m[1:-1]) <= {"true"}


def test_initial_only_snapshots_and_exits_without_slot(pg, names, sluice_factory, topic_reader):
    table = f"only_{names['tag']}"
    create(pg, table, rows=300)
    s = sluice_factory(**{"table.include.list": f"public.{table}", "snapshot.mode": "initial_only",
                          "snapshot.fetch.size": "7", "value.converter.schemas.enable": "false"}).start()
    assert s.proc.wait(60) == 0, s.log_text()
    assert "stopping without streaming" in s.log_text()
    assert slots(pg, names) == [], "initial_only leaves no replication slot"
    reader = topic_reader(f"{names['prefix']}.public.{table}")
    reader.poll_until(300)
    reader.drain(1.0)
    evs = events(reader.messages)
    assert sorted(e["after"]["id"] for e in evs) == list(range(1, 301))
    assert {e["op"] for e in evs} == {"r"}
    assert evs[0]["source"]["snapshot"] == "first" and evs[-1]["source"]["snapshot"] == "last"
    check_markers(evs)
    drop(pg, table)


def test_always_snapshots_at_every_start_then_streams(pg, names, sluice_factory, topic_reader):
    table = f"always_{names['tag']}"
    create(pg, table, rows=50)
    overrides = {"table.include.list": f"public.{table}", "snapshot.mode": "always",
                 "value.converter.schemas.enable": "false"}
    s = sluice_factory(**overrides).start()
    s.wait_streaming()
    reader = topic_reader(f"{names['prefix']}.public.{table}")
    with pg.cursor() as cur:
        cur.execute(f"INSERT INTO {table} SELECT g, 'live' FROM generate_series(51, 60) g")
    reader.poll_until(60)
    assert s.stop() == 0
    with pg.cursor() as cur:
        cur.execute(f"INSERT INTO {table} SELECT g, 'offline' FROM generate_series(61, 65) g")
    s2 = sluice_factory(**overrides).start()
    s2.wait_streaming()
    assert "dropped replication slot" in s2.log_text()
    with pg.cursor() as cur:
        cur.execute(f"INSERT INTO {table} VALUES (66, 'after')")
    reader.poll_until(60 + 65 + 1)
    reader.drain(1.5)
    evs = events(reader.messages)
    first_run, second_run = evs[:60], evs[60:]
    assert [e["op"] for e in first_run] == ["r"] * 50 + ["c"] * 10
    # The second start snapshots all 65 rows (the 5 written while stopped are read, not streamed),
    # then streams from the new slot.
    assert sorted(e["after"]["id"] for e in second_run if e["op"] == "r") == list(range(1, 66))
    assert [e["after"]["id"] for e in second_run if e["op"] == "c"] == [66]
    assert slots(pg, names) == [names["slot"]]
    drop(pg, table)


def test_include_collection_list_snapshots_a_subset_and_streams_all(pg, names, sluice_factory, topic_reader):
    a, b = f"incl_a_{names['tag']}", f"incl_b_{names['tag']}"
    create(pg, a, rows=20)
    create(pg, b, rows=20)
    s = sluice_factory(**{"table.include.list": f"public\\.incl_._{names['tag']}",
                          "snapshot.include.collection.list": f"public\\.incl_a_.*",
                          "value.converter.schemas.enable": "false"}).start()
    s.wait_streaming()
    with pg.cursor() as cur:
        cur.execute(f"INSERT INTO {b} VALUES (100, 'live')")
    ra = topic_reader(f"{names['prefix']}.public.{a}")
    rb = topic_reader(f"{names['prefix']}.public.{b}")
    ra.poll_until(20)
    rb.poll_until(1)
    ra.drain(1.0)
    rb.drain(0.5)
    ea, eb = events(ra.messages), events(rb.messages)
    assert len(ea) == 20 and {e["op"] for e in ea} == {"r"}
    assert ea[0]["source"]["snapshot"] == "first" and ea[-1]["source"]["snapshot"] == "last"
    assert [(e["op"], e["after"]["id"]) for e in eb] == [("c", 100)], "b is streamed but not snapshotted"
    drop(pg, a, b)


@pytest.mark.parametrize("threads", [1, 2])
def test_select_statement_override(pg, names, sluice_factory, topic_reader, threads):
    table = f"ovr_{names['tag']}"
    create(pg, table, rows=100)
    key = "snapshot.select.statement.overrides"
    s = sluice_factory(**{"table.include.list": f"public.{table}", key: f"public.{table}",
                          f"{key}.public.{table}": f"SELECT id, upper(payload) FROM public.{table} WHERE id % 10 = 0",
                          "snapshot.max.threads": str(threads),
                          "value.converter.schemas.enable": "false"}).start()
    s.wait_streaming()
    reader = topic_reader(f"{names['prefix']}.public.{table}")
    reader.poll_until(10)
    reader.drain(1.0)
    evs = events(reader.messages)
    assert [e["after"]["id"] for e in evs] == list(range(10, 101, 10))
    assert evs[0]["after"]["payload"] == "ROW 10"
    check_markers(evs)
    drop(pg, table)


def test_bad_snapshot_settings_exit_2_naming_the_key(tmp_path, names, sluice_factory):
    for key, value, expect in [
        ("snapshot.mode", "sometimes", "allowed: initial, no_data, never, when_needed, initial_only, always"),
        ("snapshot.max.threads", "0", "invalid value for snapshot.max.threads: '0' (allowed: an integer from 1 to 64)"),
        ("snapshot.fetch.size", "many", "invalid value for snapshot.fetch.size: 'many'"),
        ("snapshot.select.statement.overrides", "public.t", "snapshot.select.statement.overrides.public.t"),
    ]:
        s = sluice_factory(**{key: value})
        s.write()
        r = subprocess.run([SLUICE_BIN, "run", str(s.path)], capture_output=True, text=True, timeout=30)
        assert r.returncode == 2, (key, r.stdout, r.stderr)
        assert expect in r.stdout + r.stderr, (key, r.stdout + r.stderr)


def test_parallel_snapshot_with_concurrent_writes(pg, names, sluice_factory, topic_reader):
    """snapshot.max.threads=3 over a table split into ctid ranges, small tables, an empty table and a table
    without primary key, while rows are inserted, updated and deleted: every row exactly once, each table's
    markers right, and replaying the topic gives the table."""
    tag = names["tag"]
    big, small, empty, nokey = f"par_big_{tag}", f"par_small_{tag}", f"par_empty_{tag}", f"par_nokey_{tag}"
    create(pg, big, rows=120000, pad=60)  # ~2000 pages: split into ranges
    create(pg, small, rows=7)
    create(pg, empty)
    create(pg, nokey, rows=5000, pk=False)
    with pg.cursor() as cur:
        cur.execute(f"VACUUM ANALYZE {big}")
    stop = threading.Event()
    last = []

    def writer():
        import psycopg
        from conftest import PG_URL
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            i = 1000000
            while not stop.is_set():
                conn.execute(f"UPDATE {big} SET payload = 'upd' WHERE id = %s", (i - 999000,))
                conn.execute(f"DELETE FROM {big} WHERE id = %s", (i - 900000,))
                conn.execute(f"INSERT INTO {big} VALUES (%s, 'live')", (i,))
                last.append(i)
                i += 1
                time.sleep(0.002)

    t = threading.Thread(target=writer)
    t.start()
    try:
        time.sleep(0.3)
        s = sluice_factory(**{"table.include.list": f"public\\.par_.*_{tag}", "snapshot.max.threads": "3",
                              "snapshot.fetch.size": "1000", "value.converter.schemas.enable": "false"}).start()
        s.wait_streaming(timeout=120)
        time.sleep(1.0)
    finally:
        stop.set()
        t.join()
    log = s.log_text()
    import re
    chunks = int(re.search(r"snapshot: (\d+) chunks for 3 threads", log).group(1))
    assert chunks > 4, "the big table was not split into ranges"

    readers = {n: topic_reader(f"{names['prefix']}.public.{n}") for n in (big, small, nokey)}
    with pg.cursor() as cur:
        cur.execute(f"SELECT id, payload FROM {big}")
        expected_big = dict(cur.fetchall())
    # Replay: the final state from the topic equals the table.
    r = readers[big]
    wait_until(lambda: any(m.value() is not None and payload(value_of(m))["op"] == "c"
                           and payload(value_of(m))["after"]["id"] == last[-1] for m in r.drain(0.3)[-200:]),
               timeout=120, what="the last change written")
    r.drain(1.0)
    evs = events(r.messages)
    reads = [e for e in evs if e["op"] == "r"]
    ids = [e["after"]["id"] for e in reads]
    assert len(ids) == len(set(ids)), "a row was read twice"
    check_markers(reads)
    state = {}
    for m in r.messages:
        v = value_of(m)
        if v is None:
            continue
        p = payload(v)
        if p["op"] == "d":
            state.pop(p["before"]["id"], None)
        else:
            state[p["after"]["id"]] = p["after"]["payload"]
    assert state == expected_big, "replaying the topic does not give the table"

    for n, count in ((small, 7), (nokey, 5000)):
        rd = readers[n]
        rd.poll_until(count)
        rd.drain(0.5)
        e = events(rd.messages)
        assert sorted(x["after"]["id"] for x in e) == list(range(1, count + 1))
        check_markers(e)
    markers = [e["source"]["snapshot"] for n in (big, small, nokey) for e in events(readers[n].messages)
               if e["op"] == "r"]
    assert markers.count("first") == 1 and markers.count("last") == 1
    drop(pg, big, small, empty, nokey)
