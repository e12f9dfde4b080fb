"""exactly.once.support=required: a transactional producer; snapshot and streamed changes reach a read_committed
consumer once across restarts; a second producer with the same transactional.id fences the first, which stops
with a clear message; impossible combinations are refused at start."""
import json
import subprocess

from conftest import SLUICE_BIN, payload, value_of, wait_until

EOS = {"exactly.once.support": "required", "value.converter.schemas.enable": "false"}


def ids(reader):
    return sorted(payload(value_of(m))["after"]["id"] for m in reader.drain(0.5) if m.value())


def test_snapshot_stream_and_restart_exactly_once(pg, names, sluice_factory, topic_reader):
    table = f"eos_{names['tag']}"
    pg.execute(f"CREATE TABLE {table} (id int primary key)")
    pg.execute(f"INSERT INTO {table} SELECT generate_series(1, 5)")
    cfg = {"table.include.list": f"public.{table}", **EOS}
    s = sluice_factory(**cfg).start()
    s.wait_streaming()
    assert f"transactional.id sluice-it-connector-{names['prefix']}" in s.log_text()
    pg.execute(f"INSERT INTO {table} SELECT generate_series(6, 10)")
    reader = topic_reader(f"{names['prefix']}.public.{table}")
    wait_until(lambda: len(reader.drain(0.2)) >= 10, what="10 events")
    assert s.stop() == 0

    pg.execute(f"INSERT INTO {table} SELECT generate_series(11, 15)")
    again = sluice_factory(**cfg).start()
    again.wait_streaming()
    wait_until(lambda: len(reader.drain(0.2)) >= 15, what="15 events")
    assert ids(reader) == list(range(1, 16))


def test_same_transactional_id_fences_the_older_producer(pg, names, sluice_factory):
    table = f"fence_{names['tag']}"
    pg.execute(f"CREATE TABLE {table} (id int primary key)")
    base = {"table.include.list": f"public.{table}", "snapshot.mode": "no_data", **EOS,
            "transactional.id": f"fence-{names['tag']}"}
    first = sluice_factory(**base).start()
    first.wait_streaming()
    # Another connector (own slot and offsets) configured with the same transactional.id.
    second = sluice_factory(**base, **{"slot.name": names["slot"] + "_b", "topic.prefix": names["prefix"] + "b"})
    second.start()
    second.wait_streaming()
    pg.execute(f"INSERT INTO {table} VALUES (1)")
    assert first.proc.wait(60) == 1
    assert f"fenced: another producer with transactional.id 'fence-{names['tag']}' has started" in first.log_text()
    # It first went back to waiting for its slot, which nobody else streams from: a misconfiguration.
    assert "that does not stream from replication slot" in first.log_text()
    assert second.proc.poll() is None


def test_required_without_kafka_offsets_is_refused(tmp_path):
    cfg = {"database.hostname": "localhost", "database.user": "u", "database.dbname": "d", "topic.prefix": "p",
           "exactly.once.support": "required", "sink.type": "null"}
    path = tmp_path / "c.json"
    path.write_text(json.dumps(cfg))
    r = subprocess.run([SLUICE_BIN, "run", str(path)], capture_output=True, text=True, timeout=30)
    assert r.returncode == 2
    assert "exactly.once.support=required is impossible with sink.type=null" in r.stdout + r.stderr
