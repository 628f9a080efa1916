from api import app

from pytest_cors import Browser

API = "https://api.example.com"


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_max_age_saves_preflights_until_it_runs_out():
    clock = FakeClock()
    browser = Browser("chromium", clock=clock)

    def put():
        return browser.fetch(app, API + "/items", origin="https://app.example.com", method="PUT")

    assert put().preflight is not None  # the first PUT is asked for
    clock.now = 599
    assert put().preflight is None  # Access-Control-Max-Age: 600 still covers it
    clock.now = 601
    assert put().preflight is not None  # expired: asked for again
