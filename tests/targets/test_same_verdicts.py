"""In-process and over a real socket, the kit must reach the same verdicts.

Flask + flask-cors, Starlette and FastAPI + CORSMiddleware, Django + django-cors-headers, each
driven three ways: its native test client, the bare app (raw WSGI/ASGI adapter) and a loopback
server (werkzeug / uvicorn) reached as a URL string. For every request in the table the
verdict, the preflight, the failure code, the final status and what the page can read must agree.
"""

from __future__ import annotations

import pytest

from pytest_cors import simulate_fetch
from tests.servers import serve_asgi, serve_wsgi
from tests.targets.apps import ALLOWED, fastapi_app, flask_app, starlette_app
from tests.targets.more_apps import aiohttp_app, falcon_app, litestar_app, quart_app

EVIL = "https://app.example.com.evil.net"

# (id, path, fetch keyword arguments, expected allowed, expected preflight)
TABLE = [
    ("simple-get", "/items", {}, True, False),
    ("simple-get-credentials", "/items", {"credentials": "include"}, True, False),
    ("other-origin", "/items", {"origin": EVIL}, False, False),
    ("null-origin", "/items", {"origin": "null"}, False, False),
    (
        "put-json",
        "/items",
        {"method": "PUT", "headers": {"Content-Type": "application/json"}},
        True,
        True,
    ),
    (
        "put-json-credentials",
        "/items",
        {"method": "PUT", "headers": {"Content-Type": "application/json"}, "credentials": True},
        True,
        True,
    ),
    ("put-other-origin", "/items", {"method": "PUT", "origin": EVIL}, False, True),
    ("delete-not-allowed", "/items", {"method": "DELETE"}, False, True),
    ("patch-not-allowed", "/items", {"method": "PATCH"}, False, True),
    ("post-text-body", "/items", {"method": "POST", "body": "hello"}, True, False),
    ("allowed-header", "/items", {"headers": {"X-Token": "t"}}, True, True),
    ("other-header", "/items", {"headers": {"X-Other": "t"}}, False, True),
    ("cookie-route-credentials", "/echo-cookie", {"credentials": "include"}, True, False),
    ("redirect-followed", "/redirect", {}, True, False),
    ("not-found-still-cors", "/missing", {}, True, False),
    ("redirect-other-origin", "/redirect", {"origin": EVIL}, False, False),
]


def verdict(target, path, kwargs):
    return summary(simulate_fetch(target, path, **{"origin": ALLOWED, **kwargs}))


def summary(outcome):
    return {
        "allowed": outcome.allowed,
        "preflight": outcome.preflight is not None,
        "failure": outcome.failure.code if outcome.failure else None,
        "status": outcome.status,
        "readable": dict(outcome.readable_headers),
    }


@pytest.fixture(scope="module")
def flask_ways():
    app = flask_app()
    with serve_wsgi(app) as base_url:
        yield {"test client": app.test_client(), "bare app": app, "live server": base_url}


@pytest.fixture(scope="module")
def starlette_ways():
    from starlette.testclient import TestClient

    app = starlette_app()
    with serve_asgi(app) as base_url, TestClient(app) as client:
        yield {"test client": client, "bare app": app, "live server": base_url}


@pytest.fixture(scope="module")
def fastapi_ways():
    from starlette.testclient import TestClient

    app = fastapi_app()
    with serve_asgi(app) as base_url, TestClient(app) as client:
        yield {"test client": client, "bare app": app, "live server": base_url}


@pytest.fixture
def django_ways(django_settings):
    """Per test: Django's handlers read the (per-test) settings when they are built."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import Client

    app = WSGIHandler()
    with serve_wsgi(app) as base_url:
        yield {"test client": Client(), "bare app": app, "live server": base_url}


@pytest.fixture(scope="module")
def quart_ways():
    app = quart_app()
    with serve_asgi(app) as base_url:
        yield {"test client": app.test_client(), "bare app": app, "live server": base_url}


@pytest.fixture(scope="module")
def falcon_ways():
    from falcon.testing import TestClient

    app = falcon_app()
    with serve_wsgi(app) as base_url:
        yield {"test client": TestClient(app), "bare app": app, "live server": base_url}


@pytest.fixture(scope="module")
def falcon_asgi_ways():
    from falcon.testing import TestClient

    app = falcon_app(asgi=True)
    with serve_asgi(app) as base_url:
        yield {"test client": TestClient(app), "bare app": app, "live server": base_url}


@pytest.fixture(scope="module")
def litestar_ways():
    from litestar.testing import TestClient

    app = litestar_app()
    with serve_asgi(app) as base_url, TestClient(app) as client:
        yield {"test client": client, "bare app": app, "live server": base_url}


# Frameworks whose middleware is configured with the table's allowlist (methods and headers
# included); Falcon's CORSMiddleware has no method or header allowlist, so for Falcon only the
# agreement between the three ways is checked.
STRICT = {"flask", "starlette", "fastapi", "django", "quart", "litestar"}


@pytest.fixture(
    params=["flask", "starlette", "fastapi", "django", "quart", "falcon", "falcon_asgi", "litestar"]
)
def ways(request):
    return request.param, request.getfixturevalue(f"{request.param}_ways")


@pytest.mark.parametrize(
    ("path", "kwargs", "allowed", "preflight"),
    [row[1:] for row in TABLE],
    ids=[row[0] for row in TABLE],
)
def test_same_verdict_in_process_and_live(ways, path, kwargs, allowed, preflight):
    framework, targets = ways
    verdicts = {name: verdict(target, path, kwargs) for name, target in targets.items()}
    first = verdicts["test client"]
    if framework in STRICT:
        assert (first["allowed"], first["preflight"]) == (allowed, preflight)
    for name, other in verdicts.items():
        assert other == first, f"{name} disagrees with the test client"


# aiohttp-cors decorates the routes it was given only: a 404 carries no CORS headers, so the
# browser hides it from the page (a known surprise of that middleware, reported faithfully).
AIOHTTP_DIFFERS = {"not-found-still-cors": (False, False)}


async def test_aiohttp_same_verdicts_through_its_client_and_as_a_url():
    """aiohttp's test client is async; the URL string is driven from a worker thread while the
    test's loop keeps serving."""
    import asyncio

    from aiohttp.test_utils import TestClient, TestServer

    from pytest_cors import async_simulate_fetch

    loop = asyncio.get_running_loop()
    async with TestClient(TestServer(aiohttp_app())) as client:
        base_url = str(client.make_url("")).rstrip("/")
        for row_id, path, kwargs, allowed, preflight in TABLE:
            options = {"origin": ALLOWED, **kwargs}
            native = summary(await async_simulate_fetch(client, path, **options))
            live = await loop.run_in_executor(None, verdict, base_url, path, kwargs)
            expected = AIOHTTP_DIFFERS.get(row_id, (allowed, preflight))
            assert (native["allowed"], native["preflight"]) == expected, row_id
            assert live == native, row_id
