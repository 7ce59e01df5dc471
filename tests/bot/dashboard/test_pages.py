import csv
import io

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.dashboard.signin import Viewer
from tests.bot.dashboard.test_signin import sign_in

PAGES = [
    "/dashboard/",
    "/dashboard/agents?sort=csat&dir=desc",
    "/dashboard/agents/dana",
    "/dashboard/customers",
    "/dashboard/comments?q=SLOW",
    "/dashboard/follow-ups",
]


@pytest.fixture
async def admin(client: TestClient, engine: AsyncEngine, story: object) -> TestClient:
    await sign_in(client, engine, Viewer(True, None))
    return client


@pytest.mark.parametrize("path", PAGES)
async def test_every_page_renders_with_escaped_customer_text(admin: TestClient, path: str) -> None:
    response = await admin.get(path)
    body = await response.text()
    assert response.status == 200, body
    assert "<script>" not in body and "<b>Bold</b>" not in body
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"


async def test_comment_search_finds_the_low_score_comment(admin: TestClient) -> None:
    body = await (await admin.get("/dashboard/comments?q=SLOW&score_max=2")).text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; too slow" in body
    none = await (await admin.get("/dashboard/comments?q=SLOW&score_min=3")).text()
    assert "too slow" not in none


async def test_every_table_downloads_as_csv(admin: TestClient) -> None:
    response = await admin.get("/dashboard/follow-ups?format=csv&table=follow_ups&state=all")
    assert response.status == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="follow_ups.csv"'
    rows = list(csv.DictReader(io.StringIO(await response.text())))
    assert [(r["customer"], r["score"], r["status"]) for r in rows] == [("boris", "1", "open")]
    comments = await admin.get("/dashboard/comments?format=csv")
    rows = list(csv.DictReader(io.StringIO(await comments.text())))
    assert rows[0]["comment"] == "<script>alert(1)</script> too slow"


async def test_a_bad_parameter_names_itself(admin: TestClient) -> None:
    response = await admin.get("/dashboard/?since=yesterday")
    assert response.status == 400
    assert "since" in await response.text()
    unknown = await admin.get("/dashboard/?format=csv&table=nope")
    assert unknown.status == 400


async def test_an_unknown_agent_is_404(admin: TestClient) -> None:
    response = await admin.get("/dashboard/agents/nobody")
    assert response.status == 404
    assert "No agent nobody" in await response.text()


async def test_search_treats_percent_and_underscore_as_text(admin: TestClient) -> None:
    assert "too slow" not in await (await admin.get("/dashboard/comments?q=%25")).text()
    assert "too slow" not in await (await admin.get("/dashboard/comments?q=too_slow")).text()
    assert "too slow" in await (await admin.get("/dashboard/comments?q=too+slow")).text()
