"""An invitation keeps the survey version it was made with, whatever the catalog says later."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import SurveyDefinition
from surveys.catalog import Catalog, load_catalog
from surveys.conversation import AlertRule, AnswerCommand, Complete, Prompt, answer, next_step
from tests.surveys.conftest import Invite

REWORDED_CSAT = """\
surveys:
  - key: csat
    title: Quick check
    questions:
      - key: csat
        type: rating
        text: Rate us from 1 to 10
        scale: {min: 1, max: 10}
      - key: channel
        type: choice
        text: How did you reach us?
        choices: [{key: chat, text: Chat}, {key: phone, text: Phone}]
"""


async def walk(session: AsyncSession, invitation_id: int, score: int) -> list[str]:
    """Answer every question (``score`` for ratings) and return the keys asked, in order."""
    asked = []
    async with session.begin():
        step = await next_step(session, invitation_id)
    while isinstance(step, Prompt):
        asked.append(step.question_key)
        if step.type == "rating":
            command = AnswerCommand(invitation_id, step.question_key, value=score)
        elif step.type == "text":
            command = AnswerCommand(invitation_id, step.question_key, text="ok")
        else:
            command = AnswerCommand(invitation_id, step.question_key, choice=step.options[0].value)
        async with session.begin():
            outcome = await answer(session, command, alerts=AlertRule())
        assert outcome.recorded, outcome
        step = outcome.step  # type: ignore[assignment]
    assert isinstance(step, Complete)
    return asked


async def test_an_invitation_pinned_to_v1_keeps_asking_v1_after_the_catalog_changes(
    session: AsyncSession, catalog: Catalog, invite: Invite, tmp_path: Path
) -> None:
    v1 = catalog.get("csat")
    old = await invite(v1)
    async with session.begin():
        first = await next_step(session, old.id)
    assert isinstance(first, Prompt) and first.text == v1.questions[0].texts["en"]

    custom = tmp_path / "surveys.yaml"
    custom.write_text(REWORDED_CSAT)
    v2 = load_catalog(custom).get("csat")
    assert v2.version != v1.version
    new = await invite(v2)

    assert await walk(session, old.id, score=1) == ["csat", "fcr", "comment"]
    assert await walk(session, new.id, score=9) == ["csat", "channel"]
    async with session.begin():
        versions = set(await session.scalars(select(SurveyDefinition.version)))
    assert versions == {v1.version, v2.version}


async def test_pinning_the_same_version_twice_stores_one_snapshot(
    session: AsyncSession, catalog: Catalog, invite: Invite
) -> None:
    await invite(catalog.get("nps"))
    await invite(catalog.get("nps"))
    async with session.begin():
        rows = list(await session.scalars(select(SurveyDefinition)))
    assert [(r.survey_key, r.version) for r in rows] == [("nps", catalog.get("nps").version)]
    assert rows[0].definition == catalog.get("nps").to_dict()
