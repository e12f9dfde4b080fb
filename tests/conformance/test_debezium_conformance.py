"""sluice vs real Debezium (Kafka Connect standalone + debezium-connector-postgres h.DEBEZIUM_VERSION: the newest by
default, scripts/test --debezium-version V for another): the same workload, the
same settings, event by event. One Connect worker runs a Debezium connector per setting combination (COMBOS);
a sluice process runs beside each. The handling modes are grouped so that 4 combinations cover every mode of
decimal/time/binary/interval/hstore handling and both JsonConverter schema settings."""
import json
import shutil
import time
import uuid

import psycopg
import pytest
from confluent_kafka.admin import AdminClient, NewTopic

import harness as h
import workload as w

# message.key.columns as a user of the test's schemas ({s}, the quoted {S}) writes it: a key of two columns
# in configured order, keys for tables without a primary key, and a column pattern matched case-insensitively
# ("qty" selects "Qty"). (Debezium refuses a table whose column names differ only by case.)
KEY_COLUMNS = "{s}.keyed:grp,code;{s}.nopk:a;{s}.nopk_full:a,b;{S}.Order.Items:qty"

COMBOS = [
    # defaults: precise, adaptive, bytes, numeric, json; schemas on
    h.Combo("a", {}),
    h.Combo("b", {"decimal.handling.mode": "double", "time.precision.mode": "adaptive_time_microseconds",
                  "binary.handling.mode": "base64", "interval.handling.mode": "string",
                  "hstore.handling.mode": "map", "skipped.operations": "none", "include.unknown.datatypes": "true"},
            key_schemas=False, value_schemas=False),
    h.Combo("c", {"decimal.handling.mode": "string", "time.precision.mode": "connect",
                  "binary.handling.mode": "hex", "tombstones.on.delete": "false", "include.unknown.datatypes": "true",
                  "message.key.columns": KEY_COLUMNS},
            key_schemas=True, value_schemas=False),
    # provide.transaction.metadata: with a filtered publication, so that only the workload's transactions
    # reach the connectors (with FOR ALL TABLES, every transaction in the database gets BEGIN/END records,
    # including other tests' that run at the same time).
    h.Combo("d", {"binary.handling.mode": "base64-url-safe", "decimal.handling.mode": "double",
                  "interval.handling.mode": "string", "provide.transaction.metadata": "true",
                  "publication.autocreate.mode": "filtered", "message.key.columns": KEY_COLUMNS,
                  "include.unknown.datatypes": "true"}),
    # include.unknown.datatypes with the default binary mode (bytes)
    h.Combo("e", {"include.unknown.datatypes": "true"}),
]

# The ~10 MB value (workload table huge): both connectors get the producer limit raised the way a Kafka Connect user
# raises it for one connector (sluice maps it to librdkafka's message.max.bytes), and its topic is created
# beforehand with a larger max.message.bytes (the broker's default allows 1 MB).
LARGE_MESSAGE = 16 * 1024 * 1024
LARGE_MESSAGE_SETTINGS = {"producer.override.max.request.size": str(LARGE_MESSAGE)}


def _create_large_topics(topics):
    admin = AdminClient({"bootstrap.servers": h.KAFKA})
    futures = admin.create_topics([NewTopic(t, 1, 1, config={"max.message.bytes": str(LARGE_MESSAGE)})
                                   for t in topics])
    for f in futures.values():
        f.result(30)


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    if not (h.DEBEZIUM_DIR / "plugins" / "debezium-connector-postgres").is_dir():
        pytest.fail(f"Debezium {h.DEBEZIUM_VERSION} jars missing: run scripts/deps --debezium-version "
                    f"{h.DEBEZIUM_VERSION}")
    if shutil.which("java") is None:
        pytest.fail("java is not installed (scripts/deps --debezium installs it)")
    tag = uuid.uuid4().hex[:8]
    schema = f"cf_{tag}"
    quoted = h.quoted_schema(schema)
    tmp = tmp_path_factory.mktemp("conformance")
    combos = []
    for c in COMBOS:
        settings = {k: v.format(s=schema, S=quoted) for k, v in c.settings.items()}
        settings.update(LARGE_MESSAGE_SETTINGS)
        combos.append(h.Combo(c.label, settings, c.key_schemas, c.value_schemas, tag=tag,
                              dbz_prefix=f"cfdbz{c.label}{tag}", sl_prefix=f"cfsl{c.label}{tag}",
                              schemas=f"{schema},{quoted}"))
    pg = psycopg.connect(h.PG_URL, autocommit=True)
    worker = None
    try:
        h.run_sql(pg, w.EXTENSIONS, schema)
        h.run_sql(pg, w.SCHEMA, schema)
        h.run_sql(pg, w.SNAPSHOT_ROWS, schema)
        _create_large_topics([f"{p}.{schema}.huge" for c in combos for p in (c.dbz_prefix, c.sl_prefix)])
        files = [c.debezium_properties(tmp / f"debezium-{c.label}.properties") for c in combos]
        worker = h.DebeziumWorker(files, tmp / "debezium.log")
        for c in combos:
            c.start_sluice(tmp)
        slots = [c.slot(who) for c in combos for who in ("dbz", "sl")]

        def streaming():
            assert worker.alive(), f"Kafka Connect exited:\n{worker.log_tail()}"
            for c in combos:
                assert c.sluice.poll() is None, f"sluice {c.label} exited:\n{c.sluice_log.read_text()[-3000:]}"
            return h.all_streaming(pg, slots)

        # The JVM start and five snapshots take minutes when the machine is busy (2 shared cores).
        h.wait_until(streaming, 400, "every Debezium connector and sluice to stream (all slots streaming)")
        h.run_sql(pg, w.STREAM, schema)
        h.run_sql(pg, [w.DONE], schema)

        consumer = h.new_consumer()
        done_topics = [f"{p}.{schema}.zz_done" for c in combos for p in (c.dbz_prefix, c.sl_prefix)]

        def all_done():
            streaming()
            existing = set(consumer.list_topics(timeout=10).topics)
            if not all(t in existing for t in done_topics):
                return False
            marks = h.high_watermarks(consumer, done_topics)
            return all(v > 1 for v in marks.values())  # the snapshot row and the last row

        h.wait_until(all_done, 300, "the last row on every connector's topics", interval=0.5)
        # Earlier topics were produced before zz_done; wait until their watermarks stop moving.
        prev = None
        for _ in range(20):
            topics = [t for c in combos for p in (c.dbz_prefix, c.sl_prefix) for t in h.topics_with_prefix(consumer, p)]
            marks = h.high_watermarks(consumer, topics)
            if marks == prev:
                break
            prev = marks
            time.sleep(1.0)
        out = {}
        dump = h.ROOT / ".run" / "conformance"
        dump.mkdir(parents=True, exist_ok=True)
        for c in combos:
            dbz = h.read_all(consumer, h.topics_with_prefix(consumer, c.dbz_prefix))
            sl = h.read_all(consumer, h.topics_with_prefix(consumer, c.sl_prefix))
            topics = {}
            for topic, msgs in dbz.items():
                suffix = topic[len(c.dbz_prefix):]
                topics.setdefault(suffix, h.TopicComparison(suffix)).debezium = [
                    h.message_doc(m, c.dbz_prefix, c.key_schemas, c.value_schemas) for m in msgs]
            for topic, msgs in sl.items():
                suffix = topic[len(c.sl_prefix):]
                topics.setdefault(suffix, h.TopicComparison(suffix)).sluice = [
                    h.message_doc(m, c.sl_prefix, c.key_schemas, c.value_schemas) for m in msgs]
                topics[suffix].sluice_values = [h.as_doc(m.value(), c.sl_prefix) for m in msgs]
            out[c.label] = (c, topics, schema)
            # Both sides' events, for reading a failure (.run/conformance/<combo>.json).
            (dump / f"{c.label}.json").write_text(json.dumps(
                {s: {"debezium": h.abbreviated(t.debezium), "sluice": h.abbreviated(t.sluice)}
                 for s, t in topics.items()}, indent=1, ensure_ascii=False))
        consumer.close()
        out = h.Results(out)
        out.debezium_errors = worker.errors()
        yield out
    finally:
        for c in combos:
            c.stop_sluice()
        if worker is not None:
            worker.stop()
        h.drop_leftovers(pg, tag)
        with pg.cursor() as cur:
            cur.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            cur.execute(f'DROP SCHEMA IF EXISTS "{quoted}" CASCADE')
        pg.close()


@pytest.mark.parametrize("label", [c.label for c in COMBOS])
@pytest.mark.parametrize("table", w.TABLES + [f'"MySchema".{t}' for t in w.QUOTED_TABLES])
def test_same_events_as_debezium(results, label, table):
    c, topics, schema = results[label]
    if table.startswith('"MySchema".'):
        suffix = "." + h.topic_name(f"{h.quoted_schema(schema)}.{table.split('.', 1)[1]}")
    else:
        suffix = "." + h.topic_name(f"{schema}.{table}")
    assert suffix in topics, f"no topic for {table} from either connector (topics: {sorted(topics)})"
    cmp = topics[suffix]
    assert cmp.debezium, f"Debezium published nothing for {table}"
    problems = cmp.problems(c.value_schemas)
    assert not problems, (f"combo {label} {c.settings}, table {table}: sluice differs from Debezium\n"
                          + "\n".join(problems) + results.worker_note())


# Rows holding the same values, one read by the snapshot and one streamed (workload SNAPSHOT_ROWS and STREAM):
# (snapshot id, streamed id).
SAME_VALUES = {"md_arrays": [(1, 2)], "md_typed": [(1, 2)], "snapdiff": [(1, 2), (3, 4)]}


@pytest.mark.parametrize("label", [c.label for c in COMBOS])
@pytest.mark.parametrize("table", sorted(SAME_VALUES))
def test_snapshot_reads_equal_streamed_values(results, label, table):
    """sluice renders a value its snapshot reads as it streams it (Debezium's snapshot does not always:
    harness.SNAPDIFF_SNAPSHOT); the streamed values are compared with Debezium's by test_same_events_as_debezium."""
    c, topics, schema = results[label]
    cmp = topics["." + h.topic_name(f"{schema}.{table}")]
    rows = {}
    for v in cmp.sluice_values:
        p = h.payload_of(v, c.value_schemas) if v is not None else None
        if isinstance(p, dict) and p.get("after"):
            rows[(p["op"], p["after"]["id"])] = {k: x for k, x in p["after"].items() if k != "id"}
    for snap, streamed in SAME_VALUES[table]:
        assert ("r", snap) in rows and ("c", streamed) in rows, f"{table}: rows {sorted(rows)}"
        assert rows[("r", snap)] == rows[("c", streamed)], f"{table}: snapshot row {snap} vs streamed row {streamed}"


@pytest.mark.parametrize("label", [c.label for c in COMBOS])
def test_same_topics_as_debezium(results, label):
    c, topics, schema = results[label]
    only_dbz = sorted(s for s, t in topics.items() if t.debezium and not t.sluice)
    only_sl = sorted(s for s, t in topics.items() if t.sluice and not t.debezium)
    assert not only_dbz and not only_sl, f"topics only Debezium wrote: {only_dbz}; only sluice wrote: {only_sl}"


@pytest.mark.parametrize("label", [c.label for c in COMBOS])
@pytest.mark.parametrize("topic", w.OTHER_TOPICS)
def test_same_records_as_debezium(results, label, topic):
    c, topics, schema = results[label]
    cmp = topics.get(f".{topic}")
    if topic == "transaction" and c.settings.get("provide.transaction.metadata") != "true":
        assert cmp is None, f"combo {label}: a transaction topic without provide.transaction.metadata"
        return
    assert cmp is not None and cmp.debezium, f"combo {label}: Debezium published nothing to .{topic}"
    problems = cmp.problems(c.value_schemas)
    assert not problems, (f"combo {label} {c.settings}, topic {topic}: sluice differs from Debezium\n"
                          + "\n".join(problems) + results.worker_note())
