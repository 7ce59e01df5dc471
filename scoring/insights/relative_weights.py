"""Johnson's relative weights: how much of R² each predictor accounts for, from moments alone.

Johnson (2000), "A heuristic method for estimating the relative weight of predictor variables in
multiple regression". With R the predictors' correlation matrix and r their correlations with
the target: R = V Λ Vᵀ, Λ* = V Λ^½ Vᵀ (the orthogonal Z that best match the predictors, X = Z Λ*),
β = Λ*⁻¹ r (the target regressed on Z), and predictor j's raw weight is Σₖ Λ*ⱼₖ² βₖ². The weights
are non-negative, sum to the model's R², and come within a few percent of the Shapley (LMG)
decomposition at a tiny fraction of its cost (one eigendecomposition instead of 2^p regressions),
which is what lets a thousand bootstrap replicates run in well under a second.

Everything works on batches: a stack of covariance matrices in, a stack of weights out. The
moments come from the database as per-bucket sums (n, Σx, Σxxᵀ), so rows never reach Python.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
EPSILON = 1e-10


def covariances(n: Array, sums: Array, products: Array) -> Array:
    """Sample covariance matrices from counts ``(B,)``, sums ``(B, q)`` and Σxxᵀ ``(B, q, q)``."""
    means = sums / n[:, None]
    centred = products - n[:, None, None] * means[:, :, None] * means[:, None, :]
    return centred / np.maximum(n - 1, 1)[:, None, None]


def correlations(covariance: Array) -> Array:
    """Correlation matrices; a variable with no variance gets zero correlations (and 1 on the
    diagonal), so it simply explains nothing."""
    sd = np.sqrt(np.clip(np.diagonal(covariance, axis1=-2, axis2=-1), 0.0, None))
    scale = np.where(sd > EPSILON, 1.0 / np.where(sd > EPSILON, sd, 1.0), 0.0)
    result = covariance * scale[..., :, None] * scale[..., None, :]
    index = np.arange(covariance.shape[-1])
    result[..., index, index] = 1.0
    return np.clip(result, -1.0, 1.0)


def relative_weights(correlation: Array) -> tuple[Array, Array]:
    """Raw relative weights ``(B, p)`` and R² ``(B,)``; variable 0 is the target.

    ``correlation`` is ``(B, 1 + p, 1 + p)``. Directions (non-positive eigenvalues of a singular
    R, e.g. two predictors that always agree) are left out of Λ*'s inverse.
    """
    r_xx = correlation[:, 1:, 1:]
    r_xy = correlation[:, 1:, 0]
    values, vectors = np.linalg.eigh(r_xx)
    values = np.clip(values, 0.0, None)
    root = np.sqrt(values)
    inverse_root = np.where(root > np.sqrt(EPSILON), 1.0 / np.where(root > 0, root, 1.0), 0.0)
    lam = np.einsum("bik,bk,bjk->bij", vectors, root, vectors)
    lam_inverse = np.einsum("bik,bk,bjk->bij", vectors, inverse_root, vectors)
    beta = np.einsum("bij,bj->bi", lam_inverse, r_xy)
    weights = np.einsum("bjk,bk->bj", lam * lam, beta * beta)
    return weights, weights.sum(axis=1)
