from cdn import SHOP, app
from starlette.testclient import TestClient

from pytest_cors import assert_load_allows, assert_load_denies, simulate_load

cdn = TestClient(app, base_url="https://cdn.example.com")


def test_the_shop_can_use_the_webfont():
    # @font-face is always a CORS request: the CDN must grant the shop's origin
    assert_load_allows(cdn, "/fonts/inter.woff2", origin=SHOP, element="font")


def test_another_site_cannot_use_the_webfont():
    outcome = assert_load_denies(
        cdn, "/fonts/inter.woff2", origin="https://copycat.test", element="font"
    )
    assert outcome.failure.message.startswith("Access to font at")


def test_a_plain_img_shows_the_logo_anywhere_but_taints_a_canvas():
    outcome = simulate_load(cdn, "/img/logo.png", origin="https://copycat.test", element="img")
    assert outcome.used  # <img src> needs no CORS header to be shown...
    assert not outcome.readable  # ...but drawn on a canvas, getImageData() throws


def test_the_shop_reads_the_logo_pixels_with_crossorigin():
    # <img crossorigin="anonymous">: a CORS request; granted, the canvas stays readable
    assert_load_allows(cdn, "/img/logo.png", origin=SHOP, element="img", crossorigin="anonymous")
