"""``feedbackbot demo`` as a user runs it: the installed console script, in a subprocess."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ON_POSTGRES

SCRIPT = Path(sys.executable).parent / "feedbackbot"
FIGURES = re.compile(
    r"^(\w+): CSAT \d+\.\d% \(n=\d+\) · NPS [+-]?\d+ \(n=\d+\)"
    r" · customer value \d+\.\d+ \(n=\d+\)$",
    re.MULTILINE,
)


def feedbackbot(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_demo_ends_with_csat_nps_and_value_figures_and_keeps_its_database(
    tmp_path: Path, empty_database_url: str
) -> None:
    env = {**os.environ, "TMPDIR": str(tmp_path), "COLUMNS": "200"}
    if ON_POSTGRES:
        env["DATABASE_URL"] = empty_database_url

    demo = feedbackbot("demo", "--keep", env=env)

    assert demo.returncode == 0, demo.stderr + demo.stdout
    assert set(FIGURES.findall(demo.stdout)) == {"dana", "lee", "sam"}, demo.stdout
    chart = Path(re.findall(r"^Chart: (.+\.png)$", demo.stdout, re.MULTILINE)[0])
    assert chart.stat().st_size > 0
    assert "Your feedback for" in demo.stdout  # the agent's digest, as posted in Slack
    # The history's planted effects, found by the insights
    assert "Drivers: price (cost, higher lowers NPS)" in demo.stdout
    assert "Themes: sam's detractors write about" in demo.stdout
    assert "Themes flagged for other agents: none" in demo.stdout
    assert "Outcomes: promoters renewed" in demo.stdout
    [url] = re.findall(r"^Database kept: DATABASE_URL=(\S+)$", demo.stdout, re.MULTILINE)

    report = feedbackbot(
        "report", "--format", "json", "--since", "all", env={**env, "DATABASE_URL": url}
    )
    assert report.returncode == 0, report.stderr
    rows = json.loads(report.stdout)["rows"]
    assert {row["key"] for row in rows} == {"dana", "lee", "sam"}
    for row in rows:
        assert row["csat"]["n"] > 0 and row["nps"]["n"] > 0 and row["value"]["n"] > 0
    assert sum(row["ces"]["n"] for row in rows) >= 1, "one case chose the effort survey"


def test_the_demo_explains_itself() -> None:
    result = feedbackbot("demo", "--help", env=dict(os.environ))
    assert result.returncode == 0
    assert "--keep" in result.stdout


def test_a_demo_that_cannot_reach_its_database_exits_1_saying_why(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "TMPDIR": str(tmp_path),
        "DATABASE_URL": "postgresql+asyncpg://nobody@127.0.0.1:1/nothing",
    }
    result = feedbackbot("demo", env=env)
    assert result.returncode == 1
    assert result.stderr.startswith("The demo failed:"), result.stderr


@pytest.mark.once
def test_demo_serve_keeps_the_dashboard_up_with_an_admin_link_until_ctrl_c(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "TMPDIR": str(tmp_path), "COLUMNS": "200"}
    env.pop("DATABASE_URL", None)
    demo = subprocess.Popen(
        [str(SCRIPT), "demo", "--serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert demo.stdout is not None
        link = None
        for line in demo.stdout:
            found = re.search(r"^Admin sign-in link: (http://127\.0\.0\.1:\d+/\S+)$", line)
            if found:
                link = found.group(1)
                break
        assert link is not None, "the demo printed no sign-in link"
        jar = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        with browser.open(link, timeout=30) as page:
            assert page.status == 200 and page.url.endswith("/dashboard/")
            assert 'data-figure="CSAT %" data-value=' in page.read().decode()
        demo.send_signal(signal.SIGINT)
        rest = demo.communicate(timeout=60)[0]
        assert demo.returncode == 0, rest
        assert "Stopping the demo." in rest
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()
