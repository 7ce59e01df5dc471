"""Definitions: versions derive from content; conditions compare as documented."""

from __future__ import annotations

from dataclasses import replace

import pytest

from surveys.catalog import Catalog
from surveys.definitions import Condition, Operator, content_version


def test_the_version_changes_with_the_content_and_only_with_it(catalog: Catalog) -> None:
    csat = catalog.get("csat")
    assert content_version(csat) == csat.version
    assert content_version(replace(csat, version="whatever")) == csat.version
    reworded = replace(csat, title={**csat.title, "en": "How was it?"})
    assert content_version(reworded) != csat.version
    assert content_version(csat, "3") == f"3-{csat.version}"


@pytest.mark.parametrize(
    ("condition", "number", "choice", "holds"),
    [
        (Condition("csat", Operator.LE, 2), 2, None, True),
        (Condition("csat", Operator.LE, 2), 3, None, False),
        (Condition("csat", Operator.GT, 2), 3, None, True),
        (Condition("csat", Operator.NE, 2), None, None, False),
        (Condition("fcr", Operator.EQ, "no"), 0, "no", True),
        (Condition("fcr", Operator.EQ, "no"), 1, "yes", False),
        (Condition("plan", Operator.IN, ("pro", "max")), None, "pro", True),
        (Condition("plan", Operator.NOT_IN, ("pro", "max")), None, "pro", False),
        (Condition("score", Operator.IN, (1, 2)), 2, None, True),
    ],
)
def test_conditions(
    condition: Condition, number: int | None, choice: str | None, holds: bool
) -> None:
    assert condition.holds(number, choice) is holds
