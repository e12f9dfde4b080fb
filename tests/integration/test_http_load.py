"""The HTTP listener under hostile load (issue 24): 500 slow clients (half a request line each, from
127.0.0.2-127.0.0.9) and 200 keep-alive pollers stay open while GET /connectors, /metrics and /health from
127.0.0.1 are answered within a 5 s client timeout and 1,000 concurrent requests all succeed; against
`sluice connect` and against `sluice run`'s metrics listener. The process's RSS stays within idle + 64 MB.
A small per-address cap and header timeout refuse and close the slow clients, logged in summaries; an HTTPS
listener that requires client certificates refuses clients without one."""
import shutil
import ssl
import urllib.error
import urllib.request

import pytest

from conftest import wait_until
from http_load import Load, burst, get, raise_open_file_limit, rss_bytes
from pki import Pki
from test_worker import free_port, worker_factory  # noqa: F401 (the fixture)

SLOW, POLLERS, BURST = 500, 200, 1000
PATHS = ["/connectors", "/metrics", "/health"]
RSS_ALLOWANCE = 64 << 20


@pytest.fixture(autouse=True)
def open_files():
    if not raise_open_file_limit(SLOW + POLLERS + BURST + 256):
        pytest.skip("the open-file hard limit is too low for the load (ulimit -Hn)")


def serves_under_load(port, pid, expected):
    """Puts the load on the listener at `port` and checks the answers (`expected`: path -> status)."""
    for path in PATHS:  # warm up: the first scrape builds what later ones reuse
        assert get(port, path, timeout=30)[0] == expected[path]
    idle_rss = rss_bytes(pid)
    load = Load(port, slow=SLOW, pollers=POLLERS).start()
    try:
        wait_until(lambda: load.open_counts() == (SLOW, POLLERS) and load.answered_pollers() >= POLLERS, 60,
                   interval=0.2, what=f"{SLOW} slow clients and {POLLERS} answered pollers")
        for path in PATHS:
            status, _, _ = get(port, path, timeout=5.0)  # raises socket.timeout when starved
            assert status == expected[path], path
        results = burst(port, PATHS, BURST)
        failed = [(PATHS[i % len(PATHS)], r) for i, r in enumerate(results) if r != expected[PATHS[i % len(PATHS)]]]
        assert not failed, f"{len(failed)} of {BURST} failed, e.g. {failed[:5]}"
        slow, polling = load.open_counts()
        assert slow > 0 and polling == POLLERS, (slow, polling, load.stats)
        for path in PATHS:
            assert get(port, path, timeout=5.0)[0] == expected[path], path
        rss = rss_bytes(pid)
        assert rss <= idle_rss + RSS_ALLOWANCE, f"RSS {rss >> 20} MiB, idle {idle_rss >> 20} MiB"
    finally:
        load.stop()


def test_worker_rest_api_under_slow_clients_and_pollers(worker_factory):  # noqa: F811
    w = worker_factory().start()
    serves_under_load(w.port, w.proc.pid, {"/connectors": 200, "/metrics": 200, "/health": 200})
    assert w.request("GET", "/connectors")[0] == 200
    assert w.proc.poll() is None


def test_run_metrics_listener_under_slow_clients_and_pollers(sluice_factory, names, pg):
    table = f"hload_{names['tag']}"
    pg.execute(f"CREATE TABLE {table} (id int PRIMARY KEY)")
    port = free_port()
    try:
        s = sluice_factory(**{"table.include.list": f"public.{table}", "snapshot.mode": "no_data",
                              "metrics.listeners": f"http://127.0.0.1:{port}"}).start()
        s.wait_streaming()
        # `sluice run` has no REST API: /connectors is a 404, answered as promptly as the others.
        serves_under_load(port, s.proc.pid, {"/connectors": 404, "/metrics": 200, "/health": 200})
        assert s.proc.poll() is None
    finally:
        pg.execute(f"DROP TABLE IF EXISTS {table}")


def test_caps_and_header_timeout_refuse_and_close_with_summaries(worker_factory):  # noqa: F811
    w = worker_factory(extra={"rest.max.connections.per.address": "50", "rest.header.timeout.ms": "1000"}).start()
    load = Load(w.port, slow=200, pollers=0, slow_sources=["127.0.0.2"], reopen_per_s=200).start()
    try:
        refused = "connections refused: their client address already had 50 open"
        timed_out = "request header did not arrive within 1000 ms"
        wait_until(lambda: refused in w.log_text() and timed_out in w.log_text(), 60, interval=0.2,
                   what="the refusal and timeout summaries in the worker's log")
        wait_until(lambda: load.stats["slow_closed_by_server"] >= 500, 60, interval=0.2,
                   what="the slow clients to be refused or closed many times")
        assert get(w.port, "/connectors", timeout=5.0)[0] == 200
        closed = load.stats["slow_closed_by_server"]
    finally:
        load.stop()
    lines = [line for line in w.log_text().splitlines() if refused in line or timed_out in line]
    # One summary line per kind and interval, never one line per connection.
    assert 2 <= len(lines) < closed / 10, (len(lines), closed, lines[:5])
    assert w.request("GET", "/health")[0] == 200


def test_https_listener_requires_client_certificates(worker_factory, tmp_path):  # noqa: F811
    if shutil.which("openssl") is None:
        pytest.skip("openssl not installed")
    (tmp_path / "pki").mkdir()
    pki = Pki(tmp_path / "pki")
    keystore = tmp_path / "keystore.pem"
    keystore.write_text(pki.server_key.read_text() + pki.server.read_text())
    port = free_port()
    w = worker_factory(port=port, extra={"listeners": f"https://127.0.0.1:{port}",
                                         "listeners.https.ssl.keystore.location": str(keystore),
                                         "listeners.https.ssl.client.auth": "required",
                                         "listeners.https.ssl.truststore.location": str(pki.ca)})
    w.ssl_context = ssl.create_default_context(cafile=str(pki.ca))
    w.ssl_context.load_cert_chain(str(pki.client), str(pki.client_key))
    w.start()
    assert w.request("GET", "/connectors")[:2] == (200, [])
    without = ssl.create_default_context(cafile=str(pki.ca))
    with pytest.raises((OSError, urllib.error.URLError)):
        urllib.request.urlopen(f"https://127.0.0.1:{port}/connectors", timeout=10, context=without).read()
    with pytest.raises((OSError, urllib.error.URLError)):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/connectors", timeout=10).read()
    wait_until(lambda: "the TLS handshake failed" in w.log_text(), 30, what="the handshake failure summary")
    assert w.request("GET", "/health")[0] == 200
