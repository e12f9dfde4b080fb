"""S1, the sink benchmark (bench/run --workloads S1): one Debezium-format topic applied to a target Postgres by
`sluice sink` and by Debezium's JDBC sink connector (io.debezium:debezium-connector-jdbc in the Kafka Connect
standalone worker of scripts/debezium/connect-standalone), one after the other, never concurrently.

The topic is written once by `sluice run` from W1's table (N rows inserted in one transaction; full envelope,
JsonConverter schemas on, as Debezium's source writes it). Each contender gets a database of its own on the local
server holding the source's table definition, and runs as a replication sink is configured: insert.mode=upsert,
primary.key.mode=record_key, delete.enabled=true, schema.evolution=none, the same batch.size (Debezium also gets
consumer.max.poll.records of that size, as its docs advise) and the same consumer fetch sizes (FETCH). Time runs from the first row in the target (JVM
start-up and the consumer group join are not counted) until the target holds the topic's last row (max(id),
an index probe, polled every 20 ms; then count(*) must be N);
CPU seconds are the contender's own (user+sys, /proc) over the same interval, peak RSS its VmHWM; "target
Postgres CPU s" is that of the contender's backends in the target database over the interval.
"""
import json
import subprocess
import time

import psycopg

import bench as b

BATCH = 2000  # batch.size of both contenders
# Both consumers fetch up to 16 MiB per partition per request (Kafka's default, 1 MiB, is ~290 of these 3.6 KB
# records: then the broker's fetch round trips, not the sinks, set the pace, the same for both).
FETCH = {"max.partition.fetch.bytes": str(16 << 20), "fetch.max.bytes": str(64 << 20)}


def _jdbc_version():
    import xml.etree.ElementTree as ET
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    return ET.parse(b.ROOT / "scripts" / "debezium" / "jdbc-sink.pom.xml").getroot().find(
        "m:properties/m:debezium.jdbc.version", ns).text.strip()


JDBC_VERSION = _jdbc_version()
JDBC_PLUGINS = b.ROOT / ".cache" / "debezium-jdbc" / JDBC_VERSION


def available():
    return (JDBC_PLUGINS / "debezium-connector-jdbc").is_dir()


def target_url(env, db):
    return env.url._replace(path="/" + db).geturl()


def sink_props(env, db, topic, table):
    u = env.url
    return {"topics": topic, "connection.url": f"jdbc:postgresql://{u.hostname}:{u.port}/{db}",
            "connection.username": u.username or "postgres", "connection.password": u.password or "",
            "insert.mode": "upsert", "primary.key.mode": "record_key", "delete.enabled": "true",
            "schema.evolution": "none", "collection.name.format": table, "batch.size": str(BATCH)}


def write_topic(env, tmp, table, pub, rows):
    """The topic both sinks read: `sluice run` streaming W1's transaction into Kafka."""
    prefix = f"{env.tag}_s1"
    topic = f"{prefix}.public.{table}"
    slot = f"{table}_src"
    env.slot(slot)
    env.q(f"INSERT INTO {table} (id, a, b, amount, flag, at) SELECT g, md5(g::text), 'row ' || g, g * 1.25, "
          f"g % 2 = 0, now() FROM generate_series(1, {rows}) g")
    env.create_topic(topic)
    cfg = b.sluice_config(env, slot, pub, prefix, table, {})
    path = tmp / f"{prefix}.json"
    path.write_text(json.dumps(cfg))
    logf = open(tmp / f"{prefix}.log", "w")
    p = subprocess.Popen([b.SLUICE, "run", str(path)], stdout=logf, stderr=logf)
    try:
        b.wait_until(lambda: env.topic_count(topic) >= rows, p, max(120, rows / 2000), "S1 topic")
    finally:
        b.stop(p)
    env.drop_slot(slot)
    env.slots.remove(slot)
    return topic


def measure(env, tmp, p, db, table, rows, what, logname):
    with psycopg.connect(target_url(env, db), autocommit=True) as t:
        def last_id():  # an index probe, not count(*): the poll must not load the server it measures
            return t.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]
        try:
            b.wait_until(lambda: last_id() > 0, p, b.DEBEZIUM_START_TIMEOUT, f"{what} start", poll=0.005)
            t0, cpu0 = time.monotonic(), b.proc_cpu(p.pid)
            backends = [r[0] for r in t.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                                "AND pid <> pg_backend_pid()").fetchall()]
            pg0 = sum(b.proc_cpu(x) for x in backends)
            # One partition, applied in order: the last id is the last record of the topic.
            b.wait_until(lambda: last_id() >= rows, p, max(180, rows / 200), f"{what} drain", poll=0.02)
            secs = time.monotonic() - t0
            cpu = b.proc_cpu(p.pid) - cpu0
            pg_cpu = sum(b.proc_cpu(x) for x in backends) - pg0
            rss = b.proc_hwm_mb(p.pid)
        except Exception:
            b.log((tmp / logname).read_text()[-3000:])
            raise
        finally:
            b.stop(p)
        have = t.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        if have != rows:
            raise RuntimeError(f"S1 {what}: {have} rows in the target, {rows} expected")
        # Both apply the same rows: a checksum of the target table, compared by the caller.
        digest = t.execute(f"SELECT md5(string_agg(x::text, '|' ORDER BY id)) FROM {table} x").fetchone()[0]
    return secs, cpu, rss, digest, pg_cpu


def run_sluice_sink(env, tmp, db, topic, table, rows):
    name = f"{env.tag}_s1_sluice"
    cfg = {"name": name, "connector.class": "io.debezium.connector.jdbc.JdbcSinkConnector",
           **sink_props(env, db, topic, table), "kafka.bootstrap.servers": b.KAFKA,
           **{f"consumer.{k}": v for k, v in FETCH.items()}}
    scraper = b.MetricsScraper(cfg)  # --scrape-metrics: the sink serves /metrics, read every second
    path = tmp / f"{name}.json"
    path.write_text(json.dumps(cfg))
    logf = open(tmp / f"{name}.log", "w")
    p = subprocess.Popen([b.SLUICE, "sink", str(path)], stdout=logf, stderr=logf)
    with scraper:
        secs, cpu, rss, digest, pg_cpu = measure(env, tmp, p, db, table, rows, "sluice sink", f"{name}.log")
    return b.result("sluice", "sluice sink -> Postgres", rows, secs, cpu, rss, broker_cpu=pg_cpu), digest


def run_debezium_sink(env, tmp, db, topic, table, rows):
    name = f"{env.tag}_s1_dbz"
    props = {"name": name, "connector.class": "io.debezium.connector.jdbc.JdbcSinkConnector", "tasks.max": "1",
             **sink_props(env, db, topic, table)}
    plugins = f"{b.ROOT / '.cache' / 'debezium' / b.DEBEZIUM_VERSION / 'plugins'},{JDBC_PLUGINS}"
    p = b.start_debezium(tmp, props, {"plugin.path": plugins, "consumer.max.poll.records": str(BATCH),
                                      **{f"consumer.{k}": v for k, v in FETCH.items()}})
    try:
        secs, cpu, rss, digest, pg_cpu = measure(env, tmp, p, db, table, rows, "Debezium JDBC sink",
                                                 f"{name}.log")
    finally:
        import shutil
        shutil.rmtree(b.RUN / "debezium" / name, ignore_errors=True)
    return b.result("debezium", f"Debezium JDBC sink {JDBC_VERSION} (Connect standalone)", rows, secs, cpu,
                    rss, broker_cpu=pg_cpu), digest


def workload_s1(env, tmp, rows, args):
    # bench.py runs as __main__: this module's copy of it (b) has its own globals, so the flag is passed on.
    b.SCRAPE_METRICS = args.scrape_metrics
    table = f"{env.tag}_s1"
    pub = f"{table}_pub"
    env.q(b.TABLE_DDL.format(t=table))
    env.q(f"CREATE PUBLICATION {pub} FOR TABLE {table}")
    b.log(f"S1: writing {rows:,} rows in one transaction and streaming them into Kafka")
    topic = write_topic(env, tmp, table, pub, rows)
    size = env.mean_message_size(topic)
    out, digests = [], {}
    contenders = [("sluice", run_sluice_sink)] + ([("debezium", run_debezium_sink)] if args.debezium else [])
    try:
        for key, run in contenders:
            db = f"{env.tag}_s1_{key}"
            env.q(f"CREATE DATABASE {db}")
            try:
                with psycopg.connect(target_url(env, db), autocommit=True) as t:
                    t.execute(b.TABLE_DDL.format(t=table))
                b.log(f"S1: {key} sink -> Postgres")
                row, digests[key] = run(env, tmp, db, topic, table, rows)
                out.append(row)
            finally:
                env.q(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
    finally:
        env.q(f"DROP PUBLICATION {pub}")
        env.q(f"DROP TABLE {table}")
        env.delete_topic(topic)
    same = len(set(digests.values())) == 1
    if not same:
        b.log(f"S1: the targets differ after the run (md5 of the rows by id): {digests}")
    return {"name": "S1", "n": rows, "size": size, "rows": out, "same": same}


def render_s1(w):
    out = ["", f"S1: sink, one Debezium-format topic of {w['n']:,} change events (W1's rows, full envelope with "
           f"schemas, mean key+value size {w['size']:.0f} B) applied to a target Postgres table (upsert by record "
           f"key, batch.size {BATCH}); from the first row in the target to the last", "",
           "| contender | rows | seconds | rows/s | CPU s / M rows | peak RSS MB | target Postgres CPU s |",
           "|---|---:|---:|---:|---:|---:|---:|"]
    for r in w["rows"]:  # broker_cpu holds the target backends' CPU (user+sys of their processes)
        out.append(f"| {r['name']} | {r['events']:,} | {r['seconds']:.2f} | {r['eps']:,.0f} | {r['cpu_per_m']:.2f} "
                   f"| {r['rss_mb']:.0f} | {r['broker_cpu']:.1f} |")
    by = {r["key"]: r for r in w["rows"]}
    sl, dbz = by.get("sluice"), by.get("debezium")
    out += ["", f"S1 ratios: sluice sink / Debezium JDBC sink rows/s {b.ratio(sl, dbz)}, Debezium / sluice CPU per "
            f"row {b.ratio(dbz, sl, 'cpu_per_m')}, Debezium / sluice peak RSS {b.ratio(dbz, sl, 'rss_mb')}; the target "
            f"tables {'are equal row by row' if w['same'] else 'DIFFER (see the log)'}"]
    return out
