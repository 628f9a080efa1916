"""The contract loader, key by key: values, defaults, precedence and marks.

The exact wording of every error lives in ``malformed/``; these tests check what the loader
builds from valid input and the rules that decide between valid and invalid.
"""

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pytest_cors.contract import (
    MAX_CONTRACT_BYTES,
    AllowedFinding,
    Contract,
    Mark,
    MaxAgeBounds,
    Policy,
    load_contract,
    load_contract_text,
)
from pytest_cors.errors import ContractError
from pytest_cors.origin import NULL_ORIGIN, parse_origin

# contracts here may use the deprecated private_network key; tests/contract/test_lna_contract.py
# checks its warning
pytestmark = pytest.mark.filterwarnings(
    "ignore::pytest_cors.contract.deprecations.ContractDeprecationWarning"
)


API = """\
  - name: api
    paths: [/items]
    origins:
      allow: [https://app.example.com]
"""


def load(text: str, **kwargs) -> Contract:
    return load_contract_text(textwrap.dedent(text), "c.yaml", **kwargs)


def policy(body: str, *, top: str = "") -> Policy:
    """The one policy of a contract whose policy body is ``body`` (indented 4 spaces)."""
    text = f"version: 1\n{top}policies:\n  - name: p\n" + textwrap.indent(
        textwrap.dedent(body), "    "
    )
    return load_contract_text(text, "c.yaml").policies[0]


def errors(text: str, **kwargs) -> list[str]:
    """The ``LINE:COL: message`` parts of every diagnostic for ``text``."""
    with pytest.raises(ContractError) as info:
        load_contract_text(textwrap.dedent(text), "c.yaml", **kwargs)
    assert all(d.file == "c.yaml" for d in info.value.diagnostics)
    return [f"{d.line}:{d.column}: {d.message}" for d in info.value.diagnostics]


def policy_errors(body: str, *, top: str = "") -> list[str]:
    text = f"version: 1\n{top}policies:\n  - name: p\n" + textwrap.indent(
        textwrap.dedent(body), "    "
    )
    return [e.split(": ", 1)[1] for e in errors(text)]


# -- the top level -------------------------------------------------------------------------


def test_the_issue_example_loads_with_every_value_in_place():
    contract = load_contract(Path(__file__).parent / "valid" / "issue-example.yaml")
    assert contract.version == 1
    assert contract.target is not None
    assert contract.target.app == "myproject.asgi:app"
    assert contract.target.base_url is None
    spa, fonts, admin = contract.policies
    assert spa.name == "spa-api"
    assert spa.paths == ("/items", "/items/1")
    assert [r.text for r in spa.allow] == ["https://app.example.com", "https://*.example.com"]
    assert [r.kind for r in spa.allow] == ["exact", "subdomain"]
    assert spa.deny == (parse_origin("https://evil.example.net"),)
    assert spa.methods == ("GET", "POST", "PUT")
    assert spa.request_headers == ("Content-Type", "X-Request-Id")
    assert spa.expose_headers == ("X-Total-Count",)
    assert spa.max_age == MaxAgeBounds(60, 7200)
    assert spa.credentials is True
    assert "credentials" in spa.inherited
    assert (fonts.public, fonts.credentials, fonts.cors) == (True, False, True)
    assert (admin.cors, admin.public) == (False, False)
    assert contract.policy("admin") is admin
    with pytest.raises(KeyError):
        contract.policy("nope")


def test_top_level_optional_keys_are_read():
    contract = load(
        textwrap.dedent(
            """\
            version: 1
            description: the shop
            browsers: [firefox, safari]
            seed: 42
            target: {base_url: "https://staging.example.com/api/"}
            policies:
            """
        )
        + API
    )
    assert contract.description == "the shop"
    assert contract.browsers == ("firefox", "safari")
    assert contract.seed == 42
    assert contract.target is not None
    assert contract.target.base_url == "https://staging.example.com/api/"
    assert contract.policies[0].browsers == ("firefox", "safari")


def test_defaults_when_nothing_optional_is_written():
    contract = load("version: 1\npolicies:\n" + API)
    assert (contract.description, contract.target, contract.seed) == (None, None, None)
    assert contract.browsers == ("chromium",)
    p = contract.policies[0]
    assert p.methods == ("GET",)
    assert (p.credentials, p.public, p.cors, p.vary, p.private_network) == (
        False,
        False,
        True,
        True,
        False,
    )
    assert p.max_age == MaxAgeBounds(None, None)
    assert (p.request_headers, p.expose_headers, p.error_paths, p.probes) == ((), (), (), ())
    assert (p.deny, p.allow_findings, p.description) == ((), (), None)
    assert p.inherited == frozenset()


@pytest.mark.parametrize(
    ("text", "value"),
    [("version: 1", 1), ("version: 0x1", 1), ("version: 0o1", 1), ("version: +1", 1)],
)
def test_version_is_an_integer_in_any_yaml_12_spelling(text, value):
    assert load(f"{text}\npolicies:\n" + API).version == value


@pytest.mark.parametrize("text", ["version: true", "version: '1'", "version: 1.0", "version:"])
def test_version_of_another_type_is_refused(text):
    (message,) = errors(f"{text}\npolicies:\n" + API)
    assert "'version' must be an integer (1)" in message


def test_an_unknown_version_stops_before_checking_the_rest():
    # Other rules may hold in other versions, so nothing else is reported.
    assert errors("version: 3\npolicies: 7\n") == [
        "1:10: unknown version 3; this pytest-cors reads contract version 1"
    ]


# -- target ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "app", ["shop:app", "shop.asgi:app", "a_b.c:create.app", "_x:_y", "shop:create_app()"]
)
def test_target_app_accepts_module_colon_attribute(app):
    contract = load(f"version: 1\ntarget: {{app: '{app}'}}\npolicies:\n" + API)
    assert contract.target is not None
    assert contract.target.app == app
    assert contract.target.where("app").line == 2


@pytest.mark.parametrize(
    "app", ["shop", "shop:", ":app", "shop:app(1)", "shop:app()()", "1shop:app", "a b:c"]
)
def test_target_app_refuses_other_shapes(app):
    (message,) = errors(f"version: 1\ntarget: {{app: '{app}'}}\npolicies:\n" + API)
    assert "must be 'module:attribute'" in message


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("ftp://files.example.com", "must start with 'http://' or 'https://'"),
        ("HTTPS://x.example.com", "must start with 'http://' or 'https://'"),
        ("https://x.example.com/?a=1", "did you mean 'https://x.example.com/'?"),
        ("https://x.example.com/#top", "did you mean 'https://x.example.com/'?"),
        ("https://u:p@x.example.com", "must not hold a user name or password"),
        ("https://", "is not a valid URL: empty host"),
        ("https://x.example.com:99999", "is not a valid URL"),
        ("x.example.com", "did you mean 'https://x.example.com'?"),
    ],
)
def test_target_base_url_must_be_a_plain_http_url(url, needle):
    (message,) = errors(f"version: 1\ntarget: {{base_url: '{url}'}}\npolicies:\n" + API)
    assert needle in message


def test_target_base_url_message_never_repeats_the_password():
    (message,) = errors(
        "version: 1\ntarget: {base_url: 'https://bot:hunter2@x.example.com'}\npolicies:\n" + API
    )
    assert "hunter2" not in message


# -- policies and defaults ------------------------------------------------------------------


def test_defaults_apply_to_every_policy_and_a_policy_overrides_them():
    contract = load(
        """\
        version: 1
        defaults:
          credentials: true
          methods: [GET, POST]
          origins:
            allow: [https://app.example.com]
            deny: [https://evil.example.net]
          max_age: {min: 60, max: 600}
          browsers: [firefox]
        policies:
          - name: a
            paths: [/a]
          - name: b
            paths: [/b]
            methods: [DELETE]
            credentials: false
            origins:
              deny: [https://other.example.net]
            max_age: {max: 120}
        """
    )
    a, b = contract.policies
    assert (a.credentials, a.methods, a.browsers) == (True, ("GET", "POST"), ("firefox",))
    assert [r.text for r in a.allow] == ["https://app.example.com"]
    assert a.max_age == MaxAgeBounds(60, 600)
    assert a.inherited == {
        "credentials",
        "methods",
        "origins.allow",
        "origins.deny",
        "max_age.min",
        "max_age.max",
        "browsers",
    }
    assert (b.credentials, b.methods) == (False, ("DELETE",))
    # origins and max_age merge one level deep: allow still comes from defaults.
    assert [r.text for r in b.allow] == ["https://app.example.com"]
    assert b.deny == (parse_origin("https://other.example.net"),)
    assert b.max_age == MaxAgeBounds(60, 120)
    assert b.inherited == {"origins.allow", "max_age.min", "browsers"}
    # Marks of inherited values point into defaults; own values into the policy.
    assert a.where("methods").line == 4
    assert a.where("origins.allow[0]").line == 6
    assert b.where("methods").line == 15
    assert b.where("origins.allow[0]").line == 6
    assert b.where("origins.deny[0]").line == 18
    assert b.where("max_age.min").line == 8
    assert b.where("max_age.max").line == 19


def test_policy_browsers_override_defaults_which_override_the_top_level():
    contract = load(
        """\
        version: 1
        browsers: [safari]
        defaults: {browsers: [firefox]}
        policies:
          - {name: a, paths: [/a], public: true}
          - {name: b, paths: [/b], public: true, browsers: [spec, chromium]}
        """
    )
    assert [p.browsers for p in contract.policies] == [("firefox",), ("spec", "chromium")]
    assert contract.browsers == ("safari",)


def test_a_public_policy_does_not_inherit_credentials_or_deny_from_defaults():
    contract = load(
        """\
        version: 1
        defaults:
          credentials: true
          origins: {allow: [https://app.example.com], deny: [https://evil.example.net]}
        policies:
          - {name: fonts, paths: [/f.woff2], public: true}
        """
    )
    (fonts,) = contract.policies
    assert (fonts.public, fonts.credentials, fonts.deny) == (True, False, ())
    assert [r.text for r in fonts.allow] == ["https://app.example.com"]  # origins to try
    assert fonts.where("credentials") == fonts.mark
    assert fonts.inherited == {"origins.allow"}  # what was dropped is not "inherited"


def test_a_closed_policy_does_not_inherit_what_only_open_policies_mean():
    contract = load(
        """\
        version: 1
        defaults:
          credentials: true
          origins: {allow: [https://app.example.com]}
          expose_headers: [X-Total]
          max_age: {max: 60}
          vary: true
        policies:
          - {name: admin, paths: [/admin], cors: false}
        """
    )
    (admin,) = contract.policies
    assert (admin.cors, admin.allow, admin.expose_headers) == (False, (), ())
    assert (admin.max_age, admin.credentials) == (MaxAgeBounds(), True)
    assert admin.inherited == {"credentials"}
    assert admin.where("origins.allow") == admin.mark


def test_a_policy_closed_by_defaults_cannot_open_itself_with_allow():
    assert policy_errors(
        "paths: [/a]\norigins: {allow: [https://app.example.com]}\n",
        top="defaults: {cors: false}\n",
    ) == [
        "'origins.allow' contradicts 'cors: false'; list origins that must be refused under "
        "'origins.deny'"
    ]


def test_a_closed_policy_may_name_methods_headers_credentials_and_deny_to_try():
    p = policy(
        """\
        paths: [/admin]
        cors: false
        methods: [GET, DELETE]
        request_headers: [X-CSRF-Token]
        credentials: true
        private_network: false
        origins: {deny: [https://evil.example.net]}
        """
    )
    assert (p.methods, p.request_headers, p.credentials) == (
        ("GET", "DELETE"),
        ("X-CSRF-Token",),
        True,
    )
    assert not p.allows("https://evil.example.net")


def test_the_policy_label_uses_its_number_when_the_name_is_unusable():
    assert errors("version: 1\npolicies:\n  - {name: 7, paths: [/a]}\n") == [
        "3:5: policy #1 allows no origin: add 'origins.allow', or set 'public: true' (every "
        "origin) or 'cors: false' (none)",
        "3:12: 'name' must be a string, got an integer (7)",
    ]


@pytest.mark.parametrize("name", ["api", "spa-api", "v2.public_fonts", "A" * 64, "0"])
def test_policy_names_that_fit_in_test_ids(name):
    text = f"version: 1\npolicies:\n  - {{name: '{name}', paths: [/a], public: true}}\n"
    assert load_contract_text(text, "c.yaml").policies[0].name == name


@pytest.mark.parametrize("name", ["a::b", "-a", "a b", "A" * 65, "a/b", "a[1]", "é"])
def test_policy_names_that_would_break_test_ids_are_refused(name):
    text = f"version: 1\npolicies:\n  - {{name: '{name}', paths: [/a], public: true}}\n"
    (message,) = errors(text)
    assert "may only hold letters, digits" in message


def test_several_problems_in_several_policies_are_all_reported_in_file_order():
    found = errors(
        """\
        version: 1
        policies:
          - {name: a, paths: [a], public: true}
          - {name: b, paths: [/b], public: yes}
          - {name: a, paths: [/c], public: true, methods: [get]}
        """
    )
    assert [f.split(":")[0] for f in found] == ["3", "4", "5", "5"]


# -- paths ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/items", "/items/1?expand=owner&x=%20", "/a/b/../c", "/~user/;v=1"]
)
def test_paths_accept_what_a_browser_would_send(path):
    p = policy(f"paths: ['{path}']\npublic: true\nerror_paths: ['/x{path}']\n")
    assert p.paths == (path,)
    assert p.error_paths == (f"/x{path}",)


@pytest.mark.parametrize(
    ("path", "fix"),
    [
        ("items", "did you mean '/items'?"),
        ("http://a.example.com/items?x=1", "did you mean '/items?x=1'?"),
        ("https://a.example.com", "did you mean '/'?"),
        ("//evil.example.net/x", "did you mean '/evil.example.net/x'?"),
        ("/a#b", "did you mean '/a'?"),
        ("/naïve", "as in '/na%C3%AFve'"),
        ("/tab\there", "as in '/tab%09here'"),
    ],
)
def test_paths_that_cannot_be_sent_as_written_are_refused_with_a_fix(path, fix):
    (message,) = policy_errors(f'paths: ["{path}"]\npublic: true\n')
    assert message.endswith(fix)


# -- origins --------------------------------------------------------------------------------


def test_allow_rules_match_like_a_browser_origin_would():
    p = policy(
        """\
        paths: [/a]
        origins:
          allow:
            - https://app.example.com
            - http://localhost:3000
            - "null"
            - https://*.example.net
            - http://*.localhost:8080
            - regex: ^https://pr-[0-9]+\\.preview\\.example\\.dev$
        """
    )
    exact, local, null, sub, dev, regex = p.allow
    assert (exact.kind, sub.kind, regex.kind) == ("exact", "subdomain", "regex")
    assert exact.matches("https://app.example.com")
    assert exact.matches(parse_origin("https://app.example.com"))
    assert not exact.matches("https://app.example.com:8443")
    assert local.matches("http://localhost:3000") and not local.matches("http://localhost")
    assert null.matches(NULL_ORIGIN) and null.matches("null")
    assert (sub.scheme, sub.suffix, sub.port) == ("https", "example.net", None)
    assert sub.matches("https://a.example.net")
    assert sub.matches("https://a.b.example.net")  # '*' covers one or more labels
    assert not sub.matches("https://example.net")
    assert not sub.matches("http://a.example.net")
    assert not sub.matches("https://a.example.net:444")
    assert not sub.matches("https://evilexample.net")
    assert not sub.matches("https://a.example.net.evil.io")
    assert not sub.matches("https://.example.net")
    assert dev.matches("http://a.localhost:8080") and not dev.matches("http://a.localhost")
    assert regex.matches("https://pr-12.preview.example.dev")
    assert not regex.matches("https://pr-12.preview.example.dev.evil.io")  # full match only
    assert not regex.matches("https://pr-x.preview.example.dev")
    assert p.allows("https://x.y.example.net")
    assert p.allowed_by("https://x.example.net") is sub
    assert p.allowed_by("https://nope.example.org") is None
    assert not p.allows("https://nope.example.org")


def test_public_allows_everything_and_closed_allows_nothing():
    assert policy("paths: [/a]\npublic: true\n").allows("https://anything.example")
    closed = policy("paths: [/a]\ncors: false\n")
    assert not closed.allows("https://anything.example")


@pytest.mark.parametrize(
    "entry",
    [
        "https://app.example.com",
        "http://127.0.0.1:8000",
        "http://[::1]:3000",
        "https://xn--bcher-kva.example",
        "https://a_b.example.com",
        "https://example.com.",
    ],
)
def test_exact_origins_in_their_browser_spelling_are_accepted(entry):
    p = policy(f"paths: [/a]\norigins: {{allow: ['{entry}']}}\n")
    assert p.allow[0].text == entry
    assert p.allow[0].origin == parse_origin(entry)


@pytest.mark.parametrize(
    ("entry", "fix"),
    [
        ("https://app.example.com/", "'https://app.example.com'"),
        ("https://app.example.com/x?y", "'https://app.example.com'"),
        ("https://app.example.com:443", "'https://app.example.com'"),
        ("http://app.example.com:80", "'http://app.example.com'"),
        ("HTTPS://APP.example.com", "'https://app.example.com'"),
        ("https://Bücher.example", "'https://xn--bcher-kva.example'"),
        ("http://[0:0::1]", "'http://[::1]'"),
        ("http://127.1", "'http://127.0.0.1'"),
        ("https://user@app.example.com", "'https://app.example.com'"),
        ("app.example.com", "'https://app.example.com'"),
        ("app.example.com:8443", "'https://app.example.com:8443'"),
    ],
)
def test_impossible_origin_spellings_are_refused_with_the_corrected_spelling(entry, fix):
    (message,) = policy_errors(f"paths: [/a]\norigins: {{allow: ['{entry}']}}\n")
    assert message.endswith(f"did you mean {fix}?")


@pytest.mark.parametrize(
    ("entry", "needle"),
    [
        ("https://*.example.com:443", "did you mean 'https://*.example.com'?"),
        ("https://*.Example.com", "did you mean 'https://*.example.com'?"),
        ("*.example.com", "has no scheme; did you mean 'https://*.example.com'?"),
        ("https://*", "may only stand for the whole leftmost label"),
        ("https://*.*.example.com", "may only stand for the whole leftmost label"),
        ("https://a*.example.com", "may only stand for the whole leftmost label"),
        ("*://app.example.com", "may only stand for the whole leftmost label"),
        ("https://app.example.com:*", "may only stand for the whole leftmost label"),
        ("https://*.io", "would allow every site under '.io'"),
        ("https://*.a`b.example.com", "has a host no domain name has"),
    ],
)
def test_subdomain_patterns_only_take_a_leftmost_wildcard_label(entry, needle):
    (message,) = policy_errors(f"paths: [/a]\norigins: {{allow: ['{entry}']}}\n")
    assert needle in message


@pytest.mark.parametrize(
    ("pattern", "ok"),
    [
        ("^https://app\\.example\\.com$", True),
        ("^$", True),
        ("^https://a\\\\$", True),  # an escaped backslash, then the anchor
        ("^https://a\\$", False),  # an escaped dollar is no anchor
        ("https://app\\.example\\.com$", False),
        ("^https://app\\.example\\.com", False),
        ("^(a$", False),
    ],
)
def test_regex_rules_must_compile_and_be_anchored(pattern, ok):
    body = f"paths: [/a]\norigins:\n  allow:\n    - regex: '{pattern}'\n"
    if ok:
        assert policy(body).allow[0].text == pattern
    else:
        assert len(policy_errors(body)) == 1


@pytest.mark.parametrize(
    ("entry", "ok"),
    [
        ("https://*.example.co.uk", True),
        ("https://*.octocat.github.io", True),
        ("http://*.localhost:3000", True),
        ("https://*.co.uk", False),  # two labels, but a public suffix
        ("https://*.github.io", False),  # the list's private section counts too
        ("https://*.herokuapp.com", False),
        ("https://*.s3.amazonaws.com", False),
        ("https://*.com", False),
        ("https://*.test", False),  # unknown top-level names count as public suffixes
    ],
)
def test_subdomain_patterns_must_name_a_domain_not_a_public_suffix(entry, ok):
    body = f"paths: [/a]\norigins: {{allow: ['{entry}']}}\n"
    if ok:
        assert policy(body).allow[0].kind == "subdomain"
    else:
        (message,) = policy_errors(body)
        suffix = entry.split("*.", 1)[1]
        assert message.startswith(
            f"origin pattern '{entry}' would allow every site under '.{suffix}', a public "
            "suffix whose names belong to unrelated owners"
        )


@pytest.mark.parametrize(
    "pattern",
    [
        r"^https://([a-z0-9-]+\.)?example\.com$",
        r"^https://([a-z0-9-]+\.)*example\.com$",
        r"^https://pr-[0-9]+\.preview\.example\.dev$",
        r"^https://.*\.example\.com$",
        r"^https?://app\.example\.com$",
        r"^https://(app|admin)\.example\.com$",
        r"^https://app\.example\.com$|^https://admin\.example\.com$",
        r"^http://localhost:[0-9]+$",
        r"^http://127\.0\.0\.1:\d+$",
        r"^https://[a-z]+\.myapp\.co\.uk$",
        r"^(?i:https://APP\.example\.com)$",
        r"^https://(?=app)[a-z]+\.example\.com$",  # a look-ahead: not sampled, still probed
        "^(?:" + "|".join(f"https://a{i}\\.example\\.com" for i in range(2000)) + ")$",
    ],
    ids=lambda p: p[:48],
)
def test_regexes_that_admit_only_the_intended_sites_are_accepted(pattern):
    body = f"paths: [/a]\norigins:\n  allow:\n    - regex: '{pattern}'\n"
    assert policy(body).allow[0].text == pattern


@pytest.mark.parametrize(
    ("pattern", "needle"),
    [
        (r"^.*$", "admits origins of any owner, such as 'https://evil.net' and 'null'"),
        (r"^https://.+$", "admits origins of any owner, such as 'https://evil.net';"),
        (r"^\S+$", "admits origins of any owner"),
        (r"^https://[a-z]+\.github\.io$", "such as 'https://evil.github.io'"),
        (r"^https://[a-z]+\.co\.uk$", "such as 'https://evil.co.uk'"),
        (r"^(null|https://app\.example\.com)$", "admits 'null'"),
        (r"^a|b$", "admits 'a.evil.net': '^' and '$' bind tighter than '|'"),
        (r"^a|b$", "did you mean '^(?:a|b)$'?"),
        (r"^https://a\.example\.com|https://b\.example\.com$", "'https://a.example.com.evil.net'"),
        (r"^https://a\.example\.com|^https://b\.example\.com$", "'https://a.example.com.evil.net'"),
        (r"^https://a\.example\.com$|https://b\.example\.com$", "admits 'evil.net/https://b"),
        (r"^https://.*example\.com$", "admits 'https://evilexample.com', a site of another owner"),
        (r"^https://.+example\.com$", "a site of another owner"),
        (r"^https://app.example.com$", "admits 'https://appxexample.com'"),
        (r"^https://example\.com(\..*)?$", "admits 'https://example.com.evil.net'"),
        (r"^https://[a-z]+\.herokuapp\.com$", "'herokuapp.com' is a public suffix"),
        (r"^.*app\.example\.com$", "admits both 'https://app.example.com' and 'http://app"),
        (r"^[a-z]+://app\.example\.com$", "it leaves the scheme open"),
        (r"^(a+)+$", "holds a repeat inside a repeat"),
        (r"^(\w+\s?)*$", "holds a repeat inside a repeat"),
        (r"^(?:a{1,2}){1,40}x$", "holds a repeat inside a repeat"),
        (r"^(.*.*.*.*.*.*.*.*.*.*)*\.example\.com$", "holds a repeat inside a repeat"),
        (r"^(.*)(.*)(.*)(.*)(.*)(.*)(.*)(.*)x$", "holds more than 3 unbounded repeats"),
    ],
)
def test_regexes_are_judged_by_what_they_admit_not_by_their_anchors(pattern, needle):
    body = f"paths: [/a]\norigins:\n  allow:\n    - regex: '{pattern}'\n"
    (message,) = policy_errors(body)
    assert message.startswith(f"regex '{pattern}' ")
    assert needle in message


def test_deny_and_probes_take_concrete_origins_including_null():
    p = policy(
        """\
        paths: [/a]
        origins:
          allow: [https://app.example.com]
          deny: [https://evil.example.net, "null", "https://app.example.com`.evil.net"]
        probes: [http://app.example.com, https://app.example.com:8443]
        """
    )
    assert p.deny[1] is NULL_ORIGIN or p.deny[1] == NULL_ORIGIN
    assert p.deny[2].host == "app.example.com`.evil.net"  # Safari-style probes are allowed
    assert [o.serialize() for o in p.probes] == [
        "http://app.example.com",
        "https://app.example.com:8443",
    ]
    assert p.where("probes[1]").line == 8


# -- methods and headers --------------------------------------------------------------------


def test_methods_keep_custom_tokens_verbatim():
    p = policy("paths: [/a]\npublic: true\nmethods: [GET, PATCH, M-SEARCH, PROPFIND, x-Custom]\n")
    assert p.methods == ("GET", "PATCH", "M-SEARCH", "PROPFIND", "x-Custom")


@pytest.mark.parametrize("method", ["CONNECT", "trace", "Track"])
def test_forbidden_methods_are_refused_in_any_case(method):
    (message,) = policy_errors(f"paths: [/a]\npublic: true\nmethods: [{method}]\n")
    assert message == f"method '{method}' is forbidden: fetch() refuses to send it"


@pytest.mark.parametrize(
    "header", ["Cookie", "origin", "Host", "Proxy-Anything", "sec-ch-ua", "Content-Length"]
)
def test_forbidden_request_headers_are_refused(header):
    (message,) = policy_errors(f"paths: [/a]\npublic: true\nrequest_headers: [{header}]\n")
    assert message.startswith(f"'{header}' is a forbidden request header")


@pytest.mark.parametrize(
    "header", ["Authorization", "User-Agent", "X-HTTP-Method-Override", "Content-Type", "Range"]
)
def test_script_settable_request_headers_are_kept(header):
    p = policy(f"paths: [/a]\npublic: true\nrequest_headers: [{header}]\n")
    assert p.request_headers == (header,)


def test_expose_headers_keep_their_spelling_and_refuse_set_cookie2():
    p = policy("paths: [/a]\npublic: true\nexpose_headers: [X-Total-Count, etag]\n")
    assert p.expose_headers == ("X-Total-Count", "etag")
    (message,) = policy_errors("paths: [/a]\npublic: true\nexpose_headers: [Set-Cookie2]\n")
    assert "never readable" in message


# -- flags, numbers, findings ---------------------------------------------------------------


@pytest.mark.parametrize("key", ["credentials", "public", "cors", "vary", "private_network"])
@pytest.mark.parametrize(("text", "value"), [("true", True), ("False", False), ("TRUE", True)])
def test_flags_read_yaml_12_booleans(key, text, value):
    body = f"paths: [/a]\norigins: {{allow: [https://a.example.com]}}\n{key}: {text}\n"
    if key == "public" and value:
        body = "paths: [/a]\npublic: true\n"
    if key == "cors" and not value:
        body = "paths: [/a]\ncors: false\n"
    assert getattr(policy(body), key) is value


@pytest.mark.parametrize(("word", "fix"), [("yes", "true"), ("on", "true"), ("no", "false")])
def test_yaml_11_booleans_are_strings_and_refused_with_a_fix(word, fix):
    # YAML 1.2, which editors and JSON Schema use, reads these as strings.
    (message,) = policy_errors(f"paths: [/a]\npublic: true\nvary: {word}\n")
    assert message.endswith(f"did you mean {fix}?")


def test_max_age_bounds_may_be_equal_or_zero():
    assert policy("paths: [/a]\npublic: true\nmax_age: {min: 0, max: 0}\n").max_age == MaxAgeBounds(
        0, 0
    )
    assert policy("paths: [/a]\npublic: true\nmax_age: {max: 5}\n").max_age == MaxAgeBounds(None, 5)


@pytest.mark.parametrize("value", ["true", "'60'", "60.0", "-0x1", "[60]"])
def test_max_age_bounds_must_be_whole_numbers(value):
    (message,) = policy_errors(f"paths: [/a]\npublic: true\nmax_age: {{min: {value}}}\n")
    assert "'max_age.min' must" in message


def test_allow_findings_keep_id_reason_and_marks():
    p = policy(
        """\
        paths: [/a]
        public: true
        allow_findings:
          - id: missing-vary-origin
            reason: the CDN keys on Origin
          - {id: wildcard_expose, reason: "public data"}
        """
    )
    first, second = p.allow_findings
    assert first == AllowedFinding("missing-vary-origin", "the CDN keys on Origin", first.mark)
    assert first.mark == Mark("c.yaml", 7, 9)
    assert first.where("reason").line == 8
    assert second.where("id") == Mark("c.yaml", 9, 10)
    assert p.silenced("wildcard_expose") is second
    assert p.silenced("other") is None


def test_known_findings_turn_unknown_ids_into_errors_with_a_suggestion():
    text = (
        "version: 1\npolicies:\n  - name: p\n    paths: [/a]\n    public: true\n"
        "    allow_findings: [{id: missing-vary, reason: r}]\n"
    )
    assert errors(text, known_findings={"missing-vary-origin", "wildcard-origin"}) == [
        "6:27: unknown finding id 'missing-vary'; did you mean 'missing-vary-origin'?"
    ]
    assert load(text).policies[0].allow_findings[0].id == "missing-vary"


# -- marks ----------------------------------------------------------------------------------


def test_where_falls_back_to_the_nearest_known_field_then_the_object():
    contract = load(
        """\
        version: 1
        policies:
          - name: api
            paths: [/items]
            methods:
              - GET
              - PUT
            origins:
              allow: [https://app.example.com]
        """
    )
    p = contract.policies[0]
    assert p.mark == Mark("c.yaml", 3, 5)
    assert p.where("methods") == Mark("c.yaml", 5, 5)
    assert p.where("methods[1]") == Mark("c.yaml", 7, 9)
    assert p.where("methods[9]") == Mark("c.yaml", 5, 5)
    assert p.where("origins.allow[0]") == Mark("c.yaml", 9, 15)
    assert p.allow[0].mark == Mark("c.yaml", 9, 15)
    assert p.where("origins.deny[0]") == Mark("c.yaml", 8, 5)
    assert p.where("vary") == p.mark
    assert p.where("") == p.mark
    assert p.where("name") == Mark("c.yaml", 3, 5)
    assert contract.where("policies[0]") == p.mark
    assert contract.where("policies[0].name") == p.mark
    assert contract.where("version") == Mark("c.yaml", 1, 1)
    assert str(p.where("methods[1]")) == "c.yaml:7:9"
    assert str(p.where("methods[1]").diagnostic("m")) == "c.yaml:7:9: m"


def test_inherited_marks_point_into_defaults_and_iterate_like_a_dict():
    contract = load(
        """\
        version: 1
        defaults:
          origins:
            allow: [https://a.example.com, https://b.example.com]
            deny: [https://evil.example.net]
          methods: [GET, PUT]
        policies:
          - name: api
            paths: [/items]
          - name: fonts
            paths: [/fonts]
            public: true
        """
    )
    api, fonts = contract.policies
    assert api.where("origins.allow[1]") == Mark("c.yaml", 4, 36)
    assert api.where("origins.deny[0]") == Mark("c.yaml", 5, 12)
    assert api.where("methods[1]") == Mark("c.yaml", 6, 18)
    assert api.where("origins") == Mark("c.yaml", 3, 3)
    assert api.where("paths[0]") == Mark("c.yaml", 9, 13)
    assert dict(api.marks)["origins.allow[0]"] == Mark("c.yaml", 4, 13)
    assert len(api.marks) == len(dict(api.marks)) == 12
    # 'public: true' drops the inherited 'origins.deny' and its marks; 'origins' stays, for
    # the inherited 'origins.allow'
    assert fonts.deny == () and "origins.deny[0]" not in fonts.marks
    assert fonts.where("origins.deny[0]") == Mark("c.yaml", 3, 3)
    assert fonts.where("methods") == Mark("c.yaml", 6, 3)


def test_marks_count_characters_not_bytes():
    assert policy("description: 'été'\npaths: [/a]\npublic: true\n").description == "été"
    text = "version: 1\npolicies:\n  - {name: p, description: 'été', paths: [/a], public: tru}\n"
    assert errors(text) == [
        "3:56: 'public' must be true or false, got a string ('tru'); did you mean true?"
    ]


def test_model_objects_are_immutable_and_hashable():
    p = policy("paths: [/a]\norigins: {allow: [https://a.example.com]}\n")
    with pytest.raises(AttributeError):
        p.name = "other"  # type: ignore[misc]
    assert hash(p) == hash(p)
    assert p == policy("paths: [/a]\norigins: {allow: [https://a.example.com]}\n")


# -- YAML itself ----------------------------------------------------------------------------


def test_aliases_within_the_budget_are_expanded():
    contract = load(
        """\
        version: 1
        policies:
          - name: a
            paths: &paths [/a, /b]
            origins: &origins {allow: [https://app.example.com]}
          - name: b
            paths: *paths
            origins: *origins
        """
    )
    assert contract.policies[1].paths == ("/a", "/b")
    assert contract.policies[1].allow[0].text == "https://app.example.com"


def test_a_byte_order_mark_is_ignored_and_marks_stay_right():
    text = "\ufeffversion: 1\npolicies:\n  - {name: a, paths: [a], public: true}\n"
    with pytest.raises(ContractError) as info:
        load_contract_text(text, "c.yaml")
    assert str(info.value).startswith("c.yaml:3:23: path 'a'")


def test_text_that_utf8_cannot_encode_is_a_contract_error():
    with pytest.raises(ContractError) as info:
        load_contract_text("version: 1\ndescription: '\udc80'\n", "c.yaml")
    assert str(info.value) == (
        "c.yaml:2:15: the text holds a lone surrogate code point, which UTF-8 cannot encode"
    )


def test_files_over_the_size_bound_are_refused_before_parsing(tmp_path):
    big = tmp_path / "big.yaml"
    # Valid YAML all along: only the size is wrong, and it is refused without being parsed.
    big.write_bytes(b"version: 1\n" + b"#" * MAX_CONTRACT_BYTES + b"\n")
    with pytest.raises(ContractError) as info:
        load_contract(big)
    assert str(info.value) == (
        f"{big}:1:1: the file is larger than 1048576 bytes (1 MiB), the limit for a contract"
    )
    with pytest.raises(ContractError) as info:
        load_contract_text("#" * (MAX_CONTRACT_BYTES + 1), "t.yaml")
    assert "the limit for a contract" in str(info.value)


def test_a_file_just_under_the_bound_still_loads(tmp_path):
    path = tmp_path / "ok.yaml"
    head = ("version: 1\npolicies:\n" + API).encode()
    path.write_bytes(head + b"#" * (MAX_CONTRACT_BYTES - len(head)))
    assert load_contract(path).policies[0].name == "api"


def test_an_unreadable_path_is_a_contract_error(tmp_path):
    with pytest.raises(ContractError) as info:
        load_contract(tmp_path / "missing.yaml")
    assert re.fullmatch(r".*missing\.yaml:1:1: cannot read the contract: .+", str(info.value))
    with pytest.raises(ContractError):
        load_contract(tmp_path)


def test_load_contract_accepts_str_and_pathlike(tmp_path):
    path = tmp_path / "cors.yaml"
    path.write_text("version: 1\npolicies:\n" + API, encoding="utf-8")
    assert load_contract(str(path)).file == str(path)
    assert load_contract(path).policies[0].mark.file == str(path)


def test_error_count_is_capped():
    policies = "".join(f"  - {{name: p{i}, paths: [x], public: true}}\n" for i in range(300))
    with pytest.raises(ContractError) as info:
        load_contract_text("version: 1\npolicies:\n" + policies, "c.yaml")
    found = info.value.diagnostics
    assert len(found) == 200
    assert found[-1].message == "too many problems; stopping after 199"


def test_importing_the_contract_package_does_not_import_yaml():
    code = (
        "import sys, pytest_cors.contract as c; "
        "assert 'yaml' not in sys.modules, 'yaml imported'; "
        "c.load_contract_text('version: 1\\npolicies: [{name: a, paths: [/a], public: true}]'); "
        "assert 'yaml' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


QUOTE_IT = "inside [...] YAML reads '?' as the start of a key: quote the item, as in "


@pytest.mark.parametrize(
    ("paths", "where", "item"),
    [
        ("[/items, /items?page=2]", "4:27", "/items?page=2"),
        ("[ /items?page=2 , /items ]", "4:20", "/items?page=2"),
        ("[/items,\n      /search?q=a&lang=en]", "5:14", "/search?q=a&lang=en"),
        ("[/items, /items?page=2]  # was /items?page=1", "4:27", "/items?page=2"),
    ],
)
def test_a_query_in_a_flow_list_is_a_yaml_error_that_says_to_quote_it(paths, where, item):
    text = f"version: 1\npolicies:\n  - name: p\n    paths: {paths}\n"
    assert errors(text) == [
        f"{where}: invalid YAML: expected ',' or ']', but got '?' (while parsing a flow "
        f'sequence); {QUOTE_IT}"{item}"'
    ]
    quoted = paths.replace(item, f'"{item}"')
    assert set(policy(f"paths: {quoted}\npublic: true\n").paths) == {"/items", item}


def test_a_flow_list_error_without_a_question_mark_gets_no_quoting_advice():
    (message,) = errors("version: 1\npolicies:\n  - name: p\n    paths: [/items  # why?\n")
    assert "while parsing a flow sequence" in message
    assert "quote" not in message
