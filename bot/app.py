"""``feedbackbot run``: migrate, then serve HTTP, the configured platforms and the scheduler.

Start-up order: database migrated, survey catalog loaded, platform runtimes created (from
``bot.platforms.PLATFORMS``, sharing one answer desk), HTTP server listening, platforms
started (and their long-running parts supervised), scheduler started. Shutdown runs in
reverse, the dispatcher first: it finishes the sends in flight, records them and hands its
leases back, so another worker carries on at once and nothing is sent twice.

After start-up nothing ends ``run`` but a signal: every long-running part (the Telegram
poller or webhook set-up, Slack's Socket Mode connection, each scheduled job, the dispatcher
among them) restarts itself after an error (``bot.supervision``), and ``/healthz`` and
``/metrics`` show the state of each.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Sequence
from contextlib import suppress
from typing import Any

from aiohttp import web

from bot.answers import AnswerDesk, answer_rules
from bot.configs import check_survey_settings, dispatch_config, policy_config, restart_backoff
from bot.dispatch import Channel, Dispatcher
from bot.dispatch.dispatcher import worker_name
from bot.http.health import HealthCheck
from bot.http.keys import Services
from bot.http.server import build_web_app
from bot.platforms import PlatformRuntime, PlatformServices, create_runtimes
from bot.scheduler import Scheduler, build_scheduler
from bot.settings import Settings
from bot.supervision import Parts, Supervisor
from feedbackbot.errors import FeedbackbotError
from storage import migrate
from storage.engine import create_engine, session_factory
from surveys.catalog import load_catalog

log = logging.getLogger(__name__)


class PortInUse(FeedbackbotError):
    """The HTTP port is taken by another program."""


def scheduler_check(scheduler: Scheduler) -> HealthCheck:
    async def check() -> bool:
        return scheduler.running

    return check


def startup_summary(
    settings: Settings,
    app: web.Application,
    dispatcher: Dispatcher,
    scheduler: Scheduler,
    runtimes: Sequence[PlatformRuntime],
    worker: str,
) -> dict[str, str]:
    """What runs and where, as the fields of one log line: whoever reads the log of a worker
    should see how each bot gets its updates and what runs when, without its settings."""
    summary = {
        "http": f"http://{settings.http_host}:{settings.http_port}",
        "routes": ",".join(sorted({r.canonical for r in app.router.resources()})),
        "database": settings.database_url_for_display,
        "channels": ",".join(sorted(dispatcher.channels)) or "none",
    }
    platforms = {runtime.channel.platform for runtime in runtimes}
    if "telegram" in platforms:
        webhook = settings.telegram_webhook_url and settings.telegram_webhook_secret
        summary["telegram"] = "webhook" if webhook else "polling"
    if "slack" in platforms:
        summary["slack"] = "socket-mode" if settings.slack_app_token else "events-api"
    summary["jobs"] = ",".join(_job(job) for job in scheduler.aps.get_jobs())
    summary["worker"] = worker
    return summary


def _job(job: Any) -> str:
    """``name/every`` for an interval job (``dispatch/5s``), else the name."""
    interval = getattr(job.trigger, "interval", None)
    return f"{job.name}/{interval.total_seconds():g}s" if interval is not None else job.name


async def serve(
    settings: Settings, stop: asyncio.Event | None = None, *, channels: Sequence[Channel] = ()
) -> None:
    """Run until ``stop`` is set or the process gets SIGINT/SIGTERM.

    ``channels`` are sent through besides the registered platforms' (for the demo and tests).
    """
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)

    engine = create_engine(settings.database_url)
    runner: web.AppRunner | None = None
    dispatcher: Dispatcher | None = None
    scheduler: Scheduler | None = None
    started: list[PlatformRuntime] = []
    parts = Parts()
    supervisor = Supervisor(parts, restart_backoff(settings))
    try:
        before, after = await migrate.upgrade(engine)
        log.info(
            "database ready",
            extra={"database": settings.database_url_for_display, "from": before, "to": after},
        )
        catalog = load_catalog(settings.surveys_file)
        check_survey_settings(settings, catalog)
        sessions = session_factory(engine)
        worker = worker_name()
        answers = AnswerDesk(sessions, answer_rules(settings))
        runtimes = create_runtimes(settings, PlatformServices(sessions, worker, answers))
        dispatcher = Dispatcher(
            sessions,
            [*channels, *(runtime.channel for runtime in runtimes)],
            dispatch_config(settings),
            worker=worker,
            part=parts.add("dispatch"),
        )
        scheduler = build_scheduler(
            dispatcher=dispatcher,
            sessions=sessions,
            catalog=catalog,
            config=policy_config(settings),
            worker=worker,
            dispatch_interval=settings.dispatch_interval_seconds,
            extra_jobs=[job for runtime in runtimes for job in runtime.jobs()],
            parts=parts,
            backoff=restart_backoff(settings),
        )
        services = Services.build(
            settings,
            engine,
            sessions=sessions,
            catalog=catalog,
            health_checks={"scheduler": scheduler_check(scheduler)},
            parts=parts,
        )
        app = build_web_app(services)
        for runtime in runtimes:
            runtime.add_routes(app)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, settings.http_host, settings.http_port).start()
        except OSError as error:
            raise PortInUse(
                f"Cannot listen on {settings.http_host}:{settings.http_port} "
                f"({error.strerror}); set HTTP_HOST/HTTP_PORT to a free address"
            ) from None
        for runtime in runtimes:
            await runtime.start()
            started.append(runtime)
            for supervised in runtime.supervised():
                supervisor.start(supervised)
        scheduler.start()
        log.info(
            "feedbackbot running",
            extra=startup_summary(settings, app, dispatcher, scheduler, started, worker),
        )
        await stop.wait()
        log.info("shutting down")
    finally:
        if dispatcher is not None:
            await dispatcher.close()
        if scheduler is not None:
            await scheduler.shutdown()
        await supervisor.stop()
        for runtime in reversed(started):
            await runtime.stop()
        if runner is not None:
            await runner.cleanup()
        await engine.dispose()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(signum)
