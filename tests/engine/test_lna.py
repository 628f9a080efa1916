"""Local Network Access: a permission gate before CORS (measured in Chromium 156, Firefox 153.8)."""

import pytest

from pytest_cors.engine import get_profile, prepare_request, run_fetch
from pytest_cors.engine.lna import LocalNetwork, address_space
from pytest_cors.errors import CorsUsageError
from pytest_cors.http import Headers, Response

PAGE = "https://app.example.com"
DEFAULT = LocalNetwork()  # every permission at its default, "prompt"
OPEN = Headers(
    (
        ("Access-Control-Allow-Origin", "*"),
        ("Access-Control-Allow-Methods", "PUT"),
        ("Access-Control-Allow-Private-Network", "true"),
    )
)


def run(url, lna=DEFAULT, browser="chromium", origin=PAGE, method="GET", responses=()):
    profile = get_profile(browser)
    req = prepare_request(url, origin=origin, profile=profile, method=method, local_network=lna)
    flow = run_fetch(req, profile)
    sent, replies = [], iter(responses)
    try:
        request = next(flow)
        while True:
            sent.append(request)
            request = flow.send(next(replies))
    except StopIteration as stop:
        return stop.value, sent


@pytest.mark.parametrize(
    ("host", "space"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("[::1]", "loopback"),
        ("localhost", "loopback"),
        ("api.localhost", "loopback"),
        ("LOCALHOST.", "loopback"),
        ("0.0.0.0", "loopback"),
        ("10.1.2.3", "local"),
        ("172.16.0.1", "local"),
        ("172.31.255.255", "local"),
        ("192.168.1.10", "local"),
        ("169.254.169.254", "local"),
        ("[fd00::1]", "local"),
        ("[fe80::1]", "local"),
        ("[::ffff:192.168.0.1]", "local"),
        ("printer.local", "local"),
        ("172.32.0.1", "public"),
        ("8.8.8.8", "public"),
        ("[2001:db8::1]", "public"),
        ("api.example.com", "public"),
        ("localhost.example.com", "public"),
    ],
)
def test_the_address_space_of_a_host(host, space):
    assert address_space(host) == space


@pytest.mark.parametrize(
    ("url", "space", "permission"),
    [
        ("http://127.0.0.1:8000/x", "loopback", "loopback-network"),
        ("http://localhost:8000/x", "loopback", "loopback-network"),
        ("http://192.168.1.10/x", "local", "local-network"),
    ],
)
def test_a_public_page_is_refused_a_private_address_without_a_request(url, space, permission):
    outcome, sent = run(url, responses=[Response(200, OPEN)])
    assert sent == []  # no preflight either: the PNA header cannot opt in
    assert not outcome.allowed
    failure = outcome.failure
    assert failure.code == "LocalNetworkAccessDenied"
    assert failure.chromium_error == "LocalNetworkAccessPermissionDenied"
    assert failure.message == (
        f"Access to fetch at '{url}' from origin '{PAGE}' has been blocked by CORS policy: "
        f"Permission was denied for this request to access the `{space}` address space."
    )
    assert failure.failed_parameter == permission
    assert f"'{permission}' permission" in failure.hint and "not CORS" in failure.hint


@pytest.mark.parametrize("state", ["prompt", "denied"])
def test_prompt_is_denied_in_a_test_no_user_answers_it(state):
    outcome, sent = run("http://10.0.0.5/x", LocalNetwork(local_network=state))
    assert sent == [] and outcome.failure.code == "LocalNetworkAccessDenied"


def test_a_granted_permission_lets_the_request_on_to_cors_with_no_pna_header():
    lna = LocalNetwork(loopback_network="granted")
    outcome, sent = run(
        "http://127.0.0.1:8000/x", lna, method="PUT", responses=[Response(204, OPEN)] * 2
    )
    assert outcome.allowed
    assert [r.method for r in sent] == ["OPTIONS", "PUT"]
    for request in sent:
        assert "Access-Control-Request-Private-Network" not in request.headers


def test_granted_the_ordinary_cors_check_still_decides():
    lna = LocalNetwork(local_network="granted")
    outcome, sent = run("http://192.168.1.10/x", lna, responses=[Response(200, Headers(()))])
    assert len(sent) == 1
    assert outcome.failure.code == "CORSMissingAllowOrigin"


@pytest.mark.parametrize(
    ("lna", "url"),
    [
        (LocalNetwork(local_network="granted"), "http://127.0.0.1/x"),
        (LocalNetwork(loopback_network="granted"), "http://192.168.1.10/x"),
    ],
)
def test_each_permission_covers_only_its_own_space(lna, url):
    outcome, sent = run(url, lna, responses=[Response(200, OPEN)])
    assert sent == [] and outcome.failure.code == "LocalNetworkAccessDenied"


def test_a_page_that_is_not_a_secure_context_is_refused_whatever_the_permission():
    lna = LocalNetwork(loopback_network="granted")
    outcome, sent = run(
        "http://127.0.0.1:9/x",
        lna,
        origin="http://app.example.com",
        responses=[Response(200, OPEN)],
    )
    assert sent == []
    assert outcome.failure.chromium_error == "InsecureLocalNetwork"
    assert outcome.failure.message.endswith(
        "The request client is not a secure context and the resource is in more-private "
        "address space `loopback`."
    )


@pytest.mark.parametrize(
    ("origin", "lna"),
    [
        ("http://localhost:3000", LocalNetwork()),  # a loopback page reaches anything
        ("http://192.168.1.2", LocalNetwork()),  # a local page reaches loopback (measured)
        (PAGE, LocalNetwork(page_space="local")),  # a page declared local
    ],
)
def test_only_a_public_page_is_gated(origin, lna):
    outcome, sent = run(
        "http://127.0.0.1:8000/x", lna, origin=origin, responses=[Response(200, OPEN)]
    )
    assert outcome.allowed and len(sent) == 1


def test_a_declared_target_space_gates_a_name_and_a_public_one_frees_an_ip():
    outcome, sent = run("https://nas.internal/x", LocalNetwork(target_space="local"))
    assert sent == [] and "`local` address space" in outcome.failure.message
    outcome, sent = run(
        "http://10.0.0.1/x", LocalNetwork(target_space="public"), responses=[Response(200, OPEN)]
    )
    assert outcome.allowed and len(sent) == 1


def test_a_redirect_to_a_loopback_address_is_refused_at_the_redirect():
    moved = Response(
        302,
        Headers((("Location", "http://127.0.0.1:8000/y"), ("Access-Control-Allow-Origin", "*"))),
    )
    outcome, sent = run("https://api.example.com/x", responses=[moved, Response(200, OPEN)])
    assert len(sent) == 1
    assert outcome.failure.code == "LocalNetworkAccessDenied"
    assert outcome.failure.step == "redirect"
    assert "(redirected from 'https://api.example.com/x')" in outcome.failure.message


@pytest.mark.parametrize("browser", ["safari", "spec"])
def test_other_engines_have_no_such_gate(browser):
    outcome, sent = run("http://192.168.1.10/x", browser=browser, responses=[Response(200, OPEN)])
    assert outcome.allowed and len(sent) == 1


@pytest.mark.parametrize(
    ("url", "space", "permission"),
    [
        ("https://127.0.0.1:8443/x", "loopback", "loopback-network"),
        ("http://192.168.1.10/x", "local", "local-network"),
    ],
)
@pytest.mark.parametrize("state", ["prompt", "denied"])
def test_firefox_refuses_a_public_page_without_a_request_in_its_own_words(
    url, space, permission, state
):
    # Firefox 153.8 ESR, default prefs (network.lna.enabled, network.lna.blocking): measured
    lna = LocalNetwork(local_network=state, loopback_network=state)
    outcome, sent = run(url, lna, browser="firefox", responses=[Response(200, OPEN)])
    assert sent == []
    failure = outcome.failure
    assert failure.code == "LocalNetworkAccessDenied"
    assert failure.message == (
        "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote "
        f"resource at {url}. (Reason: CORS request did not succeed). Status code: (null)."
    )
    assert failure.failed_parameter == permission
    assert "Firefox" in failure.hint and f"'{permission}' permission" in failure.hint
    assert f"{space} address" in failure.hint


def test_firefox_permissions_cover_their_own_space_and_let_cors_decide():
    loopback = LocalNetwork(loopback_network="granted")
    outcome, sent = run(
        "https://127.0.0.1:8443/x",
        loopback,
        browser="firefox",
        method="PUT",
        responses=[Response(204, OPEN)] * 2,
    )
    assert outcome.allowed and [r.method for r in sent] == ["OPTIONS", "PUT"]
    assert all("Access-Control-Request-Private-Network" not in r.headers for r in sent)
    outcome, sent = run("http://192.168.1.10/x", loopback, browser="firefox")
    assert sent == [] and outcome.failure.code == "LocalNetworkAccessDenied"
    outcome, sent = run(
        "https://127.0.0.1:8443/x",
        loopback,
        browser="firefox",
        responses=[Response(200, Headers(()))],
    )
    assert len(sent) == 1 and outcome.failure.code == "CORSMissingAllowOrigin"


def test_firefox_asks_a_page_that_is_not_a_secure_context_like_any_other():
    # network.lna.block_insecure_contexts is false by default (Firefox 153.8, measured)
    page = "http://app.example.com"
    granted = LocalNetwork(loopback_network="granted")
    outcome, sent = run(
        "http://127.0.0.1:9/x", granted, browser="firefox", origin=page,
        responses=[Response(200, OPEN)],
    )  # fmt: skip
    assert outcome.allowed and len(sent) == 1
    outcome, sent = run("http://127.0.0.1:9/x", browser="firefox", origin=page)
    assert sent == [] and "CORS request did not succeed" in outcome.failure.message


def test_firefox_gates_only_a_public_page():
    outcome, sent = run(
        "http://127.0.0.1:8000/x", LocalNetwork(page_space="local"), browser="firefox",
        responses=[Response(200, OPEN)],
    )  # fmt: skip
    assert outcome.allowed and len(sent) == 1


def test_without_local_network_the_gate_is_off():
    outcome, sent = run("http://127.0.0.1:8000/x", lna=None, responses=[Response(200, OPEN)])
    assert outcome.allowed and len(sent) == 1


@pytest.mark.parametrize(
    "kwargs",
    [{"local_network": "yes"}, {"loopback_network": True}, {"page_space": "private"}],
)
def test_bad_local_network_values_are_usage_errors(kwargs):
    with pytest.raises(CorsUsageError, match="must be one of"):
        LocalNetwork(**kwargs)


def test_prepare_request_refuses_anything_but_a_local_network():
    with pytest.raises(CorsUsageError, match="local_network must be a LocalNetwork"):
        prepare_request(
            "http://127.0.0.1/",
            origin=PAGE,
            profile=get_profile("chromium"),
            local_network="granted",
        )
