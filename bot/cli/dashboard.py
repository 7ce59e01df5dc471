"""``feedbackbot dashboard link (--admin | --agent ID)``: print a one-time sign-in link."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated

import typer

from bot.cli.common import console, fail, require_current_schema, settings_or_exit
from bot.dashboard.signin import Viewer, create_link
from bot.settings import Settings
from storage.addresses import agents_by_external_id
from storage.engine import open_engine, session_factory

app = typer.Typer(help="The team dashboard in the browser.", no_args_is_help=True)


async def _link(settings: Settings, admin: bool, agent: str | None) -> str:
    assert settings.link_secret is not None
    async with open_engine(settings.database_url) as engine:
        await require_current_schema(engine, settings)
        async with session_factory(engine)() as session, session.begin():
            if agent is not None and not await agents_by_external_id(session, [agent]):
                fail(
                    f"--agent: no agent {agent!r} in {settings.database_url_for_display}; agents "
                    "are known by the agent id their helpdesk sends with each closed case",
                    code=2,
                )
            return await create_link(
                session,
                settings.link_secret.get_secret_value(),
                Viewer(admin=admin, agent=agent),
                datetime.now(UTC),
                settings.dashboard_base_url,
            )


@app.command()
def link(
    admin: Annotated[
        bool, typer.Option("--admin", help="A link for an admin: every page, every agent.")
    ] = False,
    agent: Annotated[
        str | None,
        typer.Option(help="A link for this agent (their id in your helpdesk): their own pages."),
    ] = None,
) -> None:
    """Print a one-time dashboard sign-in link, valid 15 minutes; it starts a 12-hour session."""
    if admin == (agent is not None):
        fail("Give exactly one of --admin or --agent ID", code=2)
    settings = settings_or_exit()
    if settings.link_secret is None:
        fail("LINK_SECRET is not set; set it to a long random string (see .env.example)", code=2)
    url = asyncio.run(_link(settings, admin, agent))
    console.print(url, highlight=False, soft_wrap=True)
