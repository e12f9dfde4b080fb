"""Direct sinks without Kafka (sink.type = file | http | redis | nats) against the real servers.

Each server test streams single-row transactions while the server goes away for ~20 s and comes back:
every row arrives (at-least-once: a few may arrive twice, never one missing), and while the server is away
the slot's confirmed_flush_lsn never passes a row the server did not take.
"""
import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg
import pytest

from conftest import PG_URL, wait_until

OUTAGE_S = 20


def free_port():
    """A free loopback port in 33000-33999 (the range given to these tests)."""
    for port in range(33000 + os.getpid() % 500, 34000):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 33000-33999")


def direct(names, **extra):
    """Overrides for a sluice config with no Kafka at all."""
    cfg = {"table.include.list": f"public.dt_{names['tag']}", "kafka.bootstrap.servers": "127.0.0.1:1"}
    cfg.update(extra)
    return cfg


class Writer(threading.Thread):
    """Inserts rows 1, 2, … one transaction each, recording for each a WAL position just before its commit
    record (inside the transaction, after the insert).

    Postgres sends a transaction again after a restart unless its commit record lies before the slot's
    confirmed_flush_lsn, so a slot that never passes this position has not skipped the row. (The slot may
    legitimately pass the row's insert record: when nothing is in flight sluice confirms the walsender's
    read position, which can lie inside a transaction not yet committed.)
    """

    def __init__(self, table, interval=0.02):
        super().__init__(daemon=True)
        self.table, self.interval = table, interval
        self.before = {}  # id -> pg_lsn text before its transaction
        self.stop_flag = threading.Event()
        self.next_id = 1

    def run(self):
        with psycopg.connect(PG_URL, autocommit=True) as conn, conn.cursor() as cur:
            while not self.stop_flag.is_set():
                i = self.next_id
                cur.execute("BEGIN")
                cur.execute(f"INSERT INTO {self.table} (id, n) VALUES (%s, %s)", (i, i * 10))
                self.before[i] = cur.execute("SELECT pg_current_wal_insert_lsn()::text").fetchone()[0]
                cur.execute("COMMIT")
                self.next_id += 1
                time.sleep(self.interval)

    def finish(self):
        self.stop_flag.set()
        self.join(30)
        return self.next_id - 1


def lsn_int(text):
    hi, lo = text.split("/")
    return (int(hi, 16) << 32) | int(lo, 16)


def confirmed(pg, slot):
    row = pg.execute("SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = %s",
                     (slot,)).fetchone()
    return lsn_int(row[0]) if row and row[0] else 0


def ids_of_values(values):
    out = []
    for v in values:
        doc = json.loads(v) if isinstance(v, (str, bytes)) else v
        if doc is None:
            continue
        p = doc.get("payload", doc)
        if p.get("op") in ("c", "r") and p.get("after"):
            out.append(p["after"]["id"])
    return out


def outage_run(pg, names, sluice, received, server_down, server_up):
    """Streams while the server is away OUTAGE_S seconds; returns (rows written, ids received).

    received() lists (id, t): each row the server holds, with the wall-clock time it took it (the server's
    own record time where it has one). Rows first taken after the server went down were not acknowledged
    before: the slot, sampled all through the outage, must never have passed any of them.
    """
    table = f"dt_{names['tag']}"
    writer = Writer(table)
    writer.start()
    wait_until(lambda: len({i for i, _ in received()}) >= 20, 60, what="rows before the outage")
    server_down()
    down_at = time.time()
    samples = []
    while time.time() - down_at < OUTAGE_S:
        samples.append(confirmed(pg, names["slot"]))
        assert sluice.proc.poll() is None, f"sluice exited during the outage:\n{sluice.log_text()}"
        time.sleep(0.5)
    assert "retried in" in sluice.log_text(), "sluice saw the server go away and retried"
    server_up()
    time.sleep(2)
    total = writer.finish()
    wanted = set(range(1, total + 1))
    wait_until(lambda: {i for i, _ in received()} >= wanted, 120, what="every row after the server came back")
    got = received()
    ids = [i for i, _ in got]
    assert set(ids) == wanted, "nothing missing, nothing invented"
    first = {}
    for i, t in got:
        first[i] = min(t, first.get(i, t))
    after = [i for i in wanted if first[i] > down_at]
    assert after, "rows were written during the outage"
    limit = lsn_int(writer.before[min(after)])
    assert max(samples) <= limit, (f"slot confirmed {max(samples)} past row {min(after)} (its commit after {limit}), "
                                   "which the server only took after it came back")
    # The slot moves on once everything is acknowledged.
    wait_until(lambda: confirmed(pg, names["slot"]) > lsn_int(writer.before[total]), 60,
               what="the slot to pass the last row once the server acknowledged it")
    return total, ids


def rows_of(values_with_time):
    """(id, t) of every create/read event among (value JSON, t)."""
    out = []
    for v, t in values_with_time:
        for i in ids_of_values([v]):
            out.append((i, t))
    return out


@pytest.fixture
def table(pg, names):
    t = f"dt_{names['tag']}"
    pg.execute(f"CREATE TABLE {t} (id int PRIMARY KEY, n int)")
    yield t
    pg.execute(f"DROP TABLE IF EXISTS {t}")


# --- file ------------------------------------------------------------------------------------------------

def read_lines(path):
    lines = []
    for f in sorted(path.parent.glob(path.name + ".*"), key=lambda p: int(p.suffix[1:])) + [path]:
        if f.exists():
            lines += [json.loads(l) for l in f.read_text().splitlines() if l.strip()]
    return lines


def test_file_sink_json_lines_rotation_and_kill(pg, names, table, sluice_factory, tmp_path):
    out = tmp_path / "events.jsonl"
    s = sluice_factory(**direct(names, **{"sink.type": "file", "sluice.sink.file.path": str(out),
                                          "sluice.sink.file.rotate.bytes": "4000",
                                          "offset.storage.file.filename": str(tmp_path / "offsets.json")})).start()
    s.wait_streaming()
    pg.execute(f"INSERT INTO {table} VALUES (1, 10)")
    pg.execute(f"UPDATE {table} SET n = 11 WHERE id = 1")
    pg.execute(f"DELETE FROM {table} WHERE id = 1")
    wait_until(lambda: len(read_lines(out)) >= 4, 30, what="four lines")
    lines = read_lines(out)
    assert [l["value"]["payload"]["op"] if l["value"] else None for l in lines[:4]] == ["c", "u", "d", None]
    assert lines[0]["topic"] == f"{names['prefix']}.public.{table}"
    assert lines[0]["key"]["payload"] == {"id": 1}
    assert lines[3]["key"]["payload"] == {"id": 1} and lines[3]["value"] is None  # the tombstone
    # kill -9 mid-stream, restart: every row is in the file (acknowledged lines were fsync'ed first).
    writer = Writer(table)
    writer.next_id = 100
    writer.start()
    wait_until(lambda: len(read_lines(out)) > 40, 60, what="rows before the kill")
    s.stop(signal.SIGKILL)
    s2 = sluice_factory(**s.config).start()
    s2.wait_streaming()
    total = writer.finish()
    wanted = set(range(100, total + 1))
    wait_until(lambda: wanted <= set(ids_of_values(l["value"] for l in read_lines(out))), 60,
               what="every row after the restart")
    assert list(tmp_path.glob("events.jsonl.*")), "rotated by size"
    for f in tmp_path.glob("events.jsonl*"):
        assert f.stat().st_size <= 4000 + 2000


def test_file_sink_stdout_value_format(pg, names, table, sluice_factory, tmp_path):
    s = sluice_factory(**direct(names, **{"sink.type": "file", "sluice.sink.file.path": "-",
                                          "sluice.sink.file.format": "value",
                                          "value.converter.schemas.enable": "false"}))
    s.write()
    proc = subprocess.Popen([os.environ.get("SLUICE_BIN", "build/sluice"), "run", str(s.path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_until(lambda: pg.execute("SELECT count(*) FROM pg_replication_slots WHERE slot_name = %s AND active",
                                      (names["slot"],)).fetchone()[0] == 1, 60, what="the slot to be active")
        pg.execute(f"INSERT INTO {table} VALUES (7, 70)")
        pg.execute(f"DELETE FROM {table} WHERE id = 7")
        line1 = json.loads(proc.stdout.readline())
        line2 = json.loads(proc.stdout.readline())
        assert line1["op"] == "c" and line1["after"] == {"id": 7, "n": 70}
        assert line2["op"] == "d"  # the tombstone is not written in the value format
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)


# --- http ------------------------------------------------------------------------------------------------

class Receiver:
    """A local HTTP receiver that records every POST; stop() takes it away, start() brings it back.

    auth is the Authorization header it requires; tls a (cert, key) pair for HTTPS.
    """

    def __init__(self, port, token=None, auth=None, tls=None):
        self.port, self.auth, self.tls = port, auth or f"Bearer {token}", tls
        self.requests = []  # (headers dict, body text)
        self.lock = threading.Lock()
        self.server = None

    def start(self):
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                if self.headers.get("Authorization") != outer.auth:
                    self.send_response(401)
                    self.end_headers()
                    return
                with outer.lock:
                    outer.requests.append((dict(self.headers), body, time.time()))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        if self.tls:
            import ssl
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(*self.tls)
            self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def bodies(self):
        with self.lock:
            return [b for _, b, _ in self.requests]

    def timed(self):
        with self.lock:
            return [(b, t) for _, b, t in self.requests]


def test_http_sink_outage(pg, names, table, sluice_factory):
    port = free_port()
    rx = Receiver(port, "s3cret")
    rx.start()
    s = sluice_factory(**direct(names, **{"sink.type": "http", "debezium.sink.http.url": f"http://127.0.0.1:{port}/cdc",
                                          "debezium.sink.http.retries": "-1",
                                          "debezium.sink.http.retry.interval.ms": "200",
                                          "sluice.sink.http.retry.max.interval.ms": "2000",
                                          "debezium.sink.http.authentication.type": "bearer",
                                          "sluice.sink.http.authentication.bearer.token": "s3cret"})).start()
    try:
        s.wait_streaming()
        try:
            outage_run(pg, names, s, lambda: rows_of(rx.timed()), rx.stop, rx.start)
        finally:
            rx.stop()
        headers, body, _ = rx.requests[0]
        assert headers["Content-Type"] == "application/json"
        assert headers["Idempotency-Key"].startswith(names["prefix"] + "-")
        assert base64.b64decode(headers["X-DEBEZIUM-__DEBEZIUM.CONTEXT.CONNECTORLOGICALNAME"]).decode() == names["prefix"]
        # The idempotency key names one record: a record sent twice carries the same key both times.
        by_key = {}
        for h, b, _ in rx.requests:
            by_key.setdefault(h["Idempotency-Key"], set()).add(b)
        assert all(len(v) == 1 for v in by_key.values())
        assert "s3cret" not in s.log_text()
    finally:
        s.stop()


def test_http_sink_batches(pg, names, table, sluice_factory):
    port = free_port()
    rx = Receiver(port, "t")
    rx.start()
    s = sluice_factory(**direct(names, **{"sink.type": "http", "debezium.sink.http.url": f"http://127.0.0.1:{port}/",
                                          "debezium.sink.http.batch.enabled": "true",
                                          "debezium.sink.http.authentication.type": "bearer",
                                          "sluice.sink.http.authentication.bearer.token": "t"})).start()
    try:
        s.wait_streaming()
        pg.execute(f"INSERT INTO {table} SELECT g, g FROM generate_series(1, 500) g")
        def ids():
            out = []
            for b in rx.bodies():
                out += ids_of_values(json.loads(b))
            return out
        wait_until(lambda: len(ids()) >= 500, 60, what="500 rows in batches")
        assert sorted(ids()) == list(range(1, 501))
        assert len(rx.requests) < 500 and all(json.loads(b)[0] is not None for b in rx.bodies())
    finally:
        s.stop()
        rx.stop()


def test_http_sink_tls_basic_auth_and_fixed_headers(pg, names, table, sluice_factory, tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    port = free_port()
    rx = Receiver(port, auth="Basic " + base64.b64encode(b"cdc:pw").decode(), tls=(str(cert), str(key)))
    rx.start()
    s = sluice_factory(**direct(names, **{"sink.type": "http", "debezium.sink.http.url": f"https://127.0.0.1:{port}/",
                                          "debezium.sink.http.authentication.type": "basic",
                                          "sluice.sink.http.authentication.basic.username": "cdc",
                                          "sluice.sink.http.authentication.basic.password": "pw",
                                          "sluice.sink.http.ssl.ca.location": str(cert),
                                          "sluice.sink.http.header.X-Team": "cdc-team",
                                          "debezium.sink.http.headers.encode.base64": "false"})).start()
    try:
        s.wait_streaming()
        pg.execute(f"INSERT INTO {table} VALUES (1, 10)")
        wait_until(lambda: ids_of_values(rx.bodies()) == [1], 60, what="the row over HTTPS")
        headers = rx.requests[0][0]
        assert headers["X-Team"] == "cdc-team"
        assert headers["X-DEBEZIUM-__DEBEZIUM.CONTEXT.CONNECTORLOGICALNAME"] == names["prefix"]  # not base64
    finally:
        s.stop()
        rx.stop()


def test_http_sink_refuses_an_unknown_certificate(pg, names, table, sluice_factory, tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    port = free_port()
    rx = Receiver(port, token="t", tls=(str(cert), str(key)))
    rx.start()
    s = sluice_factory(**direct(names, **{"sink.type": "http", "debezium.sink.http.url": f"https://127.0.0.1:{port}/",
                                          "debezium.sink.http.retries": "1",
                                          "debezium.sink.http.retry.interval.ms": "100",
                                          "debezium.sink.http.authentication.type": "bearer",
                                          "sluice.sink.http.authentication.bearer.token": "t"})).start()
    try:
        s.wait_streaming()
        pg.execute(f"INSERT INTO {table} VALUES (1, 10)")
        wait_until(lambda: s.proc.poll() is not None, 60, what="sluice to give up")
        assert s.proc.returncode == 1
        assert "certificate" in s.log_text().lower()
        assert rx.requests == []
    finally:
        s.stop()
        rx.stop()


# --- redis -----------------------------------------------------------------------------------------------

def resp(sock_file, args):
    out = f"*{len(args)}\r\n"
    for a in args:
        a = str(a)
        out += f"${len(a.encode())}\r\n{a}\r\n"
    sock_file.write(out.encode())
    sock_file.flush()
    return read_resp(sock_file)


def read_resp(f):
    line = f.readline().decode().rstrip("\r\n")
    kind, rest = line[0], line[1:]
    if kind in "+-:":
        return rest if kind != ":" else int(rest)
    if kind == "$":
        n = int(rest)
        if n < 0:
            return None
        data = f.read(n + 2)[:-2]
        return data.decode()
    if kind == "*":
        n = int(rest)
        return None if n < 0 else [read_resp(f) for _ in range(n)]
    raise ValueError(line)


class Redis:
    def __init__(self, port, workdir, password=None):
        self.port, self.workdir, self.proc, self.password = port, workdir, None, password

    def start(self):
        auth = ["--requirepass", self.password] if self.password else []
        self.proc = subprocess.Popen([shutil.which("redis-server") or "/usr/bin/redis-server", "--port", str(self.port),
                                      "--bind", "127.0.0.1", "--dir", str(self.workdir), "--appendonly", "yes",
                                      "--appendfsync", "always", "--save", "", *auth],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self.ping, 30, what="redis-server to answer")

    def ping(self):
        try:
            return self.cmd("PING") == "PONG"
        except OSError:
            return False

    def cmd(self, *args):
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s, s.makefile("rwb") as f:
            if self.password:
                resp(f, ["AUTH", self.password])
            return resp(f, args)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(30)


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server (Debian redis-server) not installed")
def test_redis_sink_outage(pg, names, table, sluice_factory, tmp_path):
    r = Redis(free_port(), tmp_path)
    r.start()
    stream = f"{names['prefix']}.public.{table}"
    s = sluice_factory(**direct(names, **{"sink.type": "redis", "debezium.sink.redis.address": f"127.0.0.1:{r.port}",
                                          "debezium.sink.redis.retry.max.delay.ms": "2000"})).start()

    def received():
        try:
            entries = r.cmd("XRANGE", stream, "-", "+")
        except OSError:
            return []
        # An entry id is <unix ms>-<seq>: when Redis took it.
        return rows_of((fields[1], int(eid.split("-")[0]) / 1000.0) for eid, fields in entries or [])

    try:
        s.wait_streaming()
        outage_run(pg, names, s, received, r.stop, r.start)
        entries = r.cmd("XRANGE", stream, "-", "+")
        # compact format: one field, the record's key JSON, whose value is the record's value JSON
        key, value = entries[0][1]
        assert json.loads(key)["payload"] == {"id": 1}
        assert json.loads(value)["payload"]["op"] == "c"
    finally:
        s.stop()
        r.stop()


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server (Debian redis-server) not installed")
def test_redis_sink_extended_format_and_maxlen(pg, names, table, sluice_factory, tmp_path):
    r = Redis(free_port(), tmp_path)
    r.start()
    stream = f"{names['prefix']}.public.{table}"
    s = sluice_factory(**direct(names, **{"sink.type": "redis", "debezium.sink.redis.address": f"127.0.0.1:{r.port}",
                                          "debezium.sink.redis.message.format": "extended",
                                          "sluice.sink.redis.maxlen": "100"})).start()
    try:
        s.wait_streaming()
        pg.execute(f"INSERT INTO {table} SELECT g, g FROM generate_series(1, 1000) g")
        pg.execute(f"DELETE FROM {table} WHERE id = 1")
        def last():
            e = r.cmd("XREVRANGE", stream, "+", "-", "COUNT", "1")
            return dict(zip(e[0][1][::2], e[0][1][1::2])) if e else {}
        wait_until(lambda: last().get("value") == "default", 60, what="the tombstone (null.value) last")
        fields = last()
        assert json.loads(fields["key"])["payload"] == {"id": 1}
        assert fields["__DEBEZIUM.CONTEXT.CONNECTORLOGICALNAME"] == names["prefix"]
        assert r.cmd("XLEN", stream) < 1000  # MAXLEN ~ 100 trims
    finally:
        s.stop()
        r.stop()


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server (Debian redis-server) not installed")
def test_redis_sink_password(pg, names, table, sluice_factory, tmp_path):
    r = Redis(free_port(), tmp_path, password="r3dis")
    r.start()
    stream = f"{names['prefix']}.public.{table}"
    try:
        bad = sluice_factory(**direct(names, **{"sink.type": "redis", "debezium.sink.redis.address": f"127.0.0.1:{r.port}",
                                                "debezium.sink.redis.password": "wrong"})).start()
        bad.wait_streaming()
        pg.execute(f"INSERT INTO {table} VALUES (1, 1)")
        wait_until(lambda: bad.proc.poll() is not None, 60, what="sluice to stop on refused credentials")
        assert bad.proc.returncode == 1
        assert "AUTH refused" in bad.log_text() and "wrong" not in bad.log_text()
        bad.stop()
        good = sluice_factory(**direct(names, **{"sink.type": "redis",
                                                 "debezium.sink.redis.address": f"127.0.0.1:{r.port}",
                                                 "debezium.sink.redis.password": "r3dis"})).start()
        good.wait_streaming()
        # The row the refused run could not deliver is delivered now: the slot had not passed it.
        wait_until(lambda: r.cmd("XLEN", stream) == 1, 60, what="the row, delivered after the credentials are fixed")
        good.stop()
    finally:
        r.stop()


# --- nats ------------------------------------------------------------------------------------------------

def rfc3339(text):
    """JetStream's message time (2026-12-04T21:30:00.123456789Z) as unix seconds."""
    from datetime import datetime, timezone
    base, _, frac = text.rstrip("Z").partition(".")
    t = datetime.strptime(base, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc).timestamp()
    return t + (float("0." + frac) if frac else 0.0)


class Nats:
    """nats-server with JetStream (file storage in the test's directory) and a tiny request client."""

    def __init__(self, port, workdir, user=None, password=None):
        self.port, self.workdir, self.proc, self.user, self.password = port, workdir, None, user, password

    def start(self):
        auth = ["--user", self.user, "--pass", self.password] if self.user else []
        self.proc = subprocess.Popen([shutil.which("nats-server") or "/usr/bin/nats-server", "-js", "-a", "127.0.0.1",
                                      "-p", str(self.port), "-sd", str(self.workdir / "js"), *auth],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self.up, 30, what="nats-server to answer")

    def up(self):
        try:
            with self.session() as req:
                req("$JS.API.INFO", b"")
            return True
        except (OSError, ValueError):
            return False

    def session(self):
        """A connection on which req(subject, payload) makes JetStream API requests one after another."""
        nats = self

        class Session:
            def __enter__(self):
                self.sock = socket.create_connection(("127.0.0.1", nats.port), timeout=5)
                self.f = self.sock.makefile("rwb")
                self.f.readline()  # INFO
                connect = {"verbose": False, "headers": True}
                if nats.user:
                    connect.update(user=nats.user, **{"pass": nats.password})
                self.f.write(f"CONNECT {json.dumps(connect)}\r\nSUB _INBOX.t 1\r\n".encode())
                return self.req

            def req(self, subject, payload):
                self.f.write(f"PUB {subject} _INBOX.t {len(payload)}\r\n".encode() + payload + b"\r\n")
                self.f.flush()
                while True:
                    line = self.f.readline().decode().rstrip("\r\n")
                    if not line:
                        raise ValueError("connection closed")
                    if line == "PING":
                        self.f.write(b"PONG\r\n")
                    elif line.startswith("MSG") or line.startswith("HMSG"):
                        parts = line.split()
                        body = self.f.read(int(parts[-1]) + 2)[:-2]
                        if line.startswith("HMSG"):
                            body = body[int(parts[-2]):]
                        return json.loads(body)

            def __exit__(self, *exc):
                self.f.close()
                self.sock.close()

        return Session()

    def values(self, stream):
        with self.session() as req:
            info = req(f"$JS.API.STREAM.INFO.{stream}", b"")
            if "error" in info:
                return []
            state = info["state"]
            out = []
            for seq in range(state["first_seq"], state["last_seq"] + 1):
                m = req(f"$JS.API.STREAM.MSG.GET.{stream}", json.dumps({"seq": seq}).encode())
                if "message" in m:
                    out.append((base64.b64decode(m["message"]["data"]).decode(), rfc3339(m["message"]["time"])))
            return out

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(30)


@pytest.mark.skipif(shutil.which("nats-server") is None, reason="nats-server (Debian nats-server) not installed")
def test_nats_sink_outage(pg, names, table, sluice_factory, tmp_path):
    n = Nats(free_port(), tmp_path)
    n.start()
    stream = f"S{names['tag']}"
    s = sluice_factory(**direct(names, **{"sink.type": "nats", "debezium.sink.nats-jetstream.url": f"nats://127.0.0.1:{n.port}",
                                          "debezium.sink.nats-jetstream.create-stream": "true",
                                          "debezium.sink.nats-jetstream.stream-name": stream,
                                          "debezium.sink.nats-jetstream.subjects": f"{names['prefix']}.>",
                                          "debezium.sink.nats-jetstream.storage": "file",
                                          "debezium.sink.nats-jetstream.sync.retry.max.interval.ms": "2000"})).start()

    def received():
        try:
            return rows_of(n.values(stream))
        except (OSError, ValueError):
            return []

    try:
        s.wait_streaming()
        total, got = outage_run(pg, names, s, received, n.stop, n.start)
        assert len(got) == total, "Nats-Msg-Id deduplicates what sluice sent again"
    finally:
        s.stop()
        n.stop()


def test_check_with_a_direct_sink_needs_no_kafka(names, table, sluice_factory, tmp_path):
    s = sluice_factory(**direct(names, **{"sink.type": "file", "sluice.sink.file.path": str(tmp_path / "x.jsonl")}))
    s.write()
    out = subprocess.run([os.environ.get("SLUICE_BIN", "build/sluice"), "check", str(s.path)], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "sink.type=file: Kafka is not used" in out.stdout


def test_bad_direct_sink_settings_exit_2_naming_the_key(names, sluice_factory):
    s = sluice_factory(**direct(names, **{"sink.type": "http", "debezium.sink.http.url": "http://127.0.0.1:1/",
                                          "debezium.sink.http.retries": "many"}))
    s.write()
    out = subprocess.run([os.environ.get("SLUICE_BIN", "build/sluice"), "run", str(s.path)], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 2
    assert "invalid value for debezium.sink.http.retries: 'many'" in out.stderr


def test_file_sink_stdout_closed_by_its_reader_stops_sluice(pg, names, table, sluice_factory):
    s = sluice_factory(**direct(names, **{"sink.type": "file", "sluice.sink.file.path": "-"}))
    s.write()
    proc = subprocess.Popen([os.environ.get("SLUICE_BIN", "build/sluice"), "run", str(s.path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_until(lambda: pg.execute("SELECT count(*) FROM pg_replication_slots WHERE slot_name = %s AND active",
                                      (names["slot"],)).fetchone()[0] == 1, 60, what="the slot to be active")
        proc.stdout.close()  # the reader goes away (`sluice run … | head -1`)
        pg.execute(f"INSERT INTO {table} VALUES (1, 1)")
        assert proc.wait(60) == 1
        assert "its reader closed it" in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.skipif(shutil.which("nats-server") is None, reason="nats-server (Debian nats-server) not installed")
def test_nats_sink_user_password_and_headers(pg, names, table, sluice_factory, tmp_path):
    n = Nats(free_port(), tmp_path, user="cdc", password="n4ts")
    n.start()
    stream = f"S{names['tag']}"
    s = sluice_factory(**direct(names, **{"sink.type": "nats",
                                          "debezium.sink.nats-jetstream.url": f"nats://127.0.0.1:{n.port}",
                                          "debezium.sink.nats-jetstream.auth.user": "cdc",
                                          "debezium.sink.nats-jetstream.auth.password": "n4ts",
                                          "debezium.sink.nats-jetstream.create-stream": "true",
                                          "debezium.sink.nats-jetstream.stream-name": stream})).start()
    try:
        s.wait_streaming()
        pg.execute(f"INSERT INTO {table} VALUES (1, 1)")  # subject <prefix>.public.<table>: the default *.*.*
        wait_until(lambda: ids_of_values(v for v, _ in n.values(stream)) == [1], 60, what="the row in JetStream")
        with n.session() as req:
            info = req(f"$JS.API.STREAM.INFO.{stream}", b"")
            m = req(f"$JS.API.STREAM.MSG.GET.{stream}", json.dumps({"seq": 1}).encode())["message"]
        # Only the event: the publish acknowledgements' inboxes are not captured by the subjects *.*.*.
        assert info["state"]["messages"] == 1
        assert m["subject"] == f"{names['prefix']}.public.{table}"
        hdrs = base64.b64decode(m["hdrs"]).decode()
        assert "Nats-Msg-Id: " + names["prefix"] + "-" in hdrs
        assert "__debezium.context.connectorLogicalName: " + names["prefix"] in hdrs
        assert "n4ts" not in s.log_text()
    finally:
        s.stop()
        n.stop()
