"""``bench/flood.py`` with a small flood: it runs both ways and prints the ratios."""

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "flood.py"


@pytest.mark.once
def test_a_small_flood_runs_both_ways_and_prints_ratios() -> None:
    command = [sys.executable, str(SCRIPT), "--flood", "30", "--position", "5", "--rounds", "1"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "now/base" in done.stdout
    assert "baseline" in done.stdout
