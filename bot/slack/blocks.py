"""Block Kit for customer surveys and agent alerts. Every function returns plain dicts.

Texts that come from the engine or from our own catalog are escaped too: a custom survey's
wording must not ping a channel any more than a customer's comment may.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.slack import actions
from bot.slack.escape import clip, escape, quote
from bot.slack.texts import say
from storage.answers import GivenAnswer
from storage.follow_ups import AlertDetails

if TYPE_CHECKING:
    from surveys.conversation import Prompt

Block = dict[str, Any]
ROW = 6  # buttons per row for long scales: 0-10 becomes 0-5 and 6-10
SCALES = {"csat": ("CSAT", 5), "nps": ("NPS", 10), "ces": ("Effort", 7)}


def _text(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def _plain(text: str, limit: int = 75) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, limit), "emoji": True}


def section(text: str) -> Block:
    return {"type": "section", "text": _text(clip(text))}


def context(text: str) -> Block:
    return {"type": "context", "elements": [_text(clip(text))]}


def button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": _plain(text),
        "action_id": action_id,
        "value": value,
    }
    if style:
        element["style"] = style
    return element


def _prompt_heading(prompt: Prompt) -> str:
    counter = f"({prompt.number}/{prompt.total}) " if prompt.total > 1 else ""
    return f"{counter}*{escape(prompt.text)}*"


def question_message(prompt: Prompt) -> tuple[str, list[Block]]:
    """The fallback text and blocks asking ``prompt``: buttons per option, or a comment button."""
    blocks: list[Block] = [section(_prompt_heading(prompt))]
    ref = actions.QuestionRef(prompt.invitation_id, prompt.question_key)
    buttons: list[dict[str, Any]] = []
    if str(prompt.type) == "text":
        buttons.append(
            button(say(prompt.language, "write_comment"), actions.COMMENT, ref.encode(), "primary")
        )
    else:
        for index, option in enumerate(prompt.options):
            buttons.append(
                button(option.label, f"{actions.ANSWER}.{index}", option_ref(prompt, option.value))
            )
    rows = [buttons] if len(buttons) <= ROW + 1 else _chunks(buttons, ROW)
    if prompt.optional:
        rows[-1].append(button(prompt.skip_label or "Skip", actions.SKIP, ref.encode()))
    for index, row in enumerate(rows):
        blocks.append({"type": "actions", "block_id": f"answer_{index}", "elements": row})
    if prompt.min_label or prompt.max_label:
        first = prompt.options[0].label if prompt.options else ""
        last = prompt.options[-1].label if prompt.options else ""
        ends = [
            f"{first} = {prompt.min_label}" if prompt.min_label else "",
            f"{last} = {prompt.max_label}" if prompt.max_label else "",
        ]
        blocks.append(context(escape("  ·  ".join(e for e in ends if e))))
    if prompt.number == 1:
        blocks.append(context(escape(say(prompt.language, "privacy_hint"))))
    return escape(clip(prompt.text, 300)), blocks


def option_ref(prompt: Prompt, option: str) -> str:
    """A button's payload: a rating answers with a number, the other types with a choice."""
    if str(prompt.type) == "rating":
        ref = actions.QuestionRef(prompt.invitation_id, prompt.question_key, value=int(option))
    else:
        ref = actions.QuestionRef(prompt.invitation_id, prompt.question_key, choice=option)
    return ref.encode()


def _chunks(items: list[dict[str, Any]], size: int) -> list[list[dict[str, Any]]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def answered_message(prompt: Prompt, note: str) -> tuple[str, list[Block]]:
    """The question message after it was answered: the question and ``note`` (already safe)."""
    return escape(clip(prompt.text, 300)), [section(_prompt_heading(prompt)), context(note)]


def closing_message(text: str) -> tuple[str, list[Block]]:
    return escape(clip(text, 300)), [section(escape(text))]


def comment_modal(prompt: Prompt, state: actions.CommentModalState) -> dict[str, Any]:
    """The free-text modal: one multi-line input, capped at the engine's 2,000 characters."""
    language = prompt.language
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": actions.COMMENT_INPUT,
        "multiline": True,
        "max_length": 2000,
        "placeholder": _plain(say(language, "comment_placeholder"), 150),
    }
    return {
        "type": "modal",
        "callback_id": actions.COMMENT_MODAL,
        "private_metadata": state.encode(),
        "title": _plain(say(language, "modal_title"), 24),
        "submit": _plain(say(language, "submit"), 24),
        "close": _plain(say(language, "cancel"), 24),
        "blocks": [
            {
                "type": "input",
                "block_id": actions.COMMENT_BLOCK,
                "label": _plain(prompt.text, 2000),
                "element": element,
                "optional": False,
            }
        ],
    }


def _score(answer: GivenAnswer) -> str | None:
    if answer.choice is not None:
        return f"{escape(answer.question_key)}: *{escape(answer.choice)}*"
    if answer.value is not None:
        name, top = SCALES.get(answer.question_key, (answer.question_key, None))
        return f"{escape(name)} *{answer.value}*" + (f"/{top}" if top else "")
    return None


ERASED_CUSTOMER = "a customer who erased their data"


def _customer(details: AlertDetails) -> str:
    if details.customer_erased:
        return ERASED_CUSTOMER
    if details.customer_name:
        return f"{escape(details.customer_name)} ({escape(details.customer_external_id)})"
    return escape(details.customer_external_id)


def alert_message(details: AlertDetails) -> tuple[str, list[Block]]:
    """The agent's alert: who, which case, the scores, the comments and the Follow up state."""
    follow_up = details.follow_up
    case = escape(details.case_external_id) if details.case_external_id else "no case"
    scores = [s for s in (_score(a) for a in details.answers) if s]
    comments = [a.text for a in details.answers if a.text]
    who = ERASED_CUSTOMER if details.customer_erased else escape(details.customer_external_id)
    fallback = f"Low score from {who} on case {case}"
    blocks: list[Block] = [
        section(f":warning: *Low score* from {_customer(details)} on case *{case}*"),
        section("  ·  ".join(scores) or escape(follow_up.reason)),
    ]
    blocks.extend(section(quote(text)) for text in comments)
    if details.customer_erased:
        blocks.append(context("The customer erased their personal data: name and comment removed."))
    elif not comments:
        blocks.append(context("No comment (yet)."))
    if follow_up.followed_up_at is not None:
        blocks.append(
            context(
                f":white_check_mark: Followed up by <@{escape(follow_up.followed_up_by or '')}> "
                f"on {_when(follow_up.followed_up_at)}"
            )
        )
    else:
        blocks.append(
            {
                "type": "actions",
                "block_id": "follow_up",
                "elements": [
                    button(
                        "Follow up",
                        actions.FOLLOW_UP,
                        actions.follow_up_value(follow_up.id or 0),
                        "primary",
                    )
                ],
            }
        )
    return fallback, blocks


def _when(moment: datetime) -> str:
    """A Slack date token: shown in each reader's own time zone, with a UTC fallback."""
    stamp = int(moment.timestamp())
    return f"<!date^{stamp}^{{date_short_pretty}} at {{time}}|{moment:%Y-%m-%d %H:%M} UTC>"
