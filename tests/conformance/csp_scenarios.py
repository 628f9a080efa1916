"""The ``csp`` family: the page's own Content Security Policy stops a ``fetch()`` before CORS.

Each scenario's page is served with a ``Content-Security-Policy`` header (the page name
``app|csp:<policy>``, see ``server.split_page``); the engine gets the same policy as
``page_csp=``. ``test_csp.py`` runs them in Chromium, Firefox and WebKit and compares, live and
in-process: the verdict, the requests sent (none when the policy blocks the URL, the first hop
only when it blocks a redirect's target) and the console line, which must be the browser's own
(``CSPViolation``, not a CORS failure).

Every scenario gets a page of its own (a ``|n:<i>`` suffix the page URL ignores), so that the
console lines of one policy's page belong to one scenario.
"""

from __future__ import annotations

from .scenarios import ACAO_ORIGIN, TEXT, Fetch, Scenario, _Family, ok_actual, one_step, resp
from .server import CSP_MARK, Resp, Step

_ANY = Resp(
    204,
    (
        "Access-Control-Allow-Origin: *",
        "Access-Control-Allow-Methods: *",
        "Access-Control-Allow-Headers: *",
    ),
    b"",
)


def csp_page(policy: str, n: int, base: str = "app") -> str:
    """The page ``base`` served with ``policy`` (placeholders filled), unique by ``n``."""
    return f"{base}{CSP_MARK}{policy}|n:{n}"


def csp_scenarios() -> list[Scenario]:
    fam = _Family("csp")
    get = Fetch(credentials="omit")
    n = 0

    def add(
        title: str,
        policy: str,
        fetch: Fetch = get,
        steps: dict[str, Step] | None = None,
        url: str = "{API}/s/{SID}/a",
        base: str = "app",
    ) -> None:
        nonlocal n
        n += 1
        fam.add(
            f"{title} [{policy}]",
            fetch,
            steps or one_step(ok_actual()),
            page=csp_page(policy, n, base),
            url=url,
        )

    # connect-src decides for fetch(); default-src when it is absent
    add("connect-src 'self', cross-origin URL: blocked", "connect-src 'self'")
    add("connect-src 'none': blocked", "connect-src 'none'")
    add("default-src 'self' as the fallback: blocked", "default-src 'self'")
    add("default-src 'none' as the fallback: blocked", "default-src 'none'")
    add("connect-src 'self' overrides default-src *: blocked", "default-src *; connect-src 'self'")
    add("connect-src * overrides default-src 'none': allowed", "default-src 'none'; connect-src *")
    add("only script-src: fetch() not governed, allowed", "script-src 'self'")
    add("connect-src the API's origin: allowed", "connect-src 'self' {API}")
    add("connect-src the API host, any port: allowed", "connect-src http://api.example.org:*")
    add("connect-src the API host, another port: blocked", "connect-src {API2}")
    add("connect-src a host wildcard: allowed", "connect-src *.example.org:*")
    add("connect-src another host's wildcard: blocked", "connect-src *.example.com:*")
    add("connect-src a host without scheme or port: blocked", "connect-src other.example.com")
    add("connect-src a mix of sources, none matching: blocked",
        "connect-src 'self' other.example.com:* https: {OTHER}/x")  # fmt: skip
    add("connect-src the http: scheme: allowed", "connect-src http:")
    add("connect-src https: only, an http URL: blocked", "connect-src https:")
    add("connect-src a path prefix that matches: allowed", "connect-src {API}/s/")
    add("connect-src another path: blocked", "connect-src {API}/other/")
    add("connect-src names the host upper-case: allowed", "connect-src HTTP://API.EXAMPLE.ORG:*")
    add("two policies, the second blocks", "connect-src *, connect-src 'self'")
    add("a repeated directive: the first one wins, blocked", "connect-src 'self'; connect-src *")
    add(
        "connect-src 'self', same-origin URL: allowed",
        "connect-src 'self'",
        steps=one_step(resp(200, TEXT)),
        url="{APP}/s/{SID}/a",
    )
    add(
        "connect-src 'self', a PUT that would preflight: blocked, no preflight",
        "connect-src 'self'",
        Fetch("PUT", (("X-Custom", "1"),), "omit", "x"),
        {"a": Step(ok_actual(), _ANY)},
    )
    add(
        "blocked although the API would refuse CORS too: CSP is named",
        "connect-src 'self'",
        steps=one_step(resp(200, TEXT)),
    )
    # redirects: the target is checked again, its path no longer restricts
    redirect = {
        "a": Step(Resp(307, ("Location: {OTHER}/s/{SID}/b", ACAO_ORIGIN), b"")),
        "b": Step(resp(200, "Access-Control-Allow-Origin: *", TEXT)),
    }
    add("redirect to a host the policy lacks: blocked at the redirect",
        "connect-src {API}", steps=redirect)  # fmt: skip
    add("redirect to a host the policy lists: allowed", "connect-src {API} {OTHER}",
        steps=redirect)  # fmt: skip
    add("after a redirect the path is not checked: allowed",
        "connect-src {API}/s/ {OTHER}/elsewhere/", steps=redirect)  # fmt: skip
    # the opaque page ('self' is the page URL's origin there)
    add("opaque page, connect-src * : allowed", "connect-src *",
        steps=one_step(resp(200, "Access-Control-Allow-Origin: *", TEXT)), base="null")  # fmt: skip
    add("opaque page, connect-src 'self', cross-origin URL: blocked", "connect-src 'self'",
        steps=one_step(resp(200, "Access-Control-Allow-Origin: *", TEXT)), base="null")  # fmt: skip
    return fam.items


CSP_SCENARIOS = csp_scenarios()
