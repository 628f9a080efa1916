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
