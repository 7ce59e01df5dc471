"""An agent's daily digest as it reads in Slack, rebuilt from the Slack stand-in's records.

Slack shows a message's blocks, not its fallback ``text``; this turns the blocks the app posted
back into lines of mrkdwn (sections, their fields, context lines, headers), which is close to
what the agent sees.
"""

from __future__ import annotations

from typing import Any

from bot.standins.slack import SlackWebAPI
from bot.standins.slack_objects import SlackUser

DIGEST_PREFIX = "Your feedback for"


def block_lines(block: dict[str, Any]) -> list[str]:
    kind = block.get("type")
    if kind in ("section", "header"):
        lines = [str(block.get("text", {}).get("text", ""))]
        fields = [str(f.get("text", "")).replace("\n", " ") for f in block.get("fields") or []]
        lines += [" · ".join(fields)] if fields else []
        return [line for line in lines if line]
    if kind == "context":
        return [" ".join(str(e.get("text", "")) for e in block.get("elements") or [])]
    if kind == "divider":
        return ["———"]
    if kind == "actions":
        buttons = [str(e.get("text", {}).get("text", "")) for e in block.get("elements") or []]
        return [" ".join(f"[{label}]" for label in buttons)]
    return []


def digest_text(slack: SlackWebAPI, agent: SlackUser) -> str:
    """The newest daily digest in ``agent``'s DM, or "" when none was posted."""
    digests = [m for m in slack.app_messages_in(agent) if m.text.startswith(DIGEST_PREFIX)]
    if not digests:
        return ""
    message = digests[-1]
    lines = [line for block in message.blocks for line in block_lines(block)]
    return "\n".join(lines) or message.text
