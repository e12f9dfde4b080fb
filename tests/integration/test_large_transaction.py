"""The short CI version of tests/fault/big_transaction.py: a large transaction passes whole, a rolled-back one
emits nothing."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fault"))

import big_transaction  # noqa: E402


def test_large_transaction_streams_whole_and_rolled_back_rows_emit_nothing():
    lines = []
    rows = 150_000
    events, last_id, rss_mb = big_transaction.run(rows=rows, aborted_rows=50_000, log=lines.append, timeout=600)
    print(*lines)
    assert events == rows + 1, lines  # every committed row and the marker; none of the rolled-back rows
    assert last_id == rows + 1, lines  # the marker, committed after the big transaction, comes last
