from api import SHOP, app

from pytest_cors import assert_xhr_allows, simulate_beacon, simulate_eventsource, simulate_xhr

api = app.test_client()


def test_a_credentialed_xhr_reads_the_cart():
    # xhr.withCredentials = true: the cookie goes, and the API must allow credentials
    outcome = assert_xhr_allows(api, "/cart", origin=SHOP, with_credentials=True)
    assert "Cookie" in outcome.actual.request.headers


def test_an_upload_progress_listener_adds_a_preflight():
    # a simple text/plain POST needs no preflight...
    plain = simulate_xhr(api, "/upload", origin=SHOP, method="POST", body="x")
    assert plain.preflight is None and plain.used
    # ...until xhr.upload.onprogress is set: then the API must answer an OPTIONS preflight
    tracked = simulate_xhr(
        api, "/upload", origin=SHOP, method="POST", body="x", upload_listeners=True
    )
    assert tracked.preflight is not None and tracked.used  # flask-cors answers it


def test_the_event_stream_and_a_beacon():
    stream = simulate_eventsource(api, "/events", origin=SHOP, with_credentials=True)
    assert stream.initiator == "eventsource" and stream.used
    beacon = simulate_beacon(api, "/upload", origin=SHOP, body="bye")
    assert beacon.used and not beacon.readable  # delivered; a beacon's answer is never read
