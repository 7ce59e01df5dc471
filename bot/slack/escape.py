"""Customer-typed text made inert before it goes into a Slack message.

Slack reads ``<...>`` as control sequences (``<!channel>``, ``<@U123>``, ``<http://x|label>``)
and ``&`` as the start of an entity; escaping these three characters, as Slack's formatting
guide asks, turns any of them into plain visible text. Nothing else needs escaping.
"""

from __future__ import annotations

SECTION_TEXT_LIMIT = 3000
_ELLIPSIS = "…"


def escape(text: str) -> str:
    """``text`` with ``&``, ``<`` and ``>`` replaced by Slack's entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quote(text: str, limit: int = 1500) -> str:
    """Escaped customer text as a mrkdwn block quote, cut at ``limit`` characters.

    The cut happens before escaping, so an entity is never split in half.
    """
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + _ELLIPSIS
    return "\n".join(f">{line}" if line else ">" for line in escape(text).splitlines() or [""])


def clip(text: str, limit: int = SECTION_TEXT_LIMIT) -> str:
    """Our own (already safe) text cut to fit one Block Kit text field."""
    return text if len(text) <= limit else text[: limit - 1] + _ELLIPSIS
