"""Issue 12: a database outage in the middle of a dispatch never strands a claim.

The old dispatcher let an error in the store step end its send group with the rows still
``sending``, and renewed those claims on every tick for as long as it lived.
"""

import asyncio
from collections import Counter
from datetime import datetime, timedelta

import pytest

from bot.dispatch import Dispatcher
from bot.supervision import Part, State
from storage.models import InvitationStatus
from tests.bot.dispatch.channels import Failure, TestChannel
from tests.bot.dispatch.conftest import FAST, Outage, Seeder

S = InvitationStatus


def dispatcher(
    outage: Outage,
    channel: TestChannel,
    at: datetime,
    *,
    patience: timedelta = timedelta(minutes=5),
    part: Part | None = None,
) -> Dispatcher:
    config = FAST.__class__(**{**FAST.__dict__, "record_patience": patience})
    return Dispatcher(
        outage.sessions,
        [channel],
        config,
        worker="worker-a",
        clock=lambda: at,
        jitter=lambda: 0.0,
        part=part,
    )


async def test_an_outcome_that_cannot_be_stored_is_recorded_once_the_database_is_back(
    seed: Seeder, outage: Outage, now: datetime, caplog: pytest.LogCaptureFixture
) -> None:
    ids = await seed.due(customers=3)
    channel = TestChannel()
    channel.fail(Failure.HANG, 3)
    part = Part("dispatch")
    tick = asyncio.create_task(dispatcher(outage, channel, now, part=part).tick())
    await channel.wait_hanging(3)
    assert part.state is State.RUNNING
    outage.down = True
    channel.release_hang.set()  # the messages go out while the database is away
    await outage.wait_refused(6)  # each outcome tried at least twice
    assert not tick.done()
    assert (part.state, part.error) == (State.DOWN, "outcome not recorded: ConnectionRefusedError")
    outage.down = False
    assert (await tick).outcomes == Counter(sent=3)
    assert sorted(channel.sent_ids()) == ids
    for iid in ids:
        row = await seed.get(iid)
        assert row.status is S.SENT and row.claimed_by is None and row.attempts == 1
    retrying = [r for r in caplog.records if r.getMessage() == "outcome not recorded yet, retrying"]
    assert len(retrying) == 3, "one line per outcome, not one per try"
    assert all(r.exc_info is None for r in caplog.records)


async def test_claims_abandoned_in_an_outage_lapse_and_are_never_renewed(
    seed: Seeder, outage: Outage, now: datetime, lease: timedelta
) -> None:
    ids = await seed.due(customers=4)
    channel = TestChannel()
    channel.fail(Failure.HANG, 4)
    first = dispatcher(outage, channel, now, patience=timedelta(seconds=0.3))
    tick = asyncio.create_task(first.tick())
    await channel.wait_hanging(4)
    outage.down = True
    channel.release_hang.set()
    await tick  # gave up recording: the claims are left to lapse with the lease
    outage.down = False
    claimed = [await seed.get(iid) for iid in ids]
    assert {(r.status, r.claimed_by) for r in claimed} == {(S.SENDING, "worker-a")}
    until = {r.claim_expires_at for r in claimed}

    # The same worker ticks on: it neither renews nor sends what it no longer works on ...
    later = dispatcher(outage, channel, now + lease / 2)
    assert (await later.tick()).claimed == 0
    assert {(await seed.get(iid)).claim_expires_at for iid in ids} == until
    # ... until the claims lapse; then they are sent again (their first outcome was unknown).
    after = dispatcher(outage, channel, now + lease)
    assert (await after.tick()).outcomes == Counter(sent=4)
    assert (await seed.statuses()) == {S.SENT: 4}


async def test_a_batch_claimed_but_not_checked_is_abandoned_and_sent_after_the_lease(
    seed: Seeder, outage: Outage, now: datetime, lease: timedelta
) -> None:
    """The database goes away between the claim of a batch and its check."""
    await seed.due(customers=2)
    channel = TestChannel()
    outage.down_after(2)  # the lease, the claim; then the check is refused
    with pytest.raises(ConnectionRefusedError):
        await dispatcher(outage, channel, now).drain()
    outage.up()
    assert (await seed.statuses()) == {S.SENDING: 2} and channel.sent == []
    assert (await dispatcher(outage, channel, now).tick()).claimed == 0  # not renewed
    assert (await dispatcher(outage, channel, now + lease).tick()).outcomes == Counter(sent=2)
    assert (await seed.statuses()) == {S.SENT: 2}
