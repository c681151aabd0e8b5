"""SARIF 2.1.0 and JUnit XML, so CI systems show the findings natively."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from xml.etree import ElementTree as ET

from reports.findings_json import findings_of, scan_summary

SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"


def write_sarif(conn: sqlite3.Connection, scan_id: int, out_dir: Path, rules, lang="zh", check_no: int = 0) -> Path:
    findings = findings_of(conn, scan_id, check_no=check_no)
    rule_ids = list(rules)
    driver_rules = [{
        "id": r.id,
        "name": r.id.replace(".", "_"),
        "shortDescription": {"text": f"{r.title_zh} / {r.title_en}"},
        "fullDescription": {"text": r.description_zh},
        "help": {"text": f"{r.description_zh}\n{r.description_en}\n依据 Basis: {r.basis}"},
        "defaultConfiguration": {"level": SARIF_LEVEL[r.severity], "enabled": r.enabled},
        "properties": {"basis": r.basis, "weight": r.weight},
    } for r in rules.values()]
    results = [{
        "ruleId": f["rule"],
        "ruleIndex": rule_ids.index(f["rule"]) if f["rule"] in rule_ids else -1,
        "level": SARIF_LEVEL[f["severity"]],
        "message": {"text": f"{f['message']} / {f['message_en']}"},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": f["url"]}}}],
        "partialFingerprints": {"zwgkFingerprint/v1": f["fingerprint"]},
        "properties": {"evidence": f["evidence"]},
    } for f in findings]
    for result in results:
        if result["ruleIndex"] < 0:
            del result["ruleIndex"]
    scan = scan_summary(conn, scan_id, check_no)
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "zwgk-audit", "version": scan["tool_version"] or "0",
                                "informationUri": "https://pypi.org/project/zwgk-audit/", "rules": driver_rules}},
            "invocations": [{"executionSuccessful": True, "properties": {"scan": scan["id"], "as_of": scan["as_of"]}}],
            "originalUriBaseIds": {"SITE": {"uri": scan["start_urls"][0]}},
            "results": results,
        }],
    }
    path = out_dir / "findings.sarif"
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def write_junit(conn: sqlite3.Connection, scan_id: int, out_dir: Path, rules, lang="zh", check_no: int = 0) -> Path:
    """One test suite per rule; one failing test case per finding (a passing case for a clean rule,
    a skipped one for a rule this check could not run: never shown as passed)."""
    findings = findings_of(conn, scan_id, check_no=check_no)
    scan = scan_summary(conn, scan_id, check_no)
    not_run = set(scan.get("skipped") or ())
    root = ET.Element("testsuites", name=f"zwgk-audit {scan['site']}", tests="0", failures="0", skipped="0")
    total = failures = skipped = 0
    for rule in rules.values():
        mine = [f for f in findings if f["rule"] == rule.id]
        suite = ET.SubElement(root, "testsuite", name=rule.id, tests=str(max(1, len(mine))), failures=str(len(mine)),
                              skipped="1" if rule.id in not_run else "0")
        if not mine:
            case = ET.SubElement(suite, "testcase", classname=rule.id, name=rule.title_zh)
            if rule.id in not_run:
                ET.SubElement(case, "skipped", message="未检查（抓取不完整，或该项测量已关闭、未能进行） not checked")
                skipped += 1
            total += 1
        for f in mine:
            case = ET.SubElement(suite, "testcase", classname=rule.id, name=f["url"])
            failure = ET.SubElement(case, "failure", message=f["message"], type=f["severity"])
            failure.text = json.dumps(f["evidence"], ensure_ascii=False, indent=1)
            total += 1
            failures += 1
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("skipped", str(skipped))
    path = out_dir / "junit.xml"
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return path
