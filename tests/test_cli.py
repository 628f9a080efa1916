"""The pytest-cors command: check (exit 0/1/2) against real servers and apps, record, round trip."""

import json
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_cors.cli import main
from pytest_cors.contract import load_contract_text
from pytest_cors.contract.record import record
from tests.contract_checks import apps
from tests.servers import serve_asgi, serve_wsgi

ROOT = Path(__file__).resolve().parents[1]
FULL = ROOT / "tests" / "contract_checks" / "contracts" / "full.yaml"
APPS = "tests.contract_checks.apps"
ORIGINS = ["https://app.example.com", "https://admin.example.com", "https://evil.example.net"]
PATHS = ["/items", "/items/1", "/fonts/roboto.woff2", "/admin/users"]


@pytest.fixture
def contract(tmp_path):
    path = tmp_path / "policy.yaml"
    shutil.copy(FULL, path)
    return path


def test_check_passes_against_a_real_server_on_loopback(contract, tmp_path, capsys):
    report = tmp_path / "out" / "report.md"
    with serve_wsgi(apps.flask_good) as base_url:
        code = main(["check", str(contract), "--base-url", base_url, "--report", str(report)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "145 passed" in out
    assert "| `https://app.example.com` | allowed | allowed | allowed |" in report.read_text()


def test_check_against_an_asgi_server_with_concurrency(contract, capsys):
    with serve_asgi(apps.starlette_good) as base_url:
        code = main(["check", str(contract), "--base-url", base_url, "--concurrency", "4"])
    assert code == 0, capsys.readouterr().out


def test_check_exits_1_when_a_check_fails_and_says_why(contract, capsys):
    code = main(["check", str(contract), "--app", f"{APPS}:flask_reflect"])
    out = capsys.readouterr().out
    assert code == 1
    assert "[CORS-REFLECT]" in out
    assert "The server reflects any Origin" in out


def test_check_exits_2_on_a_contract_error_without_traceback(tmp_path, capsys):
    bad = tmp_path / "cors.yaml"
    bad.write_text("version: 1\npolicies:\n  - name: x\n    paths: [/a]\n    metods: [GET]\n")
    code = main(["check", str(bad), "--app", f"{APPS}:flask_good"])
    out = capsys.readouterr().out
    assert code == 2
    assert "cors.yaml:5:5: unknown key 'metods'" in out
    assert "Traceback" not in out


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_check_exits_2_when_the_target_does_not_answer(contract, capsys):
    code = main(["check", str(contract), "--base-url", f"http://127.0.0.1:{_closed_port()}"])
    out = capsys.readouterr().out
    assert code == 2
    assert "connection refused" in out
    assert " passed" not in out.splitlines()[-1]


SEED = "a whole number of 0 or more (as a contract's 'seed' key does) or 'random'"
BRACKET = "'http://[::1' is not a valid URL: it has a '[' without its ']' (or the reverse)"
QUERY = "must not have a query or fragment; did you mean 'https://s.example/api'?"
RECORD = ["--origin", "https://app.example.com", "--path", "/items"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "missing.yaml"], "contract file 'missing.yaml' does not exist"),
        (["check", "{contract}", "--report", "r.xml"], "unknown report format '.xml'"),
        (["check", "{contract}", "--browser", "opera"], "unknown browser profile 'opera'"),
        (["check", "{contract}", "--concurrency", "0"], "--concurrency must be at least 1"),
        (["check", "{contract}", "--seed", "abc"], f"--seed takes {SEED}, got 'abc'"),
        (["check", "{contract}", "--seed", "-5"], f"--seed takes {SEED}, got '-5'"),
        (["check", "{contract}", "--seed", "1.5"], f"--seed takes {SEED}, got '1.5'"),
        (["check", "{contract}", "--seed", "²"], f"--seed takes {SEED}, got '²'"),
        (["check", "{contract}", "--base-url", "http://[::1"], f"--base-url {BRACKET}"),
        (["check", "{contract}", "--base-url", "https://s.example/api?t=1"], QUERY),
        (["record", "--base-url", "https://s.example/api?t=1", *RECORD], QUERY),
        (["record", "--base-url", "http://[::1", *RECORD], f"--base-url {BRACKET}"),
        (["check", "{contract}", "--app", "a:b", "--base-url", "http://x"], "not allowed with"),
        (["record", "--app", "a:b", "--path", "/x"], "--origin"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_usage_errors_exit_2(args, message, contract, capsys):
    code = main([a.replace("{contract}", str(contract)) for a in args])
    assert code == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_a_base_url_is_refused_in_the_words_the_contract_key_is(tmp_path, capsys):
    url = "https://s.example/api?t=1"
    bad = tmp_path / "cors.yaml"
    bad.write_text(
        f"version: 1\ntarget: {{base_url: '{url}'}}\npolicies:\n"
        "  - {name: api, paths: [/items], public: true}\n"
    )
    assert main(["check", str(bad)]) == 2
    from_contract = capsys.readouterr().out
    assert f"'target.base_url' {QUERY}" in from_contract
    good = tmp_path / "cors-good.yaml"
    good.write_text("version: 1\npolicies:\n  - {name: api, paths: [/items], public: true}\n")
    assert main(["check", str(good), "--base-url", url]) == 2
    assert f"pytest-cors: error: --base-url {QUERY}\n" in capsys.readouterr().err


def test_a_directory_is_not_a_contract_file_and_its_contracts_are_named(tmp_path, capsys):
    (tmp_path / "cors.yaml").write_text("version: 1\n")
    (tmp_path / "notes.yaml").write_text("x: 1\n")
    assert main(["check", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"contract file '{tmp_path}' is a directory: `pytest-cors check` takes contract " in err
    assert f"; it holds '{tmp_path / 'cors.yaml'}'" in err
    assert "notes.yaml" not in err and "does not exist" not in err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["check", str(empty)]) == 2
    assert "is a directory" in capsys.readouterr().err


def test_help_exits_0(capsys):
    assert main(["--help"]) == 0
    assert "check" in capsys.readouterr().out


def test_record_then_check_round_trips_on_a_live_server(tmp_path, capsys):
    recorded = tmp_path / "recorded.yaml"
    with serve_wsgi(apps.flask_good) as base_url:
        args = ["record", "--base-url", base_url, "-o", str(recorded)]
        for origin in ORIGINS:
            args += ["--origin", origin]
        for path in PATHS:
            args += ["--path", path]
        assert main(args) == 0
        text = recorded.read_text()
        assert main(["check", str(recorded)]) == 0, capsys.readouterr().out
    contract = load_contract_text(text, "recorded.yaml")
    assert contract.target is not None
    assert contract.target.base_url == base_url
    items = contract.policy("items")
    assert items.paths == ("/items", "/items/1")
    assert [r.text for r in items.allow] == ORIGINS[:2]
    assert [o.serialize() for o in items.deny] == ORIGINS[2:]
    assert items.methods == ("GET", "POST", "PUT")
    assert items.request_headers == ("Content-Type",)
    assert items.expose_headers == ("X-Total-Count",)
    assert items.credentials is True
    assert (items.max_age.min, items.max_age.max) == (600, 600)
    fonts = contract.policy("fonts-roboto.woff2")
    assert fonts.public is True
    admin = contract.policy("admin-users")
    assert admin.cors is False


def test_record_then_check_round_trips_on_an_app(tmp_path):
    text = record(
        app=f"{APPS}:starlette_good",
        origins=ORIGINS,
        paths=PATHS,
        headers=["Content-Type", "X-Request-Id", "Authorization"],
    )
    contract = load_contract_text(text, "recorded.yaml")
    assert contract.policy("items").request_headers == ("Content-Type", "X-Request-Id")
    path = tmp_path / "recorded.yaml"
    path.write_text(text)
    assert main(["check", str(path)]) == 0


def test_record_notices_a_server_that_lets_any_header_through():
    text = record(
        target=apps.flask_app({"origins": apps.ORIGINS}), origins=ORIGINS, paths=["/items"]
    )
    assert "it lets any header through" in text
    assert "X-Pytest-Cors-Unlisted" not in text


def test_the_console_script_runs_the_check(tmp_path, contract):
    script = shutil.which("pytest-cors", path=str(Path(sys.executable).parent))
    assert script is not None, "the pytest-cors console script is not installed"
    report = tmp_path / "report.json"
    run = subprocess.run(
        [script, "check", str(contract), "--app", f"{APPS}:flask_null", "--report", str(report)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    data = json.loads(report.read_text())
    ids = {f["id"] for f in data["findings"]}
    assert "CORS-NULL" in ids


def test_record_refuses_a_base_url_with_credentials(capsys):
    from pytest_cors.cli import main

    code = main(
        [
            "record",
            "--base-url",
            "http://user:hunter2@127.0.0.1:9",
            "--origin",
            "https://app.example.com",
            "--path",
            "/items",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 2
    assert "must not hold a user name or password" in err
    assert "hunter2" not in out + err


def test_version_prints_the_package_version(capsys):
    import pytest_cors

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"pytest-cors {pytest_cors.__version__}"


def test_messages_under_the_command_name_its_own_flags(tmp_path, capsys):
    contract = tmp_path / "cors.yaml"
    contract.write_text("version: 1\npolicies:\n  - name: p\n    paths: [/x]\n    cors: false\n")
    assert main(["check", str(contract)]) == 2
    out = capsys.readouterr()
    text = out.out + out.err
    assert "no target to check" in text
    assert "pass --app or --base-url" in text
    assert "--cors-app" not in text


def test_record_comments_and_warns_about_a_server_reflecting_any_origin(tmp_path, capsys):
    reflecting = tmp_path / "reflect_all_app.py"
    reflecting.write_text(
        "def app(environ, start_response):\n"
        "    origin = environ.get('HTTP_ORIGIN')\n"
        "    headers = [('Content-Type', 'text/plain'), ('Vary', 'Origin')]\n"
        "    if origin:\n"
        "        headers.append(('Access-Control-Allow-Origin', origin))\n"
        "    start_response('200 OK', headers)\n"
        "    return [b'ok']\n"
    )
    sys.path.insert(0, str(tmp_path))
    try:
        code = main(
            ["record", "--app", "reflect_all_app:app", "--origin", ORIGINS[0], "--path", "/items"]
        )
    finally:
        sys.path.remove(str(tmp_path))
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "    # SUSPICIOUS: the server reflects ANY origin" in out
    assert "pytest-cors: warning: policy 'items': the server reflects ANY origin" in err
    load_contract_text(out, "recorded.yaml")
