from app import APP, app

from pytest_cors import assert_cors_allows, assert_cors_denies, simulate_fetch


def test_a_no_cors_ping_reaches_the_server_but_the_page_reads_nothing():
    outcome = simulate_fetch(app, "/ping", origin=APP, method="POST", body="hi", mode="no-cors")
    assert outcome.allowed  # fetch() resolves...
    assert outcome.response_type == "opaque"  # ...with an opaque response
    assert outcome.status == 0 and outcome.readable_headers == {}


def test_the_same_ping_in_cors_mode_is_blocked():
    assert_cors_denies(app, "/ping", origin=APP, method="POST", body="hi")


def test_same_origin_mode_never_leaves_the_page_origin():
    outcome = assert_cors_denies(app, "/items", origin=APP, mode="same-origin")
    assert outcome.failure.code == "DisallowedByMode"
    assert outcome.exchanges == []  # nothing was sent


def test_redirect_manual_and_error():
    moved = simulate_fetch(app, "/old-items", origin=APP, redirect="manual")
    assert moved.response_type == "opaqueredirect" and moved.status == 0
    refused = assert_cors_denies(app, "/old-items", origin=APP, redirect="error")
    assert refused.failure.code == "RedirectModeError"
    assert_cors_allows(app, "/old-items", origin=APP)  # follow (the default) gets there
