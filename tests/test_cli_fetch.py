"""``pytest-cors fetch``: one fetch against a real server on loopback or an imported app, read
from options, a DevTools "Copy as cURL" command or a console message; exit 0/1/2."""

import json
import subprocess
import sys

import pytest

from pytest_cors.cli import main
from tests.servers import serve_wsgi
from tests.targets.apps import ALLOWED, FLASK_CORS, flask_app

STARLETTE = "tests.targets.apps:starlette_app()"
API = "https://api.example.com"
EVIL = "https://evil.example.net"


@pytest.fixture(scope="module")
def server():
    cors = {**FLASK_CORS, "allow_headers": ["Content-Type", "X-Token", "Authorization"]}
    with serve_wsgi(flask_app(cors)) as base_url:
        yield base_url


def chromium_curl(url, origin, *, secret="Bearer s3cret"):
    """A PUT as Chromium's "Copy as cURL (bash)" writes it (HTTP/2 names, cookie as -b)."""
    return (
        f"curl '{url}' \\\n"
        "  -X 'PUT' \\\n"
        "  -H 'accept: */*' \\\n"
        "  -H 'accept-language: en-US,en;q=0.9' \\\n"
        f"  -H 'authorization: {secret}' \\\n"
        "  -H 'content-type: application/json' \\\n"
        f"  -H 'origin: {origin}' \\\n"
        "  -H 'priority: u=1, i' \\\n"
        f"  -H 'referer: {origin}/' \\\n"
        '  -H \'sec-ch-ua: "Chromium";v="131", "Not_A Brand";v="24"\' \\\n'
        "  -H 'sec-fetch-dest: empty' \\\n"
        "  -H 'sec-fetch-mode: cors' \\\n"
        "  -H 'sec-fetch-site: cross-site' \\\n"
        "  -H 'user-agent: Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0 Safari/537.36' \\\n"
        "  -b 'session=cookie-v4lue' \\\n"
        '  --data-raw $\'{"name":"it\\\'s"}\''
    )


def run(capsys, *args):
    code = main(["fetch", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_blocked_copy_as_curl_prints_verdict_console_exchange_and_fix(server, capsys):
    code, out, err = run(capsys, "--curl", chromium_curl(f"{server}/items", EVIL))
    assert code == 1, err
    assert f"PUT {server}/items from origin {EVIL}: BLOCKED (CORSMissingAllowOrigin)" in out
    assert "Console (chromium):" in out
    assert "Response to preflight request doesn't pass access control check" in out
    assert "> Access-Control-Request-Headers: authorization,content-type" in out
    assert "credentials: include" in out  # the -b cookie said so
    assert (
        out.rstrip().splitlines()[-1].startswith(f"Fix: Send 'Access-Control-Allow-Origin: {EVIL}'")
    )
    assert "s3cret" not in out + err and "cookie-v4lue" not in out + err


def test_an_allowed_copy_as_curl_exits_0_and_sends_the_scripts_headers(server, capsys):
    code, out, err = run(capsys, "--curl", chromium_curl(f"{server}/items", ALLOWED))
    assert code == 0, out + err
    assert f"PUT {server}/items from origin {ALLOWED}: ALLOWED (CORS, status 200)" in out
    assert "> authorization: <redacted: 13 bytes>" in out
    assert "Fix:" not in out
    assert "s3cret" not in out


def test_the_cmd_form_of_copy_as_curl(server, capsys):
    text = (
        f'curl ^"{server}/items^" ^\n'
        '  -H ^"accept: */*^" ^\n'
        '  -H ^"x-token: abc^" ^\n'
        f'  -H ^"origin: {ALLOWED}^" ^\n'
        '  -H ^"sec-ch-ua: ^\\^"Chromium^\\^";v=^\\^"131^\\^"^" ^\n'
        '  -b ^"session=cookie-v4lue^"'
    )
    code, out, err = run(capsys, "--curl", text)
    assert code == 0, out + err
    assert "> x-token: <redacted: 3 bytes>" in out  # its name reads as a secret one
    assert "Access-Control-Request-Headers: x-token" in out
    assert "cookie-v4lue" not in out


def test_url_and_options_against_an_app_that_sees_the_urls_host(capsys):
    args = [f"{API}/items", "--app", STARLETTE, "--origin", ALLOWED, "-X", "PUT"]
    code, out, err = run(capsys, *args, "-H", "X-Token: 1", "--credentials", "include")
    assert code == 0, out + err
    assert f"PUT {API}/items from origin {ALLOWED}: ALLOWED" in out
    code, out, err = run(capsys, *args, "-H", "X-Other: 1")
    assert code == 1
    assert "It does not have HTTP ok status." in out
    assert "A 400 answer to a preflight usually means the server's CORS layer refused it" in out


def test_a_chromium_console_line_is_reproduced(capsys):
    line = (
        f"Access to fetch at '{API}/items' from origin '{ALLOWED}' has been blocked by CORS "
        "policy: Method DELETE is not allowed by Access-Control-Allow-Methods in preflight "
        "response."
    )
    code, out, err = run(capsys, "--app", "tests.targets.apps:flask_app()", "--console", line)
    assert code == 1, out + err
    assert f"DELETE {API}/items from origin {ALLOWED}: BLOCKED" in out
    assert "Reproduced: CORSMethodNotFound on the preflight, as the console says." in out
    assert "Fix: Add 'DELETE'" in out


def test_a_console_line_the_server_no_longer_deserves_is_not_reproduced(capsys):
    line = (
        f"Access to fetch at '{API}/items' from origin '{ALLOWED}' has been blocked by CORS "
        "policy: No 'Access-Control-Allow-Origin' header is present on the requested resource."
    )
    code, out, _ = run(capsys, "--app", STARLETTE, "--console", line)
    assert code == 0
    assert "Not reproduced: the console says CORSMissingAllowOrigin on the request" in out


FIREFOX = (
    "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource "
    "at {url}. (Reason: CORS header \u2018Access-Control-Allow-Origin\u2019 missing). Status "
    "code: 200."
)


def test_a_firefox_console_line_needs_the_origin_and_then_reproduces(server, capsys):
    line = FIREFOX.format(url=f"{server}/items")
    code, out, err = run(capsys, "--console", line)
    assert code == 2 and out == ""
    assert "Firefox's console message does not name the page's origin: add --origin" in err
    code, out, err = run(capsys, "--console", line, "--origin", EVIL)
    assert code == 1, err
    assert "browser profile: firefox" in out
    assert "Console (firefox):" in out
    assert "Reproduced: CORSMissingAllowOrigin on the request, as the console says." in out


def test_a_webkit_console_message_names_the_origin(server, capsys):
    text = (
        f"Origin {EVIL} is not allowed by Access-Control-Allow-Origin. Status code: 200\n"
        f"Fetch API cannot load {server}/items due to access control checks."
    )
    code, out, err = run(capsys, "--console", text)
    assert code == 1, err
    assert "browser profile: safari" in out
    assert f"from origin {EVIL}: BLOCKED (CORSMissingAllowOrigin)" in out


def test_json_gives_the_outcome_with_secrets_redacted(server, capsys):
    code, out, _ = run(capsys, "--curl", chromium_curl(f"{server}/items", EVIL), "--json")
    assert code == 1
    data = json.loads(out)
    assert data["verdict"] == "blocked" and data["allowed"] is False
    assert data["failure"]["code"] == "CORSMissingAllowOrigin"
    assert data["failure"]["step"] == "preflight"
    assert data["failure"]["message"].startswith(f"Access to fetch at '{server}/items'")
    assert data["failure"]["hint"].startswith("Send 'Access-Control-Allow-Origin")
    assert [e["kind"] for e in data["exchanges"]] == ["preflight"]
    assert data["request"]["headers"][0] == ["authorization", "<redacted: 13 bytes>"]
    assert data["status"] is None
    assert any("cookies" in note for note in data["notes"])
    assert "s3cret" not in out and "cookie-v4lue" not in out
    code, out, _ = run(capsys, "--curl", chromium_curl(f"{server}/items", ALLOWED), "--json")
    data = json.loads(out)
    assert (code, data["verdict"], data["status"], data["failure"]) == (0, "allowed", 200, None)
    assert data["readable_headers"]["x-total"] == "3"


def test_an_unreachable_server_is_no_verdict_in_one_line(capsys):
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code, out, err = run(
        capsys, f"http://127.0.0.1:{port}/items?token=t0ps3cret", "--origin", ALLOWED
    )
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert "no verdict, the target gave no response" in err and "connection refused" in err
    assert "t0ps3cret" not in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "fetch needs a URL, --curl"),
        ([f"{API}/x"], "--origin is required"),
        ([f"{API}/x", "--curl", "curl https://a.example/"], "not both"),
        (["/items", "--origin", ALLOWED], "absolute http(s) URL"),
        ([f"{API}/x", "--origin", ALLOWED, "-H", "NoColon"], "-H takes 'Name: value'"),
        ([f"{API}/x", "--origin", ALLOWED, "--browser", "lynx"], "unknown browser profile"),
        ([f"{API}/x", "--origin", "app.example.com", "--app", STARLETTE], "origin"),
        ([f"{API}/x", "--origin", ALLOWED, "--app", "nosuchmodule:app"], "cannot import"),
        (["--curl", "wget https://a.example/"], "starts with 'curl'"),
        (["--curl", "curl https://a.example/x"], "carries no Origin"),
        (["--console", "Uncaught TypeError: Failed to fetch"], "CORS console message"),
        (["--curl", "curl x", "--console", "y"], "not allowed with argument"),
    ],
)
def test_bad_arguments_exit_2_in_one_line(args, message, capsys):
    code, _, err = run(capsys, *args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_the_console_script_takes_a_pasted_command(server):
    command = [
        sys.executable,
        "-c",
        "import sys; from pytest_cors.cli import main; sys.exit(main())",
        "fetch",
        "--curl",
        chromium_curl(f"{server}/items", EVIL, secret="Bearer an0ther"),
    ]
    run_ = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert run_.returncode == 1, run_.stderr
    assert "BLOCKED (CORSMissingAllowOrigin)" in run_.stdout
    assert "an0ther" not in run_.stdout + run_.stderr


# -- the fix in the user's framework (issue 18, part 4) ---------------------------------------

STARLETTE_DELETE = (
    "In Starlette: add 'DELETE' to `allow_methods` in `CORSMiddleware(...)` (the default is GET "
    "only). See docs/frameworks/starlette.md."
)


def test_with_an_app_the_fix_names_its_frameworks_setting(capsys):
    args = [f"{API}/items", "--app", STARLETTE, "--origin", ALLOWED, "-X", "DELETE"]
    code, out, err = run(capsys, *args)
    assert code == 1, err
    lines = out.rstrip().splitlines()
    assert lines[-2].startswith("Fix: ")  # the header-level fix stays, first
    assert lines[-1] == STARLETTE_DELETE


def test_the_json_outcome_carries_the_framework_fix(capsys):
    args = [f"{API}/items", "--app", STARLETTE, "--origin", ALLOWED, "-X", "DELETE", "--json"]
    code, out, _ = run(capsys, *args)
    assert code == 1
    assert json.loads(out)["failure"]["framework_hint"] == STARLETTE_DELETE


def test_a_live_server_is_known_by_its_middlewares_answer(server, capsys):
    # flask-cors sends Access-Control-Allow-Origin then Access-Control-Expose-Headers
    code, out, _ = run(capsys, f"{server}/items", "--origin", ALLOWED, "-X", "DELETE")
    assert code == 1
    assert out.rstrip().splitlines()[-1] == (
        "In Flask (flask-cors): add 'DELETE' to `methods` in `CORS(app, methods=[...])`. See "
        "docs/frameworks/flask.md."
    )


def test_an_unknown_server_gets_the_header_level_fix_alone(capsys):
    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    with serve_wsgi(app) as base_url:
        code, out, _ = run(capsys, f"{base_url}/items", "--origin", ALLOWED, "--json")
    assert code == 1
    failure = json.loads(out)["failure"]
    assert failure["hint"] and failure["framework_hint"] is None
