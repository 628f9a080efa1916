"""Django + django-cors-headers through ``django.test.Client`` and uvicorn on Django's ASGI
handler, and the middleware's surprises."""

from __future__ import annotations

import pytest

from pytest_cors import simulate_fetch
from tests.targets.apps import ALLOWED
from tests.targets.django_app import DJANGO_CORS, django_settings

from .stacks import DJANGO
from .suite import FrameworkSuite


class TestDjango(FrameworkSuite):
    stack = DJANGO


@pytest.mark.parametrize(
    ("entry", "allowed", "check"),
    [
        ("app.example.com", False, "corsheaders.E013"),  # no scheme: can never match
        ("https://app.example.com:443", False, None),  # the browser never sends :443
        ("HTTPS://APP.EXAMPLE.COM", False, None),  # compared as written
        ("https://app.example.com/", True, "corsheaders.E014"),  # parsed: the path is ignored
    ],
)
def test_allowed_origins_written_in_other_shapes(entry, allowed, check):
    """CORS_ALLOWED_ORIGINS needs the browser's exact spelling; Django's system checks flag
    some shapes, the kit shows what each one does."""
    from corsheaders.checks import check_settings

    with django_settings({**DJANGO_CORS, "CORS_ALLOWED_ORIGINS": [entry]}):
        from django.test import Client

        outcome = simulate_fetch(Client(), "/items", origin=ALLOWED, credentials="include")
        errors = {error.id for error in check_settings()}
    assert outcome.allowed is allowed
    assert errors == ({check} if check else set())


def test_the_test_client_reraises_by_default():
    """``Client()`` re-raises a view's exception (no verdict: TargetError); with
    ``raise_request_exception=False`` it returns the 500, which carries the CORS headers."""
    from pytest_cors.errors import TargetError

    with django_settings(DJANGO_CORS):
        from django.test import Client

        with pytest.raises(TargetError, match="RuntimeError: boom"):
            simulate_fetch(Client(), "/boom", origin=ALLOWED)
        outcome = simulate_fetch(Client(raise_request_exception=False), "/boom", origin=ALLOWED)
    assert outcome.allowed
    assert outcome.status == 500


def test_the_exception_fault_judges_djangos_500_also_through_a_reraising_client():
    """A server sends the 500 page Django answers through its middlewares: the ``exception``
    fault judges that page also through ``Client()``, which would re-raise the view's
    exception instead (its ``raise_request_exception`` is off for the check, then back)."""
    from pytest_cors.contract import load_contract_text
    from pytest_cors.contract.checks import FINDINGS, failing
    from pytest_cors.run import check_contract

    from .suite import FAULTS_CONTRACT

    contract = load_contract_text(
        FAULTS_CONTRACT.replace("not_found, method_not_allowed, ", ""),
        "cors.yaml",
        known_findings=FINDINGS,
    )
    with django_settings(DJANGO_CORS):
        from django.test import Client

        client = Client()
        results = check_contract(contract, client)
        assert client.raise_request_exception is True
    faults = {check.fault: failing(found) for check, found in results if check.kind == "fault"}
    assert faults == {"exception": []}
