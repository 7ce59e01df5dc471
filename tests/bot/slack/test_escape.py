from __future__ import annotations

import pytest

from bot.slack.escape import clip, escape, quote


@pytest.mark.parametrize(
    ("typed", "posted"),
    [
        ("<!channel> look", "&lt;!channel&gt; look"),
        ("hi <@U123>", "hi &lt;@U123&gt;"),
        ("<http://evil.example|click>", "&lt;http://evil.example|click&gt;"),
        ("fish & chips", "fish &amp; chips"),
        ("&lt; already", "&amp;lt; already"),
        ("plain *bold* text", "plain *bold* text"),
    ],
)
def test_customer_text_is_inert(typed: str, posted: str) -> None:
    assert escape(typed) == posted


def test_quote_escapes_every_line_and_keeps_blank_lines() -> None:
    assert quote("first <!here>\n\nthird") == ">first &lt;!here&gt;\n>\n>third"


def test_quote_cuts_long_text_before_escaping() -> None:
    quoted = quote("&" * 50, limit=10)
    assert quoted == ">" + "&amp;" * 9 + "…"


def test_clip_leaves_short_text_alone_and_cuts_long_text() -> None:
    assert clip("short", 10) == "short"
    assert clip("x" * 20, 10) == "x" * 9 + "…"
