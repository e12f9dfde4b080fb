#!/usr/bin/env python3
"""Side-by-side CDC benchmark on the project-local Postgres and Kafka (driven by bench/run).

For each workload the WAL is written first, with one pgoutput slot per contender created before it, so every
contender decodes exactly the same committed changes, one after the other (never concurrently):
  ceiling      pg_recvlogical (pgoutput, proto_version 1, same publication) -> /dev/null
  sluice-null  sluice with sink.type=null: decode + serialize, no Kafka
  sluice       sluice -> Kafka with the defaults a user runs (acks=all, one request in flight, no compression)
  debezium     Kafka Connect standalone + debezium-connector-postgres, pgoutput, tuned for throughput
  kcat         the broker alone: kcat producing as many messages (sluice's own values, a sample replayed),
               acks=all, idempotent, compressed as sluice (--set producer.* applies to it too)
Time runs from the moment the contender's slot becomes active (JVM start-up is not counted) until the last
event is in Kafka (topic high watermark, i.e. acknowledged with acks=all), or until the slot confirms the end
of the workload (null sink), or pg_recvlogical exits at --endpos (ceiling). CPU seconds are the contender's own
(user+sys, /proc) over the same interval; peak RSS is the process' VmHWM (ru_maxrss for pg_recvlogical).
Workloads: W1 one transaction inserting N rows into a 6-column table; W2 N single-row transactions (pgbench).

W3 (latency): pgbench --rate runs a steady mix of single-row upserts, updates and deletes (2:2:1, random keys)
for a fixed time while the contender streams live. The topic has message.timestamp.type=LogAppendTime; after
the run every change event's latency is the broker's append time minus the commit time in source.ts_us (same
machine clock, 1 ms resolution): commit -> in the Kafka log. A sentinel row inserted after pgbench marks the
end. pgbench commits with synchronous_commit=on (the server's default here is off, which delays the walsender by
up to wal_writer_delay). Reported: achieved transactions/s, p50/p99/p99.9/max, CPU per event over the run.
Baseline "Postgres alone": the same pgbench run streamed by a bare pgoutput client (bench/recv_latency.cpp) that
only timestamps each change as it arrives: commit -> received, Postgres' share of any contender's latency.
sluice runs with latency.log.interval.ms, whose per-stage percentiles over the run (commit -> sent by the
walsender -> received -> produced -> appended to the Kafka log -> acknowledged) make the second W3 table.

W4 (snapshot): an N-row table (6 columns, ~100 B/row) read by `COPY … TO STDOUT` (psql | wc -c), sluice
snapshot.mode=initial_only with snapshot.max.threads 1 and 2 (process start to exit, which follows the last
acknowledgement), Debezium snapshot.mode=initial (from its slot's creation, the snapshot's first step, until
the topic holds N events) and kcat producing N messages of the same mean size. Events are bare JSON (schemas disabled).

S1 (sink, not in the default set: --workloads S1): `sluice sink` vs Debezium's JDBC sink connector applying one
topic of W1's N rows to a target Postgres; method in bench/sink.py.
"""
import argparse
import datetime
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

import psycopg
from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

ROOT = Path(__file__).resolve().parents[1]
RUN = Path(os.environ.get("SLUICE_RUN") or ROOT / ".run")  # the local services' state (scripts/lib/common.sh)


def _debezium_version():
    """SLUICE_DEBEZIUM_VERSION, else the one default: <debezium.version> in scripts/debezium/pom.xml."""
    if os.environ.get("SLUICE_DEBEZIUM_VERSION"):
        return os.environ["SLUICE_DEBEZIUM_VERSION"]
    import xml.etree.ElementTree as ET
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    return ET.parse(ROOT / "scripts" / "debezium" / "pom.xml").getroot().find(
        "m:properties/m:debezium.version", ns).text.strip()


DEBEZIUM_VERSION = _debezium_version()
DEBEZIUM_START_TIMEOUT = 1200  # seconds until Kafka Connect's connector has its slot (not measured)
DEBEZIUM_NAME = f"Debezium {'.'.join(DEBEZIUM_VERSION.split('.')[:2])} -> Kafka (Connect standalone)"
PG_URL = os.environ.get("SLUICE_PG_URL", "postgresql://postgres@127.0.0.1:25432/postgres")
KAFKA = os.environ.get("SLUICE_KAFKA_BOOTSTRAP", "127.0.0.1:29092")
SLUICE = os.environ.get("SLUICE_BIN", str(ROOT / "build" / "sluice"))
RECV_LATENCY = str(Path(SLUICE).parent / "sluice-recv-latency")  # W3's bare replication client
PG_BIN = Path("/usr/lib/postgresql/15/bin")
CLK = os.sysconf("SC_CLK_TCK")
SLUICE_SET = {}  # --set KEY=VALUE: extra sluice properties for both sluice runs
SCRAPE_METRICS = False  # --scrape-metrics: every sluice run serves /metrics, read once a second meanwhile

SIZES = {  # mode -> (W1 rows, W2 transactions, (W3 rates, W3 seconds), W4 rows)
    "full": (1_000_000, 300_000, ((5_000, 10_000), 60), 5_000_000),
    "quick": (200_000, 60_000, ((10_000,), 10), 200_000),
    "smoke": (3_000, 1_000, ((500,), 2), 5_000),
}

TABLE_DDL = ("CREATE TABLE {t} (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, a text, b text, "
             "amount numeric(12,2), flag bool, at timestamptz)")

# Debezium's throughput knobs, as its docs and tuning guides recommend: bigger batches and queue (the queue at
# least 2x the batch), and a batching producer, compressed as the sluice runs are (Kafka Connect's default none,
# or --set producer.compression.type). Kafka Connect forces max.in.flight=1 on source producers
# unless overridden; idempotence keeps ordering with 5 in flight, as sluice's librdkafka producer does.
DEBEZIUM_CONNECTOR = {"max.batch.size": "16384", "max.queue.size": "65536", "poll.interval.ms": "100"}
DEBEZIUM_WORKER = {"producer.linger.ms": "10", "producer.batch.size": "1048576", "producer.acks": "all",
                   "producer.enable.idempotence": "true", "producer.max.in.flight.requests.per.connection": "5",
                   "producer.compression.type": "none", "producer.buffer.memory": "67108864"}


def log(msg):
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def lsn_int(text):
    hi, lo = str(text).split("/")
    return (int(hi, 16) << 32) | int(lo, 16)


def proc_cpu(pid):
    try:
        f = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(f[11]) + int(f[12])) / CLK
    except (FileNotFoundError, ProcessLookupError):
        return 0.0


def proc_hwm_mb(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM"):
                return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


def stop(proc, timeout=30):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Env:
    def __init__(self, tag):
        self.tag = tag
        self.conn = psycopg.connect(PG_URL, autocommit=True)
        self.url = urlparse(PG_URL)
        self.admin = AdminClient({"bootstrap.servers": KAFKA})
        self.consumer = Consumer({"bootstrap.servers": KAFKA, "group.id": f"{tag}-probe",
                                  "enable.auto.commit": False, "auto.offset.reset": "earliest"})
        pidfile = RUN / "kafka" / "kafka.pid"
        self.broker_pid = int(pidfile.read_text().split()[0]) if pidfile.exists() else None
        self.slots, self.topics = [], []

    def q(self, sql, *args):
        return self.conn.execute(sql, args or None)

    def slot(self, name):
        self.q(f"SELECT pg_create_logical_replication_slot('{name}', 'pgoutput')")
        self.slots.append(name)

    def slot_state(self, name):
        return self.q("SELECT active_pid, confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = %s",
                      name).fetchone()

    def drop_slot(self, name):
        """Drops a slot once its walsender has let go of it (that ends a moment after the client exits)."""
        wait_until(lambda: (self.slot_state(name) or (None,))[0] is None, None, 30, f"slot {name} inactive")
        self.q("SELECT pg_drop_replication_slot(%s)", name)

    def create_topic(self, topic, config=None):
        futs = self.admin.create_topics([NewTopic(topic, 1, 1, config=config or {})])
        for f in futs.values():
            try:
                f.result(30)
            except Exception as e:  # already exists
                if "TOPIC_ALREADY_EXISTS" not in str(e):
                    raise
        self.topics.append(topic)

    def delete_topic(self, topic):
        for f in self.admin.delete_topics([topic], operation_timeout=30).values():
            try:
                f.result(30)
            except Exception:
                pass
        if topic in self.topics:
            self.topics.remove(topic)

    def topic_count(self, topic):
        try:
            lo, hi = self.consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=5)
            return hi
        except Exception:
            return 0

    def mean_message_size(self, topic, sample=2000, keep=None):
        """Mean key+value size of the topic's first `sample` messages; `keep` (a path) gets their values, one
        per line, for the kcat baseline to send the same bytes (what compression sees)."""
        c = Consumer({"bootstrap.servers": KAFKA, "group.id": f"{self.tag}-sample-{topic}",
                      "enable.auto.commit": False, "auto.offset.reset": "earliest"})
        c.assign([TopicPartition(topic, 0, 0)])
        total = n = 0
        values = []
        deadline = time.time() + 20
        while n < sample and time.time() < deadline:
            for m in c.consume(num_messages=min(500, sample - n), timeout=1):
                if m.error():
                    continue
                total += len(m.key() or b"") + len(m.value() or b"")
                n += 1
                if m.value() and b"\n" not in m.value():
                    values.append(m.value())
        c.close()
        if keep is not None and values:
            Path(keep).write_bytes(b"\n".join(values) + b"\n")
        return total / n if n else 0.0

    def cleanup(self):
        for s in self.slots:
            try:
                self.q("SELECT pg_drop_replication_slot(%s)", s)
            except psycopg.Error:
                pass
        for t in list(self.topics):
            self.delete_topic(t)
        self.consumer.close()


def wait_until(cond, proc, timeout, what, poll=0.01):
    deadline = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what}: process exited with {proc.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: timed out after {timeout} s")
        time.sleep(poll)


def result(key, name, events, seconds, cpu_s, rss_mb, mb=None, broker_cpu=None, note="", disk_mb=None):
    return {"key": key, "name": name, "events": events, "seconds": seconds, "eps": events / seconds if seconds else 0,
            "mbps": (mb / seconds) if (mb is not None and seconds) else None,
            "cpu_per_m": cpu_s / events * 1e6 if events else 0, "cpu_s": cpu_s, "rss_mb": rss_mb,
            "broker_cpu": broker_cpu, "note": note, "disk_mb": disk_mb}


def run_ceiling(env, slot, pub, end_lsn, events):
    p = subprocess.Popen([str(PG_BIN / "pg_recvlogical"), "-d", PG_URL, "--slot", slot, "--start", "--endpos",
                          end_lsn, "-o", "proto_version=1", "-o", f"publication_names={pub}", "-F", "0", "-f",
                          "/dev/null", "--no-loop"])
    t0 = time.monotonic()
    done = []

    def active_or_exited():  # from the moment the slot is active, like the others; a tiny run may end first
        pid, st, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            done.append((st, ru))
            return True
        return env.slot_state(slot)[0] is not None

    wait_until(active_or_exited, None, 60, "pg_recvlogical start", poll=0.002)
    if not done:
        t0 = time.monotonic()
        _, st, ru = os.wait4(p.pid, 0)
        done.append((st, ru))
    secs = time.monotonic() - t0
    status, ru = done[0]
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise RuntimeError(f"pg_recvlogical exited {p.returncode}")
    return result("ceiling", "ceiling: pg_recvlogical (pgoutput) -> /dev/null", events, secs, ru.ru_utime + ru.ru_stime,
                  ru.ru_maxrss / 1024)


def sluice_config(env, slot, pub, prefix, table, extra):
    u = env.url
    # One connector name per slot: stored offsets belong to one slot (W1 and W2 share a topic prefix).
    cfg = {"name": slot, "database.hostname": u.hostname, "database.port": str(u.port),
           "database.user": u.username, "database.dbname": u.path.lstrip("/"), "topic.prefix": prefix,
           "slot.name": slot, "publication.name": pub, "publication.autocreate.mode": "disabled",
           "snapshot.mode": "no_data", "table.include.list": f"public.{table}", "kafka.bootstrap.servers": KAFKA,
           # The bench created the slot (at the workload's start LSN) for this connector, which has no offsets yet.
           "slot.takeover": "true"}
    if u.password:
        cfg["database.password"] = u.password
    cfg.update(extra)
    cfg.update(SLUICE_SET)
    return cfg


class MetricsScraper:
    """--scrape-metrics: the sluice run serves /metrics (metrics.listeners) and a thread reads it every second,
    as a Prometheus server would, while the run lasts; a no-op otherwise."""

    def __init__(self, cfg):
        self.scrapes = self.failures = 0
        self.url = None
        if SCRAPE_METRICS:
            self.url = f"http://127.0.0.1:{free_port()}"
            cfg["metrics.listeners"] = self.url

    def __enter__(self):
        import threading
        import urllib.request
        self.done = threading.Event()

        def loop():
            while not self.done.wait(1.0):
                try:
                    with urllib.request.urlopen(self.url + "/metrics", timeout=5) as r:
                        r.read()
                    self.scrapes += 1
                except OSError:
                    self.failures += 1  # not listening yet (start-up) or gone (stop)

        if self.url:
            self.thread = threading.Thread(target=loop, daemon=True)
            self.thread.start()
        return self

    def __exit__(self, *exc):
        if self.url:
            self.done.set()
            self.thread.join()
            log(f"  /metrics scraped {self.scrapes} times ({self.failures} refused)")


def run_sluice(env, tmp, slot, pub, table, end_lsn, events, null_sink, mean_size=None):
    prefix = f"{env.tag}_{'null' if null_sink else 'sluice'}"
    topic = f"{prefix}.public.{table}"
    extra = {"sink.type": "null", "status.update.interval.ms": "10"} if null_sink else {}
    cfg = sluice_config(env, slot, pub, prefix, table, extra)
    scraper = MetricsScraper(cfg)
    path = tmp / f"{prefix}.json"
    path.write_text(json.dumps(cfg))
    if not null_sink:
        env.create_topic(topic)
    logf = open(tmp / f"{prefix}.log", "w")
    # SLUICE_BENCH_WRAP="perf record -g -o /tmp/perf-{name}.data --" profiles each sluice run (then CPU and
    # RSS are the wrapper's, not sluice's).
    wrap = os.environ.get("SLUICE_BENCH_WRAP", "").replace("{name}", "null" if null_sink else "kafka").split()
    p = subprocess.Popen([*wrap, SLUICE, "run", str(path)], stdout=logf, stderr=logf)
    timeout = max(120, events / 2000)
    try:
        with scraper:
            wait_until(lambda: env.slot_state(slot)[0] is not None, p, 60, "sluice start", poll=0.005)
            t0, cpu0 = time.monotonic(), proc_cpu(p.pid)
            b0 = proc_cpu(env.broker_pid) if not null_sink else 0
            if null_sink:
                end = lsn_int(end_lsn)
                wait_until(lambda: (s := env.slot_state(slot)[1]) is not None and lsn_int(s) >= end, p, timeout,
                           "sluice (null sink) drain")
            else:
                wait_until(lambda: env.topic_count(topic) >= events, p, timeout, "sluice drain", poll=0.02)
            secs = time.monotonic() - t0
            cpu = proc_cpu(p.pid) - cpu0
            broker = proc_cpu(env.broker_pid) - b0 if not null_sink else None
            rss = proc_hwm_mb(p.pid)
    except Exception:
        log((tmp / f"{prefix}.log").read_text()[-3000:])
        raise
    finally:
        stop(p)
    if null_sink:
        return result("null", "sluice -> null sink", events, secs, cpu, rss, mean_size * events / 1e6 if mean_size else None)
    size = env.mean_message_size(topic, keep=tmp / f"{table}-values")
    disk = topic_disk_mb(topic)
    env.delete_topic(topic)
    return result("sluice", "sluice -> Kafka", events, secs, cpu, rss, size * events / 1e6, broker,
                  disk_mb=disk), size


def free_port():
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rest(url, method, path, body=None):
    import urllib.request
    req = urllib.request.Request(url + path, data=None if body is None else json.dumps(body).encode(), method=method)
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=60) as resp:
        return resp.status


def run_sluice_worker(env, tmp, slot, pub, table, end_lsn, events):
    """sluice -> Kafka as a connector of `sluice connect`, registered over REST (the worker's overhead)."""
    prefix = f"{env.tag}_worker"
    topic = f"{prefix}.public.{table}"
    cfg = sluice_config(env, slot, pub, prefix, table, {})
    name = cfg.pop("name")
    cfg["connector.class"] = "io.debezium.connector.postgresql.PostgresConnector"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    props = {"bootstrap.servers": KAFKA, "group.id": f"{env.tag}-worker", "listeners": url,
             "config.storage.topic": f"{env.tag}-configs", "offset.storage.topic": f"{env.tag}-offsets",
             "status.storage.topic": f"{env.tag}-status", "config.storage.replication.factor": "1",
             "offset.storage.replication.factor": "1", "status.storage.replication.factor": "1"}
    path = tmp / f"{prefix}.properties"
    path.write_text("".join(f"{k}={v}\n" for k, v in props.items()))
    env.create_topic(topic)
    logf = open(tmp / f"{prefix}.log", "w")
    p = subprocess.Popen([SLUICE, "connect", str(path)], stdout=logf, stderr=logf)
    timeout = max(120, events / 2000)

    def listening():
        try:
            return rest(url, "GET", "/connectors") == 200
        except OSError:
            return False
    try:
        wait_until(listening, p, 60, "sluice connect REST API")
        assert rest(url, "POST", "/connectors", {"name": name, "config": cfg}) == 201
        wait_until(lambda: env.slot_state(slot)[0] is not None, p, 60, "connector start", poll=0.005)
        t0, cpu0 = time.monotonic(), proc_cpu(p.pid)
        b0 = proc_cpu(env.broker_pid)
        wait_until(lambda: env.topic_count(topic) >= events, p, timeout, "sluice connect drain", poll=0.02)
        secs = time.monotonic() - t0
        cpu = proc_cpu(p.pid) - cpu0
        broker = proc_cpu(env.broker_pid) - b0
        rss = proc_hwm_mb(p.pid)
    except Exception:
        log((tmp / f"{prefix}.log").read_text()[-3000:])
        raise
    finally:
        stop(p)
    size = env.mean_message_size(topic)
    env.delete_topic(topic)
    for t in ("configs", "offsets", "status"):
        env.delete_topic(f"{env.tag}-{t}")
    return result("worker", "sluice connect -> Kafka", events, secs, cpu, rss, size * events / 1e6, broker)


def debezium_props(env, prefix, slot, pub, table, extra):
    u = env.url
    props = {"name": prefix, "connector.class": "io.debezium.connector.postgresql.PostgresConnector",
             "tasks.max": "1", "plugin.name": "pgoutput", "database.hostname": u.hostname,
             "database.port": str(u.port), "database.user": u.username, "database.password": u.password or "",
             "database.dbname": u.path.lstrip("/"), "topic.prefix": prefix, "slot.name": slot,
             "publication.name": pub, "publication.autocreate.mode": "disabled", "snapshot.mode": "no_data",
             "table.include.list": f"public.{table}", **DEBEZIUM_CONNECTOR}
    props.update(extra)
    return props


def start_debezium(tmp, props, worker):
    path = tmp / f"{props['name']}.properties"
    path.write_text("".join(f"{k}={v}\n" for k, v in props.items()))
    logf = open(tmp / f"{props['name']}.log", "w")
    return subprocess.Popen([str(ROOT / "scripts" / "debezium" / "connect-standalone"), str(path),
                             *(f"{k}={v}" for k, v in {**DEBEZIUM_WORKER, **worker}.items())],
                            stdout=logf, stderr=logf)


def run_debezium(env, tmp, slot, pub, table, events):
    prefix = f"{env.tag}_dbz"
    topic = f"{prefix}.public.{table}"
    u = env.url
    props = {"name": prefix, "connector.class": "io.debezium.connector.postgresql.PostgresConnector",
             "tasks.max": "1", "plugin.name": "pgoutput", "database.hostname": u.hostname,
             "database.port": str(u.port), "database.user": u.username, "database.password": u.password or "",
             "database.dbname": u.path.lstrip("/"), "topic.prefix": prefix, "slot.name": slot,
             "publication.name": pub, "publication.autocreate.mode": "disabled", "snapshot.mode": "no_data",
             "table.include.list": f"public.{table}", **DEBEZIUM_CONNECTOR}
    path = tmp / f"{prefix}.properties"
    path.write_text("".join(f"{k}={v}\n" for k, v in props.items()))
    env.create_topic(topic)
    logf = open(tmp / f"{prefix}.log", "w")
    p = subprocess.Popen([str(ROOT / "scripts" / "debezium" / "connect-standalone"), str(path),
                          *(f"{k}={v}" for k, v in DEBEZIUM_WORKER.items())], stdout=logf, stderr=logf)
    timeout = max(180, events / 500)
    try:
        # JVM start-up is not measured; on a busy shared machine it took over 180 s.
        wait_until(lambda: env.slot_state(slot)[0] is not None, p, DEBEZIUM_START_TIMEOUT, "debezium start",
                   poll=0.005)
        t0, cpu0, b0 = time.monotonic(), proc_cpu(p.pid), proc_cpu(env.broker_pid)
        wait_until(lambda: env.topic_count(topic) >= events, p, timeout, "debezium drain", poll=0.02)
        secs = time.monotonic() - t0
        cpu = proc_cpu(p.pid) - cpu0
        broker = proc_cpu(env.broker_pid) - b0
        rss = proc_hwm_mb(p.pid)
    except Exception:
        log((tmp / f"{prefix}.log").read_text()[-3000:])
        raise
    finally:
        stop(p)
        shutil.rmtree(RUN / "debezium" / prefix, ignore_errors=True)
    size = env.mean_message_size(topic)
    env.delete_topic(topic)
    return result("debezium", DEBEZIUM_NAME, events, secs, cpu, rss, size * events / 1e6, broker)


def topic_disk_mb(topic):
    """Size of the topic's log segments on the broker's disk (after compression, if any)."""
    data = RUN / "kafka" / "data"
    return sum(f.stat().st_size for d in data.glob(f"{topic}-*") for f in d.glob("*.log")) / 1e6


def run_kcat(env, events, size, sample=None):
    """sample: a file of sluice's values, one per line, sent over and over (the bytes matter once compressed);
    without one, lines of 'x' of the mean size."""
    topic = f"{env.tag}_kcat"
    env.create_topic(topic)
    if sample is not None and sample.exists():
        reps = events // max(1, sample.read_bytes().count(b"\n")) + 1
        gen = subprocess.Popen(["bash", "-c", f"for i in $(seq {reps}); do cat {sample}; done"], stdout=subprocess.PIPE)
    else:
        gen = subprocess.Popen(["yes", "x" * max(1, int(size))], stdout=subprocess.PIPE)
    # The sluice runs' producer.* settings (--set) apply to kcat too, e.g. producer.compression.type.
    extra = [a for k, v in SLUICE_SET.items() if k.startswith("producer.") for a in ("-X", f"{k[9:]}={v}")]
    t0 = time.monotonic()
    b0 = proc_cpu(env.broker_pid)
    head = subprocess.Popen(["head", "-n", str(events)], stdin=gen.stdout, stdout=subprocess.PIPE)
    gen.stdout.close()
    k = subprocess.Popen(["kcat", "-P", "-b", KAFKA, "-t", topic, "-p", "0", "-X", "acks=all", "-X",
                          "enable.idempotence=true", "-X", "linger.ms=5", "-X", "batch.num.messages=10000",
                          "-X", "queue.buffering.max.messages=100000", "-X", "compression.type=none", *extra],
                         stdin=head.stdout)
    head.stdout.close()
    _, status, ru = os.wait4(k.pid, 0)
    gen.kill()
    gen.wait()
    head.wait()
    wait_until(lambda: env.topic_count(topic) >= events, None, 60, "kcat")
    secs = time.monotonic() - t0
    broker = proc_cpu(env.broker_pid) - b0
    disk = topic_disk_mb(topic)
    env.delete_topic(topic)
    return result("kcat", "broker alone: kcat produce, same count and mean size", events, secs, ru.ru_utime + ru.ru_stime,
                  ru.ru_maxrss / 1024, size * events / 1e6, broker, disk_mb=disk)


def workload(env, tmp, name, n, args):
    table = f"{env.tag}_{name.lower()}"
    pub = f"{table}_pub"
    env.q(TABLE_DDL.format(t=table))
    env.q(f"CREATE PUBLICATION {pub} FOR TABLE {table}")
    contenders = (["ceil", "null", "sluice"] + (["worker"] if name == "W1" and args.worker else [])
                  + (["dbz"] if args.debezium else []))
    slots = {c: f"{table}_{c}" for c in contenders}
    for s in slots.values():
        env.slot(s)
    log(f"{name}: writing {n:,} {'rows in one transaction' if name == 'W1' else 'single-row transactions'}")
    t0 = time.monotonic()
    if name == "W1":
        env.q(f"INSERT INTO {table} (id, a, b, amount, flag, at) SELECT g, md5(g::text), 'row ' || g, g * 1.25, "
              f"g % 2 = 0, now() FROM generate_series(1, {n}) g")
    else:
        script = tmp / "w2.sql"
        script.write_text(f"INSERT INTO {table} (a, b, amount, flag, at) VALUES (md5(random()::text), "
                          "'row', (random() * 100000)::numeric(12,2), random() < 0.5, now());\n")
        clients = 4
        per = n // clients
        n = per * clients
        subprocess.run([str(PG_BIN / "pgbench"), "-n", "-c", str(clients), "-j", "2", "-t", str(per), "-f",
                        str(script), PG_URL], check=True, stdout=subprocess.DEVNULL)
    end_lsn = str(env.q("SELECT pg_current_wal_insert_lsn()").fetchone()[0])
    log(f"{name}: written in {time.monotonic() - t0:.1f} s, end LSN {end_lsn}")
    rows = []
    log(f"{name}: ceiling")
    rows.append(run_ceiling(env, slots["ceil"], pub, end_lsn, n))
    log(f"{name}: sluice -> Kafka")
    kafka_row, size = run_sluice(env, tmp, slots["sluice"], pub, table, end_lsn, n, null_sink=False)
    log(f"{name}: sluice -> null sink")
    rows.append(run_sluice(env, tmp, slots["null"], pub, table, end_lsn, n, null_sink=True, mean_size=size))
    rows.append(kafka_row)
    if "worker" in slots:
        log(f"{name}: sluice connect -> Kafka")
        rows.append(run_sluice_worker(env, tmp, slots["worker"], pub, table, end_lsn, n))
    if args.debezium:
        log(f"{name}: Debezium -> Kafka")
        rows.append(run_debezium(env, tmp, slots["dbz"], pub, table, n))
    if args.kcat:
        log(f"{name}: kcat -> Kafka")
        rows.append(run_kcat(env, n, size, tmp / f"{table}-values"))
    for s in slots.values():
        env.q("SELECT pg_drop_replication_slot(%s)", s)
        env.slots.remove(s)
    env.q(f"DROP PUBLICATION {pub}")
    env.q(f"DROP TABLE {table}")
    return {"name": name, "n": n, "size": size, "rows": rows}


# --- W3: live latency ----------------------------------------------------------------------------------------
W3_KEYS = 100_000  # key space of the mixed workload; prefilled, then upserted, updated and deleted at random
W3_SCRIPTS = {  # pgbench script -> weight: every transaction changes at most one row (one event, a delete two)
    "upsert": (2, "\\set id random(1, {keys})\nINSERT INTO {t} (id, a, b, amount, flag, at) VALUES (:id, "
                  "md5(random()::text), 'row ' || :id, (random() * 100000)::numeric(12,2), random() < 0.5, now()) "
                  "ON CONFLICT (id) DO UPDATE SET a = excluded.a, amount = excluded.amount, at = excluded.at;\n"),
    "update": (2, "\\set id random(1, {keys})\nUPDATE {t} SET amount = amount + 1, flag = NOT flag, at = now() "
                  "WHERE id = :id;\n"),
    "delete": (1, "\\set id random(1, {keys})\nDELETE FROM {t} WHERE id = :id;\n"),
}
# Debezium for latency: its throughput settings, but polling its queue every 10 ms (default 500 ms) and the
# producer's default linger (5 ms), as a user who cares about latency would run it.
DEBEZIUM_W3 = {"poll.interval.ms": "10"}
DEBEZIUM_W3_WORKER = {"producer.linger.ms": "5"}


def percentile(sorted_values, q):
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def w3_latencies(topic, sentinel_key):
    """Reads the whole topic after the run: each change event's latency is the broker's LogAppendTime (when
    it was appended to the log) minus the commit time in source.ts_us, both from this machine's clock (ms)."""
    c = Consumer({"bootstrap.servers": KAFKA, "group.id": f"{topic}-latency", "enable.auto.commit": False,
                  "auto.offset.reset": "earliest", "fetch.max.bytes": 52428800})
    lo, hi = c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)
    c.assign([TopicPartition(topic, 0, lo)])
    lat, seen, size, wrong_ts = [], 0, 0, 0
    while seen < hi - lo:
        for m in c.consume(num_messages=5000, timeout=2):
            if m.error():
                continue
            seen += 1
            v = m.value()
            if v is None or (m.key() or b"").endswith(sentinel_key):
                continue  # tombstones carry no commit time; the sentinel marks the end
            size += len(m.key() or b"") + len(v)
            kind, ts = m.timestamp()
            if kind != 2:  # TIMESTAMP_LOG_APPEND_TIME
                wrong_ts += 1
                continue
            i = v.find(b'"ts_us":', v.find(b'"source":{'))
            commit_us = int(v[i + 8:v.index(b",", i)])
            lat.append(ts - commit_us / 1000)
    c.close()
    if wrong_ts:
        raise RuntimeError(f"{topic}: {wrong_ts} messages without LogAppendTime")
    lat.sort()
    return lat, size


def w3_wait_sentinel(topic, sentinel_key, proc, timeout):
    """Waits until the topic's last message is the sentinel's change event (its commit is the workload's last)."""
    c = Consumer({"bootstrap.servers": KAFKA, "group.id": f"{topic}-tail", "enable.auto.commit": False})
    checked = -1
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"{topic}: process exited with {proc.returncode}")
            _, hi = c.get_watermark_offsets(TopicPartition(topic, 0), timeout=5)
            if hi > 0 and hi != checked:
                checked = hi
                c.assign([TopicPartition(topic, 0, hi - 1)])
                for m in c.consume(num_messages=1, timeout=5):
                    if not m.error() and (m.key() or b"").endswith(sentinel_key):
                        return
            time.sleep(0.05)
    finally:
        c.close()
    raise RuntimeError(f"{topic}: the end-of-run sentinel did not arrive within {timeout} s")


STAGE_RE = re.compile(r"; ([a-z>-]+) ([\d.]+)/([\d.]+)/([\d.]+)/([\d.]+)")


def w3_sluice_stages(log_text):
    """The per-stage percentiles of sluice's last 'latency since start' log line (latency.log.interval.ms)."""
    lines = [l for l in log_text.splitlines() if "latency since start:" in l]
    if not lines:
        return {}
    return {m.group(1): tuple(float(m.group(i)) for i in range(2, 6)) for m in STAGE_RE.finditer(lines[-1])}


def w3_run(env, tmp, table, pub, contender, rate, secs, run_no, variant=None):
    """variant: (label, extra sluice properties) of a sluice run compared with the defaults (--w3-set)."""
    prefix = f"{env.tag}_w3{contender}{rate}_{run_no}"
    topic = f"{prefix}.public.{table}"
    slot = f"{env.tag}_w3_{contender}_{rate}_{run_no}"
    if contender != "pg":
        env.create_topic(topic, {"message.timestamp.type": "LogAppendTime"})
    env.slot(slot)
    if contender == "sluice":
        path = tmp / f"{prefix}.json"
        stats = {"latency.log.interval.ms": "5000"}  # per-stage latency (the log's last line covers the run)
        cfg = sluice_config(env, slot, pub, prefix, table, stats)
        cfg.update(variant[1] if variant else {})
        scraper = MetricsScraper(cfg)
        path.write_text(json.dumps(cfg))
        p = subprocess.Popen([SLUICE, "run", str(path)], stdout=open(tmp / f"{prefix}.log", "w"),
                             stderr=subprocess.STDOUT)
        scraper.__enter__()
    elif contender == "pg":
        u = env.url
        conninfo = (f"host={u.hostname} port={u.port} user={u.username} dbname={u.path.lstrip('/')}"
                    + (f" password={u.password}" if u.password else ""))
        p = subprocess.Popen([RECV_LATENCY, conninfo, slot, pub], stdout=subprocess.PIPE,
                             stderr=open(tmp / f"{prefix}.log", "w"), text=True)
    else:
        props = debezium_props(env, prefix, slot, pub, table, DEBEZIUM_W3)
        p = start_debezium(tmp, props, DEBEZIUM_W3_WORKER)
    sentinel = -run_no
    sentinel_key = f'{{"id":{sentinel}}}}}'.encode()  # the key's payload ends the key document
    try:
        wait_until(lambda: env.slot_state(slot)[0] is not None, p, DEBEZIUM_START_TIMEOUT, f"{contender} start",
                   poll=0.01)
        t0, cpu0, b0 = time.monotonic(), proc_cpu(p.pid), proc_cpu(env.broker_pid)
        clients = 8
        out = subprocess.run([str(PG_BIN / "pgbench"), "-n", "-c", str(clients), "-j", "2", "-T", str(secs),
                              "-R", str(rate), *(f"-f{tmp / name}.sql@{w}" for name, (w, _) in W3_SCRIPTS.items()),
                              PG_URL], capture_output=True, text=True,
                             # The server runs synchronous_commit=off, whose WAL writer flushes (and so lets
                             # the walsender send) only every wal_writer_delay (200 ms): commit as a
                             # production server does (fsync=off keeps that cheap).
                             env=dict(os.environ, PGOPTIONS="-c synchronous_commit=on"))
        if out.returncode != 0:
            raise RuntimeError(f"pgbench failed: {out.stderr[-2000:]}")
        out = out.stdout
        tps = float(re.search(r"tps = ([\d.]+)", out).group(1))
        env.q("SET synchronous_commit = on")
        env.q(f"INSERT INTO {table} (id, a, b, amount, flag, at) VALUES ({sentinel}, 'end', 'end', 0, false, now())")
        env.q("RESET synchronous_commit")
        if contender == "pg":  # the client confirms what it received: wait for the slot to pass the sentinel
            end = lsn_int(env.q("SELECT pg_current_wal_insert_lsn()").fetchone()[0])
            wait_until(lambda: (s := env.slot_state(slot)[1]) is not None and lsn_int(s) >= end, p, 300,
                       "bare client drain")
        else:
            w3_wait_sentinel(topic, sentinel_key, p, 300)
        wall = time.monotonic() - t0
        cpu = proc_cpu(p.pid) - cpu0
        broker = proc_cpu(env.broker_pid) - b0
        rss = proc_hwm_mb(p.pid)
    except Exception:
        log((tmp / f"{prefix}.log").read_text()[-3000:])
        raise
    finally:
        stop(p)
        if contender == "sluice":
            scraper.__exit__(None, None, None)
        shutil.rmtree(RUN / "debezium" / prefix, ignore_errors=True)
        env.drop_slot(slot)
        env.slots.remove(slot)
    if contender == "pg":
        out = json.loads(p.stdout.read())
        p50, p99, p999, mx = out["commit->received"]
        return {"key": "pg", "name": "Postgres alone: bare pgoutput client (commit -> received)", "rate": rate,
                "tps": tps, "events": out["events"], "wall": wall, "mbps": None,
                "cpu_per_m": cpu / out["events"] * 1e6 if out["events"] else 0, "rss_mb": rss, "broker_cpu": None,
                "p50": p50, "p99": p99, "p999": p999, "max": mx,
                "stages": {k: tuple(v) for k, v in out.items() if k != "events"}}
    lat, size = w3_latencies(topic, sentinel_key)
    env.delete_topic(topic)
    name = "sluice -> Kafka" if contender == "sluice" else DEBEZIUM_NAME
    if variant:
        name += f", {variant[0]}"
    stages = w3_sluice_stages((tmp / f"{prefix}.log").read_text()) if contender == "sluice" else {}
    return {"key": contender, "name": name, "rate": rate, "tps": tps, "events": len(lat), "wall": wall,
            "mbps": size / 1e6 / secs, "cpu_per_m": cpu / len(lat) * 1e6 if lat else 0, "rss_mb": rss,
            "broker_cpu": broker, "p50": percentile(lat, 0.5), "p99": percentile(lat, 0.99),
            "p999": percentile(lat, 0.999), "max": lat[-1] if lat else 0.0, "stages": stages}


def workload_w3(env, tmp, rates, secs, args):
    table = f"{env.tag}_w3"
    pub = f"{table}_pub"
    env.q(TABLE_DDL.format(t=table))
    env.q(f"CREATE PUBLICATION {pub} FOR TABLE {table}")
    env.q(f"INSERT INTO {table} (id, a, b, amount, flag, at) SELECT g, md5(g::text), 'row ' || g, g * 1.25, "
          f"g % 2 = 0, now() FROM generate_series(1, {W3_KEYS}) g")
    env.q(f"VACUUM ANALYZE {table}")
    for name, (_, sql) in W3_SCRIPTS.items():
        (tmp / f"{name}.sql").write_text(sql.format(keys=W3_KEYS, t=table))
    rows = []
    run_no = 0
    # --w3-set K=V[,K=V…]: more sluice runs with those properties, each right after the default one.
    variants = [None] + [(v, dict(kv.split("=", 1) for kv in v.split(","))) for v in args.w3_set]
    contenders = ["pg"] + [("sluice", v) for v in variants] + (["debezium"] if args.debezium_w34 else [])
    for _ in range(args.w3_repeat):
        for c in contenders:
            contender, variant = c if isinstance(c, tuple) else (c, None)
            for rate in rates:
                run_no += 1
                log(f"W3: {contender}{', ' + variant[0] if variant else ''}, {rate} transactions/s for {secs} s")
                rows.append(w3_run(env, tmp, table, pub, contender, rate, secs, run_no, variant))
                r = rows[-1]
                log(f"W3: {r['name']} at {rate}/s: achieved {r['tps']:.0f} tps, p50 {r['p50']:.1f} ms, "
                    f"p99 {r['p99']:.1f} ms, max {r['max']:.1f} ms")
    env.q(f"DROP PUBLICATION {pub}")
    env.q(f"DROP TABLE {table}")
    return {"name": "W3", "secs": secs, "rows": rows}


# --- W4: initial snapshot ------------------------------------------------------------------------------------
W4_DDL = ("CREATE TABLE {t} (id bigint PRIMARY KEY, qty int NOT NULL, name text NOT NULL, created timestamptz "
          "NOT NULL, price double precision, note text)")
# Events are bare JSON (key/value.converter.schemas.enable=false) for every contender: with schemas each row
# would be ~3.5 KB, 17 GB per 5M-row run.
BARE_JSON = {"key.converter.schemas.enable": "false", "value.converter.schemas.enable": "false"}


def w4_copy(env, table, rows):
    u = env.url
    penv = dict(os.environ, PGPASSWORD=u.password or "")
    t0 = time.monotonic()
    psql = subprocess.Popen(["psql", "-X", "-q", "-h", u.hostname, "-p", str(u.port), "-U", u.username,
                             "-d", u.path.lstrip("/"), "-c", f"COPY {table} TO STDOUT"], stdout=subprocess.PIPE,
                            env=penv)
    wc = subprocess.Popen(["wc", "-c"], stdin=psql.stdout, stdout=subprocess.PIPE, text=True)
    psql.stdout.close()
    _, status, ru = os.wait4(psql.pid, 0)
    psql.returncode = os.waitstatus_to_exitcode(status)
    nbytes = int(wc.communicate()[0].split()[0])
    secs = time.monotonic() - t0
    if psql.returncode != 0:
        raise RuntimeError("COPY failed")
    return result("copy", "`COPY … TO STDOUT` (psql, text format; CPU and RSS: psql)", rows, secs,
                  ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024, nbytes / 1e6)


def w4_sluice(env, tmp, table, rows, threads):
    prefix = f"{env.tag}_w4t{threads}"
    topic = f"{prefix}.public.{table}"
    cfg = sluice_config(env, f"{prefix}_slot", f"{table}_pub", prefix, table,
                        {"snapshot.mode": "initial_only", "snapshot.max.threads": str(threads),
                         "offset.storage": "none", **BARE_JSON})
    path = tmp / f"{prefix}.json"
    path.write_text(json.dumps(cfg))
    env.create_topic(topic)
    logpath = tmp / f"{prefix}.log"
    t0 = time.monotonic()
    b0 = proc_cpu(env.broker_pid)
    p = subprocess.Popen([SLUICE, "run", str(path)], stdout=open(logpath, "w"), stderr=subprocess.STDOUT)
    cpu = rss = 0.0
    while p.poll() is None:  # sluice exits once every event is acknowledged (snapshot.mode=initial_only)
        cpu, rss = proc_cpu(p.pid) or cpu, max(rss, proc_hwm_mb(p.pid))
        time.sleep(0.02)
    secs = time.monotonic() - t0
    broker = proc_cpu(env.broker_pid) - b0
    text = logpath.read_text()
    if p.returncode != 0 or f"snapshot complete: {rows} rows" not in text:
        log(text[-3000:])
        raise RuntimeError(f"sluice snapshot (threads={threads}) failed")
    if env.topic_count(topic) < rows:
        raise RuntimeError(f"sluice snapshot (threads={threads}): {env.topic_count(topic)} of {rows} in Kafka")
    size = env.mean_message_size(topic, keep=tmp / f"{table}-values")
    env.delete_topic(topic)
    return result(f"sluice{threads}", f"sluice -> Kafka, snapshot.max.threads={threads}", rows, secs, cpu, rss,
                  size * rows / 1e6, broker), size


def w4_debezium(env, tmp, table, rows):
    prefix = f"{env.tag}_w4dbz"
    topic = f"{prefix}.public.{table}"
    slot = f"{prefix}_slot"
    props = debezium_props(env, prefix, slot, f"{table}_pub", table,
                           {"snapshot.mode": "initial", "slot.drop.on.stop": "true"})
    env.create_topic(topic)
    p = start_debezium(tmp, props, BARE_JSON)
    try:
        # JVM start-up is not counted: the clock starts when Debezium has created its slot, the snapshot's
        # first step (or, should that be missed, at its first event).
        wait_until(lambda: env.slot_state(slot) is not None or env.topic_count(topic) > 0, p,
                   DEBEZIUM_START_TIMEOUT, "debezium start", poll=0.005)
        t0, cpu0, b0 = time.monotonic(), proc_cpu(p.pid), proc_cpu(env.broker_pid)
        wait_until(lambda: env.topic_count(topic) >= rows, p, max(300, rows / 2000), "debezium snapshot",
                   poll=0.02)
        secs = time.monotonic() - t0
        cpu = proc_cpu(p.pid) - cpu0
        broker = proc_cpu(env.broker_pid) - b0
        rss = proc_hwm_mb(p.pid)
    except Exception:
        log((tmp / f"{prefix}.log").read_text()[-3000:])
        raise
    finally:
        stop(p)
        shutil.rmtree(RUN / "debezium" / prefix, ignore_errors=True)
        if env.slot_state(slot) is not None:
            env.drop_slot(slot)
    size = env.mean_message_size(topic)
    env.delete_topic(topic)
    return result("debezium", DEBEZIUM_NAME, rows, secs, cpu, rss,
                  size * rows / 1e6, broker)


def workload_w4(env, tmp, n, args):
    table = f"{env.tag}_w4"
    log(f"W4: creating {table} with {n:,} rows")
    env.q(W4_DDL.format(t=table))
    env.q(f"INSERT INTO {table} SELECT g, (g % 1000)::int, md5(g::text) || '-' || (g * 7919)::text, "
          f"'2024-01-01'::timestamptz + g * interval '1 second', g / 7.0, 'note ' || (g % 97) "
          f"FROM generate_series(1::bigint, {n}) g")
    env.q(f"VACUUM ANALYZE {table}")
    env.q(f"CREATE PUBLICATION {table}_pub FOR TABLE {table}")
    table_mb = env.q(f"SELECT pg_relation_size('{table}') / 1e6").fetchone()[0]
    rows = []
    log("W4: COPY")
    rows.append(w4_copy(env, table, n))
    size = 0
    for threads in (1, 2):
        log(f"W4: sluice, snapshot.max.threads={threads}")
        r, size = w4_sluice(env, tmp, table, n, threads)
        rows.append(r)
    if args.debezium_w34:
        log("W4: Debezium")
        rows.append(w4_debezium(env, tmp, table, n))
    if args.kcat:
        log("W4: kcat -> Kafka")
        rows.append(run_kcat(env, n, size, tmp / f"{table}-values"))
    env.q(f"DROP PUBLICATION {table}_pub")
    env.q(f"DROP TABLE {table}")
    return {"name": "W4", "n": n, "size": size, "table_mb": table_mb, "rows": rows}



def build_type():
    """The CMake build type of the sluice binary measured (its build dir's CMakeCache.txt), e.g. Release (-O2)."""
    cache = Path(SLUICE).resolve().parent / "CMakeCache.txt"
    try:
        for line in cache.read_text().splitlines():
            if line.startswith("CMAKE_BUILD_TYPE:"):
                return line.split("=", 1)[1] or "no build type"
    except OSError:
        pass
    return "build type unknown"

def machine():
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                if l.startswith("model name")), platform.processor())
    mem = int(next(l for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal")).split()[1])
    with psycopg.connect(PG_URL) as c:
        pg = c.execute("SHOW server_version").fetchone()[0]
        settings = {k: c.execute(f"SHOW {k}").fetchone()[0] for k in ("fsync", "synchronous_commit",
                                                                       "logical_decoding_work_mem")}
    rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                         text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    return (f"{os.cpu_count()} x {cpu}, {mem / 1024 / 1024:.0f} GiB RAM, Linux {platform.release()}; "
            f"Postgres {pg.split()[0]} ({', '.join(f'{k}={v}' for k, v in settings.items())}); "
            f"Kafka 4.1.1 single KRaft broker on the same machine; Debezium {DEBEZIUM_VERSION} on OpenJDK 17; "
            f"sluice {rev}{' (+uncommitted changes)' if dirty else ''} ({build_type()})"
            f"{'; sluice properties ' + ', '.join(f'{k}={v}' for k, v in SLUICE_SET.items()) if SLUICE_SET else ''}; "
            f"load average at the end {os.getloadavg()[0]:.1f} (other work on the machine adds noise)")


def fmt_num(v, spec):
    return "—" if v is None else format(v, spec)


def render(results, mode, took):
    out = [f"sluice benchmark, {mode} run, {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')} "
           f"({took:.0f} s)", "", f"Machine: {machine()}", ""]
    rw = [w for w in results if w["name"] in ("W1", "W2")]
    if rw:
        out.append("| workload | contender | events | seconds | events/s | MB/s | CPU s / M events | peak RSS MB | "
                   "broker CPU s | topic MB on disk |")
        out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for w in rw:
            for r in w["rows"]:
                out.append(f"| {w['name']} | {r['name']} | {r['events']:,} | {r['seconds']:.2f} | {r['eps']:,.0f} | "
                           f"{fmt_num(r['mbps'], '.1f')} | {r['cpu_per_m']:.2f} | {r['rss_mb']:.0f} | "
                           f"{fmt_num(r['broker_cpu'], '.1f')} | {fmt_num(r.get('disk_mb'), '.0f')} |")
        out += ["", "| workload | sluice→Kafka / ceiling | sluice→null / ceiling | sluice→Kafka / Debezium | "
                "sluice→Kafka / broker alone | sluice / Debezium CPU per event | Debezium / sluice peak RSS | "
                "sluice connect / sluice run |",
                "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for w in rw:
        by = {r["key"]: r for r in w["rows"]}
        ceil, null, sl, dbz, kc, wk = (by.get(k) for k in ("ceiling", "null", "sluice", "debezium", "kcat", "worker"))
        out.append(f"| {w['name']} | {ratio(sl, ceil)} | {ratio(null, ceil)} | {ratio(sl, dbz)} | {ratio(sl, kc)} "
                   f"| {ratio(sl, dbz, 'cpu_per_m')} | {ratio(dbz, sl, 'rss_mb')} | {ratio(wk, sl)} |")
    if rw:
        notes = []
        if any(w["name"] == "W1" for w in rw):
            notes.append(f"W1: one transaction inserting {next(w['n'] for w in rw if w['name'] == 'W1'):,} rows.")
        if any(w["name"] == "W2" for w in rw):
            notes.append("W2: single-row INSERT transactions from pgbench (4 clients), then drained.")
        out += ["", " ".join(notes) + " Messages carry JsonConverter schemas (schemas.enable=true, Debezium's "
                "default), mean key+value size " + ", ".join(f"{w['name']} {w['size']:.0f} B" for w in rw) + "."]
    for w in results:
        if w["name"] == "W3":
            out += ["", f"W3: live latency, commit -> appended to the Kafka log (LogAppendTime; the bare client: "
                    f"commit -> received), {w['secs']} s of pgbench --rate (8 clients; upsert/update/delete 2:2:1, "
                    "one row per transaction)", "",
                    "| contender | target tx/s | achieved tx/s | change events | p50 ms | p99 ms | p99.9 ms | max ms "
                    "| MB/s | CPU s / M events | peak RSS MB | broker CPU s |",
                    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
            for r in w["rows"]:
                out.append(f"| {r['name']} | {r['rate']:,} | {r['tps']:,.0f} | {r['events']:,} | {r['p50']:.1f} | "
                           f"{r['p99']:.1f} | {r['p999']:.1f} | {r['max']:.1f} | {fmt_num(r['mbps'], '.1f')} | "
                           f"{r['cpu_per_m']:.2f} | {r['rss_mb']:.0f} | {fmt_num(r['broker_cpu'], '.1f')} |")
            staged = [r for r in w["rows"] if r.get("stages")]
            if staged:
                out += ["", "W3 stages, ms p50 / p99 / p99.9 / max over the run (sluice: latency.log.interval.ms; "
                        "sent = the walsender's send time in the XLogData header, appended = LogAppendTime)", "",
                        "| contender | target tx/s | stage | p50 | p99 | p99.9 | max |", "|---|---:|---|---:|---:|---:|---:|"]
                for r in staged:
                    who = "Postgres alone" if r["key"] == "pg" else r["name"]
                    for stage, (a, b, c, d) in r["stages"].items():
                        out.append(f"| {who} | {r['rate']:,} | {stage} | {a:.1f} | {b:.1f} | {c:.1f} | {d:.1f} |")
        if w["name"] == "W4":
            out += ["", f"W4: initial snapshot of a {w['n']:,}-row table ({w['table_mb']:.0f} MB, 6 columns); "
                    f"bare JSON events (schemas disabled), mean key+value size {w['size']:.0f} B; MB/s is the "
                    "bytes written (COPY text, Kafka key+value)", "",
                    "| contender | rows | seconds | rows/s | MB/s | CPU s / M rows | peak RSS MB | broker CPU s |",
                    "|---|---:|---:|---:|---:|---:|---:|---:|"]
            for r in w["rows"]:
                out.append(f"| {r['name']} | {r['events']:,} | {r['seconds']:.2f} | {r['eps']:,.0f} | "
                           f"{fmt_num(r['mbps'], '.1f')} | {r['cpu_per_m']:.2f} | {r['rss_mb']:.0f} | "
                           f"{fmt_num(r['broker_cpu'], '.1f')} |")
            by = {r["key"]: r for r in w["rows"]}
            best = max((by[k] for k in ("sluice1", "sluice2") if k in by), key=lambda r: r["eps"])
            out += ["", f"W4 ratios (best sluice, {best['name'].split(', ')[1]}): "
                    f"{ratio(best, by.get('copy'))} COPY, {ratio(best, by.get('debezium'))} Debezium, "
                    f"{ratio(best, by.get('kcat'))} broker alone; threads 2 / threads 1: "
                    f"{ratio(by.get('sluice2'), by.get('sluice1'))}"]
        if w["name"] == "S1":
            out += sink.render_s1(w)
    return "\n".join(out) + "\n"


def ratio(a, b, key="eps"):
    return f"{a[key] / b[key]:.2f}x" if a and b and b[key] else "—"


def write_results(path, table):
    begin, end = "<!-- bench:begin (written by bench/run; edit outside these markers) -->", "<!-- bench:end -->"
    text = path.read_text() if path.exists() else (
        "# Benchmark results\n\nThe latest full `bench/run`. Method: see the docstring of bench/bench.py.\n\n"
        f"{begin}\n{end}\n")
    if begin not in text:
        text += f"\n{begin}\n{end}\n"
    a, b = text.index(begin) + len(begin), text.index(end)
    path.write_text(text[:a] + "\n" + table + text[b:])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--quick", action="store_const", dest="mode", const="quick", help="small sizes, < 3 min")
    g.add_argument("--smoke", action="store_const", dest="mode", const="smoke",
                   help="a few thousand rows, no Debezium: checks the script works")
    ap.add_argument("--workloads", default="W1,W2,W3,W4")
    ap.add_argument("--rows", type=int, help="override the W1/W2/W4 size")
    ap.add_argument("--w3-rates", help="W3 transactions/s, comma-separated (default 5000,10000; quick 10000)")
    ap.add_argument("--w3-seconds", type=int, help="W3 duration per rate (default 60; quick 10)")
    ap.add_argument("--w3-set", action="append", default=[], metavar="KEY=VALUE[,KEY=VALUE]",
                    help="W3: one more sluice run with these properties after the default one (repeatable)")
    ap.add_argument("--w3-repeat", type=int, default=1, help="W3: run the contenders this many times, alternating")
    ap.add_argument("--no-debezium", dest="debezium", action="store_false")
    ap.add_argument("--no-kcat", dest="kcat", action="store_false")
    ap.add_argument("--no-worker", dest="worker", action="store_false",
                    help="skip W1 through `sluice connect` (a connector registered over REST)")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="extra sluice property for both sluice runs, e.g. producer.compression.type=lz4")
    ap.add_argument("--scrape-metrics", action="store_true",
                    help="sluice runs serve /metrics (metrics.listeners), scraped every second (its cost: compare "
                         "with a run without)")
    ap.add_argument("--results", help="write the table here too (default: bench/RESULTS.md for full runs)")
    args = ap.parse_args()
    mode = args.mode or "full"
    SLUICE_SET.update(kv.split("=", 1) for kv in args.set)
    global SCRAPE_METRICS
    SCRAPE_METRICS = args.scrape_metrics
    if "producer.compression.type" in SLUICE_SET:  # Debezium's producer compresses as sluice's
        DEBEZIUM_WORKER["producer.compression.type"] = SLUICE_SET["producer.compression.type"]
    if mode == "smoke":
        args.debezium = args.kcat = False
    # Debezium's W3/W4 runs (two JVM starts and 1-2 minutes each) only in full runs: --quick stays short.
    args.debezium_w34 = args.debezium and mode == "full"
    if args.debezium and "S1" in args.workloads.split(",") and not sink.available():
        sys.exit(f"Debezium's JDBC sink {sink.JDBC_VERSION} missing: run scripts/deps --debezium-jdbc "
                 "(or pass --no-debezium)")
    if args.debezium and not (ROOT / ".cache" / "debezium" / DEBEZIUM_VERSION / "lib").is_dir():
        sys.exit(f"Debezium {DEBEZIUM_VERSION} jars missing: run scripts/deps --debezium-version {DEBEZIUM_VERSION} "
                 "(or pass --no-debezium)")
    w1, w2, (w3_rates, w3_secs), w4 = SIZES[mode]
    # Only a complete full run replaces bench/RESULTS.md.
    full = (mode == "full" and not args.rows and args.debezium and args.kcat and args.workloads == "W1,W2,W3,W4"
            and not args.w3_rates and not args.w3_seconds and not args.w3_set and args.w3_repeat == 1)
    if args.rows:
        w1 = w2 = w4 = args.rows
    if args.w3_rates:
        w3_rates = tuple(int(r) for r in args.w3_rates.split(","))
    w3_secs = args.w3_seconds or w3_secs
    tag = f"bench{os.getpid()}"
    env = Env(tag)
    tmp = Path(tempfile.mkdtemp(prefix="sluice-bench-"))
    started = time.monotonic()
    results = []
    try:
        for name in args.workloads.split(","):
            if name == "W3":
                results.append(workload_w3(env, tmp, w3_rates, w3_secs, args))
            elif name == "W4":
                results.append(workload_w4(env, tmp, w4, args))
            elif name == "S1":
                results.append(sink.workload_s1(env, tmp, w1, args))
            else:
                results.append(workload(env, tmp, name, w1 if name == "W1" else w2, args))
    finally:
        env.cleanup()
        for t in (f"{tag}_w1", f"{tag}_w2", f"{tag}_w3", f"{tag}_w4", f"{tag}_s1"):
            for sql in (f"DROP PUBLICATION IF EXISTS {t}_pub", f"DROP TABLE IF EXISTS {t}"):
                try:
                    env.q(sql)
                except psycopg.Error:
                    pass
    table = render(results, mode, time.monotonic() - started)
    print(table)
    target = Path(args.results) if args.results else (ROOT / "bench" / "RESULTS.md" if full else None)
    if target:
        write_results(target, table)
        log(f"wrote {target}")
    if os.environ.get("SLUICE_BENCH_KEEP"):  # the contenders' logs and configs, for a closer look
        log(f"kept {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)


import sink  # noqa: E402  (bench/sink.py: S1, which uses this module's helpers)

if __name__ == "__main__":
    main()
