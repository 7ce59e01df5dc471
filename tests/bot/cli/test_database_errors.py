"""Every database problem a user can cause is one line that says what to do, exit 2 (issue 13).

Run as subprocesses, as a user runs them: the output is what a terminal shows.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import TEST_DATABASE_URL

FEEDBACKBOT = Path(sys.executable).with_name("feedbackbot")


def run(database_url: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.isupper() or k in ("PATH", "HOME", "PYTHONPATH")
    }
    env |= {"DATABASE_URL": database_url, "COLUMNS": "200"}
    return subprocess.run(
        [str(FEEDBACKBOT), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert "Traceback" not in lines[0]
    return lines[0]


def test_a_database_without_the_schema_says_to_run_db_upgrade(
    empty_database_url: str, tmp_path: Path
) -> None:
    line = one_line(run(empty_database_url, "report", cwd=tmp_path))
    assert line.endswith("run: feedbackbot db upgrade")
    assert "no feedbackbot tables" in line


def test_an_unreachable_server_is_named_with_the_password_masked_not_the_chart(
    tmp_path: Path,
) -> None:
    url = "postgresql+asyncpg://feedback:s3cret@127.0.0.1:1/feedback"
    line = one_line(run(url, "report", "--chart", str(tmp_path / "chart.png"), cwd=tmp_path))
    assert "Cannot connect to the database server of" in line and "127.0.0.1:1/feedback" in line
    assert "s3cret" not in line and "chart" not in line


@pytest.mark.postgres
def test_a_missing_postgres_database_is_named(tmp_path: Path) -> None:
    url = make_url(TEST_DATABASE_URL).set(database="no_such_feedbackbot_db")
    line = one_line(run(url.render_as_string(hide_password=False), "db", "upgrade", cwd=tmp_path))
    assert "the database does not exist" in line and "no_such_feedbackbot_db" in line


@pytest.mark.postgres
def test_an_unknown_role_is_named(tmp_path: Path) -> None:
    url = make_url(TEST_DATABASE_URL).set(username="no_such_role", password="pw")
    line = one_line(run(url.render_as_string(hide_password=False), "db", "upgrade", cwd=tmp_path))
    assert 'role "no_such_role" does not exist' in line and "pw@" not in line
