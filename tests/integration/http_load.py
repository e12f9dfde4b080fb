"""A bounded local HTTP load generator (no tests here): slow clients that open a connection and send half a
request line, keep-alive pollers, and bursts of concurrent requests. Used by test_http_load.py and by
bench/http_latency.py.

Everything runs on one selector thread (slow clients, pollers) or one asyncio loop (a burst), so the load is the
same whatever the machine. A connection the server closes is opened again, at most `reopen_per_s` times per
second in total, so the load stays at its size without flooding the listener.
"""
import asyncio
import http.client
import resource
import selectors
import socket
import threading
import time

SLOW_SOURCES = [f"127.0.0.{i}" for i in range(2, 10)]  # 127.0.0.2-127.0.0.9: the per-address cap applies


def raise_open_file_limit(need):
    """Raises this process's soft RLIMIT_NOFILE to the hard limit; False when even that is below `need`."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and (hard == resource.RLIM_INFINITY or soft < hard):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        soft = hard
    return soft == resource.RLIM_INFINITY or soft >= need


class _Conn:
    __slots__ = ("kind", "sock", "source", "state", "buf", "due", "index")

    def __init__(self, kind, index, source):
        self.kind, self.index, self.source = kind, index, source
        self.sock, self.state, self.buf, self.due = None, "closed", b"", 0.0


class Load:
    """`slow` slow clients (from SLOW_SOURCES, round robin) and `pollers` keep-alive clients that GET
    `poll_path` every `poll_interval` seconds (from `poll_source`), against host:port."""

    def __init__(self, port, host="127.0.0.1", slow=500, pollers=200, poll_path="/health", poll_interval=2.0,
                 poll_source="127.0.0.1", slow_sources=None, reopen_per_s=2000):
        self.host, self.port = host, port
        self.poll_request = f"GET {poll_path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
        self.slow_payload = b"GET /connec"  # half a request line, and then nothing
        self.poll_interval = poll_interval
        self.reopen_per_s = reopen_per_s
        sources = slow_sources or SLOW_SOURCES
        self.conns = [_Conn("slow", i, sources[i % len(sources)]) for i in range(slow)]
        self.conns += [_Conn("poll", i, poll_source) for i in range(pollers)]
        self.sel = selectors.DefaultSelector()
        self.stats = {"slow_opened": 0, "slow_closed_by_server": 0, "poll_ok": 0, "poll_reopened": 0,
                      "connect_failed": 0}
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="http-load", daemon=True)
        self._tokens, self._refill = float(reopen_per_s), time.monotonic()

    # --- public ---
    def start(self):
        for c in self.conns:
            c.due = 0.0
        self.thread.start()
        return self

    def open_counts(self):
        slow = sum(1 for c in self.conns if c.kind == "slow" and c.state == "waiting")
        polling = sum(1 for c in self.conns if c.kind == "poll" and c.state in ("idle", "reading"))
        return slow, polling

    def answered_pollers(self):
        return self.stats["poll_ok"]

    def stop(self):
        self.stopping.set()
        self.thread.join(10)
        for c in self.conns:
            self._close(c)
        self.sel.close()

    # --- the selector loop ---
    def _run(self):
        while not self.stopping.is_set():
            now = time.monotonic()
            self._tokens = min(self.reopen_per_s, self._tokens + (now - self._refill) * self.reopen_per_s)
            self._refill = now
            next_due = now + 0.2
            for c in self.conns:
                if c.state == "closed" and c.due <= now and self._tokens >= 1:
                    self._tokens -= 1
                    self._open(c)
                elif c.state == "idle" and c.due <= now:
                    self._send(c, self.poll_request, "reading")
                if c.state in ("closed", "idle"):
                    next_due = min(next_due, max(c.due, now + 0.001))
            for key, events in self.sel.select(timeout=max(0.0, next_due - time.monotonic())):
                self._ready(key.data, events)

    def _open(self, c):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        try:
            s.bind((c.source, 0))
            s.connect_ex((self.host, self.port))
        except OSError:
            s.close()
            self.stats["connect_failed"] += 1
            c.due = time.monotonic() + 0.5
            return
        c.sock, c.state, c.buf = s, "connecting", b""
        self.sel.register(s, selectors.EVENT_WRITE, c)

    def _close(self, c, reopen_after=None):
        if c.sock is not None:
            try:
                self.sel.unregister(c.sock)
            except (KeyError, ValueError):
                pass
            c.sock.close()
        c.sock, c.state, c.buf = None, "closed", b""
        c.due = float("inf") if reopen_after is None else time.monotonic() + reopen_after

    def _send(self, c, data, next_state):
        try:
            c.sock.send(data)
        except OSError:
            self._lost(c)
            return
        c.state = next_state
        self.sel.modify(c.sock, selectors.EVENT_READ, c)

    def _lost(self, c):
        if c.kind == "slow":
            self.stats["slow_closed_by_server"] += 1
        else:
            self.stats["poll_reopened"] += 1
        self._close(c, reopen_after=0.05)

    def _ready(self, c, events):
        if c.state == "connecting":
            err = c.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                self.stats["connect_failed"] += 1
                self._close(c, reopen_after=0.5)
                return
            if c.kind == "slow":
                self.stats["slow_opened"] += 1
                self._send(c, self.slow_payload, "waiting")
            else:
                self._send(c, self.poll_request, "reading")
            return
        try:
            data = c.sock.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data or c.kind == "slow":  # a slow client only ever hears a close (or an error answer)
            self._lost(c)
            return
        c.buf += data
        end = c.buf.find(b"\r\n\r\n")
        if end < 0:
            return
        length = 0
        for line in c.buf[:end].split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        if len(c.buf) < end + 4 + length:
            return
        c.buf = b""
        self.stats["poll_ok"] += 1
        c.state, c.due = "idle", time.monotonic() + self.poll_interval
        self.sel.modify(c.sock, selectors.EVENT_READ, c)  # a close while idle is noticed at once


def get(port, path, timeout=5.0, host="127.0.0.1", source="127.0.0.1"):
    """One GET on a new connection: (status, body, seconds). Raises on a timeout or a refused connection."""
    t0 = time.monotonic()
    conn = http.client.HTTPConnection(host, port, timeout=timeout, source_address=(source, 0))
    try:
        conn.request("GET", path, headers={"Accept": "application/json"})
        resp = conn.getresponse()
        body = resp.read()
        return resp.status, body, time.monotonic() - t0
    finally:
        conn.close()


async def _one(host, port, path, timeout):
    async def exchange():
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
            await writer.drain()
            data = await reader.read()
        finally:
            writer.close()
        status_line = data.split(b"\r\n", 1)[0].split()
        return int(status_line[1]) if len(status_line) >= 2 else 0
    try:
        return await asyncio.wait_for(exchange(), timeout)
    except (OSError, asyncio.TimeoutError) as e:
        return repr(e)


def burst(port, paths, n=1000, timeout=60.0, host="127.0.0.1"):
    """`n` requests at once (paths round robin), each on its own connection: the status of each, or the error."""
    async def main():
        return await asyncio.gather(*[_one(host, port, paths[i % len(paths)], timeout) for i in range(n)])
    return asyncio.run(main())


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")
