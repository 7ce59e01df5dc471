import math

import pytest

from scoring import stats


def test_no_answers_give_no_value_and_count_as_low_sample() -> None:
    for figure in (stats.share(0, 0), stats.net_score(0, 0, 0), stats.mean(0, 0, 0)):
        assert figure.value is None and figure.n == 0 and figure.low_sample
    assert stats.share(0, 0).to_json() == {
        "value": None,
        "low": None,
        "high": None,
        "n": 0,
        "low_sample": True,
        "method": "wilson",
    }


def test_wilson_interval_matches_the_textbook_example() -> None:
    # 8 of 10: Wilson 95% interval 0.4902-0.9433 (Newcombe 1998, method 3).
    figure = stats.share(8, 10)
    assert figure.value == 80.0
    assert figure.low == pytest.approx(49.02, abs=0.01)
    assert figure.high == pytest.approx(94.33, abs=0.01)
    assert not figure.low_sample


def test_wilson_interval_stays_inside_0_100_at_the_extremes() -> None:
    everyone = stats.share(20, 20)
    assert everyone.value == 100.0 and everyone.high == 100.0
    assert everyone.low == pytest.approx(83.89, abs=0.01)
    nobody = stats.share(0, 20)
    assert nobody.value == 0.0 and nobody.low == 0.0
    assert nobody.high == pytest.approx(16.11, abs=0.01)


def test_one_answer_is_a_figure_marked_low_sample() -> None:
    one = stats.share(1, 1)
    assert one.value == 100.0 and one.n == 1 and one.low_sample
    assert one.low == pytest.approx(20.65, abs=0.01)
    four = stats.share(2, 4)
    assert four.low_sample and not stats.share(2, 5).low_sample


def test_nps_hand_worked() -> None:
    # 5 promoters, 3 passives, 2 detractors: p = .5, d = .2, NPS = 30,
    # se = 100 * sqrt((.5 + .2 - .3^2) / 10) = 100 * sqrt(.061) = 24.698
    figure = stats.net_score(5, 2, 10)
    assert figure.value == pytest.approx(30.0)
    assert figure.se == pytest.approx(24.698, abs=0.001)
    # Adjusted Wald: p' = 5.75 / 13, d' = 2.75 / 13, centre 23.08, half-width
    # 1.96 * sqrt((8.5 / 13 - (3 / 13)^2) / 13) = 42.128
    assert figure.low == pytest.approx(23.077 - 42.128, abs=0.01)
    assert figure.high == pytest.approx(23.077 + 42.128, abs=0.01)


def test_nps_of_all_promoters_is_100_with_an_interval_that_keeps_its_width() -> None:
    figure = stats.net_score(7, 0, 7)
    assert (figure.value, figure.se, figure.high) == (100.0, 0.0, 100.0)
    assert figure.low is not None and 20 < figure.low < 60


def test_nps_of_all_detractors_is_minus_100() -> None:
    assert stats.net_score(0, 3, 3).value == -100.0


def test_nps_interval_is_clipped_to_its_scale() -> None:
    figure = stats.net_score(1, 0, 1)
    assert figure.value == 100.0 and figure.high <= 100.0 and figure.low > -100.0
    assert stats.net_score(0, 1, 1).low >= -100.0


def test_mean_with_interval() -> None:
    # values 2, 4, 6: mean 4, s = 2, half-width t(0.975, 2) * 2 / sqrt(3), t = 4.302653
    figure = stats.mean(12, 4 + 16 + 36, 3)
    assert figure.value == 4.0
    assert figure.high - figure.value == pytest.approx(4.302653 * 2 / math.sqrt(3), abs=1e-5)
    assert stats.mean(5, 25, 1).low is None


def test_effort_has_mean_and_share_agreeing() -> None:
    # ratings 7, 5, 4, 1: mean 4.25, agree (5-7) = 2 of 4
    figure = stats.effort(17, 49 + 25 + 16 + 1, 2, 4)
    assert figure.mean.value == 4.25
    assert figure.agree.value == 50.0
    assert figure.to_json()["agree"] == 50.0 and figure.to_json()["n"] == 4
