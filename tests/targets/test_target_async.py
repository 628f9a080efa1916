"""run_sync and the sync/async views: async targets from sync code and back."""

from __future__ import annotations

import asyncio

import pytest
import pytest_asyncio

from pytest_cors.errors import CorsUsageError
from pytest_cors.http import Request
from pytest_cors.targets import adapt, as_async, as_sync, run_sync
from tests.targets.apps import ALLOWED, recording_asgi, recording_wsgi, starlette_app
from tests.targets.more_apps import aiohttp_app


async def current_loop():
    return asyncio.get_running_loop()


def test_run_sync_returns_the_result_and_raises_the_error():
    async def answer():
        return 42

    async def fail():
        raise ValueError("inside")

    assert run_sync(answer()) == 42
    with pytest.raises(ValueError, match="inside"):
        run_sync(fail())


def test_run_sync_keeps_one_loop_across_calls():
    assert run_sync(current_loop()) is run_sync(current_loop())


async def test_run_sync_works_while_this_thread_runs_a_loop():
    mine = asyncio.get_running_loop()
    theirs = run_sync(current_loop())
    assert theirs is not mine
    response = as_sync(adapt(recording_asgi([]))).send(Request("GET", "http://testserver/"))
    assert response.status == 200


def test_run_sync_inside_its_own_loop_is_refused():
    async def nested():
        inner = current_loop()
        try:
            run_sync(inner)
        except CorsUsageError as exc:
            return str(exc)
        return "no error"

    assert "use the async API" in run_sync(nested())


async def test_as_async_drives_a_sync_target_inline():
    record = []
    target = as_async(adapt(recording_wsgi(record)))
    response = await target.send(Request("GET", "http://testserver/items"))
    assert response.body == b"hello world"
    assert len(record) == 1


async def test_async_simulate_fetch_with_httpx_async_client_and_raw_asgi():
    import httpx

    from pytest_cors import async_simulate_fetch

    transport = httpx.ASGITransport(app=starlette_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        for target in (client, starlette_app()):
            outcome = await async_simulate_fetch(
                target, "/items", origin=ALLOWED, method="PUT", headers={"X-Token": "t"}
            )
            assert outcome.allowed
            assert outcome.preflight is not None
            assert outcome.readable_headers["x-total"] == "3"


async def test_sync_simulate_fetch_inside_an_async_test():
    """The loop of this test is running: the async target is driven on the private loop."""
    from pytest_cors import simulate_fetch

    outcome = simulate_fetch(starlette_app(), "/items", origin="https://evil.example")
    assert not outcome.allowed
    assert outcome.failure.code == "CORSMissingAllowOrigin"


@pytest_asyncio.fixture
async def aiohttp_client_here():
    """aiohttp's test client started on the test's loop, as an async fixture (or
    pytest-aiohttp's ``aiohttp_client``) starts it."""
    from aiohttp.test_utils import TestClient, TestServer

    async with TestClient(TestServer(aiohttp_app())) as client:
        yield client


def test_sync_simulate_fetch_with_an_aiohttp_client_from_an_async_fixture(aiohttp_client_here):
    """The fixture's loop is idle while this sync test runs: the requests run on it."""
    from pytest_cors import simulate_fetch

    outcome = simulate_fetch(aiohttp_client_here, "/items", origin=ALLOWED, method="PUT")
    assert outcome.allowed
    assert outcome.preflight is not None
    assert outcome.readable_headers["x-total"] == "3"


async def test_sync_simulate_fetch_on_the_loop_serving_aiohttp_is_a_usage_error(
    aiohttp_client_here,
):
    """This test's loop serves the client and waits for the sync call: no answer could ever
    come, so the kit says what to do instead of timing out."""
    from pytest_cors import simulate_fetch

    with pytest.raises(CorsUsageError, match="await async_simulate_fetch"):
        simulate_fetch(aiohttp_client_here, "/items", origin=ALLOWED)


async def test_async_simulate_fetch_with_aiohttp_served_by_a_loop_in_another_thread():
    """An aiohttp client served by a loop in another thread is reached from this test's loop."""
    import threading

    from aiohttp.test_utils import TestClient, TestServer

    from pytest_cors import async_simulate_fetch

    home = asyncio.new_event_loop()
    thread = threading.Thread(target=home.run_forever, daemon=True)
    thread.start()
    client = TestClient(TestServer(aiohttp_app()))
    try:
        asyncio.run_coroutine_threadsafe(client.start_server(), home).result()
        outcome = await async_simulate_fetch(client, "/items", origin="https://evil.example")
        assert not outcome.allowed
        assert outcome.failure.code == "CORSMissingAllowOrigin"
        assert outcome.actual.response.status == 200
    finally:
        asyncio.run_coroutine_threadsafe(client.close(), home).result()
        home.call_soon_threadsafe(home.stop)
        thread.join()
        home.close()
