"""Loading rules.yaml: the bundled defaults, optionally overridden by a user file.

Every problem is reported as ``FILE:LINE: KEY: message`` (exit code 2 on the command line),
never as a traceback: supervisors edit these files by hand.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

import yaml

DEFAULT_RULES = Path(__file__).parent / "default_rules.yaml"
SEVERITIES = ("error", "warning", "info")
RULE_KEYS = {
    "title_zh": str, "title_en": str, "severity": str, "enabled": bool, "weight": (int, float),
    "params": dict, "basis": str, "description_zh": str, "description_en": str,
}


# Parameters that map a column type to a setting: any column type may be named, and a user file
# changes the types it names and keeps the others.
OPEN_MAPPINGS = {"limits", "required_by_type"}


class RulesError(ValueError):
    """A rules file that cannot be used; str() is the one-line message for the user."""


@dataclass
class Rule:
    id: str
    title_zh: str
    title_en: str
    severity: str
    enabled: bool
    weight: float
    params: dict = field(default_factory=dict)
    basis: str = ""
    description_zh: str = ""
    description_en: str = ""

    @property
    def family(self) -> str:
        return self.id.split(".", 1)[0]


def _plain(node, path: tuple, lines: dict):
    """yaml node → Python value, recording the line of every mapping key."""
    if isinstance(node, yaml.MappingNode):
        out = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            lines[path + (key,)] = key_node.start_mark.line + 1
            out[key] = _plain(value_node, path + (key,), lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_plain(v, path + (str(i),), lines) for i, v in enumerate(node.value)]
    return yaml.safe_load(yaml.serialize(node)) if node.tag != "tag:yaml.org,2002:str" else node.value


def read_yaml(path: Path) -> tuple[dict, dict]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RulesError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise RulesError(f"{path}:1: not UTF-8 text") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        raise RulesError(f"{path}:{line}: YAML syntax error: {exc.problem}") from None
    lines: dict = {}
    data = _plain(node, (), lines) if node is not None else {}
    if not isinstance(data, dict) or not isinstance(data.get("rules"), dict):
        raise RulesError(f"{path}:1: rules: expected a mapping 'rules:' of rule id → settings")
    return data, lines


def _type_name(expected) -> str:
    names = {str: "text", bool: "true/false", dict: "a mapping", list: "a list", int: "a number", float: "a number"}
    if isinstance(expected, tuple):
        return "a number"
    return names.get(expected, expected.__name__)


def _check_value(path: Path, lines: dict, keypath: tuple, value, default) -> None:
    where = f"{path}:{lines.get(keypath, 1)}: {'.'.join(keypath)}"
    expected = type(default)
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, (int, float)):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    else:
        ok = isinstance(value, expected)
    if not ok:
        raise RulesError(f"{where}: expected {_type_name(expected)}, got {value!r}")
    if isinstance(default, dict) and keypath[-1] in OPEN_MAPPINGS:
        like = next(iter(default.values()), None)
        for key, sub in value.items():
            if like is not None and not isinstance(sub, type(like)):
                raise RulesError(f"{path}:{lines.get(keypath + (key,), 1)}: {'.'.join(keypath + (key,))}: expected {_type_name(type(like))}, got {sub!r}")
            if isinstance(sub, list):
                _check_items(path, lines, keypath + (key,), sub, like)
    elif isinstance(default, dict):
        for key, sub in value.items():
            if key not in default:
                raise RulesError(f"{path}:{lines.get(keypath + (key,), 1)}: {'.'.join(keypath + (key,))}: unknown parameter (known: {', '.join(default)})")
            _check_value(path, lines, keypath + (key,), sub, default[key])
    if isinstance(default, list):
        _check_items(path, lines, keypath, value, default)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
        raise RulesError(f"{where}: must not be negative")


def _check_items(path: Path, lines: dict, keypath: tuple, value: list, default: list) -> None:
    """A list of names (fields, tags, column types) holds names: no numbers, mappings or nulls."""
    if default and all(isinstance(item, str) for item in default):
        for item in value:
            if not isinstance(item, str):
                raise RulesError(f"{path}:{lines.get(keypath, 1)}: {'.'.join(keypath)}: expected a list of names, got {item!r} in it")


def _validate_rule(path: Path, lines: dict, rule_id: str, conf, defaults: dict | None) -> None:
    keypath = ("rules", rule_id)
    if not isinstance(conf, dict):
        raise RulesError(f"{path}:{lines.get(keypath, 1)}: rules.{rule_id}: expected a mapping of settings")
    for key, value in conf.items():
        where = f"{path}:{lines.get(keypath + (key,), 1)}: rules.{rule_id}.{key}"
        if key not in RULE_KEYS:
            raise RulesError(f"{where}: unknown key (known: {', '.join(RULE_KEYS)})")
        if not isinstance(value, RULE_KEYS[key]) or (key == "weight" and isinstance(value, bool)):
            raise RulesError(f"{where}: expected {_type_name(RULE_KEYS[key])}, got {value!r}")
        if key == "severity" and value not in SEVERITIES:
            raise RulesError(f"{where}: must be one of {', '.join(SEVERITIES)}, got {value!r}")
        if key == "weight" and value < 0:
            raise RulesError(f"{where}: must not be negative")
        if key == "params" and defaults is not None:
            for name, param in value.items():
                if name not in defaults.get("params", {}):
                    known = ", ".join(defaults.get("params", {})) or "none"
                    raise RulesError(f"{path}:{lines.get(keypath + ('params', name), 1)}: rules.{rule_id}.params.{name}: unknown parameter (known: {known})")
                _check_value(path, lines, keypath + ("params", name), param, defaults["params"][name])


def load_rules(user_file: str | Path | None = None, known_ids: set[str] | None = None) -> dict[str, Rule]:
    """The bundled rules, with the user's file (if any) merged over them."""
    defaults, default_lines = read_yaml(DEFAULT_RULES)
    merged = copy.deepcopy(defaults["rules"])
    for rule_id, conf in merged.items():
        _validate_rule(DEFAULT_RULES, default_lines, rule_id, conf, None)
    if user_file is not None:
        path = Path(user_file)
        user, lines = read_yaml(path)
        for rule_id, conf in user["rules"].items():
            if rule_id not in merged:
                raise RulesError(f"{path}:{lines.get(('rules', rule_id), 1)}: rules.{rule_id}: unknown rule id (see `zwgk rules`)")
            _validate_rule(path, lines, rule_id, conf, merged[rule_id])
            params = {**merged[rule_id].get("params", {}), **(conf.get("params") or {})}
            for name in OPEN_MAPPINGS & set(conf.get("params") or {}):
                params[name] = {**merged[rule_id].get("params", {}).get(name, {}), **conf["params"][name]}
            merged[rule_id] = {**merged[rule_id], **conf, "params": params}
    rules = {}
    for rule_id, conf in merged.items():
        if known_ids is not None and rule_id not in known_ids:
            raise RulesError(f"{DEFAULT_RULES}:{default_lines.get(('rules', rule_id), 1)}: rules.{rule_id}: no check implements this rule")
        rules[rule_id] = Rule(id=rule_id, **{k: v for k, v in conf.items()})
    return rules
