"""Single message transforms (transforms=… / predicates=…) on real Postgres and Kafka: unwrap, routing,
filtering with predicates, exit 2 for unknown classes/options and for output-changing properties sluice does
not implement, and that offsets are never transformed."""
import json
import subprocess

import pytest

from conftest import SLUICE_BIN, Sluice, key_of, value_of, wait_until

UNWRAP = {
    "transforms": "unwrap",
    "transforms.unwrap.type": "io.debezium.transforms.ExtractNewRecordState",
}


def make_table(pg, names, rows=2):
    table = f"tx_{names['tag']}"
    with pg.cursor() as cur:
        cur.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, email text, status text)")
        for i in range(1, rows + 1):
            cur.execute(f"INSERT INTO {table} VALUES (%s, %s, 'new')", (i, f"u{i}@x"))
    return table


def run(*args):
    return subprocess.run([SLUICE_BIN, *args], capture_output=True, text=True, timeout=60)


def test_unwrap_snapshot_and_stream_with_rewrite_and_add_fields(pg, names, sluice_factory, topic_reader):
    table = make_table(pg, names)
    s = sluice_factory(**UNWRAP, **{
        "table.include.list": f"public.{table}",
        "transforms.unwrap.delete.tombstone.handling.mode": "rewrite",
        "transforms.unwrap.add.fields": "op,table,source.ts_ms",
        "transforms.unwrap.add.headers": "op",
    }).start()
    s.wait_streaming()
    with pg.cursor() as cur:
        cur.execute(f"UPDATE {table} SET status = 'shipped' WHERE id = 1")
        cur.execute(f"DELETE FROM {table} WHERE id = 2")
    reader = topic_reader(f"{names['prefix']}.public.{table}")
    msgs = reader.poll_until(4)
    reader.drain(1.5)
    values = [value_of(m) for m in reader.messages]
    assert all(v is not None for v in values), "rewrite mode drops the tombstones"
    assert len(values) == 4
    payloads = [v["payload"] for v in values]
    assert [p["__op"] for p in payloads] == ["r", "r", "u", "d"]
    assert payloads[2]["status"] == "shipped" and payloads[2]["__deleted"] == "false"
    assert payloads[3]["id"] == 2 and payloads[3]["__deleted"] == "true"
    assert all(p["__table"] == table for p in payloads)
    assert isinstance(payloads[0]["__source_ts_ms"], int)
    schema = values[0]["schema"]
    assert schema["name"] == f"{names['prefix']}.public.{table}.Value" and schema["optional"] is False
    assert [f["field"] for f in schema["fields"]] == ["id", "email", "status", "__deleted", "__op", "__table",
                                                      "__source_ts_ms"]
    assert {"type": "string", "optional": True, "field": "__op"} in schema["fields"]
    headers = [dict((k, v.decode()) for k, v in (m.headers() or [])) for m in msgs]
    assert [h["__op"] for h in headers] == ["r", "r", "u", "d"]
    assert all("__debezium.context.connectorLogicalName" in h for h in headers)
    assert key_of(msgs[0]) == {"schema": {"type": "struct", "fields": [{"type": "int32", "optional": False, "field": "id"}],
                                          "optional": False, "name": f"{names['prefix']}.public.{table}.Key"},
                               "payload": {"id": 1}}
    # The offsets topic is written as without transforms: Connect never transforms offsets.
    assert s.stop() == 0
    offsets = topic_reader("sluice-offsets")
    offsets.drain(2.0)
    mine = [m for m in offsets.messages if m.key() and names["prefix"].encode() in m.key()]
    assert mine, "offsets recorded"
    assert "lsn" in value_of(mine[-1])


def test_unwrap_default_mode_schemas_disabled_delete(pg, names, sluice_factory, topic_reader):
    table = make_table(pg, names, rows=1)
    s = sluice_factory(**UNWRAP, **{
        "table.include.list": f"public.{table}",
        "key.converter.schemas.enable": "false",
        "value.converter.schemas.enable": "false",
    }).start()
    s.wait_streaming()
    with pg.cursor() as cur:
        cur.execute(f"DELETE FROM {table} WHERE id = 1")
    reader = topic_reader(f"{names['prefix']}.public.{table}")
    reader.poll_until(2)
    reader.drain(1.5)
    msgs = reader.messages
    assert len(msgs) == 2, "the delete's tombstone is dropped"
    assert json.loads(msgs[0].value()) == {"id": 1, "email": "u1@x", "status": "new"}
    assert json.loads(msgs[0].key()) == {"id": 1}
    # Debezium's default (tombstone): the delete becomes a null value with the row schema, which JsonConverter
    # without schemas writes as the JSON literal null.
    assert msgs[1].value() == b"null"
    assert json.loads(msgs[1].key()) == {"id": 1}


def test_regex_router_filter_and_predicates(pg, names, sluice_factory, topic_reader):
    orders = f"orders_{names['tag']}"
    other = f"other_{names['tag']}"
    with pg.cursor() as cur:
        cur.execute(f"CREATE TABLE {orders} (id int PRIMARY KEY, v text)")
        cur.execute(f"CREATE TABLE {other} (id int PRIMARY KEY, v text)")
    s = sluice_factory(**{
        "table.include.list": f"public.{orders},public.{other}",
        "predicates": "isOther,isTombstone",
        "predicates.isOther.type": "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
        "predicates.isOther.pattern": f".*\\.other_{names['tag']}",
        "predicates.isTombstone.type": "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone",
        "transforms": "dropOther,dropTombstones,route",
        "transforms.dropOther.type": "org.apache.kafka.connect.transforms.Filter",
        "transforms.dropOther.predicate": "isOther",
        "transforms.dropTombstones.type": "org.apache.kafka.connect.transforms.Filter",
        "transforms.dropTombstones.predicate": "isTombstone",
        "transforms.route.type": "org.apache.kafka.connect.transforms.RegexRouter",
        "transforms.route.regex": "([^.]+)\\.([^.]+)\\.([^.]+)",
        "transforms.route.replacement": "$1-routed-$3",
    }).start()
    s.wait_streaming()
    with pg.cursor() as cur:
        cur.execute(f"INSERT INTO {other} VALUES (1, 'dropped')")
        cur.execute(f"INSERT INTO {orders} VALUES (1, 'a')")
        cur.execute(f"DELETE FROM {orders} WHERE id = 1")
        cur.execute(f"INSERT INTO {other} VALUES (2, 'dropped')")
        cur.execute(f"INSERT INTO {orders} VALUES (2, 'b')")
    routed = topic_reader(f"{names['prefix']}-routed-{orders}")
    routed.poll_until(3)
    routed.drain(1.5)
    ops = [value_of(m)["payload"]["op"] for m in routed.messages]
    assert ops == ["c", "d", "c"], "the tombstone after the delete is filtered"
    # Dropped records are acknowledged: the slot moves past a last transaction whose records were all dropped.
    with pg.cursor() as cur:
        cur.execute(f"INSERT INTO {other} VALUES (3, 'dropped')")
        cur.execute("SELECT pg_current_wal_lsn()")
        target = cur.fetchone()[0]

    def confirmed():
        with pg.cursor() as cur:
            cur.execute("SELECT confirmed_flush_lsn >= %s::pg_lsn FROM pg_replication_slots WHERE slot_name = %s",
                        (target, names["slot"]))
            row = cur.fetchone()
            return row and row[0]
    wait_until(confirmed, 30, what="the slot to confirm past the dropped records")
    original = topic_reader(f"{names['prefix']}.public.{orders}")
    original.drain(1.5)
    assert original.messages == [], "nothing is written to the topic the router moved records from"
    assert s.stop() == 0


def test_serialized_unwrap_drop_mode_routed_acknowledges_drops(pg, names, sluice_factory, topic_reader):
    """A plain unwrap followed by a RegexRouter is written by the serializer (the fast path): snapshot reads and
    streamed changes arrive unwrapped on the routed topic; deletes, their tombstones and a truncate are dropped
    (delete.tombstone.handling.mode=drop) and still acknowledged, so the slot moves past them."""
    table = make_table(pg, names, rows=2)
    s = sluice_factory(**{
        **UNWRAP,
        "table.include.list": f"public.{table}",
        "transforms": "unwrap,route",
        "transforms.unwrap.delete.tombstone.handling.mode": "drop",
        "transforms.route.type": "org.apache.kafka.connect.transforms.RegexRouter",
        "transforms.route.regex": "([^.]+)\\.public\\.(.*)",
        "transforms.route.replacement": "$1.flat.$2",
    }).start()
    s.wait_streaming()
    with pg.cursor() as cur:
        cur.execute(f"UPDATE {table} SET status = 'paid' WHERE id = 1")
        cur.execute(f"DELETE FROM {table} WHERE id = 2")
        cur.execute(f"TRUNCATE {table}")
        cur.execute(f"INSERT INTO {table} VALUES (3, 'u3@x', 'new')")
    routed = topic_reader(f"{names['prefix']}.flat.{table}")
    routed.poll_until(4)
    routed.drain(1.5)
    msgs = routed.messages
    assert [value_of(m)["payload"] for m in msgs] == [
        {"id": 1, "email": "u1@x", "status": "new"},
        {"id": 2, "email": "u2@x", "status": "new"},
        {"id": 1, "email": "u1@x", "status": "paid"},
        {"id": 3, "email": "u3@x", "status": "new"},
    ], "deletes, tombstones and the truncate are dropped"
    schema = value_of(msgs[0])["schema"]
    assert schema["name"] == f"{names['prefix']}.public.{table}.Value" and schema["optional"] is False
    assert [f["field"] for f in schema["fields"]] == ["id", "email", "status"]
    assert key_of(msgs[3])["payload"] == {"id": 3}
    with pg.cursor() as cur:
        cur.execute(f"DELETE FROM {table} WHERE id = 3")  # a last transaction whose records are all dropped
        cur.execute("SELECT pg_current_wal_lsn()")
        target = cur.fetchone()[0]

    def confirmed():
        with pg.cursor() as cur:
            cur.execute("SELECT confirmed_flush_lsn >= %s::pg_lsn FROM pg_replication_slots WHERE slot_name = %s",
                        (target, names["slot"]))
            row = cur.fetchone()
            return row and row[0]
    wait_until(confirmed, 30, what="the slot to confirm past the dropped records")
    original = topic_reader(f"{names['prefix']}.public.{table}")
    original.drain(1.5)
    assert original.messages == [], "nothing is written to the topic the router moved records from"
    assert s.stop() == 0


@pytest.mark.parametrize("key,value,expect", [
    ("transforms", "x", "missing required property transforms.x.type"),
    ("transforms.unwrap.delete.tombstone.handling.mode", "sometimes",
     "invalid value for transforms.unwrap.delete.tombstone.handling.mode: 'sometimes'"),
    ("transforms.unwrap.drop.tombstones", "false", "unknown property transforms.unwrap.drop.tombstones"),
    ("transforms.unwrap.type", "io.debezium.transforms.Nope",
     "invalid value for transforms.unwrap.type: 'io.debezium.transforms.Nope' is not a transform sluice implements"),
    ("column.propagate.source.types", ".*", "column.propagate.source.types is set but sluice does not implement it"),
    ("datatype.propagate.source.type", "public.t.(",
     "invalid value for datatype.propagate.source.type: pattern 'public.t.('"),
    ("column.mask.with.5.chars", "public.t.(", "invalid value for column.mask.with.5.chars: pattern 'public.t.('"),
    ("column.mask.hash.SHA-999.with.salt.x", "public.t.email",
     "invalid column.mask.hash.SHA-999.with.salt.x: 'SHA-999' is not a hash algorithm"),
    ("column.mask.with.many.chars", "public.t.email", "unknown property column.mask.with.many.chars"),
    ("value.converter", "io.confluent.connect.avro.AvroConverter", "invalid value for value.converter"),
    ("value.converter.decimal.format", "NUMERIC", "value.converter.decimal.format is set but sluice does not"),
])
def test_bad_transform_config_exits_2(tmp_path, names, key, value, expect):
    overrides = dict(UNWRAP) if key.startswith("transforms.unwrap") else {}
    overrides[key] = value
    s = Sluice(tmp_path, names, **overrides)
    s.write()
    r = run("run", str(s.path))
    assert r.returncode == 2, r.stdout + r.stderr
    assert expect in r.stdout + r.stderr


def test_hash_mask_shadowed_by_source_type_propagation_exits_2(tmp_path, pg, names):
    """ColumnMappers applies the first matching rule only: column.propagate.source.type comes before the hash
    masks, so Debezium would publish the column in clear; sluice refuses to start."""
    table = make_table(pg, names)
    s = Sluice(tmp_path, names, **{
        "table.include.list": f"public.{table}",
        "column.propagate.source.type": ".*",
        "column.mask.hash.SHA-256.with.salt.x": f"public.{table}.email",
    })
    s.write()
    r = run("run", str(s.path))
    assert r.returncode == 2, r.stdout + r.stderr
    assert (f"column.propagate.source.type and column.mask.hash.SHA-256.with.salt.x both match column "
            f"public.{table}.email") in r.stdout + r.stderr


def test_insert_field_mask_field_value_to_key(pg, names, sluice_factory, topic_reader):
    table = make_table(pg, names)
    s = sluice_factory(**{
        "table.include.list": f"public.{table}",
        "transforms": "unwrap,insert,mask,rekey",
        "transforms.unwrap.type": "io.debezium.transforms.ExtractNewRecordState",
        "transforms.insert.type": "org.apache.kafka.connect.transforms.InsertField$Value",
        "transforms.insert.static.field": "origin",
        "transforms.insert.static.value": "pg",
        "transforms.insert.topic.field": "topic!",
        "transforms.mask.type": "org.apache.kafka.connect.transforms.MaskField$Value",
        "transforms.mask.fields": "email",
        "transforms.mask.replacement": "***",
        "transforms.rekey.type": "org.apache.kafka.connect.transforms.ValueToKey",
        "transforms.rekey.fields": "status,origin",
    }).start()
    s.wait_streaming()
    topic = f"{names['prefix']}.public.{table}"
    reader = topic_reader(topic)
    msgs = reader.poll_until(2)
    values = sorted((value_of(m) for m in msgs), key=lambda v: v["payload"]["id"])
    assert [v["payload"] for v in values] == [
        {"id": i, "email": "***", "status": "new", "topic": topic, "origin": "pg"} for i in (1, 2)]
    assert [f["field"] for f in values[0]["schema"]["fields"]] == ["id", "email", "status", "topic", "origin"]
    assert {"type": "string", "optional": False, "field": "topic"} in values[0]["schema"]["fields"]
    assert key_of(msgs[0]) == {
        "schema": {"type": "struct", "fields": [{"type": "string", "optional": True, "field": "status"},
                                                {"type": "string", "optional": True, "field": "origin"}],
                   "optional": False},
        "payload": {"status": "new", "origin": "pg"}}
    assert s.stop() == 0


@pytest.mark.parametrize("options,expect", [
    ({"ins.type": "org.apache.kafka.connect.transforms.InsertField$Value"}, "no field insertion configured"),
    ({"ins.type": "org.apache.kafka.connect.transforms.InsertField$Key", "ins.static.field": "x"},
     "missing required property transforms.ins.static.value"),
    ({"ins.type": "org.apache.kafka.connect.transforms.MaskField$Value", "ins.fields": "email",
      "ins.replacement": " "}, "invalid value for transforms.ins.replacement: ''"),
    ({"ins.type": "org.apache.kafka.connect.transforms.ValueToKey"}, "missing required property transforms.ins.fields"),
    ({"ins.type": "org.apache.kafka.connect.transforms.HeaderFrom$Value", "ins.fields": "a", "ins.headers": "h",
      "ins.operation": "steal"}, "invalid value for transforms.ins.operation: 'steal'"),
    ({"ins.type": "org.apache.kafka.connect.transforms.Flatten$Value", "ins.delimeter": "_"},
     "unknown property transforms.ins.delimeter"),
])
def test_bad_field_transform_options_exit_2(tmp_path, names, options, expect):
    overrides = {"transforms": "ins", **{f"transforms.{k}": v for k, v in options.items()}}
    s = Sluice(tmp_path, names, **overrides)
    s.write()
    r = run("run", str(s.path))
    assert r.returncode == 2, r.stdout + r.stderr
    assert expect in r.stdout + r.stderr


def test_debezium_filter_and_content_based_router(pg, names, sluice_factory, topic_reader):
    """io.debezium.transforms.Filter keeps the records its condition is true for, ContentBasedRouter moves
    records to the topic its expression gives (sluice's expression language in place of Groovy; Debezium's
    scripting module is not on Maven Central for 3.6+, so there is no conformance combo)."""
    table = make_table(pg, names, rows=3)
    shipped = f"{names['prefix']}.shipped_{names['tag']}"
    s = sluice_factory(**{
        "table.include.list": f"public.{table}",
        "transforms": "keep,route",
        "transforms.keep.type": "io.debezium.transforms.Filter",
        "transforms.keep.language": "jsr223.groovy",
        "transforms.keep.condition": "value.op == 'r' || (value.op == 'u' && value.after.id > 1)",
        "transforms.keep.null.handling.mode": "drop",
        "transforms.route.type": "io.debezium.transforms.ContentBasedRouter",
        "transforms.route.language": "jsr223.groovy",
        "transforms.route.topic.expression":
            f"value.after?.status == 'shipped' ? '{shipped}' : null",
    }).start()
    s.wait_streaming()
    with pg.cursor() as cur:
        cur.execute(f"UPDATE {table} SET status = 'shipped' WHERE id = 1")  # filtered: id 1
        cur.execute(f"UPDATE {table} SET status = 'shipped' WHERE id = 2")  # kept, routed
        cur.execute(f"UPDATE {table} SET status = 'packed' WHERE id = 3")   # kept, stays
        cur.execute(f"DELETE FROM {table} WHERE id = 3")                    # filtered, tombstone dropped
        cur.execute(f"UPDATE {table} SET status = 'shipped' WHERE id = 3")  # no row: nothing
        cur.execute(f"INSERT INTO {table} VALUES (9, 'x', 'shipped')")      # op c: filtered
    moved = topic_reader(shipped)
    moved.poll_until(1)
    original = topic_reader(f"{names['prefix']}.public.{table}")
    original.poll_until(4)
    moved.drain(1.5)
    original.drain(1.5)
    assert [(value_of(m)["payload"]["op"], value_of(m)["payload"]["after"]["id"]) for m in moved.messages] == [("u", 2)]
    assert [(value_of(m)["payload"]["op"], value_of(m)["payload"]["after"]["id"]) for m in original.messages] == [
        ("r", 1), ("r", 2), ("r", 3), ("u", 3)]
    assert s.stop() == 0


@pytest.mark.parametrize("options,expect", [
    ({"f.type": "io.debezium.transforms.Filter", "f.language": "jsr223.groovy",
      "f.condition": "value.op == 'u' && System.exit(1)"},
     "invalid value for transforms.f.condition: 'value.op == 'u' && System.exit(1)' is not an expression"),
    ({"f.type": "io.debezium.transforms.ContentBasedRouter", "f.language": "jsr223.groovy"},
     "missing required property transforms.f.topic.expression"),
    ({"f.type": "io.debezium.transforms.Filter", "f.language": "wasm.chicory", "f.condition": "true"},
     "invalid value for transforms.f.language: 'wasm.chicory'"),
    ({"f.type": "io.debezium.transforms.outbox.EventRouter", "f.table.fields.additional.placement": "type:body"},
     "invalid value for transforms.f.table.fields.additional.placement: 'type:body'"),
    ({"f.type": "io.debezium.transforms.ByLogicalTableRouter", "f.topic.regex": "x"},
     "missing required property transforms.f.topic.replacement"),
])
def test_bad_debezium_transform_options_exit_2(tmp_path, names, options, expect):
    overrides = {"transforms": "f", **{f"transforms.{k}": v for k, v in options.items()}}
    s = Sluice(tmp_path, names, **overrides)
    s.write()
    r = run("run", str(s.path))
    assert r.returncode == 2, r.stdout + r.stderr
    assert expect in r.stdout + r.stderr


@pytest.mark.parametrize("options,expect", [
    ({"value.converter.serializer.type": "avro"}, "invalid value for value.converter.serializer.type: 'avro'"),
    ({"value.converter.extension.attributes.enable": "maybe"},
     "invalid value for value.converter.extension.attributes.enable: 'maybe'"),
    ({"value.converter.metadata.source": "header"}, "invalid value for value.converter.metadata.source: 'header'"),
    ({"value.converter.json.decimal.format": "NUMERIC"},
     "unknown property value.converter.json.decimal.format: io.debezium.converters.CloudEventsConverter"),
])
def test_bad_cloud_events_options_exit_2(tmp_path, names, options, expect):
    s = Sluice(tmp_path, names, **{"value.converter": "io.debezium.converters.CloudEventsConverter", **options})
    s.write()
    r = run("run", str(s.path))
    assert r.returncode == 2, r.stdout + r.stderr
    assert expect in r.stdout + r.stderr


def test_cloud_events_value_converter(pg, names, sluice_factory, topic_reader):
    table = make_table(pg, names, rows=1)
    s = sluice_factory(**{"table.include.list": f"public.{table}",
                          "value.converter": "io.debezium.converters.CloudEventsConverter",
                          "value.converter.json.schemas.enable": "false"}).start()
    s.wait_streaming()
    with pg.cursor() as cur:
        cur.execute(f"UPDATE {table} SET status = 'shipped' WHERE id = 1")
        cur.execute(f"DELETE FROM {table} WHERE id = 1")
    reader = topic_reader(f"{names['prefix']}.public.{table}")
    msgs = reader.poll_until(4)
    events = [json.loads(m.value()) if m.value() is not None else None for m in msgs]
    assert [e["iodebeziumop"] if e else None for e in events] == ["r", "u", "d", None]
    e = events[1]
    assert list(e)[:6] == ["id", "source", "specversion", "type", "time", "datacontenttype"]
    assert e["source"] == f"/debezium/postgresql/{names['prefix']}" and e["specversion"] == "1.0"
    assert e["type"] == "io.debezium.connector.postgresql.DataChangeEvent"
    assert e["id"] == (f"name:{names['prefix']};lsn:{e['iodebeziumlsn']};txId:{e['iodebeziumtxId']};"
                       f"sequence:{e['iodebeziumsequence']}")
    assert e["data"] == {"before": None, "after": {"id": 1, "email": "u1@x", "status": "shipped"}}
    assert key_of(msgs[1])["payload"] == {"id": 1}, "keys stay JsonConverter's"
    assert s.stop() == 0


def test_partition_routing_and_outbox_timestamps(pg, names, sluice_factory, topic_reader):
    """PartitionRouting sends each change to hash(after.id) % 3 (Java's Integer.hashCode is the value itself);
    EventRouter's records carry the event's timestamp column as their Kafka timestamp."""
    from confluent_kafka.admin import AdminClient, NewTopic
    from conftest import KAFKA
    table = make_table(pg, names, rows=5)
    outbox = f"ob_{names['tag']}"
    with pg.cursor() as cur:
        cur.execute(f"CREATE TABLE {outbox} (id uuid PRIMARY KEY, aggregatetype text NOT NULL, "
                    "aggregateid text NOT NULL, type text NOT NULL, payload jsonb, created timestamp(3))")
        cur.execute(f"INSERT INTO {outbox} VALUES (gen_random_uuid(), 'Order_{names['tag']}', 'o-1', 'Created', "
                    "'{}', now() AT TIME ZONE 'UTC' - interval '1 hour')")
        cur.execute(f"SELECT (extract(epoch FROM created) * 1000)::bigint FROM {outbox}")
        created_ms = cur.fetchone()[0]
    topic = f"{names['prefix']}.public.{table}"
    admin = AdminClient({"bootstrap.servers": KAFKA})
    admin.create_topics([NewTopic(topic, 3, 1)])[topic].result(30)
    s = sluice_factory(**{
        "table.include.list": f"public.{table},public.{outbox}",
        "predicates": "isOutbox",
        "predicates.isOutbox.type": "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
        "predicates.isOutbox.pattern": ".*[.]ob_.*",
        "transforms": "partition,outbox",
        "transforms.partition.type": "io.debezium.transforms.partitions.PartitionRouting",
        "transforms.partition.predicate": "isOutbox",
        "transforms.partition.negate": "true",
        "transforms.partition.partition.payload.fields": "change.id",
        "transforms.partition.partition.topic.num": "3",
        "transforms.outbox.type": "io.debezium.transforms.outbox.EventRouter",
        "transforms.outbox.predicate": "isOutbox",
        "transforms.outbox.table.field.event.timestamp": "created",
    }).start()
    s.wait_streaming()
    reader = topic_reader(topic)
    msgs = reader.poll_until(5)
    assert sorted((value_of(m)["payload"]["after"]["id"], m.partition()) for m in msgs) == [
        (i, i % 3) for i in range(1, 6)]
    routed = topic_reader(f"outbox.event.Order_{names['tag']}")
    events = routed.poll_until(1)
    assert events[0].timestamp()[1] == created_ms, "the event's created column is the record timestamp"
    assert s.stop() == 0
