"""The customer-value dimensions and their weights (``VALUE_WEIGHTS``).

CV = B / C: B is the weighted mean of the benefit ratings, C the weighted mean of the cost
ratings (each 1-5; 5 = a big benefit or a big cost). CV > 1: the customer gets more than they
give. A dimension the customer skipped is left out of its mean, not counted as zero.
"""

from __future__ import annotations

from collections.abc import Mapping

from feedbackbot.errors import ConfigurationError

BENEFITS = ("quality", "accessibility", "proactivity", "personal", "reputation")
COSTS = (
    "price",
    "installation",
    "maintenance",
    "research",
    "learning",
    "stress",
    "poor_service",
)
DIMENSIONS = BENEFITS + COSTS


def resolve_weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    """Every dimension's weight: the given ones, 1.0 for the rest.

    Raises ConfigurationError naming ``VALUE_WEIGHTS`` and the known names when a weight names
    an unknown dimension or is not above zero.
    """
    weights = dict(weights or {})
    unknown = sorted(set(weights) - set(DIMENSIONS))
    if unknown:
        raise ConfigurationError(
            f"Invalid setting VALUE_WEIGHTS: unknown dimension(s) {', '.join(unknown)}; "
            f"known: {', '.join(DIMENSIONS)}"
        )
    for name, weight in weights.items():
        if not weight > 0:
            raise ConfigurationError(
                f"Invalid setting VALUE_WEIGHTS: weight of {name!r} must be above 0"
            )
    return {name: float(weights.get(name, 1.0)) for name in DIMENSIONS}
