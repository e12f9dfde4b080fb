"""Waiting on conditions (never fixed sleeps) and free loopback ports."""
import socket
import time


def wait_until(predicate, timeout=30.0, interval=0.05, what="condition"):
    """The first truthy value of predicate(), polled every `interval` s; AssertionError after `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def free_port():
    """A loopback port nothing listens on now (the kernel's choice)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
