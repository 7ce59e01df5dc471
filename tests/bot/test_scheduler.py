from datetime import datetime, timedelta

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import scheduler_check
from bot.http.keys import Services
from bot.http.server import build_web_app
from bot.scheduler import Scheduler, run_campaign
from bot.settings import load_settings
from storage.engine import session_factory
from storage.models import IdentityState, Invitation, InvitationStatus
from surveys.catalog import load_catalog
from surveys.policy import PolicyConfig
from tests.factories import Factory

CONFIG = PolicyConfig(quiet_hours=None)


async def invitations(engine: AsyncEngine) -> list[Invitation]:
    async with session_factory(engine)() as session:
        return list(await session.scalars(select(Invitation).order_by(Invitation.id)))


async def test_the_campaign_invites_each_due_customer_once_per_day(
    engine: AsyncEngine, factory: Factory, now: datetime
) -> None:
    alice = await factory.customer("alice")
    await factory.identity(alice)
    dana = await factory.agent()
    case = await factory.case(alice, dana, closed_at=now - timedelta(days=30))
    await factory.invitation(
        case, status=InvitationStatus.ANSWERED, due_at=now - timedelta(days=30)
    )
    boris = await factory.customer("boris")
    await factory.identity(boris, external_id="1002", state=IdentityState.OPTED_OUT)
    carla = await factory.customer("carla")
    await factory.identity(carla, external_id="1003")
    recent = await factory.case(carla, dana, external_id="CASE-2")
    await factory.invitation(recent, due_at=now - timedelta(days=2))
    sessions = session_factory(engine)
    catalog = load_catalog(None)

    first = await run_campaign(sessions, catalog=catalog, config=CONFIG, worker="a", now=now)
    again = await run_campaign(
        sessions, catalog=catalog, config=CONFIG, worker="b", now=now + timedelta(hours=2)
    )

    assert (first.ran, first.invited) == (True, 1)
    assert again.ran is False
    new = [i for i in await invitations(engine) if i.case_id is None]
    assert [(i.customer_id, i.survey_key, i.status) for i in new] == [
        (alice.id, "nps", InvitationStatus.PENDING)
    ]
    assert new[0].agent_id == dana.id and new[0].due_at == now


async def test_healthz_is_503_while_the_scheduler_is_not_running(engine: AsyncEngine) -> None:
    scheduler = Scheduler([])
    services = Services.build(
        load_settings(None), engine, health_checks={"scheduler": scheduler_check(scheduler)}
    )
    async with TestClient(TestServer(build_web_app(services))) as client:
        response = await client.get("/healthz")
        assert response.status == 503
        assert await response.json() == {
            "status": "unavailable",
            "down": ["scheduler"],
            "checks": {"database": "ok", "scheduler": "failing"},
            "parts": {},
        }
        scheduler.start()
        try:
            assert (await client.get("/healthz")).status == 200
        finally:
            await scheduler.shutdown()
