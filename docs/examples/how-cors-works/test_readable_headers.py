from api import app

from pytest_cors import simulate_fetch


def test_the_page_reads_safelisted_and_exposed_headers_only():
    outcome = simulate_fetch(app, "https://api.example.com/items", origin="https://app.example.com")
    assert outcome.readable_headers == {
        "content-type": "application/json",  # CORS-safelisted
        "x-total-count": "2",  # listed in Access-Control-Expose-Headers
    }  # ETag and Vary were sent but stay hidden from the page
