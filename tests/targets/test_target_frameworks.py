"""Quart, Falcon (WSGI and ASGI), Litestar and aiohttp test clients through adapt().

The sync ones also run through every check of ``test_target_clients.py``; aiohttp's client is
async and serves from the test's own loop, so it gets its own test here.
"""

from __future__ import annotations

import json

import pytest

from pytest_cors import async_simulate_fetch
from pytest_cors.http import Headers, Request
from pytest_cors.targets import adapt
from pytest_cors.targets.aiohttp_ import AiohttpTarget
from pytest_cors.targets.asgi import AsgiTarget
from pytest_cors.targets.httpx_ import HttpxTarget
from pytest_cors.targets.wsgi import WsgiTarget
from tests.targets.apps import ALLOWED
from tests.targets.more_apps import aiohttp_app, falcon_app, litestar_app, quart_app


@pytest.mark.parametrize(
    ("make", "kind", "base_url"),
    [
        (lambda: quart_app().test_client(), AsgiTarget, "http://localhost"),
        (lambda: falcon_testing(falcon_app()), WsgiTarget, "http://falconframework.org"),
        (lambda: falcon_testing(falcon_app(asgi=True)), AsgiTarget, "http://falconframework.org"),
        (lambda: litestar_testing(litestar_app()), HttpxTarget, "http://testserver.local"),
    ],
    ids=["quart", "falcon", "falcon-asgi", "litestar"],
)
def test_adapter_and_base_url(make, kind, base_url):
    target = adapt(make())
    assert isinstance(target, kind)
    assert target.base_url == base_url


def falcon_testing(app):
    from falcon.testing import TestClient

    return TestClient(app)


def litestar_testing(app):
    from litestar.testing import TestClient

    return TestClient(app)


async def test_aiohttp_test_client():
    from aiohttp.test_utils import TestClient, TestServer

    async with TestClient(TestServer(aiohttp_app())) as client:
        await client.get("/login")  # the client's own jar now holds session=secret
        assert client.session.cookie_jar.filter_cookies(client.make_url("/"))
        target = adapt(client)
        assert isinstance(target, AiohttpTarget)
        assert target.base_url == str(client.make_url("")).rstrip("/")
        headers = Headers([("Origin", ALLOWED), ("X-Token", "t")])
        echoed = await target.send(Request("GET", "https://api.example.com/echo-headers", headers))
        assert json.loads(echoed.body) == [
            ["host", "api.example.com"],
            ["origin", ALLOWED],
            ["x-token", "t"],
        ]
        cookie = await target.send(Request("GET", f"{target.base_url}/echo-cookie"))
        assert cookie.body == b"<none>"
        redirect = await target.send(Request("GET", f"{target.base_url}/redirect"))
        assert redirect.status == 302
        outcome = await async_simulate_fetch(
            client,
            "/items",
            origin=ALLOWED,
            method="PUT",
            headers={"Content-Type": "application/json"},
            credentials="include",
        )
        assert outcome.allowed
        assert outcome.preflight is not None
        assert outcome.readable_headers["x-total"] == "3"
