"""Internationalised host names: the kit's host parser against real Chromium and Firefox.

Each browser parses ``new URL("https://" + host + "/")`` for every host below on an
``about:blank`` page, in one script call; the host it serialises (or the exception it throws)
is compared with ``pytest_cors.origin``: ``origin_of_url`` must give the same host, the origin
with that host must be accepted by ``parse_origin`` as written, and the origin as written here
must be accepted or refused with that spelling as the fix. Where a browser throws, both must
refuse it with a message, never a traceback.

One Chromium difference is recorded rather than followed: for a host that is all ASCII,
Chromium does not run IDNA at all, so it keeps an ``xn--`` label that is not valid Punycode
(``xn--abc.com``); the URL Standard and Firefox refuse it, and so does the kit. The test checks
that Chromium still does so, so that a change in Chromium shows up here.
"""

from __future__ import annotations

from typing import Any

import pytest

from pytest_cors.errors import CorsUsageError
from pytest_cors.origin import origin_of_url, parse_origin

from .chromium import Chromium, find_chromium
from .conftest import _unavailable
from .firefox import Firefox, find_firefox

pytestmark = pytest.mark.browser

#: (test id, host as written in the URL)
HOSTS: tuple[tuple[str, str], ...] = (
    ("strasse-sharp-s", "straße.de"),
    ("fass-sharp-s", "faß.de"),
    ("capital-sharp-s", "ẞ.com"),
    ("final-sigma", "ς.com"),
    ("upper-sigmas", "ΣΑΣ.com"),
    ("snowman-symbol", "☃.net"),
    ("emoji", "💩.la"),
    ("japanese", "日本.jp"),
    ("middle-dot", "a\u00b7b.com"),
    ("bucher", "Bücher.Example"),
    ("punycode-strasse", "xn--strae-oqa.de"),
    ("punycode-upper", "XN--BCHER-KVA.example"),
    ("punycode-snowman", "xn--n3h.net"),
    ("zwj-no-virama", "a\u200db.com"),
    ("zwnj-no-context", "a\u200cb.com"),
    ("zwj-after-virama", "\u0915\u094d\u200d\u0937.com"),
    ("zwnj-between-joining", "\u0628\u200c\u0628.com"),
    ("full-width", "ＡＢＣ.com"),
    ("ideographic-dot", "a\u3002b.com"),
    ("full-width-ip", "１２７.０.０.１"),
    ("ligature", "ﬀ.com"),
    ("soft-hyphen", "ex\u00adample.com"),
    ("only-soft-hyphen", "\u00ad"),
    ("no-break-space", "a\u00a0b.com"),
    ("leading-combining-mark", "\u0301a.com"),
    ("leading-hyphen", "-leading.com"),
    ("trailing-hyphen", "trailing-.com"),
    ("double-hyphen", "ab--c.com"),
    ("underscore", "a_b.com"),
    ("invalid-punycode", "xn--abc.com"),
    ("punycode-of-ascii", "xn--ab-.com"),
    ("punycode-of-disallowed", "xn--a-ecp.ru"),
    ("invalid-punycode-with-unicode", "\u05d0.xn--abc"),
    ("ipv4", "1.2.3.4"),
    ("ipv4-hex", "0x7f.1"),
    ("ends-in-bad-number", "a.1"),
    ("rtl-hebrew-digits", "\u05d0\u05d1\u05d2123.com"),
    ("rtl-starts-with-digits", "123\u05d0\u05d1.com"),
    ("rtl-domain-ltr-label-digit-first", "\u05d0\u05d1.1com"),
    ("rtl-arabic-indic-digit", "\u0627\u0661.com"),
    ("ltr-label-arabic-indic-digit", "a\u0661.com"),
    ("rtl-mixed-with-latin", "\u0627a.com"),
    ("empty-label", "a..b.com"),
    ("rtl-empty-label", "\u0627..com"),
    ("trailing-dot", "a.b."),
    ("percent-encoded", "%c3%a9.com"),
    ("percent-encoded-not-utf8", "%e9.com"),
    ("percent-encoded-percent", "a%2541.com"),
    ("300-characters", ("a" * 63 + ".") * 4 + "b" * 44),
    ("300-character-label", "x" * 300),
    ("300-characters-unicode", "é" * 296 + ".com"),
)

#: Chromium's own answer where it differs from the URL Standard, Firefox and the kit.
CHROMIUM_DIFFERS = {
    "invalid-punycode": "xn--abc.com",
    "punycode-of-ascii": "xn--ab-.com",
    "punycode-of-disallowed": "xn--a-ecp.ru",
    "no-break-space": "a%20b.com",  # NBSP maps to a space, which Chromium escapes
}

_PARSE_ALL = """
(hosts) => hosts.map((host) => {
  try {
    return {ok: true, host: new URL("https://" + host + "/").host};
  } catch (e) {
    return {ok: false, error: String(e)};
  }
})
"""

_ALL_HOSTS = [host for _, host in HOSTS]


@pytest.fixture(scope="module")
def chromium_hosts() -> dict[str, dict[str, Any]]:
    """Every host through ``new URL`` in Chromium, by test id."""
    exe = find_chromium()
    if exe is None:
        _unavailable("Chromium not found (install Debian's 'chromium' package)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("playwright-python is not installed")
    try:
        browser = Chromium(exe)  # type: ignore[arg-type]
    except Exception as exc:
        _unavailable(f"Chromium at {exe} did not start: {exc}")
        raise
    try:
        page = browser.browser.new_page()
        page.goto("about:blank")
        results = page.evaluate(_PARSE_ALL, _ALL_HOSTS)
    finally:
        browser.close()
    return {name: result for (name, _), result in zip(HOSTS, results, strict=True)}


@pytest.fixture(scope="module")
def firefox_hosts() -> dict[str, dict[str, Any]]:
    """Every host through ``new URL`` in Firefox (over WebDriver BiDi), by test id."""
    exe = find_firefox()
    if exe is None:
        _unavailable("Firefox not found (install Debian's 'firefox-esr' package)")
    try:
        import websockets  # noqa: F401
    except ImportError:
        _unavailable("the 'websockets' package is not installed (pip install -e '.[test]')")
    try:
        browser = Firefox(exe)  # type: ignore[arg-type]
    except Exception as exc:
        _unavailable(f"Firefox at {exe} did not start: {exc}")
        raise
    try:
        tab = browser.client.command("browsingContext.create", {"type": "tab"})["context"]
        results = browser.client.call(tab, _PARSE_ALL, _ALL_HOSTS)
    finally:
        browser.close()
    return {name: result for (name, _), result in zip(HOSTS, results, strict=True)}


def _kit(host: str) -> str | ValueError:
    try:
        return origin_of_url(f"https://{host}/").host
    except ValueError as exc:
        return exc


def _agrees(host: str, result: dict[str, Any], browser: str) -> None:
    written = f"https://{host}"
    kit = _kit(host)
    if not result["ok"]:
        assert isinstance(kit, ValueError), (
            f"{browser} refuses {written!r} ({result['error']}), the kit reads host {kit!r}"
        )
        with pytest.raises(CorsUsageError) as info:
            parse_origin(written)
        assert "did you mean" not in str(info.value)
        return
    expected = result["host"]
    assert kit == expected, f"{browser} reads {written!r} as host {expected!r}, the kit as {kit!r}"
    canonical = f"https://{expected}"
    assert parse_origin(canonical).serialize() == canonical
    if written == canonical:
        assert parse_origin(written).serialize() == canonical
    else:
        with pytest.raises(CorsUsageError, match="did you mean") as info:
            parse_origin(written)
        assert repr(canonical) in str(info.value)


@pytest.mark.parametrize(("name", "host"), HOSTS, ids=[name for name, _ in HOSTS])
def test_host_as_firefox_parses_it(
    name: str, host: str, firefox_hosts: dict[str, dict[str, Any]]
) -> None:
    _agrees(host, firefox_hosts[name], "Firefox")


@pytest.mark.parametrize(("name", "host"), HOSTS, ids=[name for name, _ in HOSTS])
def test_host_as_chromium_parses_it(
    name: str, host: str, chromium_hosts: dict[str, dict[str, Any]]
) -> None:
    result = chromium_hosts[name]
    if name in CHROMIUM_DIFFERS:
        assert result == {"ok": True, "host": CHROMIUM_DIFFERS[name]}, (
            f"Chromium no longer reads {host!r} as {CHROMIUM_DIFFERS[name]!r} (it gave "
            f"{result}): compare it with the kit again and update CHROMIUM_DIFFERS"
        )
        assert isinstance(_kit(host), ValueError)  # the kit follows the URL Standard and Firefox
        return
    _agrees(host, result, "Chromium")
