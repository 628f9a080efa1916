"""The `pytest-cors init` section of the contract reference: the command it shows writes the
contract it shows (its date aside), and that contract fails only where it says SUSPICIOUS."""

from __future__ import annotations

import re
import shutil
import sys

import pytest
from docs_helpers import DOCS, EXAMPLES

from pytest_cors.cli import main
from pytest_cors.contract import load_contract
from pytest_cors.contract.checks import failing
from pytest_cors.run import check_contract
from tests.contract.har_frontend import FIXTURE

FOLDER = EXAMPLES / "init"
PAGE = DOCS / "contracts.md"
COMMAND = "pytest-cors init --app shop:app --har frontend.har -o cors.yaml"
_DATE = re.compile(r"on \d{4}-\d{2}-\d{2} from")


@pytest.fixture
def project(tmp_path, monkeypatch):
    shutil.copy(FOLDER / "shop.py", tmp_path / "shop.py")
    # the HAR Chromium recorded of the shop's frontend (tests/contract/har_frontend.py)
    shutil.copy(FIXTURE, tmp_path / "frontend.har")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "shop", raising=False)
    yield tmp_path
    sys.modules.pop("shop", None)


def test_the_page_shows_the_command_and_includes_the_contract():
    text = PAGE.read_text()
    assert f"$ {COMMAND}\n" in text
    assert '--8<-- "docs/examples/init/cors.yaml"' in text
    assert '--8<-- "docs/examples/init/shop.py"' in text


def test_init_writes_the_contract_the_page_shows(project, capsys):
    assert main(COMMAND.split()[1:]) == 0
    written = (project / "cors.yaml").read_text()
    shown = (FOLDER / "cors.yaml").read_text()
    assert _DATE.sub("on DATE from", written) == _DATE.sub("on DATE from", shown)
    err = capsys.readouterr().err
    assert "pytest-cors: warning: policy 'api-items-item_id': no Vary: Origin" in err


def test_the_shown_contract_fails_only_where_it_says_suspicious(project):
    shutil.copy(FOLDER / "cors.yaml", project / "cors.yaml")
    contract = load_contract(project / "cors.yaml")
    import shop

    failed = {
        (check.policy.name, finding.id)
        for check, findings in check_contract(contract, shop.app)
        for finding in failing(findings)
    }
    text = (FOLDER / "cors.yaml").read_text()
    suspicious = {
        name
        for name, body in re.findall(r"- name: (\S+)\n((?:    .*\n)+)", text)
        if "# SUSPICIOUS:" in body
    }
    assert failed == {(name, "CORS-VARY") for name in suspicious}
    # and the coverage item passes: every route has a policy
    assert main(["check", "cors.yaml", "--", "-k", "coverage"]) == 0


def test_the_openapi_url_error_the_page_shows():
    fastapi = pytest.importorskip("fastapi")
    from tests.servers import serve_asgi

    shown = re.search(r"\$ pytest-cors routes --openapi (\S+)\n(.+)\n", PAGE.read_text())
    assert shown is not None
    url, message = shown.groups()
    base = url.removesuffix("/docs")
    with serve_asgi(fastapi.FastAPI()) as base_url:
        import io
        from contextlib import redirect_stderr

        err = io.StringIO()
        with redirect_stderr(err):
            assert main(["routes", "--openapi", f"{base_url}/docs"]) == 2
    assert err.getvalue().strip() == message.replace(base, base_url)
