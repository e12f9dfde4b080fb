"""`sluice tail`: the terminal view, reading Kafka and (--direct) the database itself with no Kafka."""
import json
import os
import signal
import subprocess
import threading
import time
from urllib.parse import urlparse

import pytest

from conftest import KAFKA, PG_URL, SLUICE_BIN, wait_until


class Tail:
    """A `sluice tail` subprocess with stdout piped (so: no colours); lines collected by a thread."""

    def __init__(self, args):
        self.proc = subprocess.Popen([SLUICE_BIN, "tail", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        self.lines, self.err = [], []
        threading.Thread(target=self._read, args=(self.proc.stdout, self.lines), daemon=True).start()
        threading.Thread(target=self._read, args=(self.proc.stderr, self.err), daemon=True).start()

    @staticmethod
    def _read(stream, into):
        for line in stream:
            into.append(line.rstrip("\n"))

    def wait_err(self, text, timeout=60):
        wait_until(lambda: any(text in l for l in self.err) or self.proc.poll() is not None, timeout,
                   what=f"tail to log {text!r}")
        assert self.proc.poll() is None, "\n".join(self.err)

    def wait_lines(self, n, timeout=60):
        wait_until(lambda: len(self.lines) >= n, timeout, what=f"{n} tail lines (have {self.lines})")
        return self.lines[:n]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(60)


def direct_config(tmp_path, names):
    u = urlparse(PG_URL)
    cfg = {"database.hostname": u.hostname, "database.port": str(u.port or 5432),
           "database.user": u.username or "postgres", "database.password": u.password or "",
           "database.dbname": (u.path or "/postgres").lstrip("/"), "topic.prefix": names["prefix"]}
    path = tmp_path / "tail.json"
    path.write_text(json.dumps(cfg))
    return path


@pytest.fixture
def table(pg, names):
    t = f"tl_{names['tag']}"
    pg.execute(f"CREATE TABLE {t} (id int PRIMARY KEY, name text, email text)")
    pg.execute(f"ALTER TABLE {t} REPLICA IDENTITY FULL")
    pg.execute(f"INSERT INTO {t} VALUES (1, 'Old', 'old@x')")
    yield t
    pg.execute(f"DROP TABLE IF EXISTS {t}")


def tail_slots(pg):
    return pg.execute("SELECT slot_name FROM pg_replication_slots WHERE slot_name LIKE 'sluice_tail_%'").fetchall()


def test_tail_direct_from_now_plain_and_cleaned_up(pg, names, table, tmp_path):
    before = {r[0] for r in tail_slots(pg)}
    t = Tail(["--direct", str(direct_config(tmp_path, names)), table])
    try:
        t.wait_err("streaming from slot")
        pg.execute(f"INSERT INTO {table} VALUES (2, 'Ann', 'a@x')")
        pg.execute(f"UPDATE {table} SET email = 'b@x' WHERE id = 2")
        pg.execute(f"DELETE FROM {table} WHERE id = 2")
        lines = t.wait_lines(3)
        assert lines[0] == f'create   public.{table}  id=2  id=2 name="Ann" email="a@x"'
        assert lines[1] == f'update   public.{table}  id=2  email: "a@x" → "b@x"'
        assert lines[2] == f'delete   public.{table}  id=2  id=2 name="Ann" email="b@x"'
        assert all("\x1b[" not in l for l in lines), "plain when piped"
        assert not any("Old" in l for l in t.lines), "from now: the existing row is not shown"
    finally:
        assert t.stop() == 0, "\n".join(t.err)
    # The slot and the publication were tail's own: both gone.
    assert {r[0] for r in tail_slots(pg)} == before
    assert pg.execute("SELECT count(*) FROM pg_publication WHERE pubname LIKE 'sluice_tail_%'").fetchone()[0] == 0


def test_tail_direct_from_beginning_op_filter_and_json(pg, names, table, tmp_path):
    cfg = str(direct_config(tmp_path, names))
    t = Tail(["--direct", cfg, "--from-beginning", "--op", "r,delete", table])
    try:
        t.wait_err("streaming from slot")
        pg.execute(f"UPDATE {table} SET name = 'New' WHERE id = 1")  # filtered out
        pg.execute(f"DELETE FROM {table} WHERE id = 1")
        lines = t.wait_lines(2)
        assert lines[0] == f'read     public.{table}  id=1  id=1 name="Old" email="old@x"'
        assert lines[1].startswith(f"delete   public.{table}  id=1")
        time.sleep(0.5)
        assert len(t.lines) == 2, "the update was filtered out"
    finally:
        assert t.stop() == 0, "\n".join(t.err)
    j = Tail(["--direct", cfg, "--json", table])
    try:
        j.wait_err("streaming from slot")
        pg.execute(f"INSERT INTO {table} VALUES (5, 'J', 'j@x')")
        doc = json.loads(j.wait_lines(1)[0])
        assert doc["payload"]["op"] == "c" and doc["payload"]["after"]["id"] == 5
    finally:
        j.stop()


def test_tail_kafka_from_now_and_from_beginning(pg, names, table, sluice_factory):
    s = sluice_factory(**{"table.include.list": f"public.{table}"}).start()
    s.wait_streaming()
    topic = f"{names['prefix']}.public.{table}"
    pg.execute(f"INSERT INTO {table} VALUES (2, 'Before', 'b@x')")
    # Wait for the row to be in Kafka: tail --from-beginning sees it (and the snapshot row).
    t0 = Tail(["--bootstrap-server", KAFKA, "--from-beginning", topic])
    try:
        t0.wait_err("reading")
        lines = t0.wait_lines(2)
        assert lines[0].startswith(f"read     public.{table}  id=1")
        assert lines[1].startswith(f"create   public.{table}  id=2")
    finally:
        t0.stop()
    # From now, by table name: only what is written after it started.
    t = Tail(["--bootstrap-server", KAFKA, f"public.{table}"])
    try:
        t.wait_err("reading")
        pg.execute(f"UPDATE {table} SET name = 'After' WHERE id = 2")
        lines = t.wait_lines(1)
        assert lines[0] == f'update   public.{table}  id=2  name: "Before" → "After"'
        time.sleep(1)
        assert len(t.lines) == 1
    finally:
        t.stop()


def test_tail_direct_colours_on_a_terminal(pg, names, table, tmp_path):
    import pty
    master, slave = pty.openpty()
    proc = subprocess.Popen([SLUICE_BIN, "tail", "--direct", str(direct_config(tmp_path, names)), table],
                            stdout=slave, stderr=subprocess.PIPE, text=True)
    os.close(slave)
    err = []
    threading.Thread(target=lambda: [err.append(l) for l in proc.stderr], daemon=True).start()
    try:
        wait_until(lambda: any("streaming from slot" in l for l in err), 60, what="tail to stream")
        pg.execute(f"INSERT INTO {table} VALUES (9, 'T', 't@x')")
        out = b""
        deadline = time.monotonic() + 30
        while b"\n" not in out and time.monotonic() < deadline:
            out += os.read(master, 4096)
        assert b"\x1b[32mcreate" in out, out  # the op in green
        assert f"\x1b[1mpublic.{table}\x1b[0m".encode() in out  # the table in bold
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(60) == 0
        os.close(master)
