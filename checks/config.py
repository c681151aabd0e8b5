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


class RuleSet(dict):
    """Rule id → Rule, with the scoring of the 检查指标 (``scoring``) the rules are weighed by."""

    scoring: "Scoring"


@dataclass
class Veto:
    item_zh: str
    item_en: str
    rules: list[str]
    at_least: int = 1


@dataclass
class Indicator:
    id: str
    name_zh: str
    name_en: str
    share: float
    per: str  # "page": a page's problems under this indicator count once; "finding": each counts
    rules: list[str]


@dataclass
class Scoring:
    pass_score: float
    vetoes: list[Veto]
    indicators: list[Indicator]


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
        raise RulesError(f"{path}: 无法读取规则文件 cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise RulesError(f"{path}:1: 不是 UTF-8 文本 not UTF-8 text") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        raise RulesError(f"{path}:{line}: YAML 语法错误 YAML syntax error: {exc.problem}") from None
    lines: dict = {}
    data = _plain(node, (), lines) if node is not None else {}
    if isinstance(data, dict) and "rules" not in data and "scoring" in data:
        data["rules"] = {}  # a file that only sets the scoring (a province's own shares)
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


def load_rules(user_file: str | Path | None = None, known_ids: set[str] | None = None) -> RuleSet:
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
    rules = RuleSet()
    for rule_id, conf in merged.items():
        if known_ids is not None and rule_id not in known_ids:
            raise RulesError(f"{DEFAULT_RULES}:{default_lines.get(('rules', rule_id), 1)}: rules.{rule_id}: no check implements this rule")
        rules[rule_id] = Rule(id=rule_id, **{k: v for k, v in conf.items()})
    if user_file is not None and "scoring" in user:
        rules.scoring = load_scoring(path, lines, user["scoring"], rules)
    else:
        rules.scoring = load_scoring(DEFAULT_RULES, default_lines, defaults.get("scoring"), rules)
    return rules


def load_scoring(path: Path, lines: dict, data, rules: dict[str, Rule]) -> Scoring:
    """The ``scoring:`` section: veto items and indicators naming known rules, shares summing to 100,
    every rule that costs points weighed somewhere, every rule citing a 单项否决 item in a veto."""
    def where(*keys) -> str:
        return f"{path}:{lines.get(('scoring', *map(str, keys)), lines.get(('scoring',), 1))}: scoring{''.join('.' + str(k) for k in keys)}"

    def entries(name: str, cls, required: dict) -> list:
        items = data.get(name)
        if not isinstance(items, list) or not items:
            raise RulesError(f"{where(name)}: expected a list")
        out = []
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                raise RulesError(f"{where(name, i)}: expected a mapping")
            for key in item:
                if key not in required:
                    raise RulesError(f"{where(name, i, key)}: unknown key (known: {', '.join(required)})")
            for key, kind in required.items():
                value = item.get(key)
                ok = (isinstance(value, kind) and not isinstance(value, bool)) if kind is not list else (
                    isinstance(value, list) and all(isinstance(v, str) for v in value))
                if key == "at_least" and value is None:
                    continue
                if not ok:
                    raise RulesError(f"{where(name, i, key)}: expected {_type_name(kind)}, got {value!r}")
            for rule_id in item["rules"]:
                if rule_id not in rules:
                    raise RulesError(f"{where(name, i, 'rules')}: unknown rule id {rule_id!r} (see `zwgk rules`)")
            out.append(cls(**item))
        return out

    if not isinstance(data, dict):
        raise RulesError(f"{path}:{lines.get(('scoring',), 1)}: scoring: expected a mapping with pass_score, vetoes and indicators")
    for key in data:
        if key not in ("pass_score", "vetoes", "indicators"):
            raise RulesError(f"{where(key)}: unknown key (known: pass_score, vetoes, indicators)")
    pass_score = data.get("pass_score")
    if not isinstance(pass_score, (int, float)) or isinstance(pass_score, bool) or not 0 <= pass_score <= 100:
        raise RulesError(f"{where('pass_score')}: expected a number from 0 to 100, got {pass_score!r}")
    vetoes = entries("vetoes", Veto, {"item_zh": str, "item_en": str, "rules": list, "at_least": int})
    indicators = entries("indicators", Indicator, {"id": str, "name_zh": str, "name_en": str, "share": (int, float),
                                                   "per": str, "rules": list})
    for i, ind in enumerate(indicators):
        if ind.per not in ("page", "finding"):
            raise RulesError(f"{where('indicators', i, 'per')}: must be page or finding, got {ind.per!r}")
        if ind.share < 0:
            raise RulesError(f"{where('indicators', i, 'share')}: must not be negative")
    for i, veto in enumerate(vetoes):
        if veto.at_least < 1:
            raise RulesError(f"{where('vetoes', i, 'at_least')}: must be at least 1")
    total = sum(ind.share for ind in indicators)
    if abs(total - 100) > 1e-6:
        raise RulesError(f"{where('indicators')}: the shares add up to {total:g}, not 100")
    in_veto = {r for v in vetoes for r in v.rules}
    weighed = [r for ind in indicators for r in ind.rules]
    twice = sorted({r for r in weighed if weighed.count(r) > 1})
    if twice:
        raise RulesError(f"{where('indicators')}: {', '.join(twice)} in more than one indicator")
    for rule in rules.values():
        if "单项否决" in rule.basis and rule.id not in in_veto:
            raise RulesError(f"{where('vetoes')}: rule {rule.id} cites a 单项否决 item in its basis but is in no veto item")
        if rule.weight > 0 and rule.id not in in_veto and rule.id not in weighed:
            raise RulesError(f"{where('indicators')}: rule {rule.id} has weight {rule.weight:g} but is in no indicator or veto item")
    return Scoring(float(pass_score), vetoes, indicators)
