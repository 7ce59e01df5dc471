"""Every built-in survey, answered in Russian from start to thank-you."""

import re

import pytest

from storage.models import InvitationStatus
from surveys.catalog import BUILTIN_ORDER
from tests.bot.telegram.conftest import Harness

LATIN_WORD = re.compile(r"\b[A-Za-z]{3,}\b")


@pytest.mark.parametrize("survey_key", BUILTIN_ORDER)
async def test_every_builtin_survey_runs_in_russian(polling: Harness, survey_key: str) -> None:
    telegram = polling.telegram
    ivan = telegram.create_user("Иван", language_code="ru")
    invitation = await polling.invite(ivan, survey_key, customer="ivan", language="ru")
    assert (await polling.dispatch()).outcomes["sent"] == 1
    for count in range(1, 30):
        message = (await telegram.wait_for_messages(ivan, count))[-1]
        if not message.buttons and not message.params.get("reply_markup"):
            break
        assert not LATIN_WORD.search(message.plain_text), message.plain_text
        options = [label for label in message.labels if label != "Пропустить"]
        assert "Skip" not in options and "Yes" not in options
        if options:
            await telegram.press_button(ivan, message, options[-1])
        else:
            await telegram.send_text(ivan, "Всё хорошо")
    else:
        pytest.fail("the survey never ended")
    assert message.plain_text.startswith("Спасибо")
    [stored] = [i for i in await polling.invitations() if i.id == invitation.id]
    assert stored.status is InvitationStatus.ANSWERED
    assert await polling.answers()
