"""The API page's fetch() modes example runs green, and fails where its promise breaks."""

from __future__ import annotations

from docs_helpers import DOCS, EXAMPLES
from docs_pages import read

FOLDER = EXAMPLES / "modes"  # app.py and test_modes.py


def test_the_modes_example_passes(example_project):
    project = example_project("modes")
    result = project.runpytest("test_modes.py")
    result.assert_outcomes(passed=4)


def test_the_page_includes_both_files_of_the_example():
    page = read(DOCS / "api.md")
    assert '--8<-- "docs/examples/modes/test_modes.py"' in page
    assert '--8<-- "docs/examples/modes/app.py"' in page


def test_the_example_fails_if_the_ping_endpoint_starts_granting_cors(example_project):
    project = example_project("modes")
    app = (project.path / "app.py").read_text()
    granting = 'start_response("204 No Content", [("Access-Control-Allow-Origin", "*")])'
    silent = 'start_response("204 No Content", [])'
    (project.path / "app.py").write_text(app.replace(silent, granting))
    # a process of its own: the first test's in-process run has imported its own ``app``
    result = project.runpytest_subprocess("test_modes.py")
    result.assert_outcomes(passed=3, failed=1)
