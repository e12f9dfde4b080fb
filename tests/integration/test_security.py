"""TLS to Postgres and SASL/TLS to Kafka, each against a private server configured for it on loopback.

The test makes its own certificates with openssl (a CA, a server certificate for localhost/127.0.0.1, a client
certificate, and an unrelated CA), starts a private Postgres 15 (ssl=on; pg_hba: `hostssl … cert` for certuser,
`hostssl … scram-sha-256` for everyone else, `hostnossl … reject`) and a private KRaft broker with a SASL_SSL
listener (SCRAM-SHA-512 and PLAIN; PEM key and trust stores) and an SSL listener that requires client
certificates, beside a PLAINTEXT one the test reads through.
"""
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import psycopg
import pytest
from confluent_kafka import Consumer

from conftest import KAFKA, PG_URL, ROOT, SLUICE_BIN, Sluice, key_of, payload, value_of, wait_until
from pki import Pki
from private_servers import PrivateKafka, free_port

PG_BIN = Path("/usr/lib/postgresql/15/bin")
KAFKA_LIB = ROOT / ".cache" / "kafka" / "lib"
AS_PG = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
PG_PASSWORD = "pg-Secret-" + uuid.uuid4().hex[:6]
KAFKA_PASSWORD = "kafka-Secret-" + uuid.uuid4().hex[:6]
PLAIN_PASSWORD = "plain-Secret-" + uuid.uuid4().hex[:6]


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    if shutil.which("openssl") is None:
        pytest.skip("openssl not installed")
    return Pki(tmp_path_factory.mktemp("pki"))


# --- a private Postgres with TLS ---------------------------------------------------------------------------

class TlsPostgres:
    def __init__(self, pki: Pki):
        self.dir = Path(tempfile.mkdtemp(prefix="sluice-tls-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        if AS_PG:
            shutil.chown(self.dir, "postgres", "postgres")
        subprocess.run([*AS_PG, str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                        "--no-sync"], check=True, capture_output=True)
        for src, name in ((pki.server, "server.crt"), (pki.server_key, "server.key"), (pki.ca, "ca.crt")):
            shutil.copy(src, self.data / name)
            if AS_PG:
                shutil.chown(self.data / name, "postgres", "postgres")
        (self.data / "server.key").chmod(0o600)
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write("\nlisten_addresses = '127.0.0.1,127.0.0.2'\nwal_level = logical\nmax_wal_senders = 10\n"
                       "max_replication_slots = 10\nfsync = off\nssl = on\nssl_cert_file = 'server.crt'\n"
                       "ssl_key_file = 'server.key'\nssl_ca_file = 'ca.crt'\n"
                       "password_encryption = 'scram-sha-256'\n")
        (self.data / "pg_hba.conf").write_text(
            "local     all          all                    trust\n"
            "hostnossl all         all       127.0.0.0/8  reject\n"
            "hostnossl replication all       127.0.0.0/8  reject\n"
            "hostssl   all         certuser  127.0.0.0/8  cert\n"
            "hostssl   replication certuser  127.0.0.0/8  cert\n"
            "hostssl   all         all       127.0.0.0/8  scram-sha-256\n"
            "hostssl   replication all       127.0.0.0/8  scram-sha-256\n")
        subprocess.run([*AS_PG, str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "log"), "-w",
                        "-o", f"-p {self.port} -k {self.dir}", "start"], check=True, capture_output=True)
        with self.connect() as c:
            c.execute("CREATE ROLE certuser LOGIN SUPERUSER")
            c.execute(f"CREATE ROLE pwuser LOGIN SUPERUSER PASSWORD '{PG_PASSWORD}'")

    def connect(self):
        return psycopg.connect(host=str(self.dir), port=self.port, user="postgres", dbname="postgres",
                               autocommit=True)

    def stop(self):
        subprocess.run([*AS_PG, str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def tls_pg(pki):
    if not (PG_BIN / "initdb").exists():
        pytest.skip("postgresql-15 binaries not found")
    server = TlsPostgres(pki)
    yield server
    server.stop()


def run(*args, timeout=90, env=None):
    return subprocess.run([SLUICE_BIN, *map(str, args)], capture_output=True, text=True, timeout=timeout, env=env)


def tls_sluice(tmp_path, names, tls_pg, **overrides):
    config = {"database.hostname": "127.0.0.1", "database.port": tls_pg.port, "database.user": "pwuser",
              "database.password": PG_PASSWORD, "database.dbname": "postgres", "snapshot.mode": "no_data"}
    config.update(overrides)
    s = Sluice(tmp_path, names, **config)
    s.write()
    return s


def ssl_of_sluice_sessions(pg):
    """(backend_type, ssl) of every session sluice has open on the server."""
    return pg.execute("SELECT a.backend_type, s.ssl FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) "
                      "WHERE a.application_name LIKE 'sluice-%'").fetchall()


def stream_one_change(s, pg, table, topic_reader, expect_snapshot_rows=0):
    reader = topic_reader(f"{s.config['topic.prefix']}.public.{table}")
    s.start()
    s.wait_streaming()
    sessions = ssl_of_sluice_sessions(pg)
    assert ("walsender", True) in sessions and all(ssl for _, ssl in sessions), sessions
    pg.execute(f"INSERT INTO {table} VALUES (100, 'over tls')")
    msgs = [m for m in reader.poll_until(expect_snapshot_rows + 1) if m.value() is not None]
    assert [payload(value_of(m))["op"] for m in msgs] == ["r"] * expect_snapshot_rows + ["c"]
    assert payload(value_of(msgs[-1]))["after"] == {"id": 100, "name": "over tls"}
    assert s.stop() == 0, s.log_text()
    assert "connected to Postgres over TLS (TLSv1." in s.log_text()


def test_pg_verify_full_with_password_snapshot_and_stream(tmp_path, names, pki, tls_pg, topic_reader):
    """verify-full against 127.0.0.1 (an IP SAN): the catalog, replication and two snapshot worker connections
    all use TLS (the server rejects anything else)."""
    table = f"tls_pw_{names['tag']}"
    with tls_pg.connect() as pg:
        pg.execute(f"CREATE TABLE {table} (id int primary key, name text)")
        pg.execute(f"INSERT INTO {table} SELECT g, 'row ' || g FROM generate_series(1, 3) g")
        s = tls_sluice(tmp_path, names, tls_pg, **{
            "database.sslmode": "verify-full", "database.sslrootcert": pki.ca, "snapshot.mode": "initial",
            "snapshot.max.threads": 2, "table.include.list": f"public.{table}"})
        stream_one_change(s, pg, table, topic_reader, expect_snapshot_rows=3)


def test_pg_client_certificate_auth(tmp_path, names, pki, tls_pg, topic_reader):
    """`cert` authentication (no password) with verify-full against the DNS name localhost; check says TLS."""
    table = f"tls_cert_{names['tag']}"
    with tls_pg.connect() as pg:
        pg.execute(f"CREATE TABLE {table} (id int primary key, name text)")
        s = tls_sluice(tmp_path, names, tls_pg, **{
            "database.hostname": "localhost", "database.user": "certuser", "database.password": "",
            "database.sslmode": "verify-full", "database.sslrootcert": pki.ca, "database.sslcert": pki.client,
            "database.sslkey": pki.client_key, "table.include.list": f"public.{table}"})
        r = run("check", s.path)
        assert r.returncode == 0, r.stdout + r.stderr
        assert "over TLS (TLSv1." in r.stdout and "sslmode=verify-full" in r.stdout
        stream_one_change(s, pg, table, topic_reader)


@pytest.mark.parametrize("case", ["wrong_ca", "host_mismatch", "no_client_cert", "sslmode_disable"])
def test_pg_tls_failures_stop_with_a_clear_message(tmp_path, names, pki, tls_pg, case):
    """Each refusal stops `sluice run` (exit 1, no retry loop) naming what to fix; `sluice check` says the same."""
    settings, expect = {
        "wrong_ca": ({"database.sslmode": "verify-full", "database.sslrootcert": pki.other_ca},
                     ["certificate verify failed", "database.sslrootcert"]),
        "host_mismatch": ({"database.hostname": "127.0.0.2", "database.sslmode": "verify-full",
                           "database.sslrootcert": pki.ca},
                          ['does not match host name "127.0.0.2"', "database.hostname"]),
        "no_client_cert": ({"database.user": "certuser", "database.password": "", "database.sslmode": "require"},
                           ["certificate", "database.sslcert"]),
        "sslmode_disable": ({"database.sslmode": "disable"},
                            ["pg_hba.conf rejects connection", "no encryption", "database.sslmode"]),
    }[case]
    s = tls_sluice(tmp_path, names, tls_pg, **settings)
    r = run("run", s.path)
    assert r.returncode == 1, r.stderr
    assert "retrying" not in r.stderr, r.stderr
    for text in expect:
        assert text in r.stderr, r.stderr
    assert PG_PASSWORD not in r.stderr
    r = run("check", s.path)
    assert r.returncode == 1
    fails = [line for line in r.stdout.splitlines() if line.startswith("FAIL")]
    assert fails and all(text in fails[0] for text in expect), r.stdout


# --- a private Kafka broker with a SASL_SSL listener -------------------------------------------------------

class SaslKafka(PrivateKafka):
    """The private broker with a SASL_SSL listener (SCRAM-SHA-512 user sluice, PLAIN user plainuser) and an SSL
    listener that requires client certificates; the test reads through its PLAINTEXT `bootstrap`."""

    def __init__(self, pki: Pki):
        self.external, self.mtls = free_port(), free_port()
        self.sasl_bootstrap = f"127.0.0.1:{self.external}"
        self.mtls_bootstrap = f"127.0.0.1:{self.mtls}"  # SSL with client certificates (no SASL)
        keystore = pki.dir / "broker.pem"  # Kafka's PEM key store: private key and certificate chain
        keystore.write_text(pki.server_key.read_text() + pki.server.read_text())
        super().__init__(
            extra_listeners={"SASL_SSL": ("SASL_SSL", self.external), "MTLS": ("SSL", self.mtls)},
            extra_properties=f"""listener.name.mtls.ssl.client.auth=required
sasl.enabled.mechanisms=SCRAM-SHA-512,PLAIN
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_plainuser="{PLAIN_PASSWORD}";
ssl.keystore.type=PEM
ssl.keystore.location={keystore}
ssl.truststore.type=PEM
ssl.truststore.location={pki.ca}
""",
            format_args=("--add-scram", f"SCRAM-SHA-512=[name=sluice,password={KAFKA_PASSWORD}]"))
        self.start()


@pytest.fixture(scope="module")
def sasl_kafka(pki):
    if not list(KAFKA_LIB.glob("kafka_2.13-*.jar")):
        pytest.skip("Kafka jars not found in .cache/kafka/lib (scripts/deps)")
    broker = SaslKafka(pki)
    yield broker
    broker.cleanup()


def sasl_sluice(tmp_path, names, sasl_kafka, pki, password=None, mechanism="PLAIN", **overrides):
    """A sluice on the shared Postgres that talks SASL_SSL to the private broker, configured the way a Debezium
    connector is (producer.override.*, Java client names); with `password`, as user plainuser (PLAIN) or sluice
    (SCRAM-SHA-512) through sasl.jaas.config."""
    config = {
        "kafka.bootstrap.servers": sasl_kafka.sasl_bootstrap, "snapshot.mode": "no_data",
        "producer.override.security.protocol": "SASL_SSL",
        "producer.override.ssl.truststore.type": "PEM",
        "producer.override.ssl.truststore.location": pki.ca,
    }
    if password is not None:
        module, user = (("plain.PlainLoginModule", "plainuser") if mechanism == "PLAIN"
                        else ("scram.ScramLoginModule", "sluice"))
        config["producer.override.sasl.mechanism"] = mechanism
        config["producer.override.sasl.jaas.config"] = (
            f'org.apache.kafka.common.security.{module} required username="{user}" password="{password}";')
    config.update(overrides)
    s = Sluice(tmp_path, names, **config)
    s.write()
    return s


def start_with_env(s, env):
    """Starts `sluice --log-level debug run` with an environment (the password comes from ${env:…})."""
    s.write()
    s.log = open(s.log_path, "ab")
    s.proc = subprocess.Popen([SLUICE_BIN, "--log-level", "debug", "run", str(s.path)], stdout=s.log,
                              stderr=subprocess.STDOUT, env=env)
    s.wait_streaming()


def read_committed(bootstrap, tag):
    return Consumer({"bootstrap.servers": bootstrap, "group.id": f"it-{tag}-{uuid.uuid4().hex[:6]}",
                     "auto.offset.reset": "earliest", "enable.auto.commit": False, "isolation.level": "read_committed",
                     "topic.metadata.refresh.interval.ms": 500})


def poll_until(consumer, done, what):
    """Polls until done(messages so far) holds; returns the messages."""
    got = []

    def more():
        m = consumer.poll(0.2)
        if m is not None and not m.error():
            got.append(m)
        return done(got)
    wait_until(more, timeout=60, what=what)
    return got


@pytest.mark.parametrize("delivery", ["at_least_once", "exactly_once"])
def test_kafka_sasl_ssl_streams_with_offsets_in_kafka(tmp_path, names, pki, sasl_kafka, sluice_factory, pg,
                                                       delivery):
    """Events and offsets go over SASL_SSL (PLAIN, Java-style JAAS with the password from ${env:}); a restart
    reads the offsets back through the same settings; exactly-once runs the transactional producer over it."""
    table = f"sasl_{names['tag']}"
    pg.execute(f"CREATE TABLE {table} (id int primary key, name text)")
    extra = {"exactly.once.support": "required"} if delivery == "exactly_once" else {}
    s = sasl_sluice(tmp_path, names, sasl_kafka, pki, "${env:SLUICE_IT_KAFKA_PASSWORD}",
                    **{"table.include.list": f"public.{table}"}, **extra)
    env = dict(os.environ, SLUICE_IT_KAFKA_PASSWORD=PLAIN_PASSWORD)
    r = run("--log-level", "debug", "check", s.path, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "security.protocol=sasl_ssl" in r.stdout and PLAIN_PASSWORD not in r.stdout + r.stderr

    events = read_committed(sasl_kafka.bootstrap, names["tag"])
    events.subscribe([f"{names['prefix']}.public.{table}"])
    try:
        start_with_env(s, env)
        pg.execute(f"INSERT INTO {table} VALUES (1, 'through sasl_ssl')")
        first = poll_until(events, lambda got: len(got) >= 1, "the change on the SASL_SSL broker")
        assert payload(value_of(first[0]))["after"] == {"id": 1, "name": "through sasl_ssl"}
        assert s.stop() == 0, s.log_text()

        offsets = read_committed(sasl_kafka.bootstrap, names["tag"])
        offsets.subscribe(["sluice-offsets"])
        key = ["it-connector", {"server": names["prefix"]}]
        poll_until(offsets, lambda got: any(key_of(m) == key for m in got), "an offset record on the SASL_SSL broker")
        offsets.close()

        first_log = s.log_text()
        s.log_path = tmp_path / "second-run.log"
        start_with_env(s, env)  # the offsets reader reads them back over SASL_SSL
        assert "offsets stored in Kafka topic sluice-offsets: LSN" in s.log_text(), s.log_text()
        pg.execute(f"INSERT INTO {table} VALUES (2, 'after restart')")
        second = poll_until(events, lambda got: len(got) >= 1, "the change after the restart")
        assert [payload(value_of(m))["after"]["id"] for m in second] == [2]
        assert s.stop() == 0, s.log_text()
    finally:
        events.close()
        s.stop()
    text = first_log + s.log_text()
    assert "streaming from slot" in text and PLAIN_PASSWORD not in text
    if delivery == "exactly_once":
        assert "exactly-once: transactional producer ready" in text


def test_kafka_wrong_password_fails_clearly(tmp_path, names, pki, sasl_kafka, sluice_factory, pg):
    table = f"sasl_wrong_{names['tag']}"
    pg.execute(f"CREATE TABLE {table} (id int primary key)")
    wrong = "wrong-" + PLAIN_PASSWORD
    s = sasl_sluice(tmp_path, names, sasl_kafka, pki, wrong, **{"table.include.list": f"public.{table}"})
    r = run("--log-level", "debug", "run", s.path)
    assert r.returncode == 1, r.stderr
    assert "Kafka refused the SASL authentication" in r.stderr and "sasl.jaas.config" in r.stderr, r.stderr
    assert wrong not in r.stderr + r.stdout
    r = run("check", s.path)
    assert r.returncode == 1
    assert any(line.startswith("FAIL") and "Kafka refused the SASL authentication" in line
               for line in r.stdout.splitlines()), r.stdout
    assert wrong not in r.stdout + r.stderr


def test_kafka_scram_librdkafka_names_and_tls_trust(tmp_path, names, pki, sasl_kafka):
    """SCRAM-SHA-512 through sasl.jaas.config; PLAIN in librdkafka's own names; a CA that did not sign the
    broker's certificate is reported as a TLS failure (`sluice check`)."""
    scram = sasl_sluice(tmp_path, names, sasl_kafka, pki, KAFKA_PASSWORD, mechanism="SCRAM-SHA-512",
                        **{"table.include.list": "public.none"})
    r = run("check", scram.path)
    if "OK   connected to Kafka" not in r.stdout:
        # librdkafka before 2.6.1 (Debian 12 ships 2.0.2) cannot do SCRAM with Kafka 4: sluice says so.
        assert "Kafka refused the SASL authentication" in r.stdout and "older than 2.6.1" in r.stdout, r.stdout
    assert KAFKA_PASSWORD not in r.stdout + r.stderr
    s = sasl_sluice(tmp_path, names, sasl_kafka, pki, **{
        "kafka.sasl.mechanism": "PLAIN", "kafka.sasl.username": "plainuser", "kafka.sasl.password": PLAIN_PASSWORD,
        "table.include.list": "public.none"})
    r = run("check", s.path)
    assert "OK   connected to Kafka" in r.stdout and "security.protocol=sasl_ssl" in r.stdout, r.stdout
    s.config["producer.override.ssl.truststore.location"] = str(pki.other_ca)
    s.write()
    r = run("check", s.path)
    assert r.returncode == 1
    assert any(line.startswith("FAIL") and "TLS connection to Kafka failed" in line
               for line in r.stdout.splitlines()), r.stdout
    assert PLAIN_PASSWORD not in r.stdout + r.stderr


def test_kafka_mutual_tls_with_a_pem_key_store(tmp_path, names, pki, sasl_kafka):
    """security.protocol=SSL to a listener that requires client certificates: Kafka's PEM key store (private key
    and certificate in one file) authenticates sluice; without it the broker refuses the connection."""
    keystore = tmp_path / "client-keystore.pem"
    keystore.write_text(pki.client_key.read_text() + pki.client.read_text())
    keystore.chmod(0o600)
    config = {"kafka.bootstrap.servers": sasl_kafka.mtls_bootstrap, "producer.override.security.protocol": "SSL",
              "producer.override.ssl.truststore.type": "PEM", "producer.override.ssl.truststore.location": pki.ca,
              "producer.override.ssl.keystore.type": "PEM", "producer.override.ssl.keystore.location": keystore,
              "table.include.list": "public.none"}
    s = Sluice(tmp_path, names, **config)
    s.write()
    r = run("check", s.path)
    assert "OK   connected to Kafka" in r.stdout and "security.protocol=ssl" in r.stdout, r.stdout
    del s.config["producer.override.ssl.keystore.location"], s.config["producer.override.ssl.keystore.type"]
    s.write()
    r = run("check", s.path)
    assert r.returncode == 1
    assert any(line.startswith("FAIL") and "TLS connection to Kafka failed" in line
               for line in r.stdout.splitlines()), r.stdout + r.stderr
