import asyncio
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.dispatch import Dispatcher
from storage import identities
from storage.models import Identity, IdentityState, InvitationStatus, Platform
from tests.bot.dispatch.channels import Failure, TestChannel
from tests.bot.dispatch.conftest import FAST, Seeder

MakeDispatcher = Callable[..., Dispatcher]
S = InvitationStatus


async def test_a_due_invitation_is_sent_and_its_reminder_and_expiry_are_set(
    seed: Seeder, channel: TestChannel, make_dispatcher: MakeDispatcher, now: datetime
) -> None:
    [iid] = await seed.due()
    report = await make_dispatcher(channel).tick()
    assert report.outcomes == Counter(sent=1)
    [sent] = channel.sent
    assert sent.delivery.invitation_id == iid and not sent.delivery.reminder
    assert sent.prompt.question_key == "csat" and sent.prompt.survey_key == "csat"
    row = await seed.get(iid)
    assert row.status is S.SENT and row.sent_at == now
    assert row.message_ref == sent.message_ref
    assert row.due_at == now + timedelta(hours=24)  # the reminder
    assert row.expires_at == now + timedelta(hours=72)
    assert row.claimed_by is None and row.attempts == 1


async def test_an_invitation_not_yet_due_waits(
    seed: Seeder, channel: TestChannel, make_dispatcher: MakeDispatcher, now: datetime
) -> None:
    await seed.due(due_at=now + timedelta(minutes=1))
    assert (await make_dispatcher(channel).tick()).claimed == 0
    assert channel.sent == []


async def test_a_429_waits_its_retry_after_without_using_an_attempt(
    seed: Seeder, make_dispatcher: MakeDispatcher, now: datetime
) -> None:
    channel = TestChannel(retry_after=7)
    channel.fail(Failure.RATE_LIMITED)
    [iid] = await seed.due()
    assert (await make_dispatcher(channel).tick()).outcomes == Counter(rate_limited=1)
    row = await seed.get(iid)
    assert row.status is S.PENDING and row.due_at == now + timedelta(seconds=7)
    assert row.attempts == 0 and row.claimed_by is None


async def test_a_blocked_bot_fails_the_invitation_and_marks_the_chat_unreachable(
    seed: Seeder,
    channel: TestChannel,
    make_dispatcher: MakeDispatcher,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    channel.fail(Failure.BLOCKED)
    [iid] = await seed.due()
    assert (await make_dispatcher(channel).tick()).outcomes == Counter(unreachable=1)
    row = await seed.get(iid)
    assert row.status is S.FAILED and row.status_reason == "recipient unreachable"
    assert row.last_error == "403 Forbidden: bot was blocked by the user"
    async with sessions() as session:
        identity = await session.scalar(select(Identity))
    assert identity is not None and identity.state is IdentityState.UNREACHABLE


@pytest.mark.parametrize(
    ("failure", "error"),
    [(Failure.TIMEOUT, "timed out"), (Failure.SERVER_ERROR, "500 Internal Server Error")],
)
async def test_a_timeout_or_server_error_retries_with_backoff(
    seed: Seeder,
    channel: TestChannel,
    make_dispatcher: MakeDispatcher,
    now: datetime,
    failure: Failure,
    error: str,
) -> None:
    channel.fail(failure)
    [iid] = await seed.due()
    assert (await make_dispatcher(channel).tick()).outcomes == Counter(retry=1)
    row = await seed.get(iid)
    assert row.status is S.PENDING and row.attempts == 1 and row.last_error == error
    assert row.due_at == now + timedelta(seconds=22.5)  # 30 s step, half fixed + half * 0.5


async def test_after_the_last_attempt_the_invitation_fails_with_its_last_error(
    seed: Seeder, channel: TestChannel, make_dispatcher: MakeDispatcher
) -> None:
    channel.fail(Failure.SERVER_ERROR)
    [iid] = await seed.due(attempts=FAST.max_attempts - 1)
    assert (await make_dispatcher(channel).tick()).outcomes == Counter(failed=1)
    row = await seed.get(iid)
    assert row.status is S.FAILED and row.status_reason == "gave up after 5 attempts"
    assert row.last_error == "500 Internal Server Error"


async def test_a_due_reminder_goes_through_the_same_path(
    seed: Seeder, channel: TestChannel, make_dispatcher: MakeDispatcher, now: datetime
) -> None:
    [iid] = await seed.due(
        status=S.SENT,
        sent_at=now - timedelta(hours=24),
        due_at=now,
        expires_at=now + timedelta(hours=48),
        attempts=1,
    )
    assert (await make_dispatcher(channel).tick()).outcomes == Counter(reminded=1)
    [sent] = channel.sent
    assert sent.delivery.reminder and sent.delivery.invitation_id == iid
    row = await seed.get(iid)
    assert row.status is S.SENT and row.reminded_at == now
    assert row.message_ref == sent.message_ref
    assert (await make_dispatcher(channel).tick()).claimed == 0  # one reminder only


async def test_a_reminder_that_keeps_failing_stops_at_expiry(
    seed: Seeder, channel: TestChannel, make_dispatcher: MakeDispatcher, now: datetime
) -> None:
    channel.fail(Failure.BLOCKED)
    [iid] = await seed.due(
        status=S.SENT, due_at=now, sent_at=now, expires_at=now + timedelta(hours=48)
    )
    await make_dispatcher(channel).tick()
    row = await seed.get(iid)
    assert row.status is S.SENT and row.reminded_at is None
    assert row.due_at == now + timedelta(hours=48)
    assert (await make_dispatcher(channel).tick()).claimed == 0


async def test_expiry_ends_unanswered_and_unsendable_invitations(
    seed: Seeder, channel: TestChannel, make_dispatcher: MakeDispatcher, now: datetime
) -> None:
    [unanswered] = await seed.due(
        status=S.SENT, due_at=now, expires_at=now - timedelta(seconds=1), sent_at=now
    )
    [stale] = await seed.due(due_at=now - timedelta(hours=73))
    [fresh] = await seed.due(due_at=now - timedelta(hours=71))
    assert await make_dispatcher(channel).expire_overdue() == 2
    assert (await seed.get(unanswered)).status_reason == "not answered in time"
    assert (await seed.get(stale)).status_reason == "not sent in time"
    assert (await seed.get(fresh)).status is S.PENDING


async def test_a_customer_who_opted_out_after_scheduling_is_not_sent_to(
    seed: Seeder,
    channel: TestChannel,
    make_dispatcher: MakeDispatcher,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    [iid] = await seed.due()
    async with sessions() as session, session.begin():
        customer_id = (await seed.get(iid)).customer_id
        await session.execute(
            Identity.__table__.update().values(state=IdentityState.OPTED_OUT)  # type: ignore[attr-defined]
        )
    assert (await make_dispatcher(channel).tick()).outcomes == Counter(cancelled=1)
    assert channel.sent == [] and customer_id
    assert (await seed.get(iid)).status is S.CANCELLED


async def test_an_unreachable_chat_moves_the_invitation_to_the_customers_other_platform(
    seed: Seeder,
    channel: TestChannel,
    make_dispatcher: MakeDispatcher,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    [iid] = await seed.due()
    row = await seed.get(iid)
    chat = str(10_000 + row.customer_id)
    async with sessions() as session, session.begin():
        await identities.mark_unreachable(session, Platform.TELEGRAM, chat)
        session.add(
            Identity(customer_id=row.customer_id, platform=Platform.SLACK, external_id="U1")
        )
    slack = TestChannel("slack")
    assert (await make_dispatcher(channel).tick()).outcomes == Counter(moved=1)
    assert (await make_dispatcher(slack).tick()).outcomes == Counter(sent=1)
    assert slack.sent[0].delivery.address == "U1"


async def test_only_the_leading_worker_sends_and_a_clean_stop_hands_over_at_once(
    seed: Seeder, make_dispatcher: MakeDispatcher
) -> None:
    ids = await seed.due(customers=30)
    a_channel, b_channel = TestChannel(), TestChannel()
    config = FAST.__class__(**{**FAST.__dict__, "max_batch": 10})
    a = make_dispatcher(a_channel, "worker-a", config=config)
    b = make_dispatcher(b_channel, "worker-b", config=config)
    await a.tick()
    assert (await b.tick()).claimed == 0
    await a.close()
    await b.drain()
    assert len(a_channel.sent) == 10 and len(b_channel.sent) == 20
    assert sorted(a_channel.sent_ids() + b_channel.sent_ids()) == ids


async def test_a_worker_cancelled_mid_batch_leaves_nothing_stuck(
    seed: Seeder, make_dispatcher: MakeDispatcher, now: datetime, lease: timedelta
) -> None:
    ids = await seed.due(customers=10)
    a_channel, b_channel = TestChannel(), TestChannel()
    a_channel.succeed(4)
    a_channel.fail(Failure.HANG, 4)
    config = FAST.__class__(**{**FAST.__dict__, "max_batch": 4})
    a = make_dispatcher(a_channel, "worker-a", config=config)
    assert (await a.tick()).outcomes == Counter(sent=4)
    sending = asyncio.create_task(a.tick())
    await a_channel.wait_hanging(4)  # the second batch is in flight
    sending.cancel()
    with pytest.raises(asyncio.CancelledError):
        await sending
    assert (await seed.statuses()) == {S.SENT: 4, S.SENDING: 4, S.PENDING: 2}
    b = make_dispatcher(b_channel, "worker-b", at=now + lease)
    assert (await b.drain()).outcomes == Counter(sent=6)
    assert (await seed.statuses()) == {S.SENT: 10}
    assert sorted(a_channel.sent_ids() + b_channel.sent_ids()) == ids


async def test_a_worker_does_not_take_over_before_the_lease_lapses(
    seed: Seeder, make_dispatcher: MakeDispatcher, now: datetime, lease: timedelta
) -> None:
    await seed.due(customers=2)
    a = make_dispatcher(TestChannel(), "worker-a", at=now - lease / 2)
    await a._lead(Platform.TELEGRAM)
    b = make_dispatcher(TestChannel(), "worker-b", at=now + lease / 2 - timedelta(seconds=1))
    assert (await b.tick()).claimed == 0
    c = make_dispatcher(TestChannel(), "worker-c", at=now + lease / 2)
    assert (await c.tick()).claimed == 2


async def test_one_invitation_per_customer_per_batch(
    seed: Seeder, channel: TestChannel, make_dispatcher: MakeDispatcher
) -> None:
    await seed.due(customers=3, per_customer=2)
    dispatcher = make_dispatcher(channel)
    assert (await dispatcher.tick()).claimed == 3
    assert len({s.delivery.address for s in channel.sent}) == 3
    assert (await dispatcher.drain()).outcomes == Counter(sent=3)


@pytest.mark.postgres
async def test_two_workers_drain_2000_invitations_each_sent_exactly_once(
    seed: Seeder, make_dispatcher: MakeDispatcher
) -> None:
    ids = await seed.due(customers=500, per_customer=4)
    a_channel, b_channel = TestChannel(), TestChannel()
    a = make_dispatcher(a_channel, "worker-a")
    b = make_dispatcher(b_channel, "worker-b")
    assert await a._lead(Platform.TELEGRAM)  # a leads first, whichever connects faster
    await asyncio.gather(a.drain(max_batches=3), b.drain(max_batches=3))
    await asyncio.gather(a.close(), b.drain())
    await asyncio.gather(a.drain(), b.drain())
    sent = a_channel.sent_ids() + b_channel.sent_ids()
    assert sorted(sent) == sorted(ids)
    assert a_channel.sent and b_channel.sent
    assert (await seed.statuses()) == {S.SENT: 2000}
