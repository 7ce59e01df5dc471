"""The helpdesks we take webhooks from, and how a closure becomes our case-closed event.

An explicit table, not a registry filled by imports: each entry names the helpdesk's module
functions and the setting that holds its signing secret (None: the helpdesk signs nothing).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import SecretStr

from bot.hooks import chatwoot, freshdesk, front, helpscout, intercom, zendesk
from bot.hooks.payload import BadPayload, Closure, Ignored
from bot.settings import SUPPORTED_LANGUAGES, Settings
from surveys.events import CaseClosed, InvalidEvent, parse_event

Reader = Callable[[Any, Mapping[str, str]], Closure | Ignored]
Verifier = Callable[[str, Mapping[str, str], bytes, datetime], bool]


@dataclass(frozen=True)
class Helpdesk:
    name: str
    read: Reader
    verify: Verifier | None
    secret_setting: str | None

    def secret(self, settings: Settings) -> str | None:
        """The signing secret when its setting is set (then every request must be signed)."""
        if self.secret_setting is None:
            return None
        value: SecretStr | None = getattr(settings, self.secret_setting.lower())
        return value.get_secret_value() if value is not None else None


HELPDESKS: dict[str, Helpdesk] = {
    desk.name: desk
    for desk in (
        Helpdesk(chatwoot.NAME, chatwoot.read, chatwoot.verify, "CHATWOOT_WEBHOOK_SECRET"),
        Helpdesk(zendesk.NAME, zendesk.read, zendesk.verify, "ZENDESK_WEBHOOK_SECRET"),
        Helpdesk(freshdesk.NAME, freshdesk.read, None, None),
        Helpdesk(helpscout.NAME, helpscout.read, helpscout.verify, "HELPSCOUT_WEBHOOK_SECRET"),
        Helpdesk(intercom.NAME, intercom.read, intercom.verify, "INTERCOM_CLIENT_SECRET"),
        Helpdesk(front.NAME, front.read, front.verify, "FRONT_WEBHOOK_SECRET"),
    )
}

_LANGUAGE_NAMES = {
    "english": "en",
    "spanish": "es",
    "español": "es",
    "german": "de",
    "deutsch": "de",
    "russian": "ru",
    "русский": "ru",
}
_REQUIRED = frozenset({"case_id", "customer", "customer.id", "closed_at"})


def _language(value: str | None) -> str | None:
    """A language code from a code, a locale (``de-AT``) or a name (Zendesk renders names)."""
    if value is None:
        return None
    return _LANGUAGE_NAMES.get(value.strip().lower(), value)


def case_event(
    helpdesk: str,
    closure: Closure,
    *,
    received_at: datetime,
    slack_user_id: str | None = None,
    agent_slack_user_id: str | None = None,
) -> CaseClosed:
    """The case-closed event of a closure: ids namespaced (``zendesk:372``), nothing invented.

    A field the helpdesk sent in a shape we cannot use (an unknown time zone, a language we do
    not speak, a malformed e-mail) is left unknown rather than refusing the case; raises
    ``BadPayload`` only for what the case cannot do without.
    """
    person = closure.customer
    customer: dict[str, Any] = {
        "id": f"{helpdesk}:{person.id}",
        "name": person.name,
        "email": person.email,
        "phone": person.phone,
        "language": _language(person.language),
        "timezone": person.timezone,
        "slack_user_id": person.slack_user_id or slack_user_id,
    }
    body: dict[str, Any] = {
        "case_id": f"{helpdesk}:{closure.ticket_id}",
        "customer": {k: v for k, v in customer.items() if v is not None},
        "closed_at": (closure.closed_at or received_at).isoformat(),
    }
    if closure.opened_at is not None and closure.opened_at <= (closure.closed_at or received_at):
        body["opened_at"] = closure.opened_at.isoformat()
    if closure.channel is not None:
        body["channel"] = closure.channel[:64]
    if closure.agent is not None:
        agent = {
            "id": f"{helpdesk}:{closure.agent.id}",
            "name": closure.agent.name,
            "email": closure.agent.email,
            "team": closure.agent.team,
            "slack_user_id": agent_slack_user_id,
        }
        body["agent"] = {k: v for k, v in agent.items() if v is not None}
    for _ in range(len(customer) + 6):
        try:
            return parse_event(body, SUPPORTED_LANGUAGES)
        except InvalidEvent as invalid:
            fatal = [(f, p) for f, p in invalid.problems if f in _REQUIRED or "." not in f]
            if fatal:
                raise BadPayload(*fatal[0]) from None
            for field_path, _problem in invalid.problems:
                section, _, name = field_path.partition(".")
                body.get(section, {}).pop(name.split(".")[0], None)
    raise BadPayload("body", "cannot be read as a closed case")
