"""``pytest-cors scan``: every misconfiguration class of the corpus caught with its finding, no
finding on correct apps (real Starlette, flask-cors and django-cors-headers configurations),
reports in every format, live servers on loopback counted at the server, and clear errors."""

from __future__ import annotations

import json
import socket
import sys
from pathlib import Path

import pytest

from pytest_cors.cli import main
from pytest_cors.contract.checks import FINDINGS
from pytest_cors.errors import CorsUsageError, TargetError
from pytest_cors.scan import CWE, scan
from tests.servers import serve_asgi, serve_wsgi

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import scan_corpus as corpus  # the corpus lives beside the benchmark that uses it

MISCONFIGURED = [c for c in corpus.CASES if not c.correct]
CORRECT = [c for c in corpus.CASES if c.correct]


def ids(result):
    return {f["id"] for f in result.findings}


def test_the_corpus_is_as_large_as_promised():
    assert len({c.name for c in MISCONFIGURED}) >= 15
    assert len(CORRECT) >= 4
    assert {"starlette", "flask-cors", "django-cors-headers"} <= {c.stack for c in CORRECT}


@pytest.mark.parametrize("case", MISCONFIGURED, ids=lambda c: c.name)
def test_each_class_is_caught_with_its_finding(case):
    result = scan(corpus.API_URL, target=case.build(), origins=[corpus.APP])
    assert case.finding in ids(result), result.lines()
    for finding in result.findings:
        assert finding["cwe"] == CWE == "CWE-942"
        assert finding["severity"] == FINDINGS[finding["id"]].severity
        assert CWE in finding["message"]
    # one finding per cause: the same id is never repeated on a path
    assert len(result.findings) == len(ids(result))


@pytest.mark.parametrize("case", CORRECT, ids=lambda c: c.name)
def test_no_false_alarm_on_a_correct_app(case):
    result = scan(corpus.API_URL, target=case.build(), origins=[corpus.APP])
    assert result.findings == []
    assert len(result.results) > 30  # it did probe: a silent pass proves nothing
    assert not any(r.granted for r in result.results)


@pytest.mark.parametrize("name", ["prefix", "any-subdomain", "http-downgrade", "ok-django"])
def test_allowed_origins_are_discovered_without_origin(name):
    """Without --origin the scan finds the front end on the API's site and mutates it."""
    case = corpus.case(name)
    result = scan(corpus.API_URL, target=case.build())
    assert corpus.APP in result.seeds
    assert ({case.finding} if case.finding else set()) <= ids(result)
    if case.correct:
        assert result.findings == []


def test_a_reflecting_server_is_one_finding_not_forty():
    result = scan(corpus.API_URL, target=corpus.case("reflect-any").build())
    assert [f["id"] for f in result.findings] == ["CORS-REFLECT"]
    assert result.requests == 1  # nothing else is worth sending once anything gets in


def test_a_correct_app_costs_one_request_per_question():
    """The anchors probe stands for the prefix, suffix and pair look-alikes (all refused with
    it), one origin for the three special characters, one substring: 35 requests, not 43."""
    result = scan(corpus.API_URL, target=corpus.case("ok-flask-cors").build(), origins=[corpus.APP])
    assert result.findings == []
    sent = [r.probe for r in result.results]
    assert result.requests == len(sent) == 35
    assert not {"prefix", "suffix", "pair"} & {p.attack for p in sent}
    (anchors,) = [p.origin for p in sent if p.attack == "anchors"]
    assert anchors == "https://app.example.com.evilapp.example.com"
    assert [p.origin for p in sent if p.attack == "special-chars"] == [
        "https://app.example.com`}_.evil.net"
    ]
    assert [p.origin for p in sent if p.attack == "substring"] == ["https://app.example.co"]
    assert "https://api.example.com" not in [p.origin for p in sent]


def test_a_granted_anchors_probe_sends_the_look_alikes_it_stands_for():
    result = scan(corpus.API_URL, target=corpus.case("prefix").build(), origins=[corpus.APP])
    (finding,) = result.findings
    assert finding["id"] == "CORS-PREFIX-MATCH"
    assert finding["origin"] == "https://app.example.com.evil.net"  # the look-alike, not anchors
    attacks = {r.probe.attack for r in result.results}
    assert {"anchors", "prefix", "suffix"} <= attacks
    # the prefix match explains every origin starting with the allowed one: not sent
    assert not {"other-port", "special-chars"} & attacks
    assert result.requests == len(result.results) <= 38


def test_a_server_that_only_checks_the_end_is_caught_as_a_suffix_match():
    def app(environ, start_response):
        origin = environ.get("HTTP_ORIGIN", "")
        headers = [("Vary", "Origin")]
        if origin.startswith("https://") and origin.endswith("example.com"):
            headers += [
                ("Access-Control-Allow-Origin", origin),
                ("Access-Control-Allow-Credentials", "true"),
            ]
        start_response("200 OK", headers)
        return [b"ok"]

    result = scan(corpus.API_URL, target=app, origins=[corpus.APP])
    assert [f["id"] for f in result.findings] == ["CORS-SUFFIX-MATCH"]
    attacks = [r.probe.attack for r in result.results]
    # subdomains and dot look-alikes ending with example.com are that same cause: not sent
    assert "unlisted-subdomain" not in attacks
    assert "CORS-SUBDOMAIN" not in ids(result)


def test_an_origin_only_the_anchors_probe_gets_in_with_is_still_a_finding():
    """No look-alike it stands for is granted, the anchors origin itself is: never a pass."""
    anchors = "https://app.example.com.evilapp.example.com"

    def app(environ, start_response):
        origin = environ.get("HTTP_ORIGIN", "")
        headers = [("Vary", "Origin")]
        if origin in (corpus.APP, anchors):
            headers += [("Access-Control-Allow-Origin", origin)]
        start_response("200 OK", headers)
        return [b"ok"]

    result = scan(corpus.API_URL, target=app, origins=[corpus.APP])
    (finding,) = result.findings
    assert (finding["id"], finding["origin"]) == ("CORS-PREFIX-MATCH", anchors)


@pytest.mark.parametrize(
    ("only", "requests"),
    [
        (["CORS-REFLECT,CORS-NULL"], 3),
        (["reflect", "prefix", "suffix"], 3),
        (["CORS-REFLECT", "CORS-PREFIX-MATCH", "CORS-SUFFIX-MATCH"], 3),
        (["local-origin"], 1 + 7),
    ],
)
def test_only_restricts_the_classes_probed(only, requests):
    result = scan(
        corpus.API_URL, target=corpus.case("ok-django").build(), origins=[corpus.APP], only=only
    )
    assert result.findings == []
    assert result.requests == requests
    assert result.results[0].probe.attack == "random-origin"  # the control, always sent


def test_only_keeps_what_it_names_and_drops_the_rest():
    picked = ["CORS-REFLECT", "CORS-PREFIX-MATCH", "CORS-SUFFIX-MATCH"]
    for name, found in (("prefix", "CORS-PREFIX-MATCH"), ("suffix", "CORS-SUFFIX-MATCH")):
        result = scan(corpus.API_URL, target=corpus.case(name).build(), only=picked)
        assert ids(result) == {found}
    null = scan(corpus.API_URL, target=corpus.case("null").build(), only=picked)
    assert null.findings == []
    assert "null" not in {r.probe.attack for r in null.results}


def test_only_rejects_an_unknown_class():
    with pytest.raises(CorsUsageError, match=r"--only 'cors': not a class of the scan; pick"):
        scan(corpus.API_URL, target=corpus.case("ok-public").build(), only=["null,cors"])


def test_a_preflight_only_reflection_is_caught_by_a_real_preflight():
    result = scan(corpus.API_URL, target=corpus.case("preflight-only-reflect").build())
    (finding,) = result.findings
    assert finding["id"] == "CORS-REFLECT"
    assert "answered the preflight to PUT /data with" in finding["message"]


def test_a_fixed_allow_origin_seeds_the_scan():
    """A server answering one fixed origin whatever it is sent names its front end."""

    def app(environ, start_response):
        start_response(
            "200 OK",
            [("Access-Control-Allow-Origin", "https://shop.example.org"), ("Vary", "Origin")],
        )
        return [b"ok"]

    result = scan("http://localhost/", target=app)
    assert "https://shop.example.org" in result.seeds
    assert result.findings == []


# -- live servers --------------------------------------------------------------------------------


def test_live_scan_counts_every_request_the_server_receives(capsys):
    counter = corpus.Counter()
    app = corpus.counting_wsgi(corpus.case("http-downgrade").build(), counter)
    with serve_wsgi(app) as base_url:
        result = scan(f"{base_url}/data", origins=[corpus.APP])
    assert "CORS-HTTP-DOWNGRADE" in ids(result)
    assert counter.count == result.requests > 30


def test_cli_on_a_live_server_writes_every_report(tmp_path, capsys):
    with serve_wsgi(corpus.case("null").build()) as base_url:
        reports = [tmp_path / f"scan.{ext}" for ext in ("md", "json", "sarif", "html")]
        for report in reports:
            code = main(
                ["scan", f"{base_url}/data", "--origin", corpus.APP, "--report", str(report)]
            )
            assert code == 1
    out = capsys.readouterr().out
    assert "CORS-NULL (error, CWE-942) on /data" in out
    assert "sandboxed iframe" in out
    sarif = json.loads((tmp_path / "scan.sarif").read_text())
    results = sarif["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["CORS-NULL"]
    assert "CWE-942" in results[0]["message"]["text"]
    data = json.loads((tmp_path / "scan.json").read_text())
    assert [f["id"] for f in data["findings"]] == ["CORS-NULL"]
    assert "**CORS-NULL** (error)" in (tmp_path / "scan.md").read_text()
    assert "CORS-NULL" in (tmp_path / "scan.html").read_text()


def test_cli_on_a_correct_live_asgi_app_exits_0(capsys):
    app = corpus.case("ok-starlette-list").build()
    with serve_asgi(app) as base_url:
        code = main(["scan", f"{base_url}/data", "--origin", corpus.APP, "--json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["findings"] == []
    # one request a probe: the preflighted probe is refused, so its PUT is never sent
    assert data["requests"] == len(data["probes"])
    assert {p["attack"] for p in data["probes"]} >= {"null", "anchors", "special-chars"}


def test_cli_only_restricts_the_classes_probed(capsys):
    app = corpus.case("ok-starlette-list").build()
    with serve_asgi(app) as base_url:
        argv = ["scan", f"{base_url}/data", "--origin", corpus.APP, "--json"]
        code = main([*argv, "--only", "CORS-REFLECT,CORS-NULL"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert {p["attack"] for p in data["probes"]} == {"random-origin", "null"}
    assert data["requests"] == 3  # the unrelated origin (a GET, a refused preflight) and null


def test_cli_in_process_app(tmp_path, monkeypatch, capsys):
    (tmp_path / "scanned_app.py").write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(Path(corpus.__file__).parent)!r})\n"
        "import scan_corpus\n"
        "app = scan_corpus.case('unescaped-dot').build()\n"
    )
    monkeypatch.chdir(tmp_path)
    code = main(["scan", "https://api.example.com/data", "--app", "scanned_app:app"])
    assert code == 1
    assert "CORS-UNESCAPED-DOT" in capsys.readouterr().out


def test_credentials_only_counts_grants_a_page_reads_with_cookies():
    """Starlette's '*' with credentials echoes the origin on preflights: with cookies the
    browser then reads the answer, so it stays a finding under --credentials."""
    result = scan(
        corpus.API_URL,
        target=corpus.case("reflect-on-preflight").build(),
        credentials=True,
    )
    assert ids(result) == {"CORS-REFLECT"}


# -- errors ----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_unreachable_server_is_no_verdict_never_a_pass(capsys):
    url = f"http://127.0.0.1:{_free_port()}/data"
    with pytest.raises(TargetError):
        scan(url, origins=[corpus.APP])
    assert main(["scan", url]) == 2
    err = capsys.readouterr().err
    assert "no verdict, the target gave no response" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["scan"], "scan needs a URL, or an app with --app"),
        (["scan", "ftp://api.example.com"], "is not an absolute http(s) URL"),
        (["scan", "api.example.com/data"], "is not an absolute http(s) URL"),
        (["scan", "http://x.test", "--origin", "app.example.com"], "--origin 'app.example.com'"),
        (["scan", "http://x.test", "--path", "data"], "--path 'data' must start with '/'"),
        (["scan", "http://x.test", "--report", "out.txt"], "--report out.txt: unknown report"),
        (["scan", "http://x.test", "--browser", "opera"], "opera"),
        (["scan", "--app", "no_such_module_here:app"], "cannot import target app"),
        (["scan", "http://x.test", "--", "-x"], "scan takes no arguments after '--'"),
        (["scan", "http://x.test", "--only", "nope"], "--only 'nope': not a class of the scan"),
    ],
)
def test_bad_input_is_a_clear_usage_error(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.startswith("pytest-cors: error:")
    assert "Traceback" not in err


def test_bad_origin_raises_the_kits_usage_error():
    with pytest.raises(CorsUsageError, match="--origin 'null://x'"):
        scan(corpus.API_URL, target=corpus.case("ok-public").build(), origins=["null://x"])
