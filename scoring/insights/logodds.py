"""Which words (here: themes) one group uses more than another, with an honest z-score.

Monroe, Colaresi & Quinn (2008), "Fightin' Words", section 3.5: the log-odds ratio with an
informative Dirichlet prior. For theme t with counts yᵢ (group i, nᵢ in all) and prior αₜ
(α₀ = Σα): δₜ = log((yᵢ+αₜ) / (nᵢ+α₀-yᵢ-αₜ)) - log((yⱼ+αₜ) / (nⱼ+α₀-yⱼ-αₜ)), with variance
≈ 1/(yᵢ+αₜ) + 1/(yⱼ+αₜ), z = δ / sqrt(var). The prior is the background distribution (what all
customers write about) scaled to ``PRIOR_STRENGTH`` comments: rare themes are shrunk towards
"no difference" instead of topping the list on three mentions.
"""

from __future__ import annotations

import numpy as np

from scoring.insights.relative_weights import Array

PRIOR_STRENGTH = 100.0


def dirichlet_prior(background: Array, strength: float = PRIOR_STRENGTH) -> Array:
    """αₜ = strength · (background share of t), with half a count added so no αₜ is zero."""
    smoothed = background.astype(np.float64) + 0.5
    return strength * smoothed / smoothed.sum()


def log_odds(focus: Array, other: Array, prior: Array) -> tuple[Array, Array]:
    """δ and z per theme for ``focus`` against ``other`` (counts over the same themes)."""
    a0 = prior.sum()
    n1, n2 = focus.sum(), other.sum()
    l1 = np.log((focus + prior) / (n1 + a0 - focus - prior))
    l2 = np.log((other + prior) / (n2 + a0 - other - prior))
    delta = l1 - l2
    variance = 1.0 / (focus + prior) + 1.0 / (other + prior)
    return delta, delta / np.sqrt(variance)
