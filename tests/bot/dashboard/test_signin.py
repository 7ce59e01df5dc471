from datetime import UTC, datetime, timedelta

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.dashboard.signin import COOKIE, Viewer, read_session, session_cookie
from bot.http.keys import Services
from bot.http.server import build_web_app
from bot.settings import load_settings
from tests.bot.dashboard.conftest import LINK_SECRET, make_link, path_of


async def sign_in(client: TestClient, engine: AsyncEngine, viewer: Viewer) -> None:
    link = await make_link(engine, viewer)
    response = await client.get(path_of(link), allow_redirects=False)
    assert response.status == 303, await response.text()
    assert response.headers["Location"] == "/dashboard/"


async def test_no_session_shows_the_sign_in_page_and_no_data(
    client: TestClient, story: object
) -> None:
    for path in (
        "/dashboard/",
        "/dashboard/agents",
        "/dashboard/agents/dana",
        "/dashboard/comments?format=csv",
    ):
        response = await client.get(path)
        assert response.status == 401
        body = await response.text()
        assert "Sign in to the feedback dashboard" in body
        assert "dana" not in body and "too slow" not in body


async def test_a_link_signs_in_once_with_a_safe_cookie(
    client: TestClient, engine: AsyncEngine, story: object
) -> None:
    link = await make_link(engine, Viewer(admin=True, agent=None))
    response = await client.get(path_of(link), allow_redirects=False)
    assert response.status == 303
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=43200" in cookie
    assert "Secure" not in cookie  # plain http in this test
    page = await client.get("/dashboard/")
    assert page.status == 200
    again = await client.get(path_of(link), allow_redirects=False)
    assert again.status == 401
    assert "links work once" in await again.text()


async def test_an_expired_or_forged_link_is_refused(
    client: TestClient, engine: AsyncEngine
) -> None:
    old = await make_link(engine, Viewer(True, None), now=datetime.now(UTC) - timedelta(minutes=16))
    assert (await client.get(path_of(old), allow_redirects=False)).status == 401
    fresh = await make_link(engine, Viewer(True, None))
    nonce, _mac = fresh.split("token=")[1].split(".")
    forged = fresh.replace(nonce, "A" + nonce[1:])
    assert (await client.get(path_of(forged), allow_redirects=False)).status == 401
    assert (await client.get(path_of(fresh), allow_redirects=False)).status == 303


def test_session_cookies_are_signed_and_expire() -> None:
    now = datetime.now(UTC)
    value = session_cookie(LINK_SECRET, Viewer(False, "dana"), now)
    assert read_session(LINK_SECRET, value, now) == Viewer(False, "dana")
    assert read_session(LINK_SECRET, value, now + timedelta(hours=12, seconds=1)) is None
    assert read_session("another-secret", value, now) is None
    _payload, mac = value.split(".")
    admin = session_cookie(LINK_SECRET, Viewer(True, None), now).split(".")[0]
    assert read_session(LINK_SECRET, f"{admin}.{mac}", now) is None


async def test_a_forged_cookie_gets_the_sign_in_page(client: TestClient, story: object) -> None:
    forged = session_cookie("not-the-secret", Viewer(True, None), datetime.now(UTC))
    response = await client.get("/dashboard/", cookies={COOKIE: forged})
    assert response.status == 401


async def test_an_agent_sees_only_their_own_pages(
    client: TestClient, engine: AsyncEngine, story: object
) -> None:
    await sign_in(client, engine, Viewer(False, "dana"))
    own = await client.get("/dashboard/agents/dana")
    assert own.status == 200
    assert "too slow" in await own.text()
    for path in (
        "/dashboard/agents/eli",
        "/dashboard/agents",
        "/dashboard/customers",
        "/dashboard/comments",
        "/dashboard/follow-ups",
    ):
        assert (await client.get(path)).status == 403, path
    home = await client.get("/dashboard/", allow_redirects=False)
    assert home.status == 303 and home.headers["Location"] == "/dashboard/agents/dana"


async def test_the_cookie_is_secure_behind_an_https_dashboard_url(engine: AsyncEngine) -> None:
    settings = load_settings(
        None, link_secret=LINK_SECRET, dashboard_url="https://feedback.example.com"
    )
    app = build_web_app(Services.build(settings, engine))
    async with TestClient(TestServer(app)) as client:
        link = await make_link(engine, Viewer(True, None))
        response = await client.get(path_of(link), allow_redirects=False)
    assert response.status == 303
    assert "Secure" in response.headers["Set-Cookie"]
