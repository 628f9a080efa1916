"""A policy's ``initiators``: the allowed checks load each path as the page does (a web font,
an image with and without ``crossorigin``), against real Starlette and Flask apps with their
own CORS middleware, and a refused load names its initiator and the fix."""

from __future__ import annotations

from flask import Flask, Response
from flask_cors import CORS
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response as StarletteResponse
from starlette.routing import Route

from pytest_cors.contract import load_contract_text
from pytest_cors.contract.checks import build_checks, failing
from pytest_cors.run import check_contract

APP = "https://app.example.com"

CDN_CONTRACT = """\
version: 1
policies:
  - name: cdn
    paths: [/fonts/a.woff2, /img/logo.png]
    origins: {allow: ["https://app.example.com"]}
    initiators: [font, {element: img, crossorigin: anonymous}]
    faults: []
"""


def starlette_cdn(origins: list[str]) -> Starlette:
    def font(request):
        return StarletteResponse(b"wOF2", media_type="font/woff2")

    def logo(request):
        return StarletteResponse(b"\x89PNG", media_type="image/png")

    return Starlette(
        routes=[Route("/fonts/a.woff2", font), Route("/img/logo.png", logo)],
        middleware=[Middleware(CORSMiddleware, allow_origins=origins)],
    )


def flask_cdn(font_origins: list[str]) -> Flask:
    app = Flask("cdn")
    # fonts for the listed origins only; images for the app
    CORS(app, resources={r"/fonts/*": {"origins": font_origins}, r"/img/*": {"origins": [APP]}})

    @app.get("/fonts/a.woff2")
    def font():
        return Response(b"wOF2", mimetype="font/woff2")

    @app.get("/img/logo.png")
    def logo():
        return Response(b"\x89PNG", mimetype="image/png")

    return app


def blocked(results):
    return [(check, f) for check, findings in results for f in failing(findings)]


def test_the_checks_load_each_path_by_each_initiator_and_no_fetch():
    contract = load_contract_text(CDN_CONTRACT, "cors.yaml")
    allowed = [c for c in build_checks(contract) if c.kind == "allowed"]
    assert sorted(c.name for c in allowed) == [
        f"cdn::GET /fonts/a.woff2 from {APP} (font) -> allowed",
        f"cdn::GET /fonts/a.woff2 from {APP} (img crossorigin=anonymous) -> allowed",
        f"cdn::GET /img/logo.png from {APP} (font) -> allowed",
        f"cdn::GET /img/logo.png from {APP} (img crossorigin=anonymous) -> allowed",
    ]
    font = next(c for c in allowed if c.label == "(font)")
    assert font.mark.line == 6  # the initiators line
    assert "by a web font (@font-face)" in font.title
    # the denied-origin probes stay fetch() checks
    assert all(c.initiator is None for c in build_checks(contract) if c.expect == "denied")


def test_a_starlette_cdn_granting_the_app_keeps_the_contract():
    contract = load_contract_text(CDN_CONTRACT, "cors.yaml")
    results = check_contract(contract, starlette_cdn([APP]))
    assert blocked(results) == []
    assert sum(c.initiator is not None for c, _ in results) == 4


def test_a_flask_cdn_granting_the_app_loads_every_font_and_image():
    contract = load_contract_text(CDN_CONTRACT, "cors.yaml")
    results = check_contract(contract, flask_cdn([APP]))
    # (flask-cors answers a refused origin without 'Vary: Origin': CORS-VARY, not ours here)
    assert [c for c, f in blocked(results) if f.id == "CORS-BLOCKED"] == []


def test_starlette_not_granting_the_font_origin_fails_naming_the_font_and_the_fix():
    contract = load_contract_text(CDN_CONTRACT, "cors.yaml")
    results = check_contract(contract, starlette_cdn(["https://other.example.com"]))
    refused = blocked(results)
    assert {check.label for check, _ in refused} == {"(font)", "(img crossorigin=anonymous)"}
    font = next(f for check, f in refused if check.label == "(font)" and "a.woff2" in check.path)
    assert font.id == "CORS-BLOCKED"
    assert "by a web font (@font-face) must be allowed, but the page cannot use it (font)" in (
        font.message
    )
    assert "Access to font at 'http://testserver/fonts/a.woff2'" in font.message
    assert "Fix: " in font.message
    assert f"'Access-Control-Allow-Origin: {APP}'" in font.message


def test_flask_cors_not_granting_the_font_origin_fails_the_font_check():
    contract = load_contract_text(CDN_CONTRACT, "cors.yaml")
    results = check_contract(contract, flask_cdn(["https://other.example.com"]))
    refused = {(c.path, c.label): f for c, f in blocked(results)}
    finding = refused[("/fonts/a.woff2", "(font)")]
    assert finding.id == "CORS-BLOCKED"
    assert "Access to font at " in finding.message and "Fix: " in finding.message


def test_a_plain_img_is_used_without_any_cors_header():
    text = CDN_CONTRACT.replace("[font, {element: img, crossorigin: anonymous}]", "[img, fetch]")
    contract = load_contract_text(text, "cors.yaml")
    results = check_contract(contract, starlette_cdn(["https://other.example.com"]))
    refused = blocked(results)
    # <img> without crossorigin shows the image: only the fetch() checks fail
    assert refused and all(c.initiator is None for c, _ in refused)
    assert any(c.label == "(img)" for c, _ in results)


def test_an_element_answered_with_an_error_status_is_not_used():
    text = CDN_CONTRACT.replace("/img/logo.png]", "/img/missing.png]")
    contract = load_contract_text(text, "cors.yaml")
    results = check_contract(contract, starlette_cdn([APP]))
    refused = blocked(results)
    assert {c.path for c, _ in refused} == {"/img/missing.png"}
    message = refused[0][1].message
    assert "status 404" in message and "Fix: answer /img/missing.png with a 2xx status" in message
