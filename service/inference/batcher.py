"""Micro-batching: requests that arrive together share one model call.

Each request puts its items (passages, or prepared article units) on a queue; `workers` loops each
take what arrived within `max_wait_ms` (up to `max_items`), run one call on the thread pool and
hand every request its own slice of the results. Under concurrent load this replaces many small
forward passes with fewer larger ones (see benchmarks/load_results.json for the measurement).

When a shared call fails, each request's items are run again on their own, so an input that
breaks the model fails only the request that sent it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Executor


class MicroBatcher:
    def __init__(
        self, fn: Callable[[list], list], executor: Executor, workers: int, max_items: int, max_wait_ms: float
    ) -> None:
        self.fn = fn
        self.executor = executor
        self.max_items = max_items
        self.max_wait = max_wait_ms / 1000
        self.queue: asyncio.Queue = asyncio.Queue()
        self.tasks = [asyncio.create_task(self._loop()) for _ in range(workers)]

    async def submit(self, items: list) -> list:
        future = asyncio.get_running_loop().create_future()
        await self.queue.put((items, future))
        return await future

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    async def _collect(self) -> list[tuple[list, asyncio.Future]]:
        loop = asyncio.get_running_loop()
        first = await self.queue.get()
        batch = [first]
        count = len(first[0])
        deadline = loop.time() + self.max_wait
        while count < self.max_items:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            try:
                item = await asyncio.wait_for(self.queue.get(), remaining)
            except TimeoutError:
                break
            batch.append(item)
            count += len(item[0])
        return [(items, fut) for items, fut in batch if not fut.done()]  # cancelled callers drop out

    async def _loop(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            live = await self._collect()
            if not live:
                continue
            flat = [x for items, _ in live for x in items]
            try:
                results = await loop.run_in_executor(self.executor, self.fn, flat)
            except Exception as exc:
                if len(live) == 1:
                    _settle(live[0][1], exception=exc)
                else:
                    await self._one_by_one(live)
                continue
            offset = 0
            for items, fut in live:
                _settle(fut, result=results[offset : offset + len(items)])
                offset += len(items)

    async def _one_by_one(self, live: list[tuple[list, asyncio.Future]]) -> None:
        loop = asyncio.get_running_loop()
        for items, fut in live:
            if fut.done():
                continue
            try:
                _settle(fut, result=await loop.run_in_executor(self.executor, self.fn, items))
            except Exception as exc:
                _settle(fut, exception=exc)


def _settle(fut: asyncio.Future, result: object = None, exception: BaseException | None = None) -> None:
    if fut.done():  # the caller gave up (timeout, disconnect) while the call ran
        return
    if exception is not None:
        fut.set_exception(exception)
    else:
        fut.set_result(result)
