"""``feedbackbot insights drivers|themes|outcomes``: why the scores are what they are.

The analyses import numpy, scikit-learn and matplotlib; they are imported inside the commands,
so ``feedbackbot --help`` and every other command start without them.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.markup import escape
from rich.table import Table

from bot.cli.common import console, errors, fail, settings_or_exit
from feedbackbot.errors import FeedbackbotError
from scoring.periods import Window, window
from storage.engine import open_engine, session_factory

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from scoring.insights.drivers import Drivers
    from scoring.insights.outcomes import Difference, Outcomes
    from scoring.insights.themes import Themes

app = typer.Typer(
    help="What drives the scores, what customers write about, and whether it predicts renewals.",
    no_args_is_help=True,
)
Result = TypeVar("Result")


class InsightFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


class OutcomeScore(StrEnum):
    nps = "nps"
    value = "value"


class OutcomeGrouping(StrEnum):
    all = "all"
    agent = "agent"
    team = "team"


Since = Annotated[str, typer.Option(help="Start: 30d, 12w, a date, a timestamp or 'all'.")]
Until = Annotated[
    str | None,
    typer.Option(help="End: this date included (default: now).", show_default=False),
]
Format = Annotated[InsightFormat, typer.Option("--format", help="table, csv or json.")]
Chart = Annotated[
    Path | None, typer.Option(help="Also draw the chart to this PNG file.", show_default=False)
]


def _span(since: str, until: str | None, chart: Path | None) -> Window:
    try:
        span = window(since, until, datetime.now(UTC))
    except FeedbackbotError as error:
        fail(f"Invalid --{error}", code=2)
    if chart is not None and chart.suffix.lower() != ".png":
        fail(f"Invalid --chart: {chart} must end in .png", code=2)
    return span


def _run(database_url: str, work: Callable[[AsyncSession], Awaitable[Result]], what: str) -> Result:
    async def go() -> Result:
        async with (
            open_engine(database_url) as engine,
            session_factory(engine, read_only=True)() as session,
        ):
            return await work(session)

    try:
        with errors.status(what):
            return asyncio.run(go())
    except FeedbackbotError as error:
        fail(f"Invalid --{error}", code=2)


def _emit(fmt: InsightFormat, data: dict[str, Any], csv_text: Callable[[], str]) -> bool:
    """Write JSON or CSV to standard output; False when the caller should print a table."""
    if fmt is InsightFormat.json:
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    elif fmt is InsightFormat.csv:
        sys.stdout.write(csv_text())
    return fmt is InsightFormat.table


def _save_chart(chart: Path | None, draw: Callable[[], Any]) -> None:
    if chart is None:
        return
    from scoring.insights.charts import save

    try:
        save(draw(), chart)
    except OSError as error:
        fail(f"{chart}: cannot write the chart ({error.strerror})")
    errors.print(f"Chart written to {chart}", highlight=False, soft_wrap=True, markup=False)


def _interval(value: float | None, low: float | None, high: float | None, unit: str = "") -> str:
    if value is None:
        return "[dim]-[/dim]"
    if low is None or high is None:
        return f"{value:.1f}{unit}"
    return f"{value:.1f}{unit} [dim]({low:.1f}..{high:.1f})[/dim]"


def _difference(figure: Difference, unit: str) -> str:
    return _interval(figure.value, figure.low, figure.high, unit)


def outcomes_table(result: Outcomes) -> Table:
    horizon = round(result.horizon.total_seconds() / 86400)
    table = Table(
        title=f"Outcomes within {horizon} days by {result.score.upper()} band",
        caption=(
            "(low..high): 95% interval; difference = first band - second band; "
            f"{result.not_yet_observed} customers answered too recently to follow "
            f"for {horizon} days"
        ),
        header_style="bold",
    )
    for title in ("group", "band", "n", "repeat %", "churn %", "revenue / customer"):
        table.add_column(title, justify="left" if title in ("group", "band") else "right")
    for row in result.rows:
        key = escape(row.key) if row.key is not None else "[dim]all[/dim]"
        for band in row.bands:
            table.add_row(
                key,
                band.band,
                str(band.n),
                _interval(band.repeat.value, band.repeat.low, band.repeat.high),
                _interval(band.churn.value, band.churn.low, band.churn.high),
                _interval(band.revenue.value, band.revenue.low, band.revenue.high),
            )
        table.add_row(
            key,
            f"[bold]{' - '.join(row.compared)}[/bold]",
            "",
            _difference(row.repeat_difference, " pt"),
            _difference(row.churn_difference, " pt"),
            _difference(row.revenue_difference, ""),
            end_section=True,
        )
    return table


@app.command("outcomes")
def outcomes(
    score: Annotated[
        OutcomeScore, typer.Option(help="Band customers by NPS or by customer value (CV).")
    ] = OutcomeScore.nps,
    horizon: Annotated[
        str, typer.Option(help="Follow each customer this long after their score (180d, 26w).")
    ] = "180d",
    by: Annotated[
        OutcomeGrouping, typer.Option(help="One block per agent or team, or all together.")
    ] = OutcomeGrouping.all,
    since: Since = "all",
    until: Until = None,
    fmt: Format = InsightFormat.table,
    chart: Chart = None,
) -> None:
    """Repeat business, churn and revenue per customer by score band, with 95% intervals.

    Each customer counts once, by their latest score in the window; customers whose horizon is
    not over yet are left out (and counted).
    """
    from scoring.insights.export import flat_csv
    from scoring.insights.outcomes import (
        CSV_COLUMNS,
        build_outcomes,
        outcome_csv_rows,
        parse_horizon,
    )

    settings = settings_or_exit()
    span = _span(since, until, chart)
    try:
        span_horizon = parse_horizon(horizon)
    except FeedbackbotError as error:
        fail(f"Invalid --{error}", code=2)
    now = datetime.now(UTC)
    result = _run(
        settings.database_url,
        lambda session: build_outcomes(
            session,
            score=score.value,
            by=by.value,
            window=span,
            horizon=span_horizon,
            observed_until=now,
            weights=settings.value_weights,
        ),
        "Following customers from their scores to their renewals...",
    )
    if _emit(fmt, result.to_json(), lambda: flat_csv(outcome_csv_rows(result), CSV_COLUMNS)):
        console.print(outcomes_table(result))
    if chart is not None:
        from scoring.insights.charts import draw_outcomes

        _save_chart(chart, lambda: draw_outcomes(result))


class DriverTarget(StrEnum):
    nps = "nps"
    value = "value"


class OtherAnswer(StrEnum):
    csat = "csat"
    ces = "ces"
    fcr = "fcr"
    nps = "nps"


def drivers_table(result: Drivers) -> Table:
    table = Table(
        title=f"What drives {result.target.upper()} (relative weights)",
        caption=(
            "weight: variance explained, the weights add up to R²; 95% bootstrap interval; "
            "+/- : higher rating goes with higher/lower target; "
            "? : cannot be told apart from noise"
        ),
        header_style="bold",
    )
    for title in ("group", "rank", "predictor", "kind", "weight", "% of R²", ""):
        table.add_column(title, justify="right" if title in ("rank", "% of R²") else "left")
    for row in result.rows:
        key = escape(row.key) if row.key is not None else "[dim]all[/dim]"
        if not row.drivers:
            table.add_row(key, "", f"[dim]too few customers (n={row.n})[/dim]", "", "", "", "")
            continue
        r2 = row.r2
        table.add_row(
            key,
            "",
            f"[bold]R² (n={row.n})[/bold]",
            "",
            f"{r2.value:.3f} [dim]({r2.low:.3f}..{r2.high:.3f})[/dim]",
            "100",
            "",
        )
        for d in row.drivers:
            table.add_row(
                key,
                str(d.rank),
                f"{d.name} {'+' if d.direction > 0 else '-'}",
                d.kind,
                f"{d.weight.value:.3f} [dim]({d.weight.low:.3f}..{d.weight.high:.3f})[/dim]",
                f"{d.share:.0f}" if d.share is not None else "-",
                "[yellow]?[/yellow]" if d.overlaps_zero else "",
                end_section=d is row.drivers[-1],
            )
    return table


@app.command("drivers")
def drivers(
    target: Annotated[
        DriverTarget, typer.Option(help="Explain NPS, or customer value (CV).")
    ] = DriverTarget.nps,
    by: Annotated[
        OutcomeGrouping, typer.Option(help="One analysis per team or agent, or all together.")
    ] = OutcomeGrouping.all,
    with_: Annotated[
        list[OtherAnswer] | None,
        typer.Option(
            "--with",
            help="Also weigh the customer's latest answer to this question (repeatable).",
            show_default=False,
        ),
    ] = None,
    since: Since = "90d",
    until: Until = None,
    fmt: Format = InsightFormat.table,
    chart: Chart = None,
    replicates: Annotated[
        int, typer.Option(min=100, max=20000, help="Bootstrap replicates.")
    ] = 2000,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap (same seed, same output).")] = 0,
) -> None:
    """Which value dimensions (and other answers) explain NPS or customer value the most.

    Relative weights (Johnson 2000) split R² among the predictors, with bootstrap 95% intervals
    and n; a predictor that cannot be told apart from a pure-noise one is marked '?'.
    """
    from scoring.insights.drivers import CSV_COLUMNS, build_drivers, driver_csv_rows
    from scoring.insights.export import flat_csv

    settings = settings_or_exit()
    span = _span(since, until, chart)
    result = _run(
        settings.database_url,
        lambda session: build_drivers(
            session,
            target=target.value,
            by=by.value,
            window=span,
            extras=[a.value for a in with_ or []],
            weights=settings.value_weights,
            replicates=replicates,
            seed=seed,
        ),
        "Weighing what drives the scores...",
    )
    if _emit(fmt, result.to_json(), lambda: flat_csv(driver_csv_rows(result), CSV_COLUMNS)):
        console.print(drivers_table(result))
    if chart is not None:
        from scoring.insights.charts import draw_drivers

        _save_chart(chart, lambda: draw_drivers(result))


class ThemeGrouping(StrEnum):
    all = "all"
    agent = "agent"
    team = "team"
    week = "week"
    month = "month"


def themes_table(result: Themes, limit: int) -> Table:
    table = Table(
        title=f"What customers write about ({result.comments} comments)",
        caption=(
            "z: how much more detractors write about a theme than promoters (log-odds with an "
            "informative Dirichlet prior); ! : z > 3"
        ),
        header_style="bold",
    )
    for title in ("group", "theme", "key words", "comments", "detr.", "prom.", "z", "", "quote"):
        numeric = title in ("comments", "detr.", "prom.", "z")
        table.add_column(title, justify="right" if numeric else "left")
    for row in result.rows:
        key = escape(row.key) if row.key is not None else "[dim]all[/dim]"
        shown = row.themes[:limit]
        for score in shown:
            table.add_row(
                key,
                score.theme,
                escape(", ".join(score.words[:5])),
                str(score.comments),
                str(score.detractors),
                str(score.promoters),
                "-" if score.z is None else f"{score.z:+.1f}",
                "[bold red]![/bold red]" if score.flagged else "",
                escape(score.quote or ""),
                end_section=score is shown[-1],
            )
    return table


@app.command("themes")
def themes(
    by: Annotated[
        ThemeGrouping, typer.Option(help="Compare per agent, team, week or month, or all.")
    ] = ThemeGrouping.all,
    since: Since = "90d",
    until: Until = None,
    fmt: Format = InsightFormat.table,
    chart: Chart = None,
    top: Annotated[int, typer.Option(min=1, help="Themes shown per group in the table.")] = 5,
) -> None:
    """Comments grouped into themes (en, es, de, ru) with key words and quotes, and which themes
    detractors mention more than promoters (z-score; '!' when z > 3)."""
    from scoring.insights.export import flat_csv
    from scoring.insights.themes import CSV_COLUMNS, build_themes, theme_csv_rows

    settings = settings_or_exit()
    span = _span(since, until, chart)
    result = _run(
        settings.database_url,
        lambda session: build_themes(
            session, by=by.value, window=span, default_language=settings.default_language
        ),
        "Reading the comments...",
    )
    if _emit(fmt, result.to_json(), lambda: flat_csv(theme_csv_rows(result), CSV_COLUMNS)):
        console.print(themes_table(result, top))
    if chart is not None:
        from scoring.insights.charts import draw_themes

        _save_chart(chart, lambda: draw_themes(result))
