"""GroupCommit: items queued while batches run go together in the next batch, each caller
gets its own result or its own refusal, and no more batches run at once than allowed."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable

import pytest

from medins_common.group_commit import GroupCommit


async def eventually(condition: Callable[[], bool]) -> None:
    """Let the event loop run until the condition holds."""
    for _ in range(100):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("the condition never held")


class HeldBatches:
    """A batch function that records the batches it receives and answers each item with
    itself; the first batch waits for ``release`` before it answers."""

    def __init__(self) -> None:
        self.batches: list[list[object]] = []
        self.release = asyncio.Event()

    async def __call__(self, items: list[object]) -> list[object]:
        self.batches.append(list(items))
        if len(self.batches) == 1:
            await self.release.wait()
        return list(items)


async def test_a_lone_submit_runs_at_once_as_a_batch_of_one():
    batches: list[list[int]] = []

    async def double(items: list[int]) -> list[int]:
        batches.append(list(items))
        return [item * 2 for item in items]

    group = GroupCommit(double, max_size=8, max_concurrent=2)

    assert await group.submit(21) == 42
    assert batches == [[21]]


async def test_items_submitted_while_a_batch_runs_go_together_in_the_next_batch():
    run = HeldBatches()
    group = GroupCommit(run, max_size=3, max_concurrent=1)
    first = asyncio.create_task(group.submit(0))
    await eventually(lambda: run.batches == [[0]])

    later = [asyncio.create_task(group.submit(n)) for n in range(1, 6)]
    await asyncio.sleep(0)  # all five are queued behind the held batch
    run.release.set()

    assert await asyncio.gather(first, *later) == [0, 1, 2, 3, 4, 5]
    # Five waited: never more than max_size (3) in a batch, in the order they came.
    assert run.batches == [[0], [1, 2, 3], [4, 5]]


async def test_no_more_than_max_concurrent_batches_run_at_once():
    running = most = 0

    async def slow(items: list[int]) -> list[int]:
        nonlocal running, most
        running += 1
        most = max(most, running)
        for _ in range(5):  # stay in the "database" for a few turns of the loop
            await asyncio.sleep(0)
        running -= 1
        return list(items)

    group = GroupCommit(slow, max_size=1, max_concurrent=3)

    assert await asyncio.gather(*(group.submit(n) for n in range(10))) == list(range(10))
    assert most == 3


async def test_an_exception_answered_for_one_item_is_raised_to_that_caller_only():
    batches: list[list[int]] = []

    async def refuse_odd(items: list[int]) -> list[int | Exception]:
        batches.append(list(items))
        return [ValueError(f"odd {item}") if item % 2 else item * 10 for item in items]

    group = GroupCommit(refuse_odd, max_size=8, max_concurrent=1)

    results = await asyncio.gather(*(group.submit(n) for n in range(4)), return_exceptions=True)

    assert batches == [[0, 1, 2, 3]]  # one batch, so the refusals shared it with the others
    assert results[0] == 0 and results[2] == 20
    assert [str(result) for result in results[1::2]] == ["odd 1", "odd 3"]
    assert all(isinstance(result, ValueError) for result in results[1::2])


async def test_a_batch_that_raises_fails_each_of_its_items_and_later_submits_still_work():
    batches: list[list[int]] = []
    down = ConnectionError("database down")

    async def first_fails(items: list[int]) -> list[int]:
        batches.append(list(items))
        if len(batches) == 1:
            raise down
        return list(items)

    group = GroupCommit(first_fails, max_size=8, max_concurrent=1)

    results = await asyncio.gather(group.submit(1), group.submit(2), return_exceptions=True)

    assert batches == [[1, 2]]
    assert results == [down, down]
    assert await group.submit(3) == 3
    assert batches == [[1, 2], [3]]


async def test_a_caller_cancelled_before_its_batch_began_is_left_out_of_it():
    run = HeldBatches()
    group = GroupCommit(run, max_size=8, max_concurrent=1)
    first = asyncio.create_task(group.submit("a"))
    await eventually(lambda: run.batches == [["a"]])
    gone = asyncio.create_task(group.submit("b"))
    kept = asyncio.create_task(group.submit("c"))
    await asyncio.sleep(0)  # both are queued behind the held batch

    gone.cancel()
    run.release.set()

    assert await first == "a"
    assert await kept == "c"
    assert gone.cancelled()
    assert run.batches == [["a"], ["c"]]


async def test_a_caller_cancelled_once_its_batch_began_leaves_the_batch_to_finish():
    run = HeldBatches()
    group = GroupCommit(run, max_size=8, max_concurrent=1)
    gone = asyncio.create_task(group.submit("a"))
    await eventually(lambda: run.batches == [["a"]])

    gone.cancel()
    await asyncio.sleep(0)
    run.release.set()

    assert await group.submit("b") == "b"
    assert gone.cancelled()
    assert run.batches == [["a"], ["b"]]


@pytest.mark.parametrize(
    ("max_size", "max_concurrent"), [(0, 1), (1, 0), (-1, 4), (32, -2), (0, 0)]
)
async def test_a_batch_must_hold_an_item_and_at_least_one_batch_must_run(max_size, max_concurrent):
    async def echo(items: list[int]) -> list[int]:
        return list(items)

    with pytest.raises(ValueError):
        GroupCommit(echo, max_size=max_size, max_concurrent=max_concurrent)


async def test_the_batch_function_runs_without_the_submitters_context_variables():
    request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
        "request_id", default=None
    )

    async def seen(items: list[str]) -> list[str | None]:
        return [request_id.get() for _ in items]

    group = GroupCommit(seen, max_size=8, max_concurrent=1)
    token = request_id.set("request-1")
    try:
        assert await group.submit("x") is None
        assert request_id.get() == "request-1"  # the submitter keeps its own
    finally:
        request_id.reset(token)
