"""Deadlines that stop work, the queue limit, saturation in /readyz, per-article batch outcomes,
and a failing text in a shared model call failing only its own request."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx

from tests.service.conftest import AUTH, BrokenModel, SlowModel, assert_error, make_app, make_client

PASSAGE = "本店高价回收医保卡，当天结算，微信联系。"


def long_article(passages: int) -> str:
    return "\n\n".join(f"{PASSAGE}第{i}段。" for i in range(passages))


def test_a_timed_out_audit_stops_its_model_work(tmp_path):
    model = SlowModel(delay=0.05)
    # 40 passages in units of 4: ten units of model work (plus evidence calls) if nothing stopped it.
    with make_client(tmp_path, model, inference_timeout_s=0.25, unit_passages=4, batch_audit=False) as c:
        started = time.perf_counter()
        resp = c.post("/v1/audit", json={"text": long_article(40)}, headers=AUTH)
        answered = time.perf_counter() - started
        calls_at_answer = model.calls
        time.sleep(0.5)  # anything still scheduled would run now
        calls_later = model.calls
    assert_error(resp, 504, "timeout")
    assert answered < 2.0  # the deadline (0.25 s) plus at most the unit running then, with slack for a busy CPU
    # At most the unit that was running when the deadline passed finishes (a unit is 1 + evidence calls).
    assert calls_later - calls_at_answer <= 2
    assert calls_later < 10


def test_batch_keeps_finished_articles_when_the_deadline_passes(tmp_path):
    # The short article needs two calls (0.2 s); the long one thirty units of two calls (6 s).
    model = SlowModel(delay=0.1)
    with make_client(tmp_path, model, inference_timeout_s=2.0, unit_passages=2, batch_audit=False) as c:
        articles = [{"id": "short", "text": PASSAGE}, {"id": "long", "text": long_article(60)}]
        resp = c.post("/v1/audit/batch", json={"articles": articles}, headers=AUTH)
    assert resp.status_code == 200, resp.text[:300]
    short, long = resp.json()["results"]
    assert short["result"]["verdict"] == "cashout_ad" and short["error"] is None
    assert long["result"] is None and long["error"]["code"] == "timeout"


async def _with_app(app, scenario):
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await scenario(client)


def test_queue_limit_answers_503_with_retry_after_and_readyz_reports_saturation(tmp_path):
    app = make_app(tmp_path, SlowModel(delay=1.0), max_queue_depth=2, batching=False)

    async def scenario(client):
        slow = [
            asyncio.create_task(client.post("/v1/classify", json={"texts": [PASSAGE]}, headers=AUTH)) for _ in range(2)
        ]
        while app.state.service.engine.in_flight < 2:  # both admitted and waiting on the model
            await asyncio.sleep(0.01)
        ready = await client.get("/readyz")
        refused = await client.post("/v1/classify", json={"texts": [PASSAGE]}, headers=AUTH)
        done = await asyncio.gather(*slow)
        after = await client.get("/readyz")
        return ready, refused, done, after

    ready, refused, done, after = asyncio.run(_with_app(app, scenario))
    assert ready.status_code == 503 and ready.json()["error"]["code"] == "saturated"
    assert ready.json()["error"]["details"] == {"in_flight": 2, "max_queue_depth": 2, "saturated": True}
    assert refused.status_code == 503 and refused.json()["error"]["code"] == "overloaded"
    assert refused.headers["Retry-After"] == "1"
    assert [r.status_code for r in done] == [200, 200]
    assert after.status_code == 200 and after.json()["saturated"] is False


def test_a_text_that_breaks_a_shared_model_call_fails_only_its_own_request(tmp_path):
    app = make_app(tmp_path, BrokenModel(), batch_max_wait_ms=50, batch_audit=True)

    async def scenario(client):
        good = [{"texts": [f"{PASSAGE}{i}"]} for i in range(6)]
        bodies = [*good[:3], {"texts": [BrokenModel.BOOM]}, *good[3:]]
        return await asyncio.gather(*(client.post("/v1/classify", json=b, headers=AUTH) for b in bodies))

    responses = asyncio.run(_with_app(app, scenario))
    statuses = [r.status_code for r in responses]
    assert statuses == [200, 200, 200, 500, 200, 200, 200]
    broken = responses[3]
    assert broken.json()["error"]["code"] == "internal_error" and broken.headers["X-Request-ID"]


def test_audit_results_match_with_and_without_units(tmp_path):
    text = long_article(9)
    with make_client(tmp_path, unit_passages=2) as small, make_client(tmp_path, unit_passages=64) as whole:
        a = small.post("/v1/audit", json={"text": text}, headers=AUTH).json()
        b = whole.post("/v1/audit", json={"text": text}, headers=AUTH).json()
    assert a == b and len(a["passages"]) == 9


def test_an_article_that_breaks_the_model_fails_only_its_batch_item(tmp_path):
    with make_client(tmp_path, BrokenModel(), batch_audit=False) as c:
        articles = [
            {"id": "ok1", "text": PASSAGE},
            {"id": "bad", "text": BrokenModel.BOOM},
            {"id": "ok2", "text": PASSAGE},
        ]
        resp = c.post("/v1/audit/batch", json={"articles": articles}, headers=AUTH)
    assert resp.status_code == 200, resp.text[:300]
    ok1, bad, ok2 = resp.json()["results"]
    assert ok1["result"]["verdict"] == ok2["result"]["verdict"] == "cashout_ad"
    assert bad["result"] is None and bad["error"]["code"] == "internal_error"


def test_model_calls_go_through_the_periodic_trim(tmp_path, monkeypatch):
    import classifier.allocator as allocator

    threads: list[str] = []
    monkeypatch.setattr(
        allocator, "release_free_memory", lambda: threads.append(threading.current_thread().name) or True
    )
    for batching in (True, False):
        with make_client(tmp_path, malloc_trim_every=1, batching=batching) as c:
            assert c.post("/v1/classify", json={"texts": [PASSAGE]}, headers=AUTH).status_code == 200
            assert c.post("/v1/audit", json={"text": PASSAGE}, headers=AUTH).status_code == 200
            engine = c.app.state.service.engine
            assert engine.trim.trims == 2
    # The trim runs where the model ran, on an inference thread, never on the event loop.
    assert threads and all(name.startswith("inference") for name in threads)


def test_the_engine_trims_when_its_last_request_finishes(tmp_path, monkeypatch):
    import classifier.allocator as allocator

    threads: list[str] = []
    monkeypatch.setattr(
        allocator, "release_free_memory", lambda: threads.append(threading.current_thread().name) or True
    )
    with make_client(tmp_path, malloc_trim_every=1000) as c:
        assert c.post("/v1/classify", json={"texts": [PASSAGE]}, headers=AUTH).status_code == 200
        engine = c.app.state.service.engine
        deadline = time.monotonic() + 5
        while engine.trim.trims == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert engine.trim.trims == 1  # not the 1000th call: the idle moment after the request
        assert c.get("/healthz").status_code == 200  # no model call, nothing pending: no trim
        time.sleep(0.2)
        assert engine.trim.trims == 1
    assert threads and all(name.startswith("inference") for name in threads)
