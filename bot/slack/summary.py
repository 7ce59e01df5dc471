"""Block Kit for an agent's or a team's numbers: the figures, their change, comments, alerts.

Shared by the digests, ``/feedback`` and App Home, so an agent reads the same layout everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from bot.slack.blocks import Block, context, section
from bot.slack.escape import escape, quote
from bot.slack.figures import Figures
from scoring.stats import LOW_SAMPLE
from storage.comments import Comment
from storage.follow_ups import OpenAlert

if TYPE_CHECKING:
    from scoring.insights.themes import ThemeScore


def _value(value: float | None, n: int, *, percent: bool) -> str:
    if value is None:
        return "no answers"
    shown = f"{value:.0f}%" if percent else f"{value:+.0f}"
    marker = ", few answers" if n < LOW_SAMPLE else ""
    return f"{shown} (n={n}{marker})"


def change(current: float | None, previous: float | None) -> str:
    """``▲ 5 pts`` / ``▼ 3 pts`` / ``no change``; empty when either period has no value."""
    if current is None or previous is None:
        return ""
    delta = round(current - previous)
    if delta == 0:
        return "no change"
    return f"{'▲' if delta > 0 else '▼'} {abs(delta)} pts"


def csat_text(figures: Figures) -> str:
    return _value(figures.csat.value, figures.csat_n, percent=True)


def nps_text(figures: Figures) -> str:
    return _value(figures.nps.value, figures.nps_n, percent=False)


def response_text(figures: Figures) -> str:
    rate = figures.response_rate
    if rate.value is None:
        return "nothing sent"
    return f"{rate.value:.0f}% ({figures.answered} of {figures.sent})"


def figures_block(current: Figures, previous: Figures, previous_name: str) -> Block:
    """A section with three fields: CSAT, NPS and response rate, each with its change."""

    def field(name: str, text: str, now: float | None, before: float | None) -> dict[str, str]:
        moved = change(now, before)
        suffix = f"\n_{moved} vs {previous_name}_" if moved else ""
        return {"type": "mrkdwn", "text": f"*{name}*\n{text}{suffix}"}

    return {
        "type": "section",
        "fields": [
            field("CSAT", csat_text(current), current.csat.value, previous.csat.value),
            field("NPS", nps_text(current), current.nps.value, previous.nps.value),
            field(
                "Response rate",
                response_text(current),
                current.response_rate.value,
                previous.response_rate.value,
            ),
        ],
    }


def _customer(external_id: str, name: str | None) -> str:
    return escape(f"{name} ({external_id})" if name else external_id)


def comments_blocks(comments: Sequence[Comment], title: str = "Newest comments") -> list[Block]:
    if not comments:
        return [context(f"{title}: none in this period.")]
    out: list[Block] = [section(f"*{title}*")]
    for comment in comments:
        out.append(section(quote(comment.text, 500)))
        out.append(
            context(
                f"{_customer(comment.customer_external_id, comment.customer_name)} · "
                f"{escape(comment.survey_key)} · {_date(comment.answered_at)}"
            )
        )
    return out


def open_alerts_blocks(alerts: Sequence[OpenAlert]) -> list[Block]:
    """The agent's unanswered low-score alerts, for the digest and App Home."""
    if not alerts:
        return []
    lines = [
        f"{_customer(a.customer_external_id, a.customer_name)}, case "
        f"{escape(a.case_external_id or '-')} ({escape(a.survey_key)}, {_date(a.created_at)})"
        for a in alerts
    ]
    return [
        section(
            f"*:warning: {len(alerts)} low-score alert(s) waiting for a follow-up*\n"
            + "\n".join(f"• {line}" for line in lines)
        )
    ]


def _date(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d}"


def theme_blocks(themes: Sequence[ThemeScore], title: str) -> list[Block]:
    """Themes from ``insights themes``: key words, how many low scores mention each, a quote."""
    out: list[Block] = []
    for theme in themes:
        words = escape(", ".join(theme.words[:5]))
        out.append(
            section(
                f"*{title}:* {words} ({theme.detractors} of the low-score comments"
                f"{', clearly more than in high scores' if theme.flagged else ''})"
            )
        )
        if theme.quote:
            out.append(section(quote(theme.quote, 300)))
    return out
