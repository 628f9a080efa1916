"""Fixtures the reliability tests share: self-signed certificates and live targets of every
kind (a base URL string, a ``requests.Session``, sync and async ``httpx`` clients)."""

from __future__ import annotations

import ssl

import pytest

from pytest_cors.targets import adapt
from tests.reliability.faults import make_cert


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    """A certificate the clients trust and one they do not, both self-signed for 127.0.0.1."""
    directory = tmp_path_factory.mktemp("certs")
    return make_cert(directory, "trusted"), make_cert(directory, "untrusted")


@pytest.fixture
def live(request, certs, monkeypatch):
    """``live(kind, base_url)``: a target of that kind (``url``, ``session``, ``httpx``,
    ``async-httpx``) that trusts the good certificate only, with the requesting module's
    ``TIMEOUT``."""
    timeout = request.module.TIMEOUT
    trusted = str(certs[0][0])
    # requests reads its CA bundle from the environment even for a Session with .verify set
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", trusted)
    closers = []

    def make(kind, base_url):
        if kind == "url":
            target = adapt(base_url, timeout=timeout)
            closers.append(target.close)
            return target
        if kind == "session":
            import requests

            session = requests.Session()
            closers.append(session.close)
            return adapt(session, base_url=base_url, timeout=timeout)
        import httpx

        context = ssl.create_default_context(cafile=trusted)
        if kind == "httpx":
            client = httpx.Client(base_url=base_url, timeout=timeout, verify=context)
            closers.append(client.close)
            return adapt(client)
        client = httpx.AsyncClient(base_url=base_url, timeout=timeout, verify=context)
        return adapt(client)  # closed with its event loop

    yield make
    for close in closers:
        close()
