"""The fixed question keys scoring reads (the contract with the survey engine) and their scales."""

from __future__ import annotations

from scoring.value import BENEFITS, COSTS

CSAT = "csat"
NPS = "nps"
CES = "ces"
FCR = "fcr"
VALUE_SURVEY = "value"

CSAT_GOOD = 4
NPS_PROMOTER = 9
NPS_DETRACTOR = 6
CES_AGREE = 5
FCR_YES = 1

SCALES: dict[str, tuple[int, int]] = {
    CSAT: (1, 5),
    NPS: (0, 10),
    CES: (1, 7),
    FCR: (0, 1),
    **{name: (1, 5) for name in (*BENEFITS, *COSTS)},
}
"""Inclusive value range of every scored question; other questions (comments) are not scored."""
