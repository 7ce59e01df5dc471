"""The dashboard in a real headless Chromium (Debian's ``chromium``, driven by Playwright).

One browser for the module; the app serves on 127.0.0.1 and every request the pages make is
checked to stay there. Screenshots of every page at desktop and phone width go to
``test-output/screenshots/`` in the repository (ignored by git), for a person to look at.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import shutil
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web
from playwright.async_api import Browser, BrowserContext, Page, Request, Route, async_playwright
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.dashboard.signin import COOKIE, Viewer, session_cookie
from bot.http.keys import Services
from bot.http.server import build_web_app
from bot.settings import load_settings
from storage.engine import create_engine, session_factory
from tests.bot.dashboard.conftest import LINK_SECRET, make_link, path_of
from tests.bot.dashboard.history import seed_history
from tests.conftest import ON_POSTGRES, empty_tables
from tests.serving import free_port

pytestmark = [pytest.mark.once, pytest.mark.asyncio(loop_scope="module")]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).parents[3] / "test-output" / "screenshots"
API_TOKEN = "browser-test-api-token"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


class Site:
    def __init__(self, base: str, engine: AsyncEngine, database_url: str) -> None:
        self.base = base
        self.engine = engine
        self.database_url = database_url
        self.hosts: set[str] = set()
        self.blocked: list[str] = []

    async def link(self, viewer: Viewer, now: datetime | None = None) -> str:
        return self.base + path_of(await make_link(self.engine, viewer, now=now))

    async def context(self, browser: Browser, viewport: dict[str, int] = DESKTOP) -> BrowserContext:
        """A fresh browser profile whose every request is recorded, and refused unless it goes
        to 127.0.0.1."""
        context = await browser.new_context(viewport=viewport, accept_downloads=True)  # type: ignore[arg-type]

        async def guard(route: Route, request: Request) -> None:
            host = urlsplit(request.url).hostname or ""
            self.hosts.add(host)
            if host != "127.0.0.1":
                self.blocked.append(request.url)
                await route.abort()
                return
            await route.continue_()

        await context.route("**/*", guard)
        return context


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def site(database_url: str) -> AsyncIterator[Site]:
    if ON_POSTGRES:
        pytest.skip("browser tests run in the SQLite pass")
    engine = create_engine(database_url)
    await empty_tables(engine)
    await seed_history(session_factory(engine), datetime.now(UTC))
    settings = load_settings(None, link_secret=LINK_SECRET, api_token=API_TOKEN)
    runner = web.AppRunner(build_web_app(Services.build(settings, engine)))
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield Site(f"http://127.0.0.1:{port}", engine, database_url)
    finally:
        await runner.cleanup()
        await empty_tables(engine)
        await engine.dispose()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser() -> AsyncIterator[Browser]:
    if not shutil.which(CHROMIUM) and not os.environ.get("CI"):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium; CI installs it)")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        await browser.close()


async def signed_in(site: Site, browser: Browser, viewer: Viewer, **kw: dict[str, int]) -> Page:
    context = await site.context(browser, **kw)
    page = await context.new_page()
    response = await page.goto(await site.link(viewer))
    assert response is not None and response.status == 200
    return page


def period() -> dict[str, str]:
    today = datetime.now(UTC).date()
    return {"since": (today - timedelta(days=60)).isoformat(), "until": today.isoformat()}


def query(**extra: str) -> str:
    return "&".join(f"{k}={v}" for k, v in {**period(), **extra}.items())


PAGES = {
    "overview": "/dashboard/",
    "agents": "/dashboard/agents",
    "agent": "/dashboard/agents/dana",
    "customers": "/dashboard/customers",
    "comments": "/dashboard/comments",
    "follow-ups": "/dashboard/follow-ups?state=all",
}


async def test_sign_in_by_link_then_every_page_at_desktop_and_phone_width(
    site: Site, browser: Browser
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = await signed_in(site, browser, Viewer(True, None), viewport=viewport)
        assert urlsplit(page.url).path == "/dashboard/"
        await page.keyboard.press("Tab")
        assert await page.evaluate("document.activeElement.textContent") == "Skip to content"
        await page.keyboard.press("Enter")
        assert await page.evaluate("document.activeElement.id") == "main"
        for name, path in PAGES.items():
            response = await page.goto(site.base + path)
            assert response is not None and response.status == 200, name
            await page.wait_for_load_state("load")
            assert await page.locator("h1").count() == 1
            await page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
            if width == "phone":
                overflow = await page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                assert overflow <= 1, f"{name} scrolls sideways on a phone"
        await page.context.close()
    assert site.hosts == {"127.0.0.1"} and site.blocked == []


async def test_overview_figures_equal_the_json_report(site: Site, browser: Browser) -> None:
    page = await signed_in(site, browser, Viewer(True, None))
    await page.goto(f"{site.base}/dashboard/?{query()}")
    cards = {
        await card.get_attribute("data-figure"): card
        for card in await page.locator("li.card").all()
    }
    since, until = period()["since"], period()["until"]
    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).with_name("feedbackbot")),
        *("report", "--by", "all", "--format", "json", "--since", since, "--until", until),
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "DATABASE_URL": site.database_url},
    )
    stdout, _ = await process.communicate()
    assert process.returncode == 0
    [row] = json.loads(stdout)["rows"]
    for title, figure, digits in (
        ("CSAT %", "csat", 1),
        ("NPS", "nps", 1),
        ("CES (1-7)", "ces", 2),
        ("Customer value", "value", 2),
        ("Response rate %", "response_rate", 1),
    ):
        card = cards[title]
        expected = row[figure]
        assert await card.get_attribute("data-n") == str(expected["n"]), title
        if expected["value"] is None:
            assert await card.get_attribute("data-value") is None
            continue
        assert float(await card.get_attribute("data-value") or "nan") == expected["value"], title
        if expected.get("low") is not None:
            assert float(await card.get_attribute("data-low") or "nan") == expected["low"], title
            assert float(await card.get_attribute("data-high") or "nan") == expected["high"]
        shown = float((await card.locator(".big").inner_text()).strip("%*"))
        assert shown == pytest.approx(expected["value"], abs=0.51 * 10**-digits), title
        assert f"n={expected['n']}" in await card.inner_text()
    await page.context.close()


async def test_agents_table_equals_the_json_report_and_sorts(site: Site, browser: Browser) -> None:
    page = await signed_in(site, browser, Viewer(True, None))
    async with aiohttp.ClientSession() as http:
        response = await http.get(
            f"{site.base}/api/v1/reports/summary?by=agent&{query()}",
            headers={"Authorization": f"Bearer {API_TOKEN}"},
        )
        report = {row["key"]: row for row in (await response.json())["rows"]}
    await page.goto(f"{site.base}/dashboard/agents?{query()}")
    rows = page.locator("table#agents tbody tr")
    assert await rows.count() == len(report)
    for row in await rows.all():
        key = await row.locator("td").first.inner_text()
        cells = row.locator("td.fig")
        csat = cells.nth(0)
        assert (
            float(await csat.get_attribute("data-value") or "nan") == report[key]["csat"]["value"]
        )
        assert await csat.get_attribute("data-n") == str(report[key]["csat"]["n"])
        nps = cells.nth(1)
        assert await nps.get_attribute("data-n") == str(report[key]["nps"]["n"])
    # sort by CSAT with the keyboard: focus the column title's link and press Enter
    await page.get_by_role("link", name="CSAT %").focus()
    await page.keyboard.press("Enter")
    await page.wait_for_url("**sort=csat**")
    values = [
        float(v)
        for v in await page.locator("table#agents tbody tr td.fig:nth-child(2)").evaluate_all(
            "cells => cells.map(c => c.dataset.value)"
        )
    ]
    assert values == sorted(values, reverse=True)
    await page.context.close()


async def test_comment_filter_and_csv_download(site: Site, browser: Browser) -> None:
    page = await signed_in(site, browser, Viewer(True, None))
    await page.goto(f"{site.base}/dashboard/comments?{query()}")
    everything = await page.locator("table#comments tbody tr").count()
    await page.get_by_label("Text").fill("slow")
    await page.get_by_label("Score from").fill("1")
    await page.get_by_label("to", exact=True).fill("2")
    await page.get_by_label("Text").press("Enter")
    await page.wait_for_url("**q=slow**")
    shown = page.locator("table#comments tbody tr")
    assert 0 < await shown.count() < everything
    for text in await shown.locator("td:nth-child(6)").all_inner_texts():
        assert "slow" in text.lower()
    for score in await shown.locator("td:nth-child(5)").all_inner_texts():
        assert score in ("1", "2")
    async with page.expect_download() as download_info:
        await page.get_by_role("link", name="Download CSV of Comments").click()
    download = await download_info.value
    assert download.suggested_filename == "comments.csv"
    text = await asyncio.to_thread(Path(await download.path()).read_text)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["comment"] for r in rows] == await shown.locator("td:nth-child(6)").all_inner_texts()
    # customer text is shown as text, never run
    await page.goto(f"{site.base}/dashboard/comments?{query(q='portal')}")
    cells = await page.locator("table#comments td:nth-child(6)").all_inner_texts()
    assert cells and all(c.startswith("<script>alert('x')</script>") for c in cells)
    assert await page.locator("main script").count() == 0
    await page.context.close()


async def test_an_agent_gets_403_on_another_agents_page(site: Site, browser: Browser) -> None:
    page = await signed_in(site, browser, Viewer(False, "eli"))
    assert urlsplit(page.url).path == "/dashboard/agents/eli"
    assert "Fay" not in await page.content()
    response = await page.goto(f"{site.base}/dashboard/agents/dana")
    assert response is not None and response.status == 403
    assert "not yours to see" in await page.inner_text("h1")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "forbidden-desktop.png"), full_page=True)
    await page.context.close()


async def test_used_or_expired_links_and_forged_cookies_get_the_sign_in_page(
    site: Site, browser: Browser
) -> None:
    context = await site.context(browser)
    page = await context.new_page()
    link = await site.link(Viewer(True, None))
    await page.goto(link)
    await context.clear_cookies()
    response = await page.goto(link)
    assert response is not None and response.status == 401
    assert "links work once" in await page.inner_text("main")
    expired = await site.link(Viewer(True, None), now=datetime.now(UTC) - timedelta(minutes=20))
    response = await page.goto(expired)
    assert response is not None and response.status == 401
    forged = session_cookie("a-guessed-secret", Viewer(True, None), datetime.now(UTC))
    await context.add_cookies([{"name": COOKIE, "value": forged, "url": site.base}])
    response = await page.goto(f"{site.base}/dashboard/")
    assert response is not None and response.status == 401
    assert "Sign in to the feedback dashboard" in await page.inner_text("h1")
    assert await page.locator("li.card").count() == 0
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "signin-desktop.png"), full_page=True)
    await context.close()
    assert site.blocked == []
    await asyncio.sleep(0)
