"""The command line: version, bad config (exit 2 naming key and value), check, wal_level problems."""
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import KAFKA, SLUICE_BIN, Sluice
from support.net import free_port


def run(*args, timeout=60):
    return subprocess.run([SLUICE_BIN, *args], capture_output=True, text=True, timeout=timeout)


def test_version_and_help():
    r = run("version")
    assert r.returncode == 0 and r.stdout.startswith("sluice ")
    r = run("--help")
    assert r.returncode == 0 and "run" in r.stdout and "check" in r.stdout


@pytest.mark.parametrize("key,value,expect", [
    ("plugin.name", "decoderbufs", "invalid value for plugin.name: 'decoderbufs'"),
    ("snapshot.mode", "sometimes", "invalid value for snapshot.mode: 'sometimes' (allowed: initial, no_data, never, when_needed, initial_only, always)"),
    ("database.port", "http", "invalid value for database.port: 'http'"),
    ("producer.acks", "most", "invalid Kafka producer property acks='most'"),
    ("message.key.columns", "public.t:a b", "invalid value for message.key.columns: entry 'public.t:a b'"),
    ("include.unknown.datatypes", "yes", "invalid value for include.unknown.datatypes: 'yes' (allowed: true, false)"),
])
def test_bad_config_exits_2_naming_key_and_value(tmp_path, names, key, value, expect):
    s = Sluice(tmp_path, names, **{key: value})
    s.write()
    r = run("run", str(s.path))
    assert r.returncode == 2, r.stderr
    assert expect in r.stderr + r.stdout


def test_unreadable_config(tmp_path):
    r = run("run", str(tmp_path / "missing.json"))
    assert r.returncode == 2 and "cannot read config file" in r.stderr


def test_check_reports_ready_and_unreachable_kafka(tmp_path, names, pg):
    table = f"check_{names['tag']}"
    pg.execute(f"CREATE TABLE IF NOT EXISTS {table} (id int primary key)")
    s = Sluice(tmp_path, names, **{"table.include.list": f"public.{table}"})
    s.write()
    r = run("check", str(s.path))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "connected to Kafka" in r.stdout and "wal_level=logical" in r.stdout
    bad = Sluice(tmp_path, names, **{"kafka.bootstrap.servers": "127.0.0.1:1", "table.include.list": "public.none"})
    bad.write()
    r = run("check", str(bad.path))
    assert r.returncode == 1
    assert "FAIL" in r.stdout and "kafka.bootstrap.servers" in r.stdout
    assert "no table matches the filters (table.include.list=public.none)" in r.stdout


def test_wal_level_replica_gives_clear_message(tmp_path, names):
    """A throwaway Postgres with wal_level=replica: sluice names the setting and how to fix it."""
    bindir = Path("/usr/lib/postgresql/15/bin")
    if not (bindir / "initdb").exists():
        pytest.skip("postgresql-15 binaries not found")
    data = Path(tempfile.mkdtemp(prefix="sluice-walrep-"))
    port = free_port()
    as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_pg:
        shutil.chown(data, "postgres", "postgres")
    subprocess.run([*as_pg, str(bindir / "initdb"), "-D", str(data / "d"), "-A", "trust", "-U", "postgres"],
                   check=True, capture_output=True)
    try:
        subprocess.run([*as_pg, str(bindir / "pg_ctl"), "-D", str(data / "d"), "-l", str(data / "log"), "-w", "-o",
                        f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c wal_level=replica", "start"],
                       check=True, capture_output=True)
        s = Sluice(tmp_path, names, **{"database.port": port, "snapshot.mode": "no_data"})
        s.write()
        r = run("run", str(s.path), timeout=60)
        assert r.returncode == 1
        assert "wal_level is 'replica'" in r.stderr and "wal_level = logical" in r.stderr
        r = run("check", str(s.path))
        assert r.returncode == 1 and "wal_level is 'replica'" in r.stdout
    finally:
        subprocess.run([*as_pg, str(bindir / "pg_ctl"), "-D", str(data / "d"), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(data, ignore_errors=True)


def test_json_log_format(tmp_path, names, sluice_factory):
    s = Sluice(tmp_path, names, **{"snapshot.mode": "no_data", "kafka.bootstrap.servers": KAFKA})
    s.write()
    p = subprocess.Popen([SLUICE_BIN, "--log-format", "json", "run", str(s.path)], stderr=subprocess.PIPE, text=True)
    line = p.stderr.readline()
    p.terminate()
    p.wait(30)
    doc = json.loads(line)
    assert doc["level"] == "info" and "starting connector" in doc["msg"]


def test_password_from_env_is_used_and_never_logged(tmp_path, names, sluice_factory, pg):
    """${env:VAR} resolves the password; no log line of a debug-level run (or of check) contains it."""
    secret = "pw-" + names["tag"] + "-Zq9"
    table = f"secret_{names['tag']}"
    pg.execute(f"CREATE TABLE IF NOT EXISTS {table} (id int primary key)")
    s = sluice_factory(**{"database.password": "${env:SLUICE_IT_PASSWORD}", "table.include.list": f"public.{table}",
                          "snapshot.mode": "no_data"})
    s.write()
    env = dict(os.environ, SLUICE_IT_PASSWORD=secret)
    r = subprocess.run([SLUICE_BIN, "--log-level", "debug", "check", str(s.path)], capture_output=True, text=True,
                       env=env, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert secret not in r.stdout + r.stderr
    with open(s.log_path, "ab") as log:
        p = subprocess.Popen([SLUICE_BIN, "--log-level", "debug", "run", str(s.path)], stdout=log,
                             stderr=subprocess.STDOUT, env=env)
        s.proc, s.log = p, open(os.devnull, "wb")
        s.wait_streaming()
        pg.execute(f"INSERT INTO {table} VALUES (1)")
        assert s.stop() == 0
    text = s.log_path.read_text()
    assert "streaming from slot" in text and secret not in text
    missing = Sluice(tmp_path, names, **{"database.password": "${env:SLUICE_IT_UNSET_VAR}"})
    missing.write()
    r = run("run", str(missing.path))
    assert r.returncode == 2
    assert "database.password: environment variable SLUICE_IT_UNSET_VAR referenced as" in r.stderr
