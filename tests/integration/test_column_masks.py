"""Column filters and masks on real Postgres and Kafka (column.exclude.list, column.mask.with.<N>.chars,
column.mask.hash[.v2].<alg>.with.salt.<salt>, column.truncate.to.<N>.chars): the published values, and that
the clear value of a masked column appears nowhere sluice writes — data topic keys, values and headers, the
offsets topic, a debug-level log of the run, and what its metrics listener serves (/metrics, /health, /ready, the
status page)."""
import hashlib
import subprocess
import urllib.error
import urllib.request

from conftest import SLUICE_BIN, Sluice, key_of, value_of, wait_until
from test_worker import free_port

SECRET_EMAIL = "alice.clear-7f3a@example.org"
SECRET_SSN = "123-45-6789"
SECRET_HIDDEN = "hidden-9c1e-value"
NOTE = "a long note that is cut"


class DebugSluice(Sluice):
    def start(self):
        self.write()
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([SLUICE_BIN, "--log-level", "debug", "run", str(self.path)], stdout=self.log,
                                     stderr=subprocess.STDOUT)
        return self


def served(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.read()
    except urllib.error.HTTPError as e:
        return e.read()


def v2_sha256(salt, value, length):
    return hashlib.sha256(salt.encode() + value.encode()).hexdigest()[:length]


def test_masked_values_never_appear_in_topics_offsets_or_debug_log(pg, names, tmp_path, topic_reader):
    table = f"cm_{names['tag']}"
    with pg.cursor() as cur:
        cur.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, email text NOT NULL, ssn varchar(11), note text,"
                    f" hidden text, n int)")
        cur.execute(f"INSERT INTO {table} VALUES (1, %s, %s, %s, %s, 5)", (SECRET_EMAIL, SECRET_SSN, NOTE, SECRET_HIDDEN))
    s = DebugSluice(tmp_path, names, **{
        "table.include.list": f"public.{table}",
        "column.exclude.list": f"public[.]{table}[.]hidden",
        "column.mask.with.5.chars": f"public[.]{table}[.]email",
        "column.mask.hash.v2.SHA-256.with.salt.pep": f"public[.]{table}[.]ssn",
        "column.truncate.to.6.chars": f"public[.]{table}[.]note",
        "metrics.listeners": f"http://127.0.0.1:{free_port()}",
    })
    pages = []
    try:
        s.start()
        s.wait_streaming()
        with pg.cursor() as cur:
            cur.execute(f"INSERT INTO {table} VALUES (2, %s, %s, NULL, %s, 6)", (SECRET_EMAIL, SECRET_SSN, SECRET_HIDDEN))
            cur.execute(f"UPDATE {table} SET email = %s || '2', hidden = %s WHERE id = 1", (SECRET_EMAIL, SECRET_HIDDEN))
            cur.execute(f"ALTER TABLE {table} REPLICA IDENTITY FULL")
            cur.execute(f"DELETE FROM {table} WHERE id = 2")
        reader = topic_reader(f"{names['prefix']}.public.{table}")
        reader.poll_until(5)  # r, c, u, d + tombstone
        reader.drain(1.5)
        values = [value_of(m) for m in reader.messages if m.value() is not None]
        assert [v["payload"]["op"] for v in values] == ["r", "c", "u", "d"]
        first = values[0]["payload"]["after"]
        assert first == {"id": 1, "email": "*****", "ssn": v2_sha256("pep", SECRET_SSN, 11), "note": NOTE[:6], "n": 5}
        assert values[1]["payload"]["after"]["note"] is None
        assert values[3]["payload"]["before"]["email"] == "*****"
        fields = {f["field"]: f for f in values[0]["schema"]["fields"][1]["fields"]}
        assert "hidden" not in fields
        assert fields["email"]["parameters"] == {"masked": "true"}
        assert fields["ssn"]["parameters"] == {"masked": "true"}
        assert fields["note"]["parameters"] == {"truncateLength": "6"}
        assert key_of(reader.messages[0])["payload"] == {"id": 1}
        base = s.config["metrics.listeners"]
        pages = [served(base + path) for path in ("/metrics", "/health", "/ready", "/")]
        assert b"sluice_streaming_events_seen_total" in pages[0], pages[0][:500]
    finally:
        rc = s.stop()
    assert rc == 0
    offsets = topic_reader("sluice-offsets")
    offsets.drain(2.0)
    written = []
    for m in reader.messages + offsets.messages:
        written += [m.key() or b"", m.value() or b""]
        written += [v or b"" for _, v in (m.headers() or [])]
    log = s.log_path.read_bytes()
    assert b"debug" in log.lower(), "the run logged at debug level"
    for clear in (SECRET_EMAIL, SECRET_SSN, SECRET_HIDDEN):
        assert not any(clear.encode() in b for b in written), f"{clear} published"
        assert clear.encode() not in log, f"{clear} logged"
        assert not any(clear.encode() in page for page in pages), f"{clear} served by the metrics listener"
    assert NOTE.encode() not in b"".join(written), "the whole note published"


def test_mask_of_a_key_column_exits_2(pg, names, tmp_path):
    table = f"cmk_{names['tag']}"
    with pg.cursor() as cur:
        cur.execute(f"CREATE TABLE {table} (email text PRIMARY KEY, n int)")
    s = Sluice(tmp_path, names, **{
        "table.include.list": f"public.{table}",
        "column.mask.with.5.chars": f"public[.]{table}[.]email",
    })
    s.write()
    r = subprocess.run([SLUICE_BIN, "run", str(s.path)], capture_output=True, text=True, timeout=120)
    out = r.stdout + r.stderr
    assert r.returncode == 2, out
    assert f"column.mask.with.5.chars matches public.{table}.email, a column of the message key" in out
