"""rules.yaml: defaults load, overrides merge, and every kind of broken file gives a one-line
error with file, line and key (exit code 2), never a traceback."""

import pytest

from checks.config import DEFAULT_RULES, RulesError, load_rules
from checks.engine import rules_for_run
from checks.registry import CHECKS
from conftest import run_zwgk


def test_every_rule_has_a_check_and_a_basis():
    rules = rules_for_run()
    assert set(rules) == set(CHECKS)
    for rule in rules.values():
        assert rule.basis and rule.title_zh and rule.title_en and rule.description_zh and rule.description_en
    assert "第二十六条" in rules["freshness.publication_delay"].basis
    assert rules["freshness.publication_delay"].params["max_working_days"] == 20


def test_user_file_overrides_only_what_it_names(tmp_path):
    user = tmp_path / "mine.yaml"
    user.write_text("rules:\n  linkage.late_interpretation:\n    params:\n      max_working_days: 5\n  links.blocked:\n    enabled: false\n", encoding="utf-8")
    rules = load_rules(user)
    assert rules["linkage.late_interpretation"].params == {"max_working_days": 5}
    assert rules["linkage.late_interpretation"].severity == "warning"  # untouched
    assert rules["links.blocked"].enabled is False
    assert rules["links.broken"].enabled is True


@pytest.mark.parametrize("text, line, needle", [
    ("rules:\n  links.broken:\n    severity: fatal\n", 3, "rules.links.broken.severity: must be one of error, warning, info"),
    ("rules:\n  links.brokn:\n    enabled: false\n", 2, "rules.links.brokn: unknown rule id"),
    ("rules:\n  links.broken:\n    enabled: yes please\n", 3, "rules.links.broken.enabled: expected true/false"),
    ("rules:\n  links.broken:\n    params:\n      home_weight: heavy\n", 4, "rules.links.broken.params.home_weight: expected a number"),
    ("rules:\n  links.broken:\n    params:\n      colour: red\n", 4, "rules.links.broken.params.colour: unknown parameter"),
    ("rules:\n  freshness.publication_delay:\n    params:\n      max_working_days: -3\n", 4, "max_working_days: must not be negative"),
    ("rules:\n  links.broken:\n    sevrity: error\n", 3, "rules.links.broken.sevrity: unknown key"),
    ("rules:\n  links.broken: [1, 2]\n", 2, "rules.links.broken: expected a mapping"),
    ("rules:\n  links.broken:\n    severity: [error\n", 4, "YAML 语法错误 YAML syntax error"),
    ("- just\n- a list\n", 1, "expected a mapping 'rules:'"),
    ("rules:\n  metadata.missing_field:\n    params:\n      required: index_no\n", 4, "params.required: expected a list"),
])
def test_broken_rules_file(tmp_path, text, line, needle):
    user = tmp_path / "broken.yaml"
    user.write_text(text, encoding="utf-8")
    with pytest.raises(RulesError) as err:
        load_rules(user)
    message = str(err.value)
    assert message.startswith(f"{user}:{line}: ") and needle in message and "\n" not in message


def test_broken_rules_file_on_the_command_line(tmp_path):
    user = tmp_path / "broken.yaml"
    user.write_text("rules:\n  links.broken:\n    severity: fatal\n", encoding="utf-8")
    proc = run_zwgk("audit", "http://127.0.0.1:1/", "--db", tmp_path / "x.db", "--rules", user, check=False)
    assert proc.returncode == 2
    assert f"{user}:3: rules.links.broken.severity" in proc.stderr and "Traceback" not in proc.stderr
    missing = run_zwgk("rules", "--rules", tmp_path / "nope.yaml", check=False)
    assert missing.returncode == 2 and "cannot read" in missing.stderr
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\xff\xfe\x00rules")
    assert run_zwgk("rules", "--rules", binary, check=False).returncode == 2


def test_rules_command_lists_and_explains():
    listing = run_zwgk("rules").stdout
    assert "links.broken" in listing and "freshness.stale_column" in listing
    one = run_zwgk("rules", "freshness.publication_delay").stdout
    assert "第二十六条" in one and "max_working_days: 20" in one
    assert "more than 20 working days after" in run_zwgk("rules", "freshness.publication_delay", "--lang", "en").stdout
    assert run_zwgk("rules", "no.such", check=False).returncode == 2


def test_default_file_is_the_top_level_rules_yaml():
    assert DEFAULT_RULES.resolve().name == "rules.yaml"
