"""A public page reaching a device on the user's network: Chromium's Local Network Access."""

from pytest_cors.engine import get_profile, prepare_request, run_fetch
from pytest_cors.engine.lna import LocalNetwork
from pytest_cors.http import Headers, Response

CHROMIUM = get_profile("chromium")
DEVICE = "http://192.168.1.20/status"  # a local address: the `local-network` permission
OPEN = Response(200, Headers((("Access-Control-Allow-Origin", "*"),)))  # the device's answer


def fetch_device(local_network: LocalNetwork):
    """fetch(DEVICE) from a public https page; the device answers OPEN if asked."""
    request = prepare_request(
        DEVICE, origin="https://app.example.com", profile=CHROMIUM, local_network=local_network
    )
    flow = run_fetch(request, CHROMIUM)
    try:
        next(flow)  # Chromium sends the request...
        flow.send(OPEN)  # ...and the device answers
    except StopIteration as done:
        return done.value


def test_without_the_permission_nothing_is_sent():
    outcome = fetch_device(LocalNetwork())  # "prompt": no user answers it in a test
    assert outcome.failure.code == "LocalNetworkAccessDenied"
    assert outcome.exchanges == []  # no preflight, no request: no header could have helped


def test_with_the_permission_granted_cors_decides():
    outcome = fetch_device(LocalNetwork(local_network="granted"))
    assert outcome.allowed
