"""The numbers the digests, /feedback and App Home show: CSAT, NPS, response rate, per agent.

The counts come from ``scoring``'s per-agent report (its GROUP BY queries, its reading of a
scored answer and of a sent invitation) and are kept raw here, so periods and a whole team add
up exactly; the figures themselves are ``scoring.stats``'.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from scoring.periods import Window
from scoring.report import build_report
from scoring.stats import NetScore, Share, net_score, share


@dataclass(frozen=True)
class Figures:
    csat_hits: int = 0
    csat_n: int = 0
    promoters: int = 0
    detractors: int = 0
    nps_n: int = 0
    sent: int = 0
    answered: int = 0

    @property
    def csat(self) -> Share:
        return share(self.csat_hits, self.csat_n)

    @property
    def nps(self) -> NetScore:
        return net_score(self.promoters, self.detractors, self.nps_n)

    @property
    def response_rate(self) -> Share:
        return share(self.answered, self.sent)

    def __add__(self, other: Figures) -> Figures:
        return Figures(*(a + b for a, b in zip(self._counts(), other._counts(), strict=True)))

    def _counts(self) -> tuple[int, ...]:
        return (
            self.csat_hits,
            self.csat_n,
            self.promoters,
            self.detractors,
            self.nps_n,
            self.sent,
            self.answered,
        )


def total(figures: Collection[Figures]) -> Figures:
    result = Figures()
    for item in figures:
        result = result + item
    return result


def _hits(figure: Share) -> int:
    """The count behind a percentage (``value`` is 100 * hits / n, so this is exact)."""
    return 0 if figure.value is None else round(figure.value * figure.n / 100)


async def figures_by_agent(
    session: AsyncSession,
    since: datetime,
    until: datetime,
    agents: Collection[str] | None = None,
) -> dict[str, Figures]:
    """Per agent (by external id; ``agents`` limits it): CSAT and NPS from the answers given in
    ``[since, until)``, the response rate from the invitations sent then, as scoring's per-agent
    report computes them. Agents with nothing in the period are absent."""
    report = await build_report(session, "agent", Window(since, until))
    result: dict[str, Figures] = {}
    for row in report.rows:
        if row.key is None or (agents is not None and row.key not in agents):
            continue
        figures = Figures(
            csat_hits=_hits(row.csat),
            csat_n=row.csat.n,
            promoters=row.nps.promoters,
            detractors=row.nps.detractors,
            nps_n=row.nps.n,
            sent=row.response_rate.n,
            answered=_hits(row.response_rate),
        )
        if figures != Figures():
            result[row.key] = figures
    return result
