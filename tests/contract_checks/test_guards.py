"""Each check and guard of issue 4, against hand-written answers: one mistake at a time.

The baseline app answers exactly as the contract says and produces no finding at all; every
test changes one header and asserts the finding id it must raise (and that nothing else fails).
"""

import pytest

from pytest_cors.contract import load_contract_text
from pytest_cors.contract.checks import FINDINGS, failing
from pytest_cors.contract.deprecations import ContractDeprecationWarning
from pytest_cors.errors import TargetError
from pytest_cors.run import check_contract

from .apps import ORIGINS, allow_listed, good_headers, scripted

SPA = """\
version: 1
policies:
  - name: spa-api
    paths: [/items]
    origins:
      allow: [https://app.example.com, https://admin.example.com]
    methods: [GET, POST, PUT]
    request_headers: [Content-Type, X-Request-Id]
    expose_headers: [X-Total-Count]
    credentials: true
    max_age: {min: 60, max: 7200}
"""


def run(app, text=SPA, **kwargs):
    contract = load_contract_text(text, "cors.yaml", known_findings=FINDINGS)
    return check_contract(contract, app, **kwargs)


def by_id(results):
    out = {}
    for check, findings in results:
        for finding in findings:
            out.setdefault(finding.id, []).append((check, finding))
    return out


def failing_ids(results):
    return {f.id for _, findings in results for f in failing(findings)}


def app_with(preflight_changes=None, actual_changes=None, *, listed=True, **kwargs):
    preflight, actual = good_headers()
    preflight.update(preflight_changes or {})
    actual.update(actual_changes or {})
    app = scripted(preflight, actual, **kwargs)
    return allow_listed(app, ORIGINS) if listed else app


def test_baseline_app_keeps_the_contract_without_any_finding():
    results = run(app_with())
    assert len(results) > 50
    assert by_id(results) == {}


def test_wildcard_guard_fails_even_when_nothing_is_blocked():
    text = SPA.replace("credentials: true", "credentials: false")
    star = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Credentials": ""}
    results = run(app_with(star, star, listed=False), text)
    found = by_id(results)
    allowed = [c for c, _ in found["CORS-WILDCARD"] if c.expect == "allowed"]
    assert allowed, "allowed checks must fail on '*' although the browser lets them through"
    assert "CORS-BLOCKED" not in found
    message = found["CORS-WILDCARD"][0][1].message
    assert "'Access-Control-Allow-Origin: *'" in message
    assert "not public" in message


def test_wildcard_with_credentials_is_blocked_and_flagged():
    star = {"Access-Control-Allow-Origin": "*"}
    found = by_id(run(app_with(star, star, listed=False)))
    assert "CORS-WILDCARD" in found
    blocked = found["CORS-BLOCKED"][0][1].message
    assert (
        "must not be the wildcard '*' when the request's credentials mode is 'include'" in blocked
    )


@pytest.mark.parametrize(
    ("header", "value", "finding", "check_kind"),
    [
        ("Access-Control-Allow-Methods", "*", "CORS-WILDCARD-METHODS", "method"),
        ("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE", "CORS-EXTRA-METHOD", "method"),
        ("Access-Control-Allow-Headers", "*", "CORS-WILDCARD-HEADERS", "header"),
        (
            "Access-Control-Allow-Headers",
            "Content-Type, X-Request-Id, Authorization",
            "CORS-EXTRA-HEADER",
            "header",
        ),
    ],
)
def test_methods_and_headers_beyond_the_lists(header, value, finding, check_kind):
    # without credentials, where '*' really grants everything
    text = SPA.replace("credentials: true", "credentials: false")
    no_creds = {"Access-Control-Allow-Credentials": ""}
    results = run(app_with({header: value, **no_creds}, no_creds), text)
    assert failing_ids(results) == {finding}
    checks = [c for c, _ in by_id(results)[finding]]
    assert {c.kind for c in checks} == {check_kind}
    if finding == "CORS-EXTRA-METHOD":
        assert {c.method for c in checks} == {"DELETE"}  # PATCH is still refused
    if finding == "CORS-EXTRA-HEADER":
        assert {c.headers[0][0] for c in checks} == {"Authorization"}


def test_public_policy_must_not_grant_credentials():
    text = """\
version: 1
policies:
  - name: fonts
    paths: [/fonts/roboto.woff2]
    public: true
"""
    reflect = {
        "Access-Control-Allow-Origin": "{origin}",
        "Access-Control-Allow-Credentials": "true",
    }
    found = by_id(run(scripted(reflect, reflect), text))
    checks = {c.kind for c, _ in found["CORS-PUBLIC-CREDENTIALS"]}
    assert "credentials" in checks
    fine = {"Access-Control-Allow-Origin": "*"}
    assert by_id(run(scripted({**fine, "Access-Control-Allow-Methods": "GET"}, fine), text)) == {}


def test_a_private_network_header_is_a_warning_that_no_browser_reads_it():
    """Local Network Access (Chromium 142+) sends no PNA preflight and reads no PNA header."""
    results = run(app_with({"Access-Control-Allow-Private-Network": "true"}, listed=False))
    found = by_id(results)
    assert FINDINGS["CORS-PNA"].severity == "warning"
    assert "pna" not in {c.kind for c, _ in results}  # no PNA preflight is sent any more
    assert "Access-Control-Allow-Private-Network: true" in found["CORS-PNA"][0][1].message
    assert "Local Network Access" in found["CORS-PNA"][0][1].message
    # to listed origins, with the (deprecated) key: still a header no browser reads
    text = SPA + "    private_network: true\n"
    listed = app_with({"Access-Control-Allow-Private-Network": "true"})
    with pytest.warns(ContractDeprecationWarning, match="Local Network Access"):
        assert "CORS-PNA" in by_id(run(listed, text))
    assert "CORS-PNA" not in by_id(run(app_with({}), SPA))


def test_origin_dependent_answer_needs_vary_origin():
    found = by_id(run(app_with({"Vary": ""}, {"Vary": "Accept-Encoding"})))
    assert set(found) == {"CORS-VARY"}
    assert all(c.expect == "allowed" for c, _ in found["CORS-VARY"])
    assert "'Vary: Origin'" in found["CORS-VARY"][0][1].message
    assert by_id(run(app_with(actual_changes={"Vary": "Accept-Encoding, origin"}))) == {}
    text = SPA + "    vary: false\n"
    assert by_id(run(app_with(actual_changes={"Vary": ""}), text)) == {}


def test_cors_false_routes_grant_nothing():
    text = """\
version: 1
policies:
  - name: admin
    paths: [/admin/users]
    cors: false
    methods: [GET, POST]
"""
    assert by_id(run(scripted(), text)) == {}
    reflect = {"Access-Control-Allow-Origin": "{origin}"}
    found = by_id(run(scripted(reflect, reflect), text))
    assert set(found) == {"CORS-DISABLED"}
    assert "'cors: false'" in found["CORS-DISABLED"][0][1].message


def test_preflight_grants_what_the_actual_response_refuses():
    found = by_id(run(app_with(actual_changes={"Access-Control-Allow-Origin": ""})))
    mismatch = found["CORS-PREFLIGHT-MISMATCH"]
    assert {c.method for c, _ in mismatch} == {"GET", "POST", "PUT"}
    assert "already ran on the server" in mismatch[0][1].message


def test_preflight_refuses_what_the_actual_response_grants():
    # an auth layer answers the preflight with 401 and no CORS headers; the app itself is fine
    found = by_id(run(app_with({"Access-Control-Allow-Origin": ""}, preflight_status=401)))
    assert "CORS-BLOCKED" in found
    mismatch = found["CORS-PREFLIGHT-MISMATCH"]
    assert "the actual response grants it" in mismatch[0][1].message


@pytest.mark.parametrize(
    ("expose", "extra", "failing_expected", "reported"),
    [
        ("X-Total-Count, X-Debug-Token", {}, {"CORS-EXPOSE-SENSITIVE"}, "x-debug-token"),
        ("X-Total-Count, X-Page", {}, set(), "x-page"),
        ("X-Page", {}, {"CORS-EXPOSE-MISSING"}, "X-Total-Count"),
        ("*", {}, {"CORS-EXPOSE-MISSING"}, "X-Total-Count"),  # '*' is literal with credentials
    ],
)
def test_expose_headers_are_needed_and_a_ceiling(expose, extra, failing_expected, reported):
    results = run(app_with(actual_changes={"Access-Control-Expose-Headers": expose, **extra}))
    assert failing_ids(results) == failing_expected
    messages = [f.message for _, fs in results for f in fs if f.id.startswith("CORS-EXPOSE")]
    assert messages
    assert all(reported in m for m in messages)
    if not failing_expected:
        assert {f.id for _, fs in results for f in fs} == {"CORS-EXPOSE-EXTRA"}


def test_expose_wildcard_without_credentials_reveals_sensitive_headers():
    text = SPA.replace("credentials: true", "credentials: false")
    actual = {
        "Access-Control-Expose-Headers": "*",
        "Access-Control-Allow-Credentials": "",
        "X-Internal-Host": "db-3.internal",
    }
    preflight = {"Access-Control-Allow-Credentials": ""}
    results = run(app_with(preflight, actual), text)
    assert failing_ids(results) == {"CORS-EXPOSE-SENSITIVE"}
    message = by_id(results)["CORS-EXPOSE-SENSITIVE"][0][1].message
    assert "x-internal-host" in message
    assert "Access-Control-Expose-Headers: *" in message


@pytest.mark.parametrize(
    ("max_age", "browser", "failing_expected", "reported"),
    [
        ("86400", "chromium", {"CORS-MAX-AGE"}, {"CORS-MAX-AGE", "CORS-MAX-AGE-CAP"}),
        ("", "chromium", {"CORS-MAX-AGE"}, {"CORS-MAX-AGE"}),
        ("30", "firefox", {"CORS-MAX-AGE"}, {"CORS-MAX-AGE"}),
        ("600", "safari", set(), set()),
        ("7000", "safari", set(), {"CORS-MAX-AGE-CAP"}),
    ],
)
def test_max_age_inside_its_range_and_the_browsers_caps(
    max_age, browser, failing_expected, reported
):
    results = run(app_with({"Access-Control-Max-Age": max_age}), browser=browser)
    assert failing_ids(results) == failing_expected
    assert {f.id for _, fs in results for f in fs} == reported


def test_allow_findings_silences_a_finding_with_its_reason():
    text = SPA + (
        "    allow_findings:\n"
        "      - id: CORS-VARY\n"
        "        reason: the CDN keys its cache on Origin (OPS-1423)\n"
    )
    results = run(app_with(actual_changes={"Vary": ""}), text)
    vary = by_id(results)["CORS-VARY"]
    assert vary
    assert all(f.silenced == "the CDN keys its cache on Origin (OPS-1423)" for _, f in vary)
    assert failing_ids(results) == set()


def test_allow_findings_names_only_documented_ids():
    text = SPA + "    allow_findings:\n      - id: CORS-VARRY\n        reason: typo\n"
    with pytest.raises(Exception, match="CORS-VARY"):
        load_contract_text(text, "cors.yaml", known_findings=FINDINGS)


def test_credentials_granted_but_not_declared_is_a_warning():
    text = SPA.replace("credentials: true", "credentials: false")
    results = run(app_with(), text)
    assert failing_ids(results) == set()
    assert set(by_id(results)) == {"CORS-CREDENTIALS"}


def test_each_browser_runs_each_check_and_safari_only_probes_run_as_safari():
    text = SPA.replace("policies:", "browsers: [chromium, firefox]\npolicies:")
    results = run(app_with(), text)
    names = [c.name for c, _ in results]
    assert "spa-api::PUT /items from https://app.example.com -> allowed" in names
    assert "spa-api::PUT /items from https://app.example.com -> allowed [firefox]" in names
    safari = [c for c, _ in results if c.attack == "special-chars"]
    assert safari
    assert {c.browser for c in safari} == {"safari"}
    assert all(c.name.endswith("-> denied [safari]") for c in safari)
    assert len(names) == len(set(names))


def test_an_app_that_raises_gives_no_verdict():
    def broken(environ, start_response):
        raise RuntimeError("database is down")

    with pytest.raises(TargetError, match="database is down"):
        run(broken)


def test_a_granted_header_under_a_policy_listing_none_says_so_plainly():
    text = SPA.replace("credentials: true", "credentials: false").replace(
        "    request_headers: [Content-Type, X-Request-Id]\n", ""
    )
    no_creds = {"Access-Control-Allow-Credentials": ""}
    grants = {"Access-Control-Allow-Headers": "X-Pytest-Cors-Unlisted", **no_creds}
    results = run(app_with(grants, no_creds), text)
    (message,) = {finding.message for _, finding in by_id(results)["CORS-EXTRA-HEADER"]}
    assert "but the contract lists no request headers." in message
    assert "only none" not in message


CLOSED = """\
version: 1
policies:
  - name: admin
    paths: [/admin]
    cors: false
"""


def not_found_anywhere(environ, start_response):
    """What a mistyped base URL answers: 404 for every path, no CORS headers."""
    start_response("404 Not Found", [("Content-Type", "text/plain")])
    return [b"not found"]


def closed_route(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"admin"]


def test_a_closed_policy_answered_404_everywhere_is_a_warning_not_a_silent_pass():
    results = run(not_found_anywhere, CLOSED)
    assert failing_ids(results) == set()  # a warning: the run is not red for it
    found = by_id(results)["CORS-DISABLED-NOT-FOUND"]
    assert len(found) == len(results)  # every check of the policy says so
    assert "answers 404 Not Found" in found[0][1].message
    assert "CORS-DISABLED-NOT-FOUND" not in by_id(run(closed_route, CLOSED))
