from __future__ import annotations

import io

from PIL import Image

from bot.slack.chart import trend_png
from bot.slack.figures import Figures


def test_the_trend_chart_is_a_png_even_with_empty_weeks() -> None:
    weeks = ["2026-02-16", "2026-02-23"]
    series = {
        "Dana": [Figures(csat_hits=3, csat_n=4, promoters=1, nps_n=2), Figures()],
        "Eli": [Figures(), Figures(csat_hits=1, csat_n=1)],
    }
    png = trend_png(weeks, series)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(png))
    image.verify()
    assert image.size[0] > 600
