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
    options = {"origin": ALLOWED, **kwargs}
    outcome = simulate_fetch(target, path, **options)
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


@pytest.fixture(params=["flask", "starlette", "fastapi", "django"])
def ways(request):
    return request.getfixturevalue(f"{request.param}_ways")


@pytest.mark.parametrize(
    ("path", "kwargs", "allowed", "preflight"),
    [row[1:] for row in TABLE],
    ids=[row[0] for row in TABLE],
)
def test_same_verdict_in_process_and_live(ways, path, kwargs, allowed, preflight):
    verdicts = {name: verdict(target, path, kwargs) for name, target in ways.items()}
    first = verdicts["test client"]
    assert (first["allowed"], first["preflight"]) == (allowed, preflight)
    for name, other in verdicts.items():
        assert other == first, f"{name} disagrees with the test client"
