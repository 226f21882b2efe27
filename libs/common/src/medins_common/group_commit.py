"""Group commit: concurrent requests that each write a little share one transaction.

A request hands its item to ``GroupCommit.submit`` and waits. Up to ``max_concurrent``
batches run at a time; each takes what has queued (up to ``max_size`` items) and runs it in one
call of the batch function, which answers every item with its result or with the item's own
refusal. A request that finds a batch free runs at once, as a batch of one, so under a light
load nothing waits; under load, the requests that arrive while the batches are in the database
go together in the next ones, and the fixed costs of a transaction (begin, commit, a round trip
per statement) are paid once for all of them. PostgreSQL does the same with the WAL flushes of
concurrent commits. More than one batch at a time keeps the process busy while a batch waits
for the database.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

# Answers one item each, in order: its result, or the exception that refuses that item alone.
BatchFunction = Callable[[list[Item]], Awaitable[Sequence[Result | Exception]]]


class GroupCommit(Generic[Item, Result]):
    def __init__(
        self, run_batch: BatchFunction[Item, Result], *, max_size: int, max_concurrent: int
    ) -> None:
        if max_size < 1 or max_concurrent < 1:
            raise ValueError("at least one batch of at least one item")
        self._run_batch = run_batch
        self._max_size = max_size
        self._max_concurrent = max_concurrent
        self._queue: deque[tuple[Item, asyncio.Future[Result]]] = deque()
        self._running = 0  # counted here, not by the tasks: a runner that is ending counts 0
        self._runners: set[asyncio.Task[None]] = set()  # held, so that none is collected

    async def submit(self, item: Item) -> Result:
        """The item's result once its batch has run; its refusal raised here.

        A caller cancelled before its batch began leaves its item out; once the batch has
        begun, the item is settled whatever becomes of the caller (as a request that dies
        after its transaction has committed).
        """
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._queue.append((item, future))
        if self._running < self._max_concurrent:
            self._running += 1
            # An empty context: the batches serve many requests, so none lends them its own
            # context variables (correlation id, logging context).
            runner = asyncio.create_task(self._drain(), context=contextvars.Context())
            self._runners.add(runner)
            runner.add_done_callback(self._runners.discard)
        return await future

    async def _drain(self) -> None:
        batch: list[tuple[Item, asyncio.Future[Result]]] = []
        try:
            while self._queue:
                batch = self._next_batch()
                if not batch:
                    continue
                try:
                    outcomes: Sequence[Result | Exception] = await self._run_batch(
                        [item for item, _ in batch]
                    )
                except Exception as failure:  # the whole batch failed: so did each item
                    outcomes = [failure] * len(batch)
                for (_, future), outcome in zip(batch, outcomes, strict=True):
                    if future.done():  # its caller was cancelled meanwhile
                        continue
                    if isinstance(outcome, Exception):
                        future.set_exception(outcome)
                    else:
                        future.set_result(outcome)
                batch = []
        finally:
            self._running -= 1
            # Cancelled (the process is stopping): nobody is left waiting for ever.
            for _, future in (*batch, *(self._queue if not self._running else ())):
                future.cancel()

    def _next_batch(self) -> list[tuple[Item, asyncio.Future[Result]]]:
        batch = []
        while self._queue and len(batch) < self._max_size:
            item, future = self._queue.popleft()
            if not future.done():
                batch.append((item, future))
        return batch
