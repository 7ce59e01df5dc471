from __future__ import annotations

import pytest

from bot.slack.feedback_command import FeedbackRequest, UsageError, parse


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", FeedbackRequest(None, 30)),
        ("7d", FeedbackRequest(None, 7)),
        ("<@U0ELI|eli> 90D", FeedbackRequest("U0ELI", 90)),
        ("30d <@W0ELI>", FeedbackRequest("W0ELI", 30)),
    ],
)
def test_parse_reads_a_mention_and_a_period_in_any_order(
    text: str, expected: FeedbackRequest
) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "named"),
    [("14d", "`14d`"), ("@eli", "@eli"), ("7d 30d", "`30d`"), ("<!channel>", "&lt;!channel&gt;")],
)
def test_parse_names_the_word_it_cannot_read(text: str, named: str) -> None:
    with pytest.raises(UsageError, match=named):
        parse(text)
