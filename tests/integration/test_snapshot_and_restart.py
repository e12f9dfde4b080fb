"""The snapshot/stream boundary, restarts and SIGKILL: every committed row reaches Kafka."""
import signal
import threading
import time

from conftest import payload, value_of, wait_until


def ids_by_op(messages):
    out = {}
    for m in messages:
        if m.value() is None:
            continue
        p = payload(value_of(m))
        row = p["after"] or p["before"]
        out.setdefault(p["op"], []).append(row["id"])
    return out


def create(pg, table, rows=0):
    with pg.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {table}")
        cur.execute(f"CREATE TABLE {table} (id int primary key, payload text)")
        if rows:
            cur.execute(f"INSERT INTO {table} SELECT g, 'row ' || g FROM generate_series(1, {rows}) g")


def test_snapshot_then_stream_with_concurrent_writes(pg, names, sluice_factory, topic_reader):
    table = f"snap_{names['tag']}"
    create(pg, table, rows=2000)
    stop = threading.Event()
    written = []

    def writer():
        import psycopg
        from conftest import PG_URL
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            i = 100000
            while not stop.is_set():
                conn.execute(f"INSERT INTO {table} VALUES (%s, 'live')", (i,))
                written.append(i)
                i += 1
                time.sleep(0.002)

    t = threading.Thread(target=writer)
    t.start()
    try:
        time.sleep(0.3)
        s = sluice_factory(**{"table.include.list": f"public.{table}", "value.converter.schemas.enable": "false"})
        s.start()
        s.wait_streaming()
        time.sleep(1.0)
    finally:
        stop.set()
        t.join()
    with pg.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {table}")
        total = cur.fetchone()[0]
    reader = topic_reader(f"{names['prefix']}.public.{table}")
    reader.poll_until(total, timeout=90)
    reader.drain(1.5)
    by_op = ids_by_op(reader.messages)
    seen = by_op.get("r", []) + by_op.get("c", [])
    assert len(seen) == len(set(seen)), "a row was emitted twice across the snapshot/stream boundary"
    with pg.cursor() as cur:
        cur.execute(f"SELECT id FROM {table}")
        assert set(seen) == {r[0] for r in cur.fetchall()}, "rows missing from the topic"
    assert len(by_op["r"]) >= 2000
    assert len(by_op.get("c", [])) > 0, "no change was streamed after the snapshot"
    markers = [payload(value_of(m))["source"]["snapshot"] for m in reader.messages
               if payload(value_of(m))["op"] == "r"]
    assert markers[0] == "first" and markers[-1] == "last" and set(markers[1:-1]) == {"true"}
    assert "snapshot of public." in s.log_text()


def test_restart_resumes_from_slot_without_duplicates(pg, names, sluice_factory, topic_reader):
    table = f"restart_{names['tag']}"
    create(pg, table)
    overrides = {"table.include.list": f"public.{table}", "snapshot.mode": "no_data",
                 "value.converter.schemas.enable": "false"}
    s = sluice_factory(**overrides).start()
    s.wait_streaming()
    with pg.cursor() as cur:
        cur.execute(f"INSERT INTO {table} SELECT g, 'a' FROM generate_series(1, 100) g")
    reader = topic_reader(f"{names['prefix']}.public.{table}")
    reader.poll_until(100)
    assert s.stop() == 0
    assert "final standby status" in s.log_text()
    with pg.cursor() as cur:
        cur.execute(f"INSERT INTO {table} SELECT g, 'b' FROM generate_series(101, 150) g")
    s2 = sluice_factory(**overrides).start()
    s2.wait_streaming()
    assert "resuming from existing slot" in s2.log_text()
    reader.poll_until(150)
    reader.drain(1.5)
    ids = ids_by_op(reader.messages)["c"]
    assert sorted(ids) == list(range(1, 151))


def test_sigkill_mid_stream_loses_nothing(pg, names, sluice_factory, topic_reader):
    table = f"kill_{names['tag']}"
    create(pg, table)
    overrides = {"table.include.list": f"public.{table}", "snapshot.mode": "no_data",
                 "value.converter.schemas.enable": "false", "status.update.interval.ms": "50"}
    s = sluice_factory(**overrides).start()
    s.wait_streaming()
    reader = topic_reader(f"{names['prefix']}.public.{table}")
    total = 0
    with pg.cursor() as cur:
        for batch in range(20):
            cur.execute(f"INSERT INTO {table} SELECT g, 'x' FROM generate_series({total + 1}, {total + 500}) g")
            total += 500
    # Kill while events are still flowing.
    wait_until(lambda: len(reader.drain(0.1)) > 0, what="first events")
    s.stop(sig=signal.SIGKILL)
    with pg.cursor() as cur:
        cur.execute(f"INSERT INTO {table} SELECT g, 'y' FROM generate_series({total + 1}, {total + 1000}) g")
        total += 1000
    s2 = sluice_factory(**overrides).start()
    s2.wait_streaming()
    wait_until(lambda: len(set(ids_by_op(reader.drain(0.2)).get("c", []))) >= total, timeout=90,
               what=f"all {total} rows")
    ids = ids_by_op(reader.messages)["c"]
    assert set(ids) == set(range(1, total + 1)), "changes were lost across SIGKILL"
    print(f"SIGKILL test: {total} rows, {len(ids) - total} duplicates re-sent after restart")


def test_sigkill_during_snapshot_resumes_it(pg, names, sluice_factory, topic_reader):
    """Kill sluice after it published table a's rows while it waits for a lock on table b: the slot made at the
    snapshot's start remains with the checkpoint, and the next start reads what is not done (at least table b)
    as an incremental snapshot: both tables arrive completely."""
    a, b = f"snapkill_a_{names['tag']}", f"snapkill_b_{names['tag']}"
    rows_a = 100000
    create(pg, a, rows=rows_a)
    create(pg, b, rows=500)
    # all_tables: creating a FOR TABLE publication would itself wait for the lock on b.
    overrides = {"table.include.list": f"public\\.snapkill_.*_{names['tag']}",
                 "value.converter.schemas.enable": "false", "publication.autocreate.mode": "all_tables"}
    import psycopg
    from conftest import PG_URL
    locker = psycopg.connect(PG_URL)
    try:
        s = sluice_factory(**overrides).start()
        # Lock b once the snapshot is exported (an earlier lock would delay the slot's consistent point)
        # and while sluice is still reading a.
        wait_until(lambda: "exported snapshot" in s.log_text(), timeout=60, interval=0.005, what="the snapshot")
        locker.execute(f"LOCK TABLE {b} IN ACCESS EXCLUSIVE MODE")
        assert f"snapshot of public.{a}" not in s.log_text(), "table a was read before b could be locked"
        reader = topic_reader(f"{names['prefix']}.public.{a}")
        # All but the last: as Debezium, a table's last row waits for the next row read (here b's) to know
        # whether it is the snapshot's `last`.
        wait_until(lambda: len(reader.drain(0.05)) >= rows_a - 1, timeout=90, what="table a's snapshot rows")
        s.stop(sig=signal.SIGKILL)
    finally:
        locker.rollback()
        locker.close()
    with pg.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE %s", (names["slot"] + "%",))
        assert cur.fetchone()[0] == 1, "the resumable snapshot keeps its slot"
    s2 = sluice_factory(**overrides).start()
    s2.wait_streaming(timeout=120)
    reader_b = topic_reader(f"{names['prefix']}.public.{b}")
    wait_until(lambda: len(set(ids_by_op(reader_b.drain(0.2)).get("r", []))) >= 500, timeout=60,
               what="table b's snapshot rows")
    reader.drain(1.0)
    ids_a = ids_by_op(reader.messages)["r"]
    assert sorted(set(ids_a)) == list(range(1, rows_a + 1))
    assert "read as an incremental snapshot" in s2.log_text()


def test_walsender_terminated_mid_stream_reconnects_and_loses_nothing(pg, names, sluice_factory, topic_reader):
    table = f"term_{names['tag']}"
    create(pg, table)
    s = sluice_factory(**{"table.include.list": f"public.{table}", "snapshot.mode": "no_data",
                          "value.converter.schemas.enable": "false"}).start()
    s.wait_streaming()
    reader = topic_reader(f"{names['prefix']}.public.{table}")
    with pg.cursor() as cur:
        cur.execute(f"INSERT INTO {table} SELECT g, 'a' FROM generate_series(1, 5000) g")
        cur.execute("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = %s",
                    (names["slot"],))
        cur.execute(f"INSERT INTO {table} SELECT g, 'b' FROM generate_series(5001, 6000) g")
    wait_until(lambda: len(set(ids_by_op(reader.drain(0.2)).get("c", []))) >= 6000, timeout=90,
               what="all 6000 rows after the walsender was terminated")
    assert set(ids_by_op(reader.messages)["c"]) == set(range(1, 6001))
    assert "— retry 1 of unlimited in 300 ms" in s.log_text()  # errors.retry.delay.initial.ms
    assert s.proc.poll() is None, "sluice must survive a terminated walsender"


def test_heartbeats_and_idle_slot_keeps_up(pg, names, sluice_factory, topic_reader):
    """Writes only to a table outside the publication: the slot's confirmed LSN still follows the server,
    heartbeats arrive on __debezium-heartbeat.<prefix>, and heartbeat.action.query runs."""
    captured, busy, beat = f"quiet_{names['tag']}", f"busy_{names['tag']}", f"beat_{names['tag']}"
    create(pg, captured)
    create(pg, busy)
    pg.execute(f"CREATE TABLE {beat} (id int primary key, ts timestamptz)")
    s = sluice_factory(**{"table.include.list": f"public.{captured}", "snapshot.mode": "no_data",
                          "heartbeat.interval.ms": "200", "status.update.interval.ms": "100",
                          "heartbeat.action.query": f"INSERT INTO {beat} VALUES (1, now()) "
                                                    "ON CONFLICT (id) DO UPDATE SET ts = now()"}).start()
    s.wait_streaming()
    beats = topic_reader(f"__debezium-heartbeat.{names['prefix']}")
    msgs = beats.poll_until(2, timeout=30)
    from conftest import key_of
    assert key_of(msgs[0]) == {"schema": {"type": "struct", "fields": [
        {"type": "string", "optional": False, "field": "serverName"}], "optional": False,
        "name": "io.debezium.connector.common.ServerNameKey", "version": 1},
        "payload": {"serverName": names["prefix"]}}
    assert set(value_of(msgs[0])["payload"]) == {"ts_ms"}
    with pg.cursor() as cur:
        for i in range(10):
            cur.execute(f"INSERT INTO {busy} SELECT g, repeat('x', 200) FROM generate_series({i * 5000 + 1}, "
                        f"{(i + 1) * 5000}) g")
        cur.execute("SELECT pg_current_wal_insert_lsn()")
        target = cur.fetchone()[0]

    def caught_up():
        with pg.cursor() as cur:
            cur.execute("SELECT confirmed_flush_lsn >= %s FROM pg_replication_slots WHERE slot_name = %s",
                        (target, names["slot"]))
            return cur.fetchone()[0]
    wait_until(caught_up, timeout=30, what="the slot's confirmed_flush_lsn to pass the busy table's writes")
    assert pg.execute(f"SELECT count(*) FROM {beat}").fetchone()[0] == 1


def test_second_instance_is_a_hot_standby_and_takes_over(pg, names, sluice_factory, topic_reader):
    table = f"standby_{names['tag']}"
    create(pg, table)
    cfg = {"table.include.list": f"public.{table}", "snapshot.mode": "no_data",
           "value.converter.schemas.enable": "false"}
    active = sluice_factory(**cfg).start()
    active.wait_streaming()
    standby = sluice_factory(**cfg).start()
    wait_until(lambda: "waiting as a hot standby" in standby.log_text(), what="the standby to wait")
    pg.execute(f"INSERT INTO {table} SELECT g, 'a' FROM generate_series(1, 100) g")
    reader = topic_reader(f"{names['prefix']}.public.{table}")
    reader.poll_until(100)
    active.stop(sig=signal.SIGKILL)
    t0 = time.monotonic()
    standby.wait_streaming(timeout=30)
    took_over = time.monotonic() - t0
    pg.execute(f"INSERT INTO {table} SELECT g, 'b' FROM generate_series(101, 150) g")
    wait_until(lambda: set(ids_by_op(reader.drain(0.2)).get("c", [])) >= set(range(1, 151)), what="rows after takeover")
    print(f"standby took over {took_over:.1f} s after the active instance was killed")
