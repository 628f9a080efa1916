"""The initiators page's examples run green, and fail where their promise breaks."""

from __future__ import annotations

from docs_helpers import DOCS
from docs_pages import read


def test_the_cdn_and_api_examples_pass(example_project):
    project = example_project("initiators")
    result = project.runpytest("test_cdn.py", "test_api.py")
    result.assert_outcomes(passed=7)


def test_the_page_includes_every_file_of_the_examples():
    page = read(DOCS / "initiators.md")
    for name in ("test_cdn.py", "cdn.py", "test_api.py", "api.py"):
        assert f'--8<-- "docs/examples/initiators/{name}"' in page


def test_the_font_test_fails_if_the_cdn_grants_every_origin(example_project):
    project = example_project("initiators", ["cdn.py", "test_cdn.py"])
    cdn = (project.path / "cdn.py").read_text()
    (project.path / "cdn.py").write_text(cdn.replace("allow_origins=[SHOP]", 'allow_origins=["*"]'))
    # a process of its own: the first test's in-process run has imported its own ``cdn``
    result = project.runpytest_subprocess("test_cdn.py")
    # another site may now use the font, and a crossorigin image is readable by anyone
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(["*test_another_site_cannot_use_the_webfont*"])


def test_the_upload_test_fails_if_the_api_stops_answering_preflights(example_project):
    project = example_project("initiators", ["api.py", "test_api.py"])
    api = (project.path / "api.py").read_text()
    # flask-cors answers OPTIONS; a route-only app would not: keep CORS on the actual request
    blocking = api.replace(
        'CORS(app, origins=[SHOP], supports_credentials=True, methods=["GET"])',
        'CORS(app, origins=[SHOP], supports_credentials=True, methods=["GET"], '
        "automatic_options=False)\n"
        "app.url_map.strict_slashes = False\n"
        "app.before_request(lambda: ('', 405) if __import__('flask').request.method == "
        "'OPTIONS' else None)",
    )
    assert blocking != api
    (project.path / "api.py").write_text(blocking)
    result = project.runpytest_subprocess("test_api.py")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*test_an_upload_progress_listener_adds_a_preflight*"])


def _cdn_contract_results(allow_origins: str):
    """The page's contract with ``initiators`` against its CDN, its CORS middleware set to
    ``allow_origins`` (the example's own ``[SHOP]``, or another)."""
    import importlib.util

    from pytest_cors.contract import load_contract
    from pytest_cors.contract.checks import failing
    from pytest_cors.run import check_contract

    folder = DOCS / "examples" / "initiators"
    source = (folder / "cdn.py").read_text().replace("allow_origins=[SHOP]", allow_origins)
    spec = importlib.util.spec_from_loader("docs_initiators_cdn", loader=None)
    module = importlib.util.module_from_spec(spec)
    exec(compile(source, str(folder / "cdn.py"), "exec"), module.__dict__)
    contract = load_contract(folder / "cors.yaml")
    return [(c, f) for c, found in check_contract(contract, module.app) for f in failing(found)]


def test_the_cdn_contract_with_initiators_passes_against_the_cdn():
    assert _cdn_contract_results("allow_origins=[SHOP]") == []


def test_the_cdn_contract_fails_the_font_when_the_cdn_grants_another_origin():
    failed = _cdn_contract_results('allow_origins=["https://other.example.com"]')
    labels = {(c.path, c.label) for c, f in failed if c.initiator is not None}
    assert ("/fonts/inter.woff2", "(font)") in labels
    assert ("/img/logo.png", "(img crossorigin=anonymous)") in labels
    assert not any(label == "(img)" for _, label in labels)  # a plain <img> needs no CORS


def test_the_contracts_page_includes_the_initiators_contract():
    for page in ("contracts.md", "initiators.md"):
        assert '--8<-- "docs/examples/initiators/cors.yaml"' in read(DOCS / page)
