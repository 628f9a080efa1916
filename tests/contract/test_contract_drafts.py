"""The typed drafts between the YAML tree and the model: settings by enum, merged with defaults."""

import dataclasses

from pytest_cors.contract.drafts import Level, Merged, Settings
from pytest_cors.contract.keys import HOMES, NESTED, POLICY_KEYS, Home, Setting
from pytest_cors.contract.model import Mark
from pytest_cors.contract.validate_values import ValueChecks


def mark(line: int) -> Mark:
    return Mark("c.yaml", line, 1)


def test_every_setting_with_a_value_has_a_typed_field():
    fields = {f.name for f in dataclasses.fields(Settings)}
    assert fields == {s.field for s in Setting if s not in NESTED}
    assert set(POLICY_KEYS) == {s.value for s in Setting if s.parent is None}
    assert all(sub.parent is parent for parent, subs in NESTED.items() for _, sub in subs)


def test_a_policy_overrides_defaults_and_shares_what_it_inherits():
    methods = ("GET", "POST")
    defaults = Level(
        Settings(methods=methods, credentials=True, max_age_min=5),
        {Setting.METHODS, Setting.CREDENTIALS, Setting.MAX_AGE_MIN},
        {"methods": mark(2), "credentials": mark(3), "max_age": mark(4), "max_age.min": mark(4)},
    )
    # the policy writes 'credentials' wrong: the default must not stand in for it
    own = Level(Settings(paths=("/a",)), {Setting.PATHS, Setting.CREDENTIALS}, {"paths": mark(9)})
    merged = Merged.of(own, defaults)
    assert merged.settings.methods is methods
    assert merged.settings.credentials is None
    assert merged.inherited == {Setting.METHODS, Setting.MAX_AGE_MIN}
    assert merged.marks["methods"] == mark(2)
    assert merged.marks["max_age"] == mark(4)


def test_dropping_the_last_inherited_setting_of_a_mapping_drops_its_mark():
    defaults = Level(
        Settings(max_age_max=60),
        {Setting.MAX_AGE_MAX},
        {"max_age": mark(2), "max_age.max": mark(2)},
    )
    merged = Merged.of(Level(Settings(cors=False), {Setting.CORS}, {"cors": mark(5)}), defaults)
    merged.drop(Setting.MAX_AGE_MAX)
    assert merged.settings.max_age_max is None
    assert Setting.MAX_AGE_MAX not in merged.present | merged.inherited
    assert "max_age" not in merged.marks


def test_an_invalid_flag_leaves_the_checks_that_need_it_undecided():
    own = Level(Settings(), {Setting.PUBLIC}, {})
    assert Merged.of(own, Level()).undecided == {Setting.PUBLIC}


def test_where_a_misplaced_key_goes_is_decided_by_its_home_not_by_wording():
    checks = ValueChecks("c.yaml", None)
    assert HOMES["methods"] is Home.POLICY_OR_DEFAULTS and Home.POLICY_OR_DEFAULTS.inside_a_policy
    checks.unknown_key("methods", mark(1), ("version",), "at the top level", top_level=True)
    checks.unknown_key("methods", mark(2), ("allow", "deny"), "in 'origins'", top_level=False)
    checks.unknown_key("allow", mark(3), POLICY_KEYS, "in policy 'a'", top_level=False)
    assert [d.message for d in checks.diagnostics] == [
        "'methods' does not belong at the top level; it goes in a policy or in 'defaults'",
        "unknown key 'methods' in 'origins'; expected one of: allow, deny",
        "'allow' does not belong in policy 'a'; it goes under 'origins'",
    ]
