"""The short CI version of tests/fault/kill_loop.py: SIGKILL under load loses nothing."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fault"))

import kill_loop  # noqa: E402


def test_sigkill_loop_under_load_loses_nothing():
    lines = []
    missing, duplicates, kills = kill_loop.run(changes=20000, kills=4, seed=7, log=lines.append)
    print(*lines)
    assert kills >= 1
    assert missing == 0, lines


def test_sigkill_loop_under_load_exactly_once_no_loss_no_duplicates():
    lines = []
    missing, duplicates, kills = kill_loop.run(changes=20000, kills=4, seed=11, log=lines.append, exactly_once=True)
    print(*lines)
    assert kills >= 1
    assert missing == 0, lines
    assert duplicates == 0, lines
