"""Prometheus metrics of ``feedbackbot run``, defined and updated in this one module.

Code that sees something happen calls one of the functions below (never the metric objects,
so names and labels stay in one place)::

    metrics.answer_recorded("telegram")

What describes the database (invitations by status, who holds each lease) and the state of
the supervised parts is read when Prometheus scrapes ``GET /metrics`` (``bot.http.metrics``),
through ``set_invitations``, ``set_leases`` and ``set_parts``, so a scrape never shows a
stale count and several workers never add up their own partial views. Label values come
from closed sets (platforms, outcomes, statuses, part names), never from customer data.

Everything lives in ``REGISTRY`` (not prometheus_client's global one), which ``render``
writes in the text format.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

REGISTRY = CollectorRegistry()
CONTENT_TYPE = CONTENT_TYPE_LATEST

_SENDS = Counter(
    "feedbackbot_sends",
    "Invitations and reminders the dispatcher finished with, by platform and outcome.",
    ["platform", "outcome"],
    registry=REGISTRY,
)
_RATE_LIMITED = Counter(
    "feedbackbot_rate_limited",
    "Sends a platform refused with 429 Too Many Requests.",
    ["platform"],
    registry=REGISTRY,
)
_RATE_LIMIT_WAIT = Counter(
    "feedbackbot_rate_limit_wait_seconds",
    "Seconds the platforms asked the dispatcher to wait (Retry-After), summed.",
    ["platform"],
    registry=REGISTRY,
)
_ANSWERS = Counter(
    "feedbackbot_answers_recorded",
    "Answers recorded from customers, by channel.",
    ["channel"],
    registry=REGISTRY,
)
_ALERT_LATENCY = Histogram(
    "feedbackbot_low_score_alert_latency_seconds",
    "From a low score being recorded to the agent's alert being posted.",
    buckets=(0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600),
    registry=REGISTRY,
)
_RESTARTS = Counter(
    "feedbackbot_part_restarts",
    "Restarts of each supervised part after an error.",
    ["part"],
    registry=REGISTRY,
)
_PART_UP = Gauge(
    "feedbackbot_part_up",
    "1 while a supervised part works, 0 while it is down or starting.",
    ["part"],
    registry=REGISTRY,
)
_DATABASE_UP = Gauge(
    "feedbackbot_database_up",
    "1 if the database answered this scrape, else 0 (and no invitation or lease figures).",
    registry=REGISTRY,
)
_INVITATIONS = Gauge(
    "feedbackbot_invitations",
    "Invitations by status, counted in the database at scrape time.",
    ["status"],
    registry=REGISTRY,
)
_LEASES = Gauge(
    "feedbackbot_lease_held",
    "1 for each held lease (dispatch:<platform>, telegram-poller) and the worker holding it.",
    ["lease", "holder"],
    registry=REGISTRY,
)


def send_finished(platform: str, outcome: str) -> None:
    _SENDS.labels(platform=platform, outcome=outcome).inc()


def rate_limited(platform: str, wait_seconds: float) -> None:
    _RATE_LIMITED.labels(platform=platform).inc()
    _RATE_LIMIT_WAIT.labels(platform=platform).inc(max(0.0, wait_seconds))


def answer_recorded(channel: str) -> None:
    _ANSWERS.labels(channel=channel).inc()


def alert_posted(latency_seconds: float) -> None:
    """A low-score alert reached the agent ``latency_seconds`` after the score was recorded."""
    _ALERT_LATENCY.observe(max(0.0, latency_seconds))


def part_restarted(part: str) -> None:
    _RESTARTS.labels(part=part).inc()


def set_parts(up: Mapping[str, bool]) -> None:
    """The supervised parts and whether each works now."""
    _PART_UP.clear()
    for part, working in up.items():
        _PART_UP.labels(part=part).set(1 if working else 0)
        _RESTARTS.labels(part=part)  # every part shows its restarts, 0 included


def set_invitations(by_status: Mapping[str, int] | None, statuses: Iterable[str]) -> None:
    """Invitation counts read from the database (every status in ``statuses`` shown, 0 when
    there are none), or None when the database did not answer."""
    _INVITATIONS.clear()
    _DATABASE_UP.set(0 if by_status is None else 1)
    if by_status is None:
        return
    for status in statuses:
        _INVITATIONS.labels(status=status).set(by_status.get(status, 0))


def set_leases(holders: Mapping[str, str] | None) -> None:
    """Each held lease and its holder (None: the database did not answer)."""
    _LEASES.clear()
    for lease, holder in (holders or {}).items():
        _LEASES.labels(lease=lease, holder=holder).set(1)


def render() -> bytes:
    """Every metric in the Prometheus text format."""
    return generate_latest(REGISTRY)
