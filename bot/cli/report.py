"""``feedbackbot report``: the figures per agent, customer, team, survey or period."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from bot.cli.common import console, errors, fail, settings_or_exit
from feedbackbot.errors import ConfigurationError, FeedbackbotError
from scoring import stats
from scoring.chart import render_chart, trend_period
from scoring.formats import report_csv
from scoring.periods import Window, window
from scoring.report import Report, Row, build_report, customer_values
from storage.engine import open_engine, session_factory


class Grouping(StrEnum):
    agent = "agent"
    customer = "customer"
    team = "team"
    survey = "survey"
    day = "day"
    week = "week"
    month = "month"
    all = "all"


class ReportFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


LOW = "*"


def _mark(figure: stats.Share | stats.NetScore | stats.Mean | stats.Value, text: str) -> str:
    return f"[dim]{text}{LOW}[/dim]" if figure.low_sample else text


def _share(figure: stats.Share) -> str:
    if figure.value is None:
        return "[dim]-[/dim]"
    return _mark(
        figure, f"{figure.value:.1f} [dim]({figure.low:.0f}-{figure.high:.0f})[/dim] n={figure.n}"
    )


def _nps(figure: stats.NetScore) -> str:
    if figure.value is None:
        return "[dim]-[/dim]"
    low, high = round(figure.low or 0), round(figure.high or 0)
    return _mark(figure, f"{round(figure.value):+d} [dim]({low:+d}..{high:+d})[/dim] n={figure.n}")


def _ces(figure: stats.Effort) -> str:
    if figure.mean.value is None:
        return "[dim]-[/dim]"
    return _mark(
        figure.mean,
        f"{figure.mean.value:.2f} [dim]{figure.agree.value:.0f}% agree[/dim] n={figure.n}",
    )


def _aht(figure: stats.Mean) -> str:
    if figure.value is None:
        return "[dim]-[/dim]"
    minutes, seconds = divmod(round(figure.value), 60)
    return _mark(figure, f"{minutes}m{seconds:02d}s n={figure.n}")


def _value(figure: stats.Value) -> str:
    if figure.value is None:
        return "[dim]-[/dim]"
    return _mark(
        figure,
        f"{figure.value:.2f} [dim]B {figure.benefit:.1f}/C {figure.cost:.1f}[/dim] n={figure.n}",
    )


def report_table(report: Report) -> Table:
    table = Table(
        title=f"Feedback by {report.by}",
        caption=(
            "(low-high): 95% interval: CSAT, FCR, rates Wilson score; NPS adjusted Wald;"
            f" CES, AHT, value Student t clipped to the scale. {LOW} fewer than 5 answers;"
            " - no data"
        ),
        header_style="bold",
    )
    table.add_column(report.by)
    for title in (
        "CSAT %",
        "NPS",
        "CES",
        "FCR %",
        "FCR op. %",
        "AHT",
        "Deflect %",
        "Response %",
        "Value CV",
    ):
        table.add_column(title, justify="right")
    row: Row
    for row in report.rows:
        table.add_row(
            escape(row.key) if row.key is not None else "[dim](none)[/dim]",
            _share(row.csat),
            _nps(row.nps),
            _ces(row.ces),
            _share(row.fcr),
            _share(row.fcr_operational),
            _aht(row.aht),
            _share(row.deflection),
            _share(row.response_rate),
            _value(row.value),
        )
    return table


async def _reports(
    database_url: str, by: str, span: Window, weights: Mapping[str, float], chart: Path | None
) -> Report:
    async with (
        open_engine(database_url) as engine,
        session_factory(engine, read_only=True)() as session,
    ):
        report = await build_report(session, by, span, weights)
        if chart is not None:
            trend = await build_report(session, trend_period(span), span, weights)
            agents = (
                report if by == "agent" else await build_report(session, "agent", span, weights)
            )
            values = await customer_values(session, span, weights)
            render_chart(chart, span, trend, agents, values)
    return report


def report(
    by: Annotated[
        Grouping,
        typer.Option(help="One row per agent, customer, team, survey or period; 'all': one row."),
    ] = Grouping.agent,
    since: Annotated[
        str, typer.Option(help="Start: 30d, 12w, 48h, a date, a timestamp or 'all'.")
    ] = "30d",
    until: Annotated[
        str | None, typer.Option(help="End: this date included (default: now).", show_default=False)
    ] = None,
    fmt: Annotated[
        ReportFormat, typer.Option("--format", help="table, csv or json.")
    ] = ReportFormat.table,
    chart: Annotated[
        Path | None,
        typer.Option(
            help="Also draw the trend, per-agent and value chart to this PNG.", show_default=False
        ),
    ] = None,
) -> None:
    """CSAT, NPS, CES, FCR, AHT, deflection, response rate and customer value, with n."""
    settings = settings_or_exit()
    try:
        span = window(since, until, datetime.now(UTC))
    except FeedbackbotError as error:
        fail(f"Invalid --{error}", code=2)
    if chart is not None and chart.suffix.lower() != ".png":
        fail(f"Invalid --chart: {chart} must end in .png", code=2)
    try:
        with errors.status("Scoring the answers in the database..."):
            result = asyncio.run(
                _reports(settings.database_url, by.value, span, settings.value_weights, chart)
            )
    except ConfigurationError as error:
        fail(str(error), code=2)
    except OSError as error:
        from bot.cli.dberrors import database_problem

        if chart is None or database_problem(error, "") is not None:
            raise  # the database's problem, told in one line by the command group
        fail(f"{chart}: cannot write the chart ({error.strerror})")
    if fmt is ReportFormat.json:
        sys.stdout.write(json.dumps(result.to_json(), indent=2) + "\n")
    elif fmt is ReportFormat.csv:
        sys.stdout.write(report_csv(row.to_json() for row in result.rows))
    else:
        console.print(report_table(result))
    if chart is not None:
        errors.print(f"Chart written to {chart}", highlight=False, soft_wrap=True)
