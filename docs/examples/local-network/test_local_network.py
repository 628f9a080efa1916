"""A public page reaching a device on the user's network: Chromium's Local Network Access."""

from pytest_cors import LocalNetwork, simulate_fetch

DEVICE = "http://192.168.1.20/status"  # a local address: the `local-network` permission
PAGE = "https://app.example.com"  # a public page


def device(environ, start_response):
    """The device's API: anyone may read its status."""
    start_response("200 OK", [("Access-Control-Allow-Origin", "*")])
    return [b'{"on": true}']


def test_without_the_permission_nothing_is_sent():
    outcome = simulate_fetch(device, DEVICE, origin=PAGE, local_network=LocalNetwork())
    # LocalNetwork() leaves the permission at "prompt": no user answers it in a test
    assert outcome.failure.code == "LocalNetworkAccessDenied"
    assert outcome.exchanges == []  # no preflight, no request: no header could have helped


def test_with_the_permission_granted_cors_decides():
    granted = LocalNetwork(local_network="granted")
    outcome = simulate_fetch(device, DEVICE, origin=PAGE, local_network=granted)
    assert outcome.allowed
