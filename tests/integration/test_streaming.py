"""Streaming: inserts, updates, deletes and key changes reach Kafka as Debezium events (golden files)."""
import json

from confluent_kafka.admin import AdminClient, NewTopic
from conftest import KAFKA, assert_golden, key_of, normalize, payload, value_of, wait_until


def make_table(pg, name, ddl):
    with pg.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {name}")
        cur.execute(f"CREATE TABLE {name} {ddl}")


def test_customers_insert_update_delete_golden(pg, names, sluice_factory, topic_reader):
    table = f"customers_{names['tag']}"
    make_table(pg, table, "(id serial primary key, name text)")
    s = sluice_factory(**{"table.include.list": f"public.{table}", "snapshot.mode": "no_data"}).start()
    s.wait_streaming()
    with pg.cursor() as cur:
        cur.execute(f"INSERT INTO {table}(name) VALUES ('josip')")
        cur.execute(f"UPDATE {table} SET name = 'josip2' WHERE id = 1")
        cur.execute(f"DELETE FROM {table} WHERE id = 1")
    reader = topic_reader(f"{names['prefix']}.public.{table}")
    msgs = reader.poll_until(4)
    assert [payload(value_of(m))["op"] if m.value() else None for m in msgs] == ["c", "u", "d", None]
    for m in msgs:
        assert payload(key_of(m)) == {"id": 1}
    events = [{"key": normalize(key_of(m), names["tag"]),
               "value": normalize(value_of(m), names["tag"]) if m.value() else None} for m in msgs]
    assert_golden("customers_c_u_d_tombstone", events)
    # lsn, txId and timestamps are real: check their shape and ordering rather than their values.
    src = [payload(value_of(m))["source"] for m in msgs[:3]]
    assert all(isinstance(x["lsn"], int) and x["lsn"] > 0 for x in src)
    assert src[0]["lsn"] < src[1]["lsn"] < src[2]["lsn"]
    assert all(isinstance(x["txId"], int) for x in src)
    assert src[0]["snapshot"] == "false" and src[0]["db"] == "postgres"
    seq = json.loads(src[1]["sequence"])
    assert seq[1] == str(src[1]["lsn"])


def test_schemas_disabled_and_types(pg, names, sluice_factory, topic_reader):
    table = f"types_{names['tag']}"
    make_table(pg, table, """(id bigint primary key, small smallint not null, flag boolean, f4 real, f8 float8,
        amount numeric(12,2), v varchar(20), c char(3), d date, t time(3), ts timestamp(6), tstz timestamptz,
        u uuid, j jsonb, b bytea, tags text[], nums int4[])""")
    s = sluice_factory(**{"table.include.list": f"public.{table}", "snapshot.mode": "no_data",
                          "key.converter.schemas.enable": "false", "value.converter.schemas.enable": "false"}).start()
    s.wait_streaming()
    with pg.cursor() as cur:
        cur.execute(f"""INSERT INTO {table} VALUES (1, -3, true, 1.5, 2.25, 1234.56, 'vc', 'ab', '2024-02-29',
            '10:11:12.345', '2024-05-01 10:11:12.123456', '2024-05-01 10:11:12.5+02',
            'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{{"k": [1, 2]}}', '\\x0102ff', '{{a,"b c",NULL}}', '{{1,2,3}}')""")
        cur.execute(f"INSERT INTO {table}(id, small) VALUES (2, 0)")
    reader = topic_reader(f"{names['prefix']}.public.{table}")
    msgs = reader.poll_until(2)
    assert key_of(msgs[0]) == {"id": 1}
    events = [normalize(value_of(m), names["tag"]) for m in msgs]
    assert_golden("types_schemas_disabled", events)
    after = value_of(msgs[0])["after"]
    assert after["amount"] == "AeJA"  # 123456 unscaled, base64 of big-endian two's complement
    assert after["d"] == 19782
    assert after["tstz"] == "2024-05-01T08:11:12.500000Z"  # padded to the column precision, as Debezium 3
    assert after["tags"] == ["a", "b c", None]
    assert value_of(msgs[1])["after"]["flag"] is None


def test_primary_key_change_emits_delete_tombstone_create(pg, names, sluice_factory, topic_reader):
    table = f"pkchange_{names['tag']}"
    make_table(pg, table, "(id int primary key, name text)")
    s = sluice_factory(**{"table.include.list": f"public.{table}", "snapshot.mode": "no_data",
                          "key.converter.schemas.enable": "false", "value.converter.schemas.enable": "false"}).start()
    s.wait_streaming()
    with pg.cursor() as cur:
        cur.execute(f"INSERT INTO {table} VALUES (1, 'a')")
        cur.execute(f"UPDATE {table} SET id = 2 WHERE id = 1")
    msgs = topic_reader(f"{names['prefix']}.public.{table}").poll_until(4)
    kinds = [(key_of(m), value_of(m)["op"] if m.value() else None) for m in msgs]
    assert kinds == [({"id": 1}, "c"), ({"id": 1}, "d"), ({"id": 1}, None), ({"id": 2}, "c")]
    assert dict(msgs[1].headers())["__debezium.newkey"] == b'{"id":2}'
    assert dict(msgs[3].headers())["__debezium.oldkey"] == b'{"id":1}'


def test_table_without_primary_key_has_null_key(pg, names, sluice_factory, topic_reader):
    table = f"nokey_{names['tag']}"
    make_table(pg, table, "(a int, b text)")
    with pg.cursor() as cur:
        cur.execute(f"ALTER TABLE {table} REPLICA IDENTITY FULL")
    s = sluice_factory(**{"table.include.list": f"public.{table}", "snapshot.mode": "no_data",
                          "value.converter.schemas.enable": "false"}).start()
    s.wait_streaming()
    with pg.cursor() as cur:
        cur.execute(f"INSERT INTO {table} VALUES (1, 'x')")
        cur.execute(f"UPDATE {table} SET b = 'y'")
        cur.execute(f"DELETE FROM {table}")
    reader = topic_reader(f"{names['prefix']}.public.{table}")
    msgs = reader.poll_until(3)
    reader.drain(1.0)
    assert all(m.key() is None for m in reader.messages)
    ops = [value_of(m)["op"] if m.value() is not None else None for m in reader.messages]
    assert ops == ["c", "u", "d", None], "a tombstone with a null key follows the delete, as Debezium"
    assert value_of(msgs[1])["before"] == {"a": 1, "b": "x"}
    assert value_of(msgs[2])["before"] == {"a": 1, "b": "y"}


def test_other_tables_are_not_captured(pg, names, sluice_factory, topic_reader):
    captured = f"cap_{names['tag']}"
    other = f"other_{names['tag']}"
    make_table(pg, captured, "(id int primary key)")
    make_table(pg, other, "(id int primary key)")
    s = sluice_factory(**{"table.include.list": f"public.{captured}", "snapshot.mode": "no_data",
                          "publication.autocreate.mode": "all_tables"}).start()
    s.wait_streaming()
    with pg.cursor() as cur:
        cur.execute(f"INSERT INTO {other} VALUES (1)")
        cur.execute(f"INSERT INTO {captured} VALUES (7)")
    msgs = topic_reader(f"{names['prefix']}.public.{captured}").poll_until(1)
    assert payload(value_of(msgs[0]))["after"] == {"id": 7}
    assert f"{names['prefix']}.public.{other}" not in s.log_text()


def test_schema_change_mid_stream_uses_the_new_relation(pg, names, sluice_factory, topic_reader):
    table = f"ddl_{names['tag']}"
    make_table(pg, table, "(id int primary key, a text)")
    s = sluice_factory(**{"table.include.list": f"public.{table}", "snapshot.mode": "no_data",
                          "value.converter.schemas.enable": "false"}).start()
    s.wait_streaming()
    with pg.cursor() as cur:
        cur.execute(f"INSERT INTO {table} VALUES (1, 'x')")
        cur.execute(f"ALTER TABLE {table} ADD COLUMN b int NOT NULL DEFAULT 5")
        cur.execute(f"INSERT INTO {table} VALUES (2, 'y', 7)")
        cur.execute(f"ALTER TABLE {table} DROP COLUMN a")
        cur.execute(f"INSERT INTO {table} VALUES (3, 9)")
    msgs = topic_reader(f"{names['prefix']}.public.{table}").poll_until(3)
    assert [value_of(m)["after"] for m in msgs] == [{"id": 1, "a": "x"}, {"id": 2, "a": "y", "b": 7},
                                                    {"id": 3, "b": 9}]


def test_oversized_event_per_failure_handling_mode(pg, names, sluice_factory, topic_reader):
    """A 2 MB row is larger than Kafka accepts: fail stops naming table and LSN, warn logs and goes on."""
    table = f"big_{names['tag']}"
    make_table(pg, table, "(id int primary key, body text)")
    common = {"table.include.list": f"public.{table}", "snapshot.mode": "no_data",
              "value.converter.schemas.enable": "false"}
    s = sluice_factory(**common, **{"event.processing.failure.handling.mode": "warn"}).start()
    s.wait_streaming()
    with pg.cursor() as cur:
        cur.execute(f"ALTER TABLE {table} ALTER COLUMN body SET STORAGE EXTERNAL")
        cur.execute(f"INSERT INTO {table} VALUES (1, repeat('x', 2000000))")
        cur.execute(f"INSERT INTO {table} VALUES (2, 'small')")
    msgs = topic_reader(f"{names['prefix']}.public.{table}").poll_until(1)
    assert value_of(msgs[0])["after"] == {"id": 2, "body": "small"}
    log = s.log_text()
    assert "skipped an event" in log and f"table public.{table}" in log and "LSN" in log
    assert s.stop() == 0

    with pg.cursor() as cur:
        cur.execute(f"INSERT INTO {table} VALUES (3, repeat('y', 2000000))")
    f = sluice_factory(**common).start()  # default: fail
    assert f.proc.wait(60) == 1
    log = f.log_text()
    assert f"table public.{table}" in log and "event.processing.failure.handling.mode=fail" in log
    with pg.cursor() as cur:
        cur.execute("SELECT confirmed_flush_lsn < pg_current_wal_insert_lsn() FROM pg_replication_slots "
                    "WHERE slot_name = %s", (names["slot"],))
        assert cur.fetchone()[0], "the failed change must not be confirmed"


def test_latency_log_reports_each_stage(pg, names, sluice_factory, topic_reader):
    """latency.log.interval.ms: per-stage percentiles while streaming and for the whole run at the stop; the
    broker's append time (a LogAppendTime topic) splits produce -> acknowledgement in two."""

    table = f"latency_{names['tag']}"
    topic = f"{names['prefix']}.public.{table}"
    make_table(pg, table, "(id int primary key, v text)")
    admin = AdminClient({"bootstrap.servers": KAFKA})
    for f in admin.create_topics([NewTopic(topic, 1, 1, config={"message.timestamp.type": "LogAppendTime"})]).values():
        f.result(30)
    s = sluice_factory(**{"table.include.list": f"public.{table}", "snapshot.mode": "no_data",
                          "latency.log.interval.ms": "200"}).start()
    s.wait_streaming()
    with pg.cursor() as cur:
        for i in range(20):  # one transaction each
            cur.execute(f"INSERT INTO {table} VALUES ({i}, 'x')")
    topic_reader(topic).poll_until(20)
    stages = ["commit->sent", "sent->received", "received->produced", "produced->appended", "appended->acked",
              "produced->acked", "commit->acked"]
    wait_until(lambda: any(all(st in line for st in stages) for line in s.log_text().splitlines()
                           if "latency:" in line), what="a latency line with every stage")
    assert s.stop() == 0
    total = [line for line in s.log_text().splitlines() if "latency since start:" in line]
    assert len(total) == 1, s.log_text()
    assert "latency since start: 20 events (ms p50/p99/p99.9/max)" in total[0]
    for st in stages:
        assert f"; {st} " in total[0], total[0]


def _publishes(pg, publication):
    with pg.cursor() as cur:
        cur.execute("SELECT pubinsert, pubupdate, pubdelete, pubtruncate FROM pg_publication WHERE pubname = %s",
                    (publication,))
        return cur.fetchone()


def test_explicit_skipped_operations_limit_the_created_publication(pg, names, sluice_factory, topic_reader):
    # Debezium 3.6+: skipped.operations given explicitly -> CREATE PUBLICATION ... WITH (publish = ...), so
    # Postgres does not send the skipped changes; the default (t, not given) and compat 3.4 leave publish alone.
    table = f"pubops_{names['tag']}"
    make_table(pg, table, "(id int primary key, v text)")
    s = sluice_factory(**{"table.include.list": f"public.{table}", "snapshot.mode": "no_data",
                          "skipped.operations": "d,t", "value.converter.schemas.enable": "false"}).start()
    s.wait_streaming()
    assert _publishes(pg, names["publication"]) == (True, True, False, False)
    with pg.cursor() as cur:
        cur.execute(f"INSERT INTO {table} VALUES (1, 'a')")
        cur.execute(f"DELETE FROM {table} WHERE id = 1")
        cur.execute(f"UPDATE {table} SET v = 'b'")  # no row: nothing
        cur.execute(f"INSERT INTO {table} VALUES (2, 'c')")
    msgs = topic_reader(f"{names['prefix']}.public.{table}").poll_until(2)
    assert [value_of(m)["op"] for m in msgs] == ["c", "c"]
    assert s.stop() == 0
    # A restart (filtered mode: ALTER PUBLICATION ... SET TABLE) keeps the publish list in step with the setting.
    s2 = sluice_factory(**{"table.include.list": f"public.{table}", "snapshot.mode": "no_data",
                           "skipped.operations": "t", "value.converter.schemas.enable": "false"}).start()
    s2.wait_streaming()
    assert _publishes(pg, names["publication"]) == (True, True, True, False)
    assert s2.stop() == 0
    # Another slot and publication each (a publication created after a slot's position cannot be decoded).
    for suffix, settings, expected in [
            ("_b", {"skipped.operations": "t", "sluice.compat.version": "3.4"}, (True, True, True, True)),
            ("_c", {}, (True, True, True, True))]:
        publication = names["publication"] + suffix
        s3 = sluice_factory(**{"table.include.list": f"public.{table}", "snapshot.mode": "no_data",
                               "slot.name": names["slot"] + suffix, "publication.name": publication,
                               "offset.storage": "none", **settings})
        s3.start().wait_streaming()
        assert _publishes(pg, publication) == expected, settings
        assert s3.stop() == 0
        with pg.cursor() as cur:
            cur.execute(f'DROP PUBLICATION "{publication}"')
