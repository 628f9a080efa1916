"""The failure page's Local Network Access example runs green, and fails where its promise
breaks."""

from __future__ import annotations

from docs_helpers import DOCS
from docs_pages import read


def test_the_local_network_example_passes(example_project):
    project = example_project("local-network")
    result = project.runpytest("test_local_network.py")
    result.assert_outcomes(passed=2)


def test_the_failures_page_includes_the_example():
    page = read(DOCS / "failures.md")
    assert '--8<-- "docs/examples/local-network/test_local_network.py"' in page


def test_the_example_fails_if_the_permission_is_not_the_one_the_space_needs(example_project):
    project = example_project("local-network")
    path = project.path / "test_local_network.py"
    text = path.read_text()
    path.write_text(text.replace('local_network="granted"', 'loopback_network="granted"'))
    result = project.runpytest_subprocess("test_local_network.py")
    result.assert_outcomes(passed=1, failed=1)
