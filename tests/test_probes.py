"""Adversarial origins: every attack class derived, nothing allowed probed, seeded and stable."""

import re
import subprocess
import sys

import pytest

from pytest_cors.contract import load_contract_text
from pytest_cors.origin import parse_origin
from pytest_cors.probes import (
    ATTACKS,
    builtin_probes,
    derive,
    generate_probes,
    parse_probe_data,
    random_origin,
    registrable_domain,
)


def policy(allow, **extra):
    lines = [
        "version: 1",
        "policies:",
        "  - name: api",
        "    paths: [/items]",
        "    origins:",
        f"      allow: {allow}",
    ]
    for key, value in extra.items():
        lines.append(f"    {key}: {value}")
    return load_contract_text("\n".join(lines) + "\n", "cors.yaml").policies[0]


def probes_of(pol, seed=1):
    return generate_probes(
        pol.allow, seed=seed, scope=pol.name, allows=pol.allows, deny=pol.deny, extra=pol.probes
    )


def by_attack(probes):
    out = {}
    for p in probes:
        out.setdefault(p.attack, []).append(p.origin)
    return out


def test_exact_origin_yields_every_trick_from_the_issue():
    got = by_attack(derive("https", "app.example.com", None))
    assert "https://app.example.com.evil.net" in got["prefix"]
    assert {"https://evilapp.example.com", "https://evil-example.com"} <= set(got["suffix"])
    assert {"https://pp.example.com", "https://xample.com"} <= set(got["substring"])
    assert got["dot-replacement"] == ["https://appxexample.com", "https://app.examplexcom"]
    assert got["http-downgrade"] == ["http://app.example.com"]
    assert got["other-port"] == ["https://app.example.com:8443"]
    assert got["unlisted-subdomain"] == ["https://evil.example.com", "https://evil.app.example.com"]
    assert got["special-chars"] == [
        "https://app.example.com`.evil.net",
        "https://app.example.com}.evil.net",
        "https://app.example.com_.evil.net",
    ]


def test_special_character_probes_are_marked_safari_only_and_nothing_else_is():
    probes = derive("https", "app.example.com", None)
    assert {p.attack for p in probes if p.safari_only} == {"special-chars"}
    assert ATTACKS["special-chars"].safari_only


def test_ip_and_single_label_hosts_get_only_scheme_and_port_tricks():
    assert by_attack(derive("http", "127.0.0.1", 3000)) == {"other-port": ["http://127.0.0.1:3001"]}
    assert by_attack(derive("https", "localhost", None)) == {
        "http-downgrade": ["http://localhost"],
        "other-port": ["https://localhost:8443"],
    }


def test_registrable_domain_knows_second_level_registries():
    assert registrable_domain("www.shop.co.uk") == "shop.co.uk"
    assert registrable_domain("a.b.example.com") == "example.com"
    assert registrable_domain("example.com") == "example.com"


def test_no_probe_is_an_origin_the_policy_allows():
    pol = policy('[https://app.example.com, "https://*.example.com"]')
    probes = probes_of(pol)
    assert probes
    for probe in probes:
        assert not pol.allows(probe.origin), probe
    origins = {p.origin for p in probes}
    # a sibling subdomain is legitimate under *.example.com, so it is not probed
    assert "https://evil.example.com" not in origins
    # but the suffix trick and the apex are
    assert "https://evilexample.com" in origins
    assert "https://example.com" in origins


def test_every_probe_is_an_origin_a_browser_can_send():
    pol = policy("[https://app.example.com, 'http://localhost:3000']")
    for probe in probes_of(pol):
        assert parse_origin(probe.origin).serialize() == probe.origin


def test_regex_rules_get_probes_from_their_literal_domain_filtered_by_the_regex():
    pol = policy(r"[{regex: '^https://[a-z]+\.example\.com$'}]")
    origins = {p.origin for p in probes_of(pol)}
    assert "https://app.example.com.evil.net" in origins
    assert "https://evilexample.com" in origins
    # the regex admits one-label subdomains, so the sample origin itself is never probed
    assert "https://app.example.com" not in origins


def test_random_origin_is_probed_with_and_without_credentials_first():
    probes = probes_of(policy("[https://app.example.com]"))
    assert probes[0].attack == probes[1].attack == "random-origin"
    assert probes[0].origin == probes[1].origin
    assert {probes[0].credentials, probes[1].credentials} == {True, False}
    assert probes[2].origin == "null"


def test_same_seed_same_probes_other_seed_other_random_origin():
    pol = policy("[https://app.example.com]")
    assert probes_of(pol, seed=7) == probes_of(pol, seed=7)
    assert random_origin(7, "api") != random_origin(8, "api")
    assert random_origin(7, "api") != random_origin(7, "web")
    assert probes_of(pol, seed=7)[0].origin != probes_of(pol, seed=8)[0].origin


def test_random_origin_is_stable_across_processes():
    code = "from pytest_cors.probes import random_origin; print(random_origin(42, 'api'))"
    runs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed},
        ).stdout.strip()
        for seed in ("1", "2")
    }
    assert runs == {random_origin(42, "api")}


def test_contract_deny_and_probes_come_with_their_own_classes():
    text = """
version: 1
policies:
  - name: api
    paths: [/items]
    origins:
      allow: [https://app.example.com]
      deny: [https://evil.example.net, "null"]
    probes: [https://partner.example.org]
"""
    pol = load_contract_text(text, "cors.yaml").policies[0]
    got = {p.origin: p.attack for p in probes_of(pol)}
    assert got["https://evil.example.net"] == "denied"
    assert got["https://partner.example.org"] == "custom"
    assert got["null"] == "null"  # the more specific class wins over the deny entry
    assert list(got).count("null") == 1


def test_builtin_data_has_shared_hosting_and_private_network_origins():
    rows = {(r.attack, r.origin) for r in builtin_probes()}
    for needed in (
        ("shared-hosting", "https://pytest-cors-probe.github.io"),
        ("shared-hosting", "https://codepen.io"),
        ("shared-hosting", "https://jsfiddle.net"),
        ("private-network", "http://localhost:3000"),
        ("private-network", "http://127.0.0.1"),
        ("private-network", "http://192.168.1.20"),
    ):
        assert needed in rows


def test_data_probes_follow_the_policy_and_can_be_replaced():
    pol = policy("['http://localhost:3000']")
    origins = {p.origin for p in probes_of(pol)}
    assert "http://localhost:3000" not in origins  # allowed here, so not a probe
    assert "http://localhost:8080" in origins
    custom = parse_probe_data("shared-hosting https://mine.example\n")
    only = generate_probes(pol.allow, seed=1, scope="api", allows=pol.allows, data=custom)
    assert [p.origin for p in only if p.source == "probe data"] == ["https://mine.example"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("phishing https://a.example\n", "probe_origins.txt:1: expected 'ATTACK-CLASS ORIGIN'"),
        ("# c\n\nnull\n", "probe_origins.txt:3: expected"),
        ("shared-hosting https://a.example/\n", "probe_origins.txt:1: origin 'https://a.example/'"),
    ],
)
def test_bad_probe_data_names_the_line(text, message):
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        parse_probe_data(text)
