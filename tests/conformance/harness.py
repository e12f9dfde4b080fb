"""Conformance harness: real Debezium and sluice on the same Postgres, same settings, same DML; their records
are compared message by message (key, value, headers) after replacing each one's topic prefix by PREFIX.

Fields may differ only where ALLOWED_DIFFERENCES / ALLOWED_HEADERS list them, each with its reason.

Environment (scripts/test exports it): SLUICE_PG_URL, SLUICE_KAFKA_BOOTSTRAP, SLUICE_BIN, and
SLUICE_DEBEZIUM_VERSION (scripts/test --debezium-version V; default: <debezium.version> in scripts/debezium/pom.xml).
"""
import json
import os
import re
import subprocess
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional
from urllib.parse import urlparse

import psycopg
from confluent_kafka import Consumer, TopicPartition

ROOT = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("SLUICE_PG_URL", "postgresql://postgres@127.0.0.1:25432/postgres")
KAFKA = os.environ.get("SLUICE_KAFKA_BOOTSTRAP", "127.0.0.1:29092")
SLUICE_BIN = os.environ.get("SLUICE_BIN", str(ROOT / "build" / "sluice"))
PREFIX = "PREFIX"


def _default_debezium_version():
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    return ET.parse(ROOT / "scripts" / "debezium" / "pom.xml").getroot().find(
        "m:properties/m:debezium.version", ns).text.strip()


# The Debezium release compared with, and where scripts/deps --debezium put its jars.
DEBEZIUM_VERSION = os.environ.get("SLUICE_DEBEZIUM_VERSION") or _default_debezium_version()
DEBEZIUM_DIR = ROOT / ".cache" / "debezium" / DEBEZIUM_VERSION


# The Debezium release whose event format sluice is told to follow (sluice.compat.version): the compared one's
# major.minor, unless SLUICE_COMPAT_VERSION says otherwise (e.g. 3.7 against Debezium 3.4.3 shows how the
# newest format differs from 3.4's).
COMPAT_VERSION = os.environ.get("SLUICE_COMPAT_VERSION") or ".".join(DEBEZIUM_VERSION.split(".")[:2])


def debezium_before(version):
    """True when the Debezium compared with is older than VERSION ("3.5", "3.6.1")."""
    def key(v):
        return tuple(int(x) for x in re.findall(r"\d+", v)[:3])
    return key(DEBEZIUM_VERSION) < key(version)


# ---------------------------------------------------------------------------------------------------------------
# The one list of fields allowed to differ. `path` is "key." or "value." plus a dotted path into the *payload*
# (the "payload" of a JsonConverter document with schemas, or the bare document), applied to both sides; `when`
# restricts it to some events. The field must exist on both sides: only its value may differ.
# ---------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Allowed:
    path: str
    reason: str
    when: Callable[[dict], bool] = lambda payload: True
    # Instead of masking the field: a function applied to its value on both sides (what it does not map
    # stays compared).
    normalize: Optional[Callable] = None


def _is_snapshot(p):
    return p.get("op") == "r"


def _streamed_from(table):
    return lambda p: p.get("op") != "r" and (p.get("source") or {}).get("table") == table


def _snapshot_of(table):
    return lambda p: p.get("op") == "r" and (p.get("source") or {}).get("table") == table


def _from(*tables):
    return lambda p: (p.get("source") or {}).get("table") in tables


# Object.toString() of a Java array: "[Ljava.lang.String;@1b6d3586" (the hash is the object's identity).
JAVA_ARRAY_IDENTITY = re.compile(r"^\[L[\w.$]+;@[0-9a-f]+$")


def _java_array_identity_to_null(value):
    if not isinstance(value, list):
        return value
    return [None if isinstance(v, str) and JAVA_ARRAY_IDENTITY.match(v) else v for v in value]


# Workload table snapdiff (README, compatibility): values Debezium's snapshot (JDBC: java.sql.Date/Timestamp in
# the Julian-Gregorian calendar, pgjdbc's infinity dates, money through a double) renders differently from its
# own streaming; sluice gives the streamed value on both paths (streamed snapdiff events are compared in full).
SNAPDIFF_SNAPSHOT = {
    "d": "dates BC (44 BC: Debezium's snapshot -703383, its stream and sluice -735160) and ±infinity (snapshot "
         "-625821272 / -622191234, stream and sluice Debezium's sentinels -2147472691 / -2147472692)",
    "d2": "infinity date: as d",
    "ts0": "timestamp(0) BC: Debezium's snapshot is 2 days earlier (Julian calendar) than its stream and sluice",
    "ts3": "timestamp(3) BC: as ts0",
    "ts6": "timestamp(6) BC: as ts0",
    "tsold": "timestamps before 1582-10-15 (Julian calendar in the snapshot: 1000-01-01 5 days, 1582-10-10 "
             "10 days off)",
    "tstz": "timestamptz BC: as ts0 (snapshot -0043-03-13T12:00:00.500000Z, stream -0043-03-15T…)",
    "tstz3": "timestamptz before 1582: as tsold (snapshot 1000-01-06T00:00:00.123Z, stream 1000-01-01T…)",
    "m": "money, decimal.handling.mode=string: the snapshot's BigDecimal from a double (\"-5.0\", \"12.3\"), "
         "the stream's and sluice's scale 2 (\"-5.00\", \"12.30\")",
    "m2": "money beyond a double's 15-16 digits: the snapshot rounds 92233720368547758.07 to 9.223372036854776E16 "
          "(precise: another Decimal, string: \"9.223372036854776E16\"), the stream and sluice keep it",
    "dbig": "the earliest date, 4713-01-01 BC: the snapshot 1001860, the stream and sluice -2440550",
    "tsmax": "the earliest timestamp, 4713-01-01 00:00:00 BC: the snapshot -210866803200000000 µs, the stream and "
             "sluice -210863520000000000",
    "tstzmax": "the earliest timestamptz: the snapshot -4713-11-24T00:00:00.000000Z, the stream and sluice "
               "-4712-01-01T00:00:00.000000Z",
}


ALLOWED_DIFFERENCES = [
    Allowed("value.source.version", f"the producing software's version: Debezium's ({DEBEZIUM_VERSION}) vs sluice's"),
    Allowed("value.ts_ms", "connector clock when the event was processed: two processes, two instants",
            lambda p: "status" not in p),  # a transaction record's ts_ms is the commit time: compared
    Allowed("value.ts_us", "connector clock (as ts_ms)"),
    Allowed("value.ts_ns", "connector clock (as ts_ms)"),
    Allowed("value.source.ts_ms", "snapshot reads: Debezium stamps each read with the time it read the row, "
            "sluice with the snapshot's start (streamed events carry the commit time and are compared)", _is_snapshot),
    Allowed("value.source.ts_us", "snapshot reads: as source.ts_ms", _is_snapshot),
    Allowed("value.source.ts_ns", "snapshot reads: as source.ts_ms", _is_snapshot),
    Allowed("value.source.txId", "snapshot reads: the id of each connector's own snapshot transaction", _is_snapshot),
    Allowed("value.source.lsn", "snapshot reads: each connector's own slot's consistent point", _is_snapshot),
    Allowed("value.source.sequence", "snapshot reads: built from each connector's own slot position", _is_snapshot),
    # Deliberate (README, compatibility): Debezium (3.4.3 to 3.7.1) loses every streamed `name` value (null in
    # c/u/d events with pgoutput; its snapshot reads have them). sluice keeps the value. Workload: table strings,
    # column nm.
    Allowed("value.after.nm", "Debezium emits null for streamed `name` values (data loss); sluice keeps them",
            _streamed_from("strings")),
    Allowed("value.before.nm", "as value.after.nm", _streamed_from("strings")),
    # Deliberate (README, compatibility): snapshot reads of the values in SNAPDIFF_SNAPSHOT.
    *[Allowed(f"value.after.{col}", f"Debezium's snapshot path corrupts it: {why}", _snapshot_of("snapdiff"))
      for col, why in SNAPDIFF_SNAPSHOT.items()],
    # Multidimensional arrays (README, arrays row): Debezium's converters of string-like elements print each
    # sub-array of the outer dimension with Object.toString ("[Ljava.lang.String;@<random identity hash>",
    # different in every run); sluice writes null there, as Debezium does for the other element types. The list
    # (its length: one entry per sub-array) stays compared.
    *[Allowed(f"value.after.{col}", "Debezium prints Java's identity string of each sub-array; sluice null",
              _from("md_arrays", "md_typed"), normalize=_java_array_identity_to_null)
      for col in ("atext", "avc", "auuid", "ajson", "ajsonb", "ainet", "acidr", "amac", "arange", "achar", "lts")],
    *[Allowed(f"value.after.{col}", "enum[] and tsvector[] (required elements): Debezium a list of Java identity "
              "strings (as atext), sluice null (a null cannot stand in a required element)", _from("md_typed"))
      for col in ("moods", "tsv")],
]

# Header values allowed to differ (by header name), with the reason.
ALLOWED_HEADERS = {
    "__debezium.context.runId": "a random id of each connector run (Debezium 3's extended headers)",
}
# The topic prefix (source.name, topic names, schema names) differs by construction; it is replaced by PREFIX
# in both documents before comparing, so it needs no entry.

# Debezium names the data collection of a logical decoding message (in the transaction topic's END records)
# after a Java object: "io.debezium.connector.postgresql.LogicalDecodingMessageMonitor$LogicalDecodingMessageId@"
# plus the object's identity hash, a random number. The hash is masked, and as data_collections is in
# java.util.HashMap order of these names, the message entries are compared after the table entries (whose
# relative order does not depend on the hash).
MESSAGE_COLLECTION = "io.debezium.connector.postgresql.LogicalDecodingMessageMonitor$LogicalDecodingMessageId@"


def normalize_transaction_record(doc, schemas):
    p = payload_of(doc, schemas) if doc is not None else None
    if not isinstance(p, dict) or not isinstance(p.get("data_collections"), list):
        return doc
    tables, messages = [], []
    for entry in p["data_collections"]:
        name = entry.get("data_collection", "") if isinstance(entry, dict) else ""
        if name.startswith(MESSAGE_COLLECTION):
            messages.append({**entry, "data_collection": MESSAGE_COLLECTION + "<identity hash>"})
        else:
            tables.append(entry)
    p["data_collections"] = tables + messages
    return doc


def _get(doc, parts):
    for p in parts:
        if not isinstance(doc, dict) or p not in doc:
            return None, False
        doc = doc[p]
    return doc, True


def _set(doc, parts, value):
    for p in parts[:-1]:
        doc = doc[p]
    doc[parts[-1]] = value


def payload_of(doc, schemas):
    return doc["payload"] if schemas and isinstance(doc, dict) and "payload" in doc else doc


def mask_allowed(part, doc, schemas):
    """Replaces the allowed fields of one key/value document (in place) by a marker."""
    if doc is None:
        return doc
    p = payload_of(doc, schemas)
    if isinstance(p, dict) and "specversion" in p:
        return doc  # a CloudEvent: its attributes are not envelope paths (test_transforms_conformance marks them)
    for a in ALLOWED_DIFFERENCES:
        where, _, rest = a.path.partition(".")
        if where != part or not isinstance(p, dict) or not a.when(p):
            continue
        parts = rest.split(".")
        value, found = _get(p, parts)
        if found:
            _set(p, parts, a.normalize(value) if a.normalize else f"<allowed: {a.path}>")
    return doc


def diff(a, b, path="", out=None, limit=40):
    """Readable differences between two JSON values: 'path: debezium=… sluice=…'."""
    out = [] if out is None else out
    if len(out) >= limit:
        return out
    if isinstance(a, dict) and isinstance(b, dict):
        if list(a.keys()) != list(b.keys()) and set(a.keys()) == set(b.keys()):
            out.append(f"{path or '.'}: field order differs: debezium={list(a.keys())} sluice={list(b.keys())}")
        for k in list(a.keys()) + [k for k in b.keys() if k not in a]:
            if k not in a:
                out.append(f"{path}.{k}: only in sluice: {json.dumps(b[k])[:300]}")
            elif k not in b:
                out.append(f"{path}.{k}: only in debezium: {json.dumps(a[k])[:300]}")
            else:
                diff(a[k], b[k], f"{path}.{k}", out, limit)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f"{path}: list length debezium={len(a)} sluice={len(b)}: "
                       f"debezium={json.dumps(a)[:300]} sluice={json.dumps(b)[:300]}")
        else:
            for i, (x, y) in enumerate(zip(a, b)):
                label = x.get("field", i) if isinstance(x, dict) else i  # schema fields: by name
                diff(x, y, f"{path}[{label}]", out, limit)
    elif a != b or type(a) is not type(b):
        out.append(f"{path}: debezium={json.dumps(a)[:300]} sluice={json.dumps(b)[:300]}")
    return out


# ---------------------------------------------------------------------------------------------------------------
# Processes
# ---------------------------------------------------------------------------------------------------------------
def pg_params():
    u = urlparse(PG_URL)
    return {
        "database.hostname": u.hostname,
        "database.port": str(u.port or 5432),
        "database.user": u.username or "postgres",
        "database.password": u.password or "",
        "database.dbname": (u.path or "/postgres").lstrip("/"),
    }


@dataclass
class Combo:
    """One setting combination: a Debezium connector and a sluice process with the same properties."""
    label: str
    settings: dict  # values may name the combination's topic prefix as @PREFIX@ (one per side)
    key_schemas: bool = True
    value_schemas: bool = True
    tag: str = ""
    dbz_prefix: str = ""
    sl_prefix: str = ""
    schemas: str = ""  # schema.include.list
    sluice: Optional[subprocess.Popen] = None
    sluice_log: Optional[Path] = None

    def common(self):
        return {
            "connector.class": "io.debezium.connector.postgresql.PostgresConnector",
            "plugin.name": "pgoutput",
            "snapshot.mode": "initial",
            "publication.autocreate.mode": "all_tables",
            "schema.include.list": self.schemas,
            "key.converter.schemas.enable": str(self.key_schemas).lower(),
            "value.converter.schemas.enable": str(self.value_schemas).lower(),
            **pg_params(),
            **self.settings,
        }

    def slot(self, who):
        return f"cf_{who}_{self.label}_{self.tag}"

    def publication(self, who):
        return f"cfpub_{who}_{self.label}_{self.tag}"

    def debezium_properties(self, path: Path):
        props = self.common()
        props.update({
            "name": f"cf-{self.label}-{self.tag}",
            "topic.prefix": self.dbz_prefix,
            "slot.name": self.slot("dbz"),
            "publication.name": self.publication("dbz"),
            "slot.drop.on.stop": "true",
            # per-connector converters, so one worker serves every combination
            "key.converter": "org.apache.kafka.connect.json.JsonConverter",
            "value.converter": "org.apache.kafka.connect.json.JsonConverter",
        })
        for k in ("key.converter", "value.converter"):  # a combination's own converter (CloudEvents)
            if k in self.settings:
                props[k] = self.settings[k]
        props = {k: v.replace("@PREFIX@", self.dbz_prefix) for k, v in props.items()}
        path.write_text("".join(f"{k}={v}\n" for k, v in props.items()), encoding="utf-8")
        return path

    def start_sluice(self, tmp: Path):
        props = self.common()
        props.update({
            "topic.prefix": self.sl_prefix,
            "slot.name": self.slot("sl"),
            "publication.name": self.publication("sl"),
            "status.update.interval.ms": "200",
            "kafka.bootstrap.servers": KAFKA,
            "offset.storage": "none",
            "sluice.compat.version": COMPAT_VERSION,
        })
        props = {k: v.replace("@PREFIX@", self.sl_prefix) for k, v in props.items()}
        cfg = tmp / f"sluice-{self.label}.json"
        cfg.write_text(json.dumps({"name": f"cf-{self.label}", "config": props}))
        self.sluice_log = tmp / f"sluice-{self.label}.log"
        log = open(self.sluice_log, "ab")
        self.sluice = subprocess.Popen([SLUICE_BIN, "run", str(cfg)], stdout=log, stderr=subprocess.STDOUT)
        log.close()

    def stop_sluice(self):
        if self.sluice is not None and self.sluice.poll() is None:
            self.sluice.terminate()
            try:
                self.sluice.wait(30)
            except subprocess.TimeoutExpired:
                self.sluice.kill()
                self.sluice.wait()


class DebeziumWorker:
    """One Kafka Connect standalone worker running every combination's Debezium connector (one JVM start)."""

    def __init__(self, property_files, log_path: Path):
        self.log_path = log_path
        log = open(log_path, "ab")
        # Per-connector producer overrides (producer.override.*) are allowed, as a user enables them.
        self.proc = subprocess.Popen(
            [str(ROOT / "scripts" / "debezium" / "connect-standalone"), *map(str, property_files),
             "connector.client.config.override.policy=All"],
            stdout=log, stderr=subprocess.STDOUT)
        log.close()

    def alive(self):
        return self.proc.poll() is None

    def log_tail(self, n=60):
        lines = self.log_path.read_text(errors="replace").splitlines() if self.log_path.exists() else []
        return "\n".join(lines[-n:])

    # Errors Debezium logs for the workload's values on every run (infinite timestamps it cannot parse).
    EXPECTED_ERRORS = ("DateTimeFormat$ISODateTimeFormat",)

    def errors(self, n=20):
        """The worker's unexpected ERROR lines (a task that failed or restarted, an OutOfMemoryError), to name
        in a failed comparison: a Debezium connector restarted mid-run re-snapshots or misses changes."""
        lines = self.log_path.read_text(errors="replace").splitlines() if self.log_path.exists() else []
        bad = [x for x in lines if (" ERROR " in x or "OutOfMemoryError" in x)
               and not any(e in x for e in self.EXPECTED_ERRORS)]
        return bad[:n]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def all_streaming(pg, slot_names):
    """Whether every named slot streams: active and past its creation. A logical slot is also active while it is
    being created (its walsender waits for the running transactions to end, confirmed_flush_lsn still null), and
    Debezium creates its slot before its snapshot: counting those let the workload run while 10 of 15 Debezium
    connectors were still snapshotting (CI, session 7), which then failed on its ALTER TABLEs and re-snapshotted."""
    with pg.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_replication_slots WHERE active AND confirmed_flush_lsn IS NOT NULL "
                    "AND slot_name = ANY(%s)", (list(slot_names),))
        return cur.fetchone()[0] == len(slot_names)


class Results(dict):
    """A conformance fixture's comparisons by combination label, with the Debezium worker's unexpected errors."""
    debezium_errors: list = []

    def worker_note(self):
        if not self.debezium_errors:
            return ""
        return ("\nthe Debezium worker logged these errors (a connector that failed or restarted mid-run compares "
                "wrongly):\n" + "\n".join(self.debezium_errors))


def wait_until(predicate, timeout, what, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = predicate()
        if v:
            return v
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


# ---------------------------------------------------------------------------------------------------------------
# Kafka
# ---------------------------------------------------------------------------------------------------------------
def new_consumer():
    return Consumer({
        "bootstrap.servers": KAFKA,
        "group.id": f"conformance-{os.getpid()}-{time.monotonic_ns()}",
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
    })


def topics_with_prefix(consumer, prefix):
    md = consumer.list_topics(timeout=10)
    return sorted(t for t in md.topics if t.startswith(prefix + "."))


def high_watermarks(consumer, topics):
    out = {}
    md = consumer.list_topics(timeout=10)
    for t in topics:
        for p in md.topics[t].partitions:
            _, hi = consumer.get_watermark_offsets(TopicPartition(t, p), timeout=10)
            out[(t, p)] = hi
    return out


def read_all(consumer, topics):
    """Every message of the topics, from the beginning to the current high watermarks, in offset order."""
    wanted = {tp: hi for tp, hi in high_watermarks(consumer, topics).items() if hi > 0}
    out = {t: [] for t in topics}
    if not wanted:
        return out
    consumer.assign([TopicPartition(t, p, 0) for (t, p) in wanted])
    got = {tp: [] for tp in wanted}
    deadline = time.monotonic() + 60
    while any(len(got[tp]) < hi for tp, hi in wanted.items()) and time.monotonic() < deadline:
        msg = consumer.poll(0.5)
        if msg is None or msg.error():
            continue
        tp = (msg.topic(), msg.partition())
        if tp in got and msg.offset() < wanted[tp]:
            got[tp].append(msg)
    consumer.unassign()
    for (t, _), msgs in sorted(got.items()):
        out[t].extend(sorted(msgs, key=lambda m: m.offset()))
    return out


def topic_name(name):
    """A table's topic name part as Debezium sanitizes it: each UTF-16 unit outside [A-Za-z0-9._-] becomes '_'."""
    out = []
    for ch in name:
        ok = ch.isascii() and (ch.isalnum() or ch in "._-")
        out.append(ch if ok else "_" * (2 if ord(ch) > 0xFFFF else 1))
    return "".join(out)


def abbreviated(value, limit=2000):
    """A JSON value with strings longer than limit shortened (for the readable dumps of both sides' events)."""
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:200]}...<{len(value)} characters>"
    if isinstance(value, list):
        return [abbreviated(v, limit) for v in value]
    if isinstance(value, dict):
        return {k: abbreviated(v, limit) for k, v in value.items()}
    return value


def as_doc(raw, prefix):
    if raw is None:
        return None
    text = raw.decode("utf-8", errors="replace").replace(prefix, PREFIX)
    try:
        return json.loads(text)
    except ValueError:
        return {"<not JSON>": text}


def message_doc(msg, prefix, key_schemas, value_schemas):
    """key, value and headers of a message as JSON, prefix replaced, allowed fields masked."""
    headers = {}
    for k, v in msg.headers() or []:
        headers[k] = f"<allowed: header {k}>" if k in ALLOWED_HEADERS else as_doc(v, prefix)
    value = mask_allowed("value", as_doc(msg.value(), prefix), value_schemas)
    if msg.topic().endswith(".transaction"):
        value = normalize_transaction_record(value, value_schemas)
    return {
        "key": mask_allowed("key", as_doc(msg.key(), prefix), key_schemas),
        "value": value,
        "headers": headers,
    }


def summarize(doc, schemas):
    v = doc["value"]
    if v is None:
        return "tombstone"
    p = payload_of(v, schemas)
    if isinstance(p, dict) and "status" in p:
        return f"{p.get('status')} {p.get('id')}"
    return f"op={p.get('op')}" if isinstance(p, dict) else "?"


@dataclass
class TopicComparison:
    suffix: str
    debezium: list = field(default_factory=list)
    sluice: list = field(default_factory=list)
    sluice_values: list = field(default_factory=list)  # sluice's values unmasked (prefix replaced)

    def problems(self, value_schemas):
        out = []
        if len(self.debezium) != len(self.sluice):
            out.append(f"message count: debezium={len(self.debezium)} sluice={len(self.sluice)}; "
                       f"debezium={[summarize(d, value_schemas) for d in self.debezium]} "
                       f"sluice={[summarize(d, value_schemas) for d in self.sluice]}")
        for i in range(min(len(self.debezium), len(self.sluice))):
            lines = diff(self.debezium[i], self.sluice[i], "")
            if lines:
                out.append(f"message #{i} ({summarize(self.debezium[i], value_schemas)}):\n    "
                           + "\n    ".join(lines))
        return out


# ---------------------------------------------------------------------------------------------------------------
# Workload set-up and clean-up shared by the conformance tests.
# ---------------------------------------------------------------------------------------------------------------
def quoted_schema(schema):
    """The second, quoted-identifier schema of a run (cf_<tag> -> MySchema_<tag>)."""
    return schema.replace("cf_", "MySchema_")


def run_sql(pg, statements, schema):
    """Runs workload statements with {s} the run's schema and {S} its quoted twin."""
    with pg.cursor() as cur:
        for st in statements:
            cur.execute(st.format(s=schema, S=quoted_schema(schema)))


def drop_leftovers(pg, tag):
    """Drops the replication slots and publications whose names contain the run's tag."""
    with pg.cursor() as cur:
        cur.execute("SELECT slot_name FROM pg_replication_slots WHERE slot_name LIKE %s", (f"%{tag}%",))
        for (slot,) in cur.fetchall():
            try:
                cur.execute("SELECT pg_drop_replication_slot(%s)", (slot,))
            except psycopg.Error:
                pass
        cur.execute("SELECT pubname FROM pg_publication WHERE pubname LIKE %s", (f"%{tag}%",))
        for (pub,) in cur.fetchall():
            cur.execute(f'DROP PUBLICATION IF EXISTS "{pub}"')
