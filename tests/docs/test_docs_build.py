"""The site builds with ``mkdocs build --strict``: a broken link or a missing page fails CI."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from docs_helpers import DOCS, ROOT


def mkdocs(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    if importlib.util.find_spec("mkdocs") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("mkdocs is not installed (CI=true: the docs build must run)", pytrace=False)
        pytest.skip("mkdocs is not installed: pip install -e '.[test]'")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_site_builds_strictly(tmp_path):
    site = tmp_path / "site"
    run = mkdocs("--strict", "-d", str(site), cwd=ROOT)
    assert run.returncode == 0, run.stderr
    failures = (site / "failures" / "index.html").read_text()
    assert 'id="corsmissingalloworigin"' in failures
    assert "Access-Control-Allow-Origin" in failures
    api = (site / "api" / "index.html").read_text()
    assert 'id="pytest_cors.simulate_fetch"' in api  # mkdocstrings rendered the docstrings
    assert ":class:`" not in api  # reST roles turned into code by docs/_ext
    assert "CORS never applied" in api  # a `#:` comment became Outcome.same_origin's docstring
    for page in sorted(DOCS.rglob("*.md")):
        relative = page.relative_to(DOCS).with_suffix("")
        built = site / relative / "index.html" if relative.name != "index" else site / "index.html"
        assert built.exists(), f"{page} was not built"


def copy_site_sources(destination: Path) -> None:
    for name in ("mkdocs.yml", "CHANGELOG.md", "CONTRIBUTING.md"):
        shutil.copy(ROOT / name, destination / name)
    shutil.copytree(DOCS, destination / "docs")
    shutil.copytree(ROOT / "pytest_cors", destination / "pytest_cors")


@pytest.mark.parametrize(
    ("breakage", "complaint"),
    [
        ("a link to a page that does not exist", "not-a-page.md"),
        ("a link to a heading that does not exist", "#no-such-heading"),
        ("a page left out of the nav", "orphan.md"),
        ("an example file that does not exist", "no-such-example.py"),
    ],
)
def test_the_configuration_fails_on(tmp_path, breakage, complaint):
    copy_site_sources(tmp_path)
    index = tmp_path / "docs" / "index.md"
    if complaint == "orphan.md":
        (tmp_path / "docs" / "orphan.md").write_text("# Orphan\n")
    elif complaint.endswith(".py"):
        index.write_text(
            index.read_text() + f'\n```python\n--8<-- "docs/examples/{complaint}"\n```\n'
        )
    elif complaint.startswith("#"):
        index.write_text(index.read_text() + f"\n[broken](getting-started.md{complaint})\n")
    else:
        index.write_text(index.read_text() + f"\n[broken]({complaint})\n")
    run = mkdocs("-d", str(tmp_path / "site"), cwd=tmp_path)  # strict comes from mkdocs.yml
    assert run.returncode != 0, f"{breakage} did not fail the build"
    assert complaint.lstrip("#") in run.stderr + run.stdout
