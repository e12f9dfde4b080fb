"""Offsets stored in Kafka (offset.storage.topic) detect a dropped or recreated slot instead of silently
skipping the changes in between; reset-offsets and snapshot.mode=when_needed are the ways out."""
import subprocess

from conftest import SLUICE_BIN, payload, value_of, wait_until


def setup_table(pg, table, rows):
    pg.execute(f"DROP TABLE IF EXISTS {table}")
    pg.execute(f"CREATE TABLE {table} (id int primary key)")
    pg.execute(f"INSERT INTO {table} SELECT generate_series(1, {rows})")


def run_until_streaming(s):
    s.start()
    s.wait_streaming()
    assert "offsets are recorded in Kafka topic sluice-offsets" in s.log_text()
    return s


def drop_slot(pg, slot):
    """Drops the slot once its walsender has gone (it exits shortly after sluice does)."""
    wait_until(lambda: not pg.execute("SELECT active FROM pg_replication_slots WHERE slot_name = %s",
                                      (slot,)).fetchone()[0], what=f"slot {slot} to become inactive")
    pg.execute("SELECT pg_drop_replication_slot(%s)", (slot,))


def test_dropped_slot_is_detected_then_when_needed_resnapshots(pg, names, sluice_factory, topic_reader):
    table = f"drop_{names['tag']}"
    setup_table(pg, table, 10)
    cfg = {"table.include.list": f"public.{table}", "value.converter.schemas.enable": "false"}
    s = run_until_streaming(sluice_factory(**cfg))
    pg.execute(f"INSERT INTO {table} VALUES (11)")
    reader = topic_reader(f"{names['prefix']}.public.{table}")
    reader.poll_until(11)
    assert s.stop() == 0
    drop_slot(pg, names["slot"])
    pg.execute(f"INSERT INTO {table} VALUES (12)")  # written while no slot exists: only a snapshot can recover it

    lost = sluice_factory(**cfg).start()
    assert lost.proc.wait(60) == 1
    log = lost.log_text()
    assert f"replication slot '{names['slot']}' does not exist, but the offsets in Kafka topic sluice-offsets" in log
    assert "snapshot.mode=when_needed" in log

    again = sluice_factory(**cfg, **{"snapshot.mode": "when_needed"})
    run_until_streaming(again)
    assert "taking a new snapshot" in again.log_text()
    wait_until(lambda: any(payload(value_of(m))["after"]["id"] == 12 for m in reader.drain(0.2) if m.value()),
               what="row 12 from the new snapshot")


def test_recreated_slot_ahead_of_offsets_is_detected_and_reset_offsets_accepts_it(pg, names, sluice_factory,
                                                                                  topic_reader):
    table = f"recreate_{names['tag']}"
    setup_table(pg, table, 3)
    cfg = {"table.include.list": f"public.{table}", "value.converter.schemas.enable": "false"}
    s = run_until_streaming(sluice_factory(**cfg))
    assert s.stop() == 0
    drop_slot(pg, names["slot"])
    pg.execute(f"INSERT INTO {table} VALUES (4)")  # lost with the old slot
    pg.execute("SELECT pg_create_logical_replication_slot(%s, 'pgoutput')", (names["slot"],))

    ahead = sluice_factory(**cfg).start()
    assert ahead.proc.wait(60) == 1
    log = ahead.log_text()
    assert f"replication slot '{names['slot']}' is at LSN" in log
    assert "the slot was recreated or advanced by another client" in log

    ahead.write()
    r = subprocess.run([SLUICE_BIN, "reset-offsets", str(ahead.path)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "reset" in r.stdout
    resumed = run_until_streaming(sluice_factory(**cfg))
    assert "resuming from existing slot" in resumed.log_text()
    pg.execute(f"INSERT INTO {table} VALUES (5)")
    reader = topic_reader(f"{names['prefix']}.public.{table}")
    wait_until(lambda: any(payload(value_of(m))["after"]["id"] == 5 for m in reader.drain(0.2) if m.value()),
               what="row 5 after the reset")
