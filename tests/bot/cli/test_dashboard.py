import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from typer.testing import CliRunner

from bot.cli.app import app
from bot.dashboard.signin import Viewer, redeem_link
from storage.engine import session_factory
from tests.factories import Factory

runner = CliRunner()
SECRET = "cli-dashboard-secret"


async def dashboard_link(monkeypatch: pytest.MonkeyPatch, database_url: str, *args: str):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("DASHBOARD_URL", "https://feedback.example.com/")
    return await asyncio.to_thread(runner.invoke, app, ["dashboard", "link", *args])


async def test_link_prints_a_one_time_link_for_an_admin_or_an_agent(
    monkeypatch: pytest.MonkeyPatch, database_url: str, engine: AsyncEngine, factory: Factory
) -> None:
    monkeypatch.setenv("LINK_SECRET", SECRET)
    await factory.agent("dana")
    viewers = []
    for args in (["--admin"], ["--agent", "dana"]):
        result = await dashboard_link(monkeypatch, database_url, *args)
        assert result.exit_code == 0, result.output
        prefix = "https://feedback.example.com/dashboard/signin?token="
        url = result.output.strip()
        assert url.startswith(prefix)
        async with session_factory(engine)() as session, session.begin():
            token = url.removeprefix(prefix)
            viewers.append(await redeem_link(session, SECRET, token, datetime.now(UTC)))
    assert viewers == [Viewer(True, None), Viewer(False, "dana")]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ([], "exactly one of --admin or --agent"),
        (["--admin", "--agent", "dana"], "exactly one of --admin or --agent"),
        (["--agent", "nobody"], "--agent: no agent 'nobody'"),
    ],
)
async def test_link_refuses_unclear_requests(
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
    engine: AsyncEngine,
    args: list[str],
    says: str,
) -> None:
    monkeypatch.setenv("LINK_SECRET", SECRET)
    result = await dashboard_link(monkeypatch, database_url, *args)
    assert result.exit_code == 2
    assert says in result.output


async def test_link_without_link_secret_names_the_setting(
    monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    result = await dashboard_link(monkeypatch, database_url, "--admin")
    assert result.exit_code == 2
    assert "LINK_SECRET is not set" in result.output
