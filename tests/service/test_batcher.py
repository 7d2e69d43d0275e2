import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from service.inference.batcher import MicroBatcher


def test_concurrent_requests_share_one_call_and_get_their_own_slices():
    calls = []

    def fn(items):
        calls.append(list(items))
        return [x * 10 for x in items]

    async def scenario():
        batcher = MicroBatcher(fn, ThreadPoolExecutor(1), workers=1, max_items=100, max_wait_ms=50)
        results = await asyncio.gather(batcher.submit([1, 2]), batcher.submit([3]), batcher.submit([4, 5, 6]))
        await batcher.close()
        return results

    assert asyncio.run(scenario()) == [[10, 20], [30], [40, 50, 60]]
    assert calls == [[1, 2, 3, 4, 5, 6]]


def test_batches_respect_max_items_and_errors_reach_every_caller():
    def fn(items):
        if 99 in items:
            raise ValueError("bad batch")
        return items

    async def scenario():
        batcher = MicroBatcher(fn, ThreadPoolExecutor(1), workers=1, max_items=2, max_wait_ms=20)
        ok = await asyncio.gather(batcher.submit([1]), batcher.submit([2]), batcher.submit([3]))
        with pytest.raises(ValueError):
            await batcher.submit([99])
        await batcher.close()
        return ok

    assert asyncio.run(scenario()) == [[1], [2], [3]]


def test_a_failing_item_fails_only_the_request_that_sent_it():
    calls = []

    def fn(items):
        calls.append(list(items))
        if 99 in items:
            raise ValueError("bad item")
        return [x * 10 for x in items]

    async def scenario():
        batcher = MicroBatcher(fn, ThreadPoolExecutor(1), workers=1, max_items=100, max_wait_ms=50)
        results = await asyncio.gather(
            batcher.submit([1]), batcher.submit([99]), batcher.submit([2, 3]), return_exceptions=True
        )
        await batcher.close()
        return results

    first, bad, third = asyncio.run(scenario())
    assert first == [10] and third == [20, 30]
    assert isinstance(bad, ValueError)
    assert calls[0] == [1, 99, 2, 3]  # the shared call was tried first
