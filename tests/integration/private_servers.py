"""Private Postgres and Kafka servers for fault tests: started by the test on free loopback ports, so a test
may stop, restart or never start them without disturbing the shared servers of scripts/services (or other
tests). Same binaries and settings as scripts/services (Postgres 15, Kafka 4.1 single-node KRaft)."""
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
from confluent_kafka.admin import AdminClient
from support.net import free_port

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path(os.environ.get("SLUICE_PG_BIN", "/usr/lib/postgresql/15/bin"))
KAFKA_LIB = ROOT / ".cache" / "kafka" / "lib"


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def _state_dir(prefix):
    # Postgres refuses to run as root: as root it runs as the postgres user, which must own its directory.
    d = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    d.chmod(0o755)
    if os.geteuid() == 0:
        shutil.chown(d, "postgres", "postgres")
    return d


class PrivatePostgres:
    """A throw-away Postgres cluster on a free port. With a password, TCP logins need it (scram-sha-256)."""

    def __init__(self, password=None):
        self.port = free_port()
        self.password = password
        self.dir = _state_dir("sluice-pg-")
        self.data = self.dir / "data"
        self.log = self.dir / "pg.log"
        self._pg(PG_BIN / "initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C",
                 "--no-sync")
        with open(self.data / "postgresql.conf", "a") as f:
            f.write(f"\nlisten_addresses = '127.0.0.1'\nport = {self.port}\nunix_socket_directories = '{self.dir}'\n"
                    "wal_level = logical\nmax_wal_senders = 10\nmax_replication_slots = 10\nfsync = off\n"
                    "synchronous_commit = off\nfull_page_writes = off\n")
        method = "scram-sha-256" if password else "trust"
        (self.data / "pg_hba.conf").write_text(
            "local all all trust\nlocal replication all trust\n"
            f"host all all 127.0.0.1/32 {method}\nhost replication all 127.0.0.1/32 {method}\n")

    def _pg(self, *args):
        cmd = [str(a) for a in args]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        subprocess.run(cmd, check=True, cwd="/", stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)

    def start(self):
        self._pg(PG_BIN / "pg_ctl", "start", "-D", self.data, "-l", self.log, "-w", "-t", "60", "-s")
        if self.password:
            with psycopg.connect(host=str(self.dir), port=self.port, user="postgres", dbname="postgres",
                                 autocommit=True) as c:
                c.execute(f"ALTER USER postgres PASSWORD '{self.password}'")
        return self

    def restart(self):
        self._pg(PG_BIN / "pg_ctl", "restart", "-D", self.data, "-m", "fast", "-w", "-t", "60", "-s")

    def stop(self):
        if (self.data / "postmaster.pid").exists():
            self._pg(PG_BIN / "pg_ctl", "stop", "-D", self.data, "-m", "immediate", "-w", "-t", "60", "-s")

    def url(self, dbname="postgres"):
        auth = f"postgres:{self.password}" if self.password else "postgres"
        return f"postgresql://{auth}@127.0.0.1:{self.port}/{dbname}"

    def connect(self):
        return psycopg.connect(self.url(), autocommit=True)

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class PrivateKafka:
    """A single-node KRaft broker on free ports (formatted once; stop/start keep its data). `bootstrap` is its
    PLAINTEXT listener (also the inter-broker one); `extra_listeners` ({name: (security protocol, port)}),
    `extra_properties` (server.properties lines) and `format_args` (kafka-storage format) configure more, e.g.
    SASL_SSL listeners and SCRAM users."""

    def __init__(self, extra_listeners=None, extra_properties="", format_args=()):
        self.port = free_port()
        self.controller_port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="sluice-kafka-", dir="/tmp"))
        self.props = self.dir / "server.properties"
        self.log = self.dir / "kafka.log"
        self.proc = None
        listeners = {"PLAINTEXT": ("PLAINTEXT", self.port), **(extra_listeners or {})}
        addresses = ",".join(f"{name}://127.0.0.1:{port}" for name, (_, port) in listeners.items())
        protocols = ",".join(f"{name}:{protocol}" for name, (protocol, _) in listeners.items())
        self.props.write_text(f"""process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:{self.controller_port}
listeners={addresses},CONTROLLER://127.0.0.1:{self.controller_port}
advertised.listeners={addresses}
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,{protocols}
log.dirs={self.dir / 'data'}
num.partitions=1
default.replication.factor=1
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
{extra_properties}""")
        subprocess.run(self._java("kafka.tools.StorageTool", "format", "-t", uuid.uuid4().hex[:22], "-c",
                                  str(self.props), *format_args), check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.STDOUT)

    @property
    def bootstrap(self):
        return f"127.0.0.1:{self.port}"

    def _java(self, *args):
        return ["java", "-Xms128m", "-Xmx384m", "-XX:+UseG1GC", "-Djava.awt.headless=true",
                f"-Dlog4j2.configurationFile=file:{ROOT / 'scripts' / 'kafka' / 'log4j2.properties'}",
                "-cp", f"{KAFKA_LIB}/*"] + list(args)

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def ready(self):
        try:
            md = AdminClient({"bootstrap.servers": self.bootstrap, "log_level": 0}).list_topics(timeout=2)
            return len(md.brokers) > 0
        except Exception:  # noqa: BLE001 (not up yet)
            return False

    def start(self, timeout=120):
        log = open(self.log, "ab")
        self.proc = subprocess.Popen(self._java("kafka.Kafka", str(self.props)), stdout=log, stderr=subprocess.STDOUT,
                                     cwd=self.dir)
        log.close()
        wait_for(lambda: self.ready() or not self.running(), timeout, "the private Kafka broker")
        assert self.running(), f"private Kafka exited during start-up:\n{self.log.read_text()[-3000:]}"
        return self

    def stop(self):
        if self.running():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
