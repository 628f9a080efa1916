"""The tests every framework runs (issue 5), written once: ``class TestX(FrameworkSuite)``
with ``stack = X`` in each ``test_<framework>.py`` collects them for that framework.

Every request goes through the native test client and the loopback server; both must reach
the same verdict (:func:`agree`), and the suite then checks that verdict against what the
middleware is measured to do (the :class:`~tests.frameworks.stacks.Stack` fields).
"""

from __future__ import annotations

from typing import Any

import pytest

from pytest_cors import Outcome, async_simulate_fetch, simulate_fetch
from pytest_cors.contract import load_contract_text
from pytest_cors.contract.checks import FINDINGS, failing
from pytest_cors.contract.faults import raising_view
from pytest_cors.run import check_contract
from pytest_cors.targets import run_sync
from tests.targets.apps import ALLOWED, TEAPOT_BODY

from .stacks import EVIL, Stack

CONTRACT = """\
version: 1
policies:
  - name: api
    paths: [/items]
    origins:
      allow: [https://app.example.com]
    methods: [GET, PUT, POST]
    request_headers: [Content-Type, X-Token]
    expose_headers: [X-Total]
    credentials: true
    faults: []  # measured by test_error_answers_carry_cors (FAULTS_CONTRACT)
"""
FAULTS_CONTRACT = """\
version: 1
policies:
  - name: api
    paths: [/teapot]
    origins:
      allow: [https://app.example.com]
    methods: [GET, PUT]
    credentials: true
    faults: [not_found, method_not_allowed, exception]
    vary: false
"""
JSON = {"Content-Type": "application/json"}


def verdict(outcome: Outcome) -> tuple[Any, ...]:
    """What a page and DevTools would see: verdict, failure, preflight status, status,
    readable headers (without the ones servers fill in their own way)."""
    readable = {
        k: v for k, v in outcome.readable_headers.items() if k not in ("content-length", "date")
    }
    preflight = outcome.preflight.response.status if outcome.preflight else None
    code = outcome.failure.code if outcome.failure else None
    return outcome.allowed, code, preflight, outcome.status, readable


def agree(ways: dict[str, Any], path: str, **kwargs: Any) -> Outcome:
    """``simulate_fetch`` through every way; all must agree. Returns the test client's."""
    outcomes = {name: simulate_fetch(t, path, **kwargs) for name, t in ways.items()}
    first = verdict(outcomes["test client"])
    for name, outcome in outcomes.items():
        assert verdict(outcome) == first, f"{name} disagrees with the test client"
    return outcomes["test client"]


def contract_findings(target: Any) -> set[str]:
    """The ids of the failing findings of :data:`CONTRACT` run against ``target``."""
    contract = load_contract_text(CONTRACT, "cors.yaml", known_findings=FINDINGS)
    return {f.id for _, found in check_contract(contract, target) for f in failing(found)}


def contract_agrees(ways: dict[str, Any]) -> set[str]:
    """The contract's failing finding ids, the same through every way."""
    found = {name: contract_findings(t) for name, t in ways.items()}
    assert found["live server"] == found["test client"]
    return found["test client"]


class Servers:
    """The app of one preset at a time, through both ways; the next preset closes the last
    (Django's settings are process-wide, so two presets must never be live together)."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.preset: str | None = None
        self._open: Any = None
        self.ways: dict[str, Any] = {}

    def __call__(self, preset: str) -> dict[str, Any]:
        if preset != self.preset:
            self.close()
            self._open = self.stack.ways(preset)
            self.ways = self._open.__enter__()
            self.preset = preset
        return self.ways

    def close(self) -> None:
        if self._open is not None:
            self._open.__exit__(None, None, None)
        self._open, self.preset = None, None


DECLARED = [
    ("GET", {}),
    ("GET", {"X-Token": "t"}),
    ("PUT", JSON),
    ("PUT", {"X-Token": "t", **JSON}),
    ("POST", {}),
    ("POST", JSON),
]


class FrameworkSuite:
    """Every test takes ``servers``: the class's stack, served once per class (conftest.py)."""

    stack: Stack

    # -- (a) a strict allowlist with credentials ------------------------------------------

    @pytest.mark.parametrize(("method", "headers"), DECLARED)
    def test_strict_allows_each_declared_method_and_header(self, servers, method, headers):
        outcome = agree(
            servers("strict"),
            "/items",
            origin=ALLOWED,
            method=method,
            headers=headers,
            credentials="include",
        )
        assert outcome.allowed, outcome.explain()
        assert (outcome.preflight is not None) == (method == "PUT" or bool(headers))
        assert outcome.readable_headers["x-total"] == "3"  # exposed

    @pytest.mark.parametrize(
        ("denial", "kwargs"),
        [
            ("origin", {"origin": EVIL, "method": "PUT", "headers": JSON}),
            ("method", {"origin": ALLOWED, "method": "DELETE"}),
            ("header", {"origin": ALLOWED, "headers": {"X-Other": "1"}}),
        ],
    )
    def test_strict_preflight_answers_for_what_is_not_allowed(self, servers, denial, kwargs):
        """Each middleware answers these preflights its own way; the verdict must follow."""
        outcome = agree(servers("strict"), "/items", credentials="include", **kwargs)
        status, code = self.stack.denials[denial]
        assert outcome.preflight.response.status == status
        assert (outcome.failure.code if outcome.failure else None) == code
        assert outcome.allowed is (code is None)

    @pytest.mark.parametrize("origin", [EVIL, "null", "http://app.example.com"])
    def test_strict_denies_other_origins(self, servers, origin):
        outcome = agree(servers("strict"), "/items", origin=origin, credentials="include")
        assert not outcome.allowed
        assert outcome.failure.code == "CORSMissingAllowOrigin"
        assert outcome.actual.response.status == 200  # the server answered; the browser hid it

    def test_strict_contract(self, servers):
        """The documented configuration keeps the contract, but for what is known about it."""
        assert contract_agrees(servers("strict")) == self.stack.strict_findings

    # -- (b) all origins, no credentials ----------------------------------------------------

    def test_public_reads_are_allowed_from_any_origin(self, servers):
        outcome = agree(servers("public"), "/items", origin=EVIL)
        assert outcome.allowed, outcome.explain()
        assert outcome.status == 200

    def test_public_credentialed_reads_are_denied(self, servers):
        # a signed-out browser (no cookie): some stacks open up to a signed-in one
        outcome = agree(
            servers("public"), "/items", origin=EVIL, credentials="include", cookies=None
        )
        assert not outcome.allowed
        assert outcome.failure.code == self.stack.public_failure

    # -- (c) all origins + credentials -----------------------------------------------------

    def test_any_origin_with_credentials_browser_verdict(self, servers):
        ways = servers("any_credentials")
        behaviour = self.stack.any_credentials
        outcome = agree(ways, "/items", origin=EVIL, credentials="include", cookies=None)
        # the kit's browser is signed in by default: it holds a session cookie for the target
        signed_in = agree(ways, "/items", origin=EVIL, credentials=True)
        if behaviour == "reflect":
            assert outcome.allowed
            assert outcome.actual.response.headers.get("access-control-allow-origin") == EVIL
        elif behaviour == "cookie-reflect":
            assert outcome.failure.code == "CORSNotSupportingCredentials"
            assert outcome.actual.response.headers.get("access-control-allow-origin") == "*"
        else:
            assert behaviour == "refuse"
            assert outcome.failure.code == "CORSMissingAllowOrigin"
            assert outcome.actual.response.status == 500
        # a signed-in user's browser sends its cookie: any page then reads the answer
        assert signed_in.allowed is (behaviour != "refuse")

    def test_any_origin_with_credentials_contract(self, servers):
        found = contract_agrees(servers("any_credentials"))
        if self.stack.any_credentials == "refuse":
            assert "CORS-BLOCKED" in found
            assert "CORS-REFLECT" not in found
        else:
            # one cause, one id: the look-alikes that got in are reported under CORS-REFLECT
            assert "CORS-REFLECT" in found
            assert not {"CORS-NULL", "CORS-PREFIX-MATCH", "CORS-UNESCAPED-DOT"} & found

    # -- (d) origin patterns -----------------------------------------------------------------

    def test_sloppy_pattern_is_caught_by_the_probes(self, servers):
        """A pattern written the usual wrong way lets the attack origin in; the contract's
        adversarial probes name the mistake. Without pattern support, it matches nothing."""
        hole = self.stack.regex_hole
        ways = servers("sloppy_regex")
        intended = agree(ways, "/items", origin=ALLOWED, credentials="include")
        if hole is None:  # the pattern is compared as a literal origin
            assert not intended.allowed
            assert "CORS-BLOCKED" in contract_agrees(ways)
            return
        assert intended.allowed
        assert agree(ways, "/items", origin=hole.origin, credentials="include").allowed
        assert hole.finding in contract_agrees(ways)

    def test_tight_pattern_keeps_the_contract(self, servers):
        """Anchored with the dots escaped, a pattern raises no finding (no false alarm).
        Without pattern support, the exact origin list is the way (see the strict test)."""
        if self.stack.regex_hole is None:
            ways = servers("strict")
            expected = self.stack.strict_findings
        else:
            ways = servers("tight_regex")
            expected = set()  # with a pattern, even flask-cors sends Vary: Origin
        assert agree(ways, "/items", origin=ALLOWED, credentials="include").allowed
        assert contract_agrees(ways) == expected

    # -- (e) no CORS, unusual statuses and bodies ------------------------------------------

    @pytest.mark.parametrize(("method", "headers"), [("GET", {}), ("PUT", JSON)])
    def test_without_cors_nothing_is_allowed(self, servers, method, headers):
        outcome = agree(servers("bare"), "/items", origin=ALLOWED, method=method, headers=headers)
        assert not outcome.allowed
        assert outcome.failure.code == "CORSMissingAllowOrigin"

    @pytest.mark.parametrize(
        ("path", "status"), [("/missing", 404), ("/boom", 500), ("/teapot", 418)]
    )
    def test_error_statuses(self, servers, path, status):
        outcome = agree(servers("strict"), path, origin=ALLOWED)
        assert outcome.actual.response.status == status
        expected = self.stack.cors_on_404 if status == 404 else self.stack.cors_on_500
        if status == 418:
            expected = True
            assert outcome.actual.response.body == TEAPOT_BODY
        assert outcome.allowed is expected
        assert outcome.status == (status if expected else None)

    def test_preflight_for_an_unknown_route(self, servers):
        """Middlewares that answer preflights before routing grant one for any path: the
        PUT is then sent and the page reads its 404. The others fail the preflight."""
        outcome = agree(servers("strict"), "/missing", origin=ALLOWED, method="PUT")
        if self.stack.preflight_unknown_route:
            assert outcome.preflight.response.status in (200, 204)
            assert outcome.allowed
            assert outcome.status == 404
        else:
            assert not outcome.allowed
            assert outcome.preflight.response.status == 404
            assert outcome.actual is None

    def test_redirect_is_followed_with_cors(self, servers):
        outcome = agree(servers("strict"), "/redirect", origin=ALLOWED)
        assert outcome.allowed
        assert outcome.redirected

    def test_error_answers_carry_cors(self, servers):
        """The ``faults`` of a contract, measured: which error answers of the documented
        configuration lose the CORS headers (a 404 of an unrouted path, the router's 405, the
        500 of a view made to raise). The exception applies in-process only; where the kit
        cannot make a view of the framework raise, it is not applicable, never a pass."""
        contract = load_contract_text(FAULTS_CONTRACT, "cors.yaml", known_findings=FINDINGS)
        ways = servers("strict")
        seen = {}
        for way, target in ways.items():
            results = check_contract(contract, target)
            seen[way] = {
                check.fault: {f.id for f in failing(found)}
                for check, found in results
                if check.kind == "fault"
            }
        client, live = seen["test client"], seen["live server"]
        assert set(live) == {"not_found", "method_not_allowed"}  # exception: in-process only
        for fault in ("not_found", "method_not_allowed"):
            assert live[fault] == client[fault]
        masked = {fault for fault, ids in client.items() if "CORS-ERROR-MASKED" in ids}
        assert masked == self.stack.masked_faults
        assert ("exception" in client) is self.stack.raising_view
        assert all(ids <= {"CORS-ERROR-MASKED"} for ids in client.values())
        # the 500 of a view made to raise is the 500 of a view that raises by itself (/boom)
        assert ("exception" in masked) is (not self.stack.cors_on_500)

    def test_the_exception_fault_makes_the_view_raise_then_restores_it(self, servers):
        """The view the ``exception`` fault swaps answers the framework's 500 while swapped,
        and its own answer again afterwards, also when the check itself fails."""
        client = servers("strict")["test client"]
        injection = raising_view(client, "/teapot", "GET")
        assert isinstance(injection, str) is not self.stack.raising_view, injection
        if isinstance(injection, str):
            return  # not applicable, and the reason says why
        with injection():
            during = simulate_fetch(client, "/teapot", origin=ALLOWED)
        assert during.actual.response.status == 500
        with pytest.raises(RuntimeError, match="the check broke"), injection():
            raise RuntimeError("the check broke")
        after = simulate_fetch(client, "/teapot", origin=ALLOWED)
        assert after.actual.response.status == 418
        assert after.actual.response.body == TEAPOT_BODY
        # not applicable, with the reason: a path no route serves, a method the route lacks
        # (Django's URLconf routes paths only: its view answers every method itself)
        unrouted = raising_view(client, "/nowhere/at/all", "GET")
        assert isinstance(unrouted, str) and "/nowhere/at/all" in unrouted
        other_method = raising_view(client, "/teapot", "DELETE")
        assert isinstance(other_method, str) is (self.stack.name != "django"), other_method

    # -- (f) async clients -------------------------------------------------------------------

    def test_async_client_from_a_sync_test(self, servers):
        expected = verdict(agree(servers("strict"), "/items", origin=ALLOWED, method="PUT"))
        servers.close()
        with self.stack.async_ways() as make:
            client = run_sync(_open(make))
            try:
                outcome = simulate_fetch(client, "/items", origin=ALLOWED, method="PUT")
            finally:
                run_sync(_close(client))
        assert verdict(outcome) == expected

    async def test_async_client_from_an_async_test(self, servers):
        servers.close()
        with self.stack.async_ways() as make:
            client = make()
            async with _entered(client) as target:
                allowed = await async_simulate_fetch(
                    target, "/items", origin=ALLOWED, method="PUT", credentials="include"
                )
                denied = await async_simulate_fetch(target, "/items", origin=EVIL, method="PUT")
        assert allowed.allowed, allowed.explain()
        assert allowed.readable_headers["x-total"] == "3"
        assert not denied.allowed
        assert denied.failure.code == "CORSMissingAllowOrigin"


async def _open(make: Any) -> Any:
    """A client made and started on the running loop (here: the kit's private one), as
    aiohttp's TestClient needs a loop to exist and serves only once started."""
    client = make()
    if hasattr(client, "start_server"):
        await client.start_server()
    return client


async def _close(client: Any) -> None:
    if hasattr(client, "aclose"):  # httpx
        await client.aclose()
    elif hasattr(client, "start_server"):  # aiohttp
        await client.close()


class _entered:
    """``async with`` the client when it is an async context manager (httpx, aiohttp)."""

    def __init__(self, client: Any) -> None:
        self.client = client

    async def __aenter__(self) -> Any:
        if hasattr(self.client, "__aenter__"):
            return await self.client.__aenter__()
        return self.client

    async def __aexit__(self, *exc: object) -> None:
        if hasattr(self.client, "__aexit__"):
            await self.client.__aexit__(*exc)
