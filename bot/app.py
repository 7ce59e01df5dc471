"""``feedbackbot run``: migrate, then serve HTTP and whatever is configured until a signal."""

from __future__ import annotations

import asyncio
import logging
import signal
from contextlib import suppress

from aiohttp import web

from bot.http.server import Services, build_web_app
from bot.settings import Settings
from feedbackbot.errors import FeedbackbotError
from storage import migrate
from storage.engine import create_engine, session_factory

log = logging.getLogger(__name__)


class PortInUse(FeedbackbotError):
    """The HTTP port is taken by another program."""


async def serve(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Run until ``stop`` is set or the process gets SIGINT/SIGTERM."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)

    engine = create_engine(settings.database_url)
    runner: web.AppRunner | None = None
    try:
        before, after = await migrate.upgrade(engine)
        log.info(
            "database ready",
            extra={"database": settings.database_url_for_display, "from": before, "to": after},
        )
        services = Services(settings, engine, session_factory(engine))
        runner = web.AppRunner(build_web_app(services), access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, settings.http_host, settings.http_port).start()
        except OSError as error:
            raise PortInUse(
                f"Cannot listen on {settings.http_host}:{settings.http_port} "
                f"({error.strerror}); set HTTP_HOST/HTTP_PORT to a free address"
            ) from None
        log.info(
            "feedbackbot running",
            extra={
                "http": f"http://{settings.http_host}:{settings.http_port}",
                "channels": ",".join(settings.channels) or "none",
            },
        )
        await stop.wait()
        log.info("shutting down")
    finally:
        if runner is not None:
            await runner.cleanup()
        await engine.dispose()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(signum)
