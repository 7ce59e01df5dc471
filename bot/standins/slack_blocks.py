"""Block Kit checks the Web API makes, so a layout Slack would refuse fails in tests too.

Not all of Block Kit: the limits a survey app runs into (block counts, unique ids, text
lengths, button fields). Problems come back as Slack words them, with a JSON pointer:
``must be less than 76 characters [json-pointer:/blocks/1/elements/0/text/text]``.
"""

from __future__ import annotations

from typing import Any

BLOCK_TYPES = frozenset(
    {
        "actions", "context", "context_actions", "divider", "file", "header", "image", "input",
        "markdown", "rich_text", "section", "table", "video",
    }
)  # fmt: skip
MAX_BLOCKS = {"message": 50, "modal": 100, "home": 100}
INPUT_ELEMENTS = frozenset(
    {
        "plain_text_input", "number_input", "email_text_input", "url_text_input",
        "static_select", "external_select", "users_select", "conversations_select",
        "channels_select", "multi_static_select", "multi_users_select", "radio_buttons",
        "checkboxes", "datepicker", "timepicker", "datetimepicker", "rich_text_input",
    }
)  # fmt: skip


class _Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.block_ids: set[str] = set()
        self.action_ids: set[str] = set()

    def problem(self, text: str, pointer: str) -> None:
        self.problems.append(f"{text} [json-pointer:{pointer}]")

    def text(self, value: Any, pointer: str, limit: int, plain_only: bool = False) -> None:
        if not isinstance(value, dict) or not isinstance(value.get("text"), str):
            self.problem("must provide an object", pointer)
            return
        if value.get("type") not in ("plain_text", "mrkdwn") or (
            plain_only and value.get("type") != "plain_text"
        ):
            self.problem("must be a valid enum value", f"{pointer}/type")
        if not value["text"]:
            self.problem("must be more than 0 characters", f"{pointer}/text")
        if len(value["text"]) > limit:
            self.problem(f"must be less than {limit + 1} characters", f"{pointer}/text")

    def unique(self, value: Any, seen: set[str], name: str, pointer: str) -> None:
        if value is None:
            return
        if not isinstance(value, str) or not 1 <= len(value) <= 255:
            self.problem("must be between 1 and 255 characters", f"{pointer}/{name}")
        elif value in seen:
            self.problem(f"{name} already exists", f"{pointer}/{name}")
        else:
            seen.add(value)

    def element(self, element: Any, pointer: str) -> None:
        if not isinstance(element, dict) or "type" not in element:
            self.problem("must provide an object", pointer)
            return
        self.unique(element.get("action_id"), self.action_ids, "action_id", pointer)
        if element["type"] == "button":
            self.text(element.get("text"), f"{pointer}/text", 75, plain_only=True)
            if len(str(element.get("value", ""))) > 2000:
                self.problem("must be less than 2001 characters", f"{pointer}/value")
            if element.get("style") not in (None, "primary", "danger"):
                self.problem("must be a valid enum value", f"{pointer}/style")

    def block(self, block: Any, pointer: str, surface: str) -> None:
        if not isinstance(block, dict):
            self.problem("must provide an object", pointer)
            return
        kind = block.get("type")
        if kind not in BLOCK_TYPES:
            self.problem("unsupported type", f"{pointer}/type")
            return
        self.unique(block.get("block_id"), self.block_ids, "block_id", pointer)
        if kind == "header":
            self.text(block.get("text"), f"{pointer}/text", 150, plain_only=True)
        elif kind == "section":
            if block.get("text") is None and not block.get("fields"):
                self.problem("must provide an object", f"{pointer}/text")
            if block.get("text") is not None:
                self.text(block["text"], f"{pointer}/text", 3000)
            if isinstance(block.get("accessory"), dict):
                self.element(block["accessory"], f"{pointer}/accessory")
        elif kind == "actions":
            elements = block.get("elements")
            if not isinstance(elements, list) or not 1 <= len(elements) <= 25:
                self.problem("must provide between 1 and 25 items", f"{pointer}/elements")
                return
            for index, element in enumerate(elements):
                self.element(element, f"{pointer}/elements/{index}")
        elif kind == "input":
            self.text(block.get("label"), f"{pointer}/label", 2000, plain_only=True)
            element = block.get("element")
            if not isinstance(element, dict) or element.get("type") not in INPUT_ELEMENTS:
                self.problem("must provide a valid input element", f"{pointer}/element")
            else:
                self.element(element, f"{pointer}/element")


def check_blocks(blocks: Any, surface: str = "message") -> list[str]:
    """Slack's complaints about ``blocks`` on a message, modal or home tab; [] when fine."""
    checker = _Checker()
    if not isinstance(blocks, list):
        checker.problem("must provide an array", "/blocks")
        return checker.problems
    limit = MAX_BLOCKS[surface]
    if len(blocks) > limit:
        checker.problem(f"must provide no more than {limit} items", "/blocks")
    for index, block in enumerate(blocks):
        checker.block(block, f"/blocks/{index}", surface)
    return checker.problems
