"""Reading DevTools back: "Copy as cURL" commands (bash and cmd) and CORS console messages.

The curl commands are written the way Chromium's network panel writes them (URL first, ``-X``
when the method is not the one curl infers, one ``-H`` per header with HTTP/2's lower-case
names, ``-b`` for cookies, ``--data-raw`` last; ``$'...'`` for a value holding a quote or a
control character; the cmd form wraps every value in ``^"...^"`` and escapes with ``^``), and
the way Firefox and Safari write theirs. The console messages are the kit's own renderings
(:func:`pytest_cors.failures.make_failure`) of every failure, in each browser's words, plus
lines as the browsers print them around it.
"""

from __future__ import annotations

import re

import pytest

from pytest_cors import failures
from pytest_cors.devtools import KIND_STEPS, FetchArgs, parse_console, parse_curl
from pytest_cors.errors import CorsUsageError
from pytest_cors.failures import make_failure

URL = "https://api.example.com/items/1"
PAGE = "https://app.example.com"

# -- writing curl commands as DevTools does (its documented escaping, written for these tests) --


def posix(value: str) -> str:
    """A value quoted as DevTools' bash form does: ``'...'``, or ANSI-C ``$'...'`` when it holds
    a quote, ``!`` or a control character (those as ``\\uXXXX``)."""
    if not re.search(r"[\x00-\x1f\x7f-\x9f!']", value):
        return f"'{value}'"
    body = value.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n").replace("\r", "\\r")
    body = re.sub(r"[\x00-\x1f\x7f-\x9f!]", lambda m: f"\\u{ord(m[0]):04x}", body)
    return f"$'{body}'"


def cmd(value: str) -> str:
    """A value quoted as DevTools' cmd form does: ``^"...^"``, backslashes doubled, quotes as
    ``\\"``, every other unusual character behind a ``^``, ``%`` before a name char as ``%^``,
    and a line break as ``^`` and two line breaks."""
    body = value.replace("\\", "\\\\").replace('"', '\\"')
    body = re.sub(r"[^a-zA-Z0-9\s_\-:=+~'/.,?;()*`]", lambda m: "^" + m[0], body)
    body = re.sub(r"%(?=[a-zA-Z0-9_])", "%^", body)
    body = re.sub(r"\r?\n", "^\n\n", body)
    return f'^"{body}^"'


def chromium_curl(
    url: str,
    headers: list[tuple[str, str]],
    *,
    method: str | None = None,
    data: str | None = None,
    cookie: str | None = None,
    form: str = "bash",
) -> str:
    quote = posix if form == "bash" else cmd
    parts = [quote(url).replace("[", "\\[").replace("]", "\\]")]
    if method:
        parts.append(f"-X {quote(method)}")
    parts += [f"-H {quote(f'{name}: {value}')}" for name, value in headers]
    if cookie:
        parts.append(f"-b {quote(cookie)}")
    if data is not None:
        parts.append(f"--data-raw {quote(data)}")
    joint = " ^\n  " if form == "cmd" else " \\\n  "
    return "curl " + joint.join(parts)


BROWSER_LINES = [
    ("accept", "*/*"),
    ("accept-language", "en-US,en;q=0.9"),
    ("origin", PAGE),
    ("priority", "u=1, i"),
    ("referer", PAGE + "/"),
    ("sec-ch-ua", '"Chromium";v="131", "Not_A Brand";v="24"'),
    ("sec-ch-ua-mobile", "?0"),
    ("sec-ch-ua-platform", '"Linux"'),
    ("sec-fetch-dest", "empty"),
    ("sec-fetch-mode", "cors"),
    ("sec-fetch-site", "same-site"),
    ("user-agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari"),
]
SCRIPT_LINES = [
    ("authorization", "Bearer s3cret"),
    ("content-type", "application/json"),
    ("x-request-id", "42"),
]


@pytest.mark.parametrize("form", ["bash", "cmd"])
def test_chromium_copy_as_curl_keeps_what_the_script_set(form):
    body = '{"name":"it\'s 100% \\"done\\"","tags":["a&b","^x"],"note":"line\none"}'
    text = chromium_curl(
        URL,
        sorted(BROWSER_LINES + SCRIPT_LINES),
        method="PUT",
        data=body,
        cookie="session=abc123; theme=dark",
        form=form,
    )
    args = parse_curl(text)
    assert args.url == URL
    assert args.origin == PAGE
    assert args.method == "PUT"
    assert args.body == body
    assert dict(args.headers) == dict(SCRIPT_LINES)
    assert args.credentials == "include"  # the browser held cookies
    assert "abc123" not in repr(args) and "abc123" not in " ".join(args.notes)
    assert "s3cret" not in repr(args)
    dropped = next(n for n in args.notes if n.startswith("dropped what the browser adds"))
    for name in ("accept", "user-agent", "sec-ch-ua", "sec-fetch-mode", "priority"):
        assert name in dropped


def test_a_body_alone_means_post_and_a_get_has_no_x():
    posted = parse_curl(chromium_curl(URL, [("origin", PAGE)], data="a=1"))
    assert (posted.method, posted.body) == ("POST", "a=1")
    got = parse_curl(chromium_curl(URL, [("origin", PAGE)]))
    assert (got.method, got.body, got.headers, got.credentials) == ("GET", None, (), "omit")


def test_curls_url_glob_escapes_are_undone():
    args = parse_curl(chromium_curl(URL + "?ids[]=1&q={x}", [("origin", PAGE)]))
    assert args.url == URL + "?ids[]=1&q={x}"


def test_firefox_copy_as_curl_one_line_with_a_cookie_header():
    text = (
        f"curl '{URL}' -X DELETE -H 'User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) "
        "Gecko/20100101 Firefox/128.0' -H 'Accept: */*' -H 'Accept-Language: en-US,en;q=0.5' "
        "-H 'Accept-Encoding: gzip, deflate, br, zstd' -H 'X-Token: abc' "
        f"-H 'Origin: {PAGE}' -H 'Connection: keep-alive' -H 'Referer: {PAGE}/' "
        "-H 'Cookie: sid=topsecret' -H 'Sec-Fetch-Dest: empty' -H 'Sec-Fetch-Mode: cors' "
        "-H 'Sec-Fetch-Site: same-site' -H 'Pragma: no-cache' -H 'Cache-Control: no-cache' "
        "-H 'TE: trailers'"
    )
    args = parse_curl(text)
    assert (args.method, args.origin, args.credentials) == ("DELETE", PAGE, "include")
    assert args.headers == (("X-Token", "abc"),)  # DevTools' "Disable cache" pair dropped
    assert any("Disable cache" in note for note in args.notes)


def test_safari_copy_as_curl_with_data_binary():
    text = (
        f"curl '{URL}' \\\n-X 'PATCH' \\\n-H 'Content-Type: text/plain' \\\n"
        f"-H 'Accept: application/json' \\\n-H 'Origin: {PAGE}' \\\n"
        "-H 'User-Agent: Mozilla/5.0 (Macintosh) Safari/605.1.15' \\\n--data-binary 'x=1'"
    )
    args = parse_curl(text)
    assert (args.method, args.body) == ("PATCH", "x=1")
    # an Accept other than fetch's default is the script's own
    assert args.headers == (("Content-Type", "text/plain"), ("Accept", "application/json"))


def test_the_origin_falls_back_on_the_referer_and_is_none_without_either():
    args = parse_curl(f"curl '{URL}' -H 'Referer: {PAGE}/settings?tab=2'")
    assert args.origin == PAGE
    assert parse_curl(f"curl '{URL}'").origin is None


def test_a_copied_preflight_reproduces_the_request_it_announces():
    text = (
        f"curl '{URL}' -X 'OPTIONS' -H 'access-control-request-headers: content-type,x-token' "
        f"-H 'access-control-request-method: PUT' -H 'origin: {PAGE}'"
    )
    args = parse_curl(text)
    assert args.method == "PUT"
    assert [name for name, _ in args.headers] == ["content-type", "x-token"]


def test_output_options_are_fine_and_unknown_ones_are_noted():
    args = parse_curl(
        f"curl -s -i --compressed -o out.json --frobnicate '{URL}' -H 'Origin: {PAGE}' -XPOST"
    )
    assert (args.url, args.method) == (URL, "POST")
    ignored = next(n for n in args.notes if n.startswith("ignored"))
    assert "--frobnicate" in ignored and "-o" in ignored and "--compressed" not in ignored


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("wget https://api.example.com/", "starts with 'curl'"),
        ("curl -H 'Origin: x'", "names no URL"),
        ("curl 'https://a.example/", "never closed"),
        ("curl ftp://a.example/file", "not an http(s) URL"),
        ("curl https://a.example/ --data @body.json", "from a file"),
        ("curl 'https://a.example/1' ;\ncurl 'https://a.example/2'", "several commands"),
        ('Invoke-WebRequest -UseBasicParsing -Uri "https://a.example/"', "PowerShell"),
        ('fetch("https://a.example/", {"method": "GET"});', "Copy as fetch"),
    ],
)
def test_what_is_not_a_copied_curl_command_is_refused_saying_why(text, complaint):
    with pytest.raises(CorsUsageError, match=re.escape(complaint)):
        parse_curl(text)


def test_the_repr_never_shows_a_secret_or_the_body():
    args = FetchArgs(
        URL + "?token=abc123", headers=(("Authorization", "Bearer s3cret"),), body="pw"
    )
    shown = repr(args)
    assert "s3cret" not in shown and "abc123" not in shown and "pw" not in shown


# -- console messages -----------------------------------------------------------------------------


def test_every_failure_kind_of_the_kit_is_known_to_the_reader():
    assert set(KIND_STEPS) == set(failures._KINDS)


def renderings():
    for kind, steps in KIND_STEPS.items():
        for step in steps:
            for style in ("chromium", "firefox", "webkit"):
                yield pytest.param(kind, step, style, id=f"{kind}-{step}-{style}")


@pytest.mark.parametrize(("kind", "step", "style"), list(renderings()))
def test_every_failure_in_every_browsers_words_parses_back(kind, step, style):
    parameter = {"MethodDisallowedByPreflightResponse": "PATCH"}.get(kind, "x-custom")
    failure = make_failure(
        kind,
        url=URL,
        origin=PAGE,
        step=step,
        parameter=parameter,
        status=403,
        firefox=style == "firefox",
        webkit=style == "webkit",
    )
    args = parse_console(failure.message)
    line = args.console
    assert line is not None
    assert line.browser == style
    assert args.url == URL
    assert args.browser == {"webkit": "safari"}.get(style, style)
    if style == "chromium" or (style == "webkit" and f"Origin {PAGE} " in failure.message):
        assert args.origin == PAGE
    else:
        assert args.origin is None  # the line does not name it: the caller must
    if style == "webkit" and failure.message.startswith("Fetch API"):
        assert line.codes == ()  # WebKit words no reason for it
    else:
        assert failure.code in line.codes
        assert line.step in (step, None)
    if style == "chromium":
        assert line.step == step  # Chromium's words always tell the step
    if kind == "MethodDisallowedByPreflightResponse" and style != "firefox":
        assert args.method == "PATCH"
    if kind == "HeaderDisallowedByPreflightResponse":
        assert [name for name, _ in args.headers] == ["x-custom"]
    if failure.code in ("CORSNotSupportingCredentials", "CORSMissingAllowCredentials"):
        assert args.credentials == "include"


def test_chromium_as_the_console_prints_it_with_the_lines_around():
    text = (
        "Access to fetch at 'https://api.example.com/items' from origin 'https://app.example.com' "
        "has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on "
        "the requested resource. If an opaque response serves your needs, set the request's mode "
        "to 'no-cors' to fetch the resource with CORS disabled.\n"
        "app.js:12  POST https://api.example.com/items net::ERR_FAILED 200 (OK)\n"
        "Uncaught (in promise) TypeError: Failed to fetch"
    )
    args = parse_console(text)
    assert (args.url, args.origin, args.method) == (
        "https://api.example.com/items",
        PAGE,
        "POST",
    )
    assert args.console is not None
    assert (args.console.step, args.console.codes) == ("actual", ("CORSMissingAllowOrigin",))


def test_chromium_after_a_redirect_fetches_the_first_url():
    text = (
        "Access to fetch at 'https://cdn.example.net/a' (redirected from "
        "'https://api.example.com/a') from origin 'https://app.example.com' has been blocked by "
        "CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested "
        "resource."
    )
    args = parse_console(text)
    assert args.url == "https://api.example.com/a"
    assert args.console is not None and args.console.failed_url == "https://cdn.example.net/a"


def test_firefox_as_the_console_prints_it_with_curly_quotes():
    text = (
        "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote "
        "resource at https://api.example.com/items. (Reason: header \u2018x-token\u2019 is not "
        "allowed according to header \u2018Access-Control-Allow-Headers\u2019 from CORS "
        "preflight response). [Learn More]"
    )
    args = parse_console(text)
    assert args.url == "https://api.example.com/items"
    assert args.origin is None
    assert args.headers == (("x-token", "example"),)
    assert args.console is not None and args.console.step == "preflight"


def test_webkit_as_safari_prints_it():
    text = (
        "[Error] Preflight response is not successful. Status code: 405\n"
        "[Error] Fetch API cannot load https://api.example.com/items due to access control "
        "checks."
    )
    args = parse_console(text)
    assert args.url == "https://api.example.com/items"
    assert args.console is not None
    assert (args.console.step, args.console.status) == ("preflight", 405)
    assert not args.method_known  # the line does not say which method made it needed
    assert any("--method" in note for note in args.notes)


def test_an_unknown_reason_still_gives_url_and_origin():
    text = (
        "Access to fetch at 'https://api.example.com/x' from origin 'https://app.example.com' "
        "has been blocked by CORS policy: The request client is not a secure context."
    )
    args = parse_console(text)
    assert (args.url, args.origin) == ("https://api.example.com/x", PAGE)
    assert args.console is not None and args.console.codes == ()
    assert any("not one pytest-cors knows" in note for note in args.notes)


def test_text_that_is_no_cors_message_is_refused():
    with pytest.raises(CorsUsageError, match="CORS console message"):
        parse_console("Uncaught TypeError: Failed to fetch")
