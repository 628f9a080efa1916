"""Browser profiles: names, and the one-line differences each one carries."""

import pytest

from pytest_cors.engine import PROFILES, Profile, get_profile
from pytest_cors.errors import CorsUsageError


def test_known_profiles():
    assert sorted(PROFILES) == ["chromium", "firefox", "safari", "spec"]
    for name, profile in PROFILES.items():
        assert get_profile(name) is profile
        assert profile.name == name
        assert profile.max_redirects == 20
        assert profile.default_max_age == 5


def test_a_profile_object_passes_through():
    custom = Profile(
        **{**vars(get_profile("chromium")), "name": "old-chromium", "max_age_cap": 600}
    )
    assert get_profile(custom) is custom


@pytest.mark.parametrize("name", ["chrome", "Chromium", "", None, 3, "edge"])
def test_unknown_profiles_are_usage_errors_listing_the_known_ones(name):
    with pytest.raises(CorsUsageError, match="chromium, firefox, safari, spec"):
        get_profile(name)


@pytest.mark.parametrize(
    ("flag", "chromium", "spec", "firefox", "safari"),
    [
        ("wildcard_covers_authorization", True, False, True, True),
        ("client_hints_safelisted", True, False, False, False),
        ("joins_duplicate_request_headers", True, False, True, True),
        ("cached_wildcard_header_covers", True, True, False, True),
        ("caches_opaque_origin", False, True, True, True),
        ("redirect_keeps_preflight", False, False, True, True),
        ("cache_exempts_head", True, True, False, True),
        ("failed_fetch_clears_cache", False, True, True, False),
        ("method_check_before_header_parse", False, False, True, False),
        ("drops_user_agent", True, False, False, False),
        ("accepts_space_before_colon", True, False, False, False),
        ("negative_max_age_disables_cache", True, False, True, True),
        ("max_age_cap", 7200, None, 86400, 600),
        ("tainted_preflight_sends_null", True, True, False, True),
        ("preflight_redirect_reported", True, False, True, True),
        ("content_type_join", ", ", ", ", ",", ", "),
        ("redirect_preflight_names_removed_headers", False, False, False, True),
        ("preflight_status_before_allow_origin", False, False, False, True),
        ("cached_wildcard_covers_authorization", False, False, False, True),
        ("caches_tainted_null_origin", True, True, True, False),
        ("range_unit_case_insensitive", False, False, False, True),
        ("header_bytes_made_valid_utf8", False, False, False, True),
        ("same_origin_redirect_keeps_origin", False, False, False, True),
        ("refused_preflight_stores_entry", False, False, False, True),
        ("console", "chromium", "chromium", "firefox", "webkit"),
    ],
)
def test_documented_departures(flag, chromium, spec, firefox, safari):
    got = {b: getattr(get_profile(b), flag) for b in ("chromium", "spec", "firefox", "safari")}
    assert got == {"chromium": chromium, "spec": spec, "firefox": firefox, "safari": safari}
