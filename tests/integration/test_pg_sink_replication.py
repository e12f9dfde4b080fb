"""Issue 14's replication test: a pgbench database -> `sluice run` -> Kafka -> `sluice sink` -> a second database.

Concurrent pgbench load on the source; both sinks are killed with SIGKILL while it runs (and restarted), and
`ALTER TABLE pgbench_accounts ADD COLUMN note text` lands on the source mid-run (schema.evolution=basic adds it to
the target). At the end every table's row-by-row checksum and column list are equal.

pgbench_history has no primary key, so (as with Debezium's JDBC sink, where primary.key.mode=record_key needs a
record key) it goes through its own sink with insert.mode=insert and primary.key.mode=none: there a record applied
twice is a duplicate row and a lost one a missing row, so the table is compared as a multiset (rows ordered by their
whole text) — which only exactly-once application passes after a kill -9.
"""
import signal
import subprocess

import psycopg

from conftest import wait_until
from test_pg_sink import PG_BIN, Proc, checksum, columns, db_url, dbs, procs, sink_config, source_config  # noqa: F401

KEYED = {"pgbench_accounts": "aid", "pgbench_branches": "bid", "pgbench_tellers": "tid"}
KEYLESS = "pgbench_history"


def count(conn, table):
    if conn.execute("SELECT to_regclass(%s)", (table,)).fetchone()[0] is None:
        return 0
    return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def alive(*procs_):
    for p in procs_:
        assert p.proc.poll() is None, p.log_text()
    return True


def test_pgbench_replicated_under_load_with_kill_9_and_add_column(dbs, names, tmp_path, procs):
    src, dst = dbs
    subprocess.run([str(PG_BIN / "pgbench"), "-i", "-s", "1", "-q", db_url(src)], check=True, capture_output=True)
    # The target's schema as users create it: pg_dump --schema-only of the source (pgbench_history keeps no key).
    dump = subprocess.run([str(PG_BIN / "pg_dump"), "-s", "-t", "pgbench_*", db_url(src)], check=True,
                          capture_output=True, text=True).stdout
    subprocess.run([str(PG_BIN / "psql"), "-q", "-v", "ON_ERROR_STOP=1", db_url(dst)], input=dump, text=True,
                   check=True, capture_output=True)

    source = Proc(tmp_path, "run", "source", source_config(names, src, **{"table.include.list": r"public\.pgbench_.*"}))
    procs.append(source.start())
    wait_until(lambda: "streaming from slot" in source.log_text() or source.proc.poll() is not None, 120,
               what="the source to stream")
    alive(source)
    prefix = names["prefix"].replace(".", r"\.")
    # Names (so consumer groups) of this run only: a group's state outlives a run by the session timeout.
    keyed_name, history_name = f"pgbench-keyed-{names['tag']}", f"pgbench-history-{names['tag']}"
    keyed = Proc(tmp_path, "sink", keyed_name, sink_config(names, dst, **{
        "topics.regex": prefix + r"\.public\.pgbench_(accounts|branches|tellers)", "batch.size": "500"}))
    history = Proc(tmp_path, "sink", history_name, sink_config(names, dst, **{
        "topics.regex": prefix + r"\.public\.pgbench_history", "insert.mode": "insert",
        "primary.key.mode": "none", "delete.enabled": "false", "batch.size": "500"}))
    procs.extend([keyed.start(), history.start()])
    with psycopg.connect(db_url(dst), autocommit=True) as d:
        wait_until(lambda: alive(keyed) and count(d, "pgbench_accounts") == 100000, 120, interval=0.3,
                   what="the snapshot of pgbench_accounts in the target")

    with psycopg.connect(db_url(src), autocommit=True) as s, psycopg.connect(db_url(dst), autocommit=True) as d:
        bench = subprocess.Popen([str(PG_BIN / "pgbench"), "-c", "3", "-T", "12", "-R", "400", "-n", db_url(src)],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            # First kill: once the load is arriving in the target (a batch may be open in a target transaction).
            wait_until(lambda: alive(keyed, history) and count(d, KEYLESS) > 0, 60, interval=0.1,
                       what="pgbench_history rows in the target")
            seen = count(d, KEYLESS)
            keyed.stop(signal.SIGKILL)
            history.stop(signal.SIGKILL)
            keyed.start()
            history.start()
            # The column is added mid-run, once the restarted sinks are applying again.
            wait_until(lambda: alive(keyed, history) and count(d, KEYLESS) > seen, 60, interval=0.1,
                       what="progress after the restart")
            s.execute("ALTER TABLE pgbench_accounts ADD COLUMN note text")
            s.execute("UPDATE pgbench_accounts SET note = 'n' || aid WHERE aid % 1000 = 1")
            # Second kill: after the new column's first records reached Kafka, before or while they are applied.
            seen = count(d, KEYLESS)
            wait_until(lambda: alive(keyed, history) and count(d, KEYLESS) > seen, 60, interval=0.1,
                       what="progress after the ALTER")
            keyed.stop(signal.SIGKILL)
            history.stop(signal.SIGKILL)
            keyed.start()
            history.start()
            out, _ = bench.communicate(timeout=120)
        finally:
            if bench.poll() is None:
                bench.kill()
                bench.wait()
        assert bench.returncode == 0, out
        s.execute("UPDATE pgbench_accounts SET note = 'last' WHERE aid = 2")

        for table, key in KEYED.items():
            want = checksum(s, table, key)
            wait_until(lambda: alive(keyed) and checksum(d, table, key) == want, 180, interval=0.5,
                       what=f"{table} to match the source")
            assert columns(d, table) == columns(s, table)
        # A multiset: count and checksum of the rows ordered by their whole text.
        want = checksum(s, KEYLESS, "t::text")
        assert want[0] > 0
        wait_until(lambda: alive(history) and checksum(d, KEYLESS, "t::text") == want, 180, interval=0.5,
                   what=f"{KEYLESS} to match the source as a multiset")
        assert columns(d, KEYLESS) == columns(s, KEYLESS)
        assert d.execute("SELECT note FROM pgbench_accounts WHERE aid = 1001").fetchone()[0] == "n1001"
        stored = {r[0] for r in d.execute("SELECT connector FROM sluice_sink_offsets").fetchall()}
        assert stored == {keyed_name, history_name}
    assert "added column \"note\" text" in keyed.log_text()
    assert keyed.stop() == 0
    assert history.stop() == 0
