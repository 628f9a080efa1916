"""The distribution works: the sdist and the wheel build, pass ``twine check``, and the wheel,
installed in a brand-new virtual environment, brings a working plugin and command.

There is no release on PyPI yet: the documented ways in are an editable install of a checkout
and this wheel (docs/getting-started.md, docs/ci.md), so the wheel is what these tests install.
They build once and create one environment per session (module-scoped fixtures); the install
uses ``constraints.txt``, as the README's test command does, so it gets the pinned releases.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import pytest_cors

ROOT = Path(__file__).resolve().parents[1]
VERSION = pytest_cors.__version__
WHEEL = f"pytest_cors-{VERSION}-py3-none-any.whl"
SDIST = f"pytest_cors-{VERSION}.tar.gz"

APP = '''\
def app(environ, start_response):
    """Answers every request, and grants no origin anything."""
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]
'''
CONTRACT = """\
version: 1
target:
  app: closed_app:app
policies:
  - name: closed
    paths: [/internal]
    cors: false
"""


def clean_env() -> dict[str, str]:
    """This process's environment without what would lead a child to this checkout or venv
    (or to other pins: tox's envs set ``PIP_CONSTRAINT``; the install names its own)."""
    env = dict(os.environ)
    for name in (
        "PYTHONPATH",
        "PYTHONHOME",
        "VIRTUAL_ENV",
        "PYTEST_ADDOPTS",
        "PYTEST_PLUGINS",
        "PIP_CONSTRAINT",
    ):
        env.pop(name, None)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def run(args: list[str | Path], cwd: Path, timeout: float = 600) -> str:
    done = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, (
        f"`{' '.join(map(str, args))}` exited with {done.returncode}:\n{done.stdout}{done.stderr}"
    )
    return done.stdout


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist, and the wheel built from it (``python -m build``'s default), in a new dir."""
    out = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "build", "--outdir", out, ROOT], cwd=out)
    return out


@pytest.fixture(scope="module")
def venv(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtual environment (no system site packages) with the wheel and its dependencies
    installed, pinned by constraints.txt."""
    home = tmp_path_factory.mktemp("venv") / "env"
    run([sys.executable, "-m", "venv", home], cwd=home.parent)
    python = home / "bin" / "python"
    constraints = ROOT / "constraints.txt"
    run([python, "-m", "pip", "install", "-q", "-c", constraints, dist / WHEEL], cwd=home.parent)
    return home


def test_the_sdist_and_the_wheel_are_built_under_the_documented_names(dist):
    assert sorted(p.name for p in dist.iterdir()) == sorted([SDIST, WHEEL])
    pages = (ROOT / "docs" / "getting-started.md").read_text(encoding="utf-8")
    assert f"dist/{WHEEL}" in pages  # what getting started tells you to install


def test_twine_check_passes_on_both(dist):
    out = run(
        [sys.executable, "-m", "twine", "check", "--strict", dist / SDIST, dist / WHEEL], dist
    )
    assert out.count("PASSED") == 2, out


def test_the_wheel_holds_the_data_files_and_the_entry_points(dist):
    with zipfile.ZipFile(dist / WHEEL) as wheel:
        names = set(wheel.namelist())
        info = f"pytest_cors-{VERSION}.dist-info"
        entry_points = wheel.read(f"{info}/entry_points.txt").decode()
        metadata = wheel.read(f"{info}/METADATA").decode()
    assert {
        "pytest_cors/py.typed",
        "pytest_cors/contract/schema.json",
        "pytest_cors/data/probe_origins.txt",
        "pytest_cors/plugin.py",
        "pytest_cors/pytest_plugin/plugin.py",
    } <= names
    assert not any(name.startswith(("tests/", "docs/")) for name in names)
    assert "cors = pytest_cors.pytest_plugin.plugin" in entry_points
    assert "pytest-cors = pytest_cors.cli:main" in entry_points
    assert f"Version: {VERSION}" in metadata


def test_the_installed_package_is_the_wheel_not_this_checkout(venv, tmp_path):
    code = "import pytest_cors, pytest_cors.plugin as p; print(pytest_cors.__version__, p.__file__)"
    version, location = run([venv / "bin" / "python", "-c", code], cwd=tmp_path).split()
    assert version == VERSION
    assert Path(location).resolve().is_relative_to(venv.resolve())
    assert "include-system-site-packages = false" in (venv / "pyvenv.cfg").read_text()
    path = run([venv / "bin" / "python", "-c", "import sys; print(sys.path)"], cwd=tmp_path)
    assert str(ROOT) not in path
    # only the wheel's dependencies are there, not this suite's (Flask is in the test extra)
    probe = "import importlib.util as u; print(u.find_spec('flask') is None)"
    assert run([venv / "bin" / "python", "-c", probe], cwd=tmp_path).strip() == "True"


def test_pytest_in_the_new_environment_loads_the_plugin(venv, tmp_path):
    help_text = run([venv / "bin" / "python", "-m", "pytest", "--help"], cwd=tmp_path)
    assert "--cors-app" in help_text
    assert "--cors-report" in help_text


def test_the_old_plugin_path_given_with_p_loads_the_plugin_once(venv, tmp_path):
    """The entry point names pytest_cors.pytest_plugin.plugin; ``-p pytest_cors.plugin`` (the
    path before) next to it must not register the plugin, or its options, twice."""
    args = [venv / "bin" / "python", "-m", "pytest", "-p", "pytest_cors.plugin", "--help"]
    assert run(args, cwd=tmp_path).count("--cors-app") == 1


def test_the_installed_command_checks_a_contract(venv, tmp_path):
    (tmp_path / "closed_app.py").write_text(APP, encoding="utf-8")
    (tmp_path / "cors.yaml").write_text(CONTRACT, encoding="utf-8")
    out = run([venv / "bin" / "pytest-cors", "check", "cors.yaml", "--report", "r.md"], tmp_path)
    assert "0 failed, 0 errors" in out, out
    assert (tmp_path / "r.md").read_text(encoding="utf-8").startswith("# pytest-cors contract")
