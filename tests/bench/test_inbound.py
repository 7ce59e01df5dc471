"""``bench/inbound.py`` end to end with a handful of presses: it runs, and its checks pass."""

import subprocess
import sys
from pathlib import Path

from tests.conftest import TEST_DATABASE_URL

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "inbound.py"


def test_twenty_presses_are_stored_once_each_on_the_database_under_test() -> None:
    command = [sys.executable, str(SCRIPT), "--presses", "20"]
    if TEST_DATABASE_URL:
        command += ["--database-url", TEST_DATABASE_URL]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "stored answers            20 of 20" in done.stdout
    assert "ratio engine/ceiling" in done.stdout and "ratio engine/floor" in done.stdout
    assert "best engine/ceiling" in done.stdout
    assert "replies make the engine's Bot API calls" in done.stdout
    assert "FAIL" not in done.stdout
