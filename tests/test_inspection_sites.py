"""Black-box tests of the inspection rules on generated portals (``tests/inspectgen``).

Written to the spec (/work/shared/docs/regulations.md: the annual report's content, 互动回应差, cloaked
hijacks; duplicate 索引号) without reading the code under test. Each generated site is audited once
(``zwgk audit … --format json --as-of 2026-03-15``, a subprocess on 127.0.0.1, off-site names pinned
with ``--resolve``); every test reads that ``findings.json``. For each rule: every planted problem is
reported with a URL that names the planted page (or file) and text that names the planted thing, every
look-alike is not, and no finding of the rule lands anywhere the generator did not plant one.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import sys

import pytest
from conftest import FAST_WITH_CLOAK as FAST
from inspectgen import generate, serve
from inspectgen.annual import ANNUAL_RULES
from inspectgen.annual_render import docx_bytes, pdf_bytes
from inspectgen.annual_tables import breaches
from inspectgen.sites import interaction_site

SEED = int(os.environ.get("ZWGK_INSPECT_SEED", "20260315"))   # another seed draws other cities, ids, numbers
AS_OF = "2026-03-15"

# what each planted error must break in the examiner's own reading of the relations
BREACH_KINDS = {"row_total": {"row", "col"}, "row_total_r1": {"row", "col"}, "col_total": {"col"}, "balance": {"balance"},
                "t4": {"t4"}, "t4_late": {"t4"}, "negative": {"negative"}, "negative_r3": {"negative"}, "text": {"text"}}


@pytest.fixture(scope="module")
def sites():
    return generate(SEED)


@pytest.fixture(scope="module")
def audits(sites, tmp_path_factory):
    """Both sites served and audited at once (two subprocesses), each server stopped afterwards."""
    with contextlib.ExitStack() as stack:
        runs = {}
        for name, site in sites.items():
            srv = stack.enter_context(serve(site))
            out = tmp_path_factory.mktemp(f"inspect-{name}")
            args = ["audit", srv.origin + "/", "--db", out / "a.db", "--out", out, "--format", "json", "--as-of", AS_OF,
                    "--no-ipv6", "--quiet", *FAST, *srv.resolve_args()]
            proc = subprocess.Popen([sys.executable, "-m", "zwgk.cli", *map(str, args)], stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True, env={**os.environ, "CI": "1"})
            stack.callback(_stop, proc)
            runs[name] = (srv, out, proc)
        results = {}
        for name, (srv, out, proc) in runs.items():
            stdout, stderr = proc.communicate(timeout=300)
            findings = None
            if proc.returncode in (0, 1):
                findings = json.loads((out / "findings.json").read_text(encoding="utf-8"))["findings"]
            results[name] = {"origin": srv.origin, "findings": findings, "returncode": proc.returncode,
                             "output": f"{stdout}\n{stderr}"}
    return results


def _stop(proc) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait(10)


@pytest.fixture(scope="module")
def disclosure(audits):
    return _checked(audits["disclosure"])


@pytest.fixture(scope="module")
def interaction(audits):
    return _checked(audits["interaction"])


def _checked(result: dict) -> dict:
    assert result["findings"] is not None, f"zwgk audit exited {result['returncode']}\n{result['output']}"
    return result


def _text(f: dict) -> str:
    return json.dumps(f, ensure_ascii=False)


def _names(text: str, item: str, origin: str) -> bool:
    """Does a finding's text name ``item``: a portal target (made absolute, matched whole) or a literal."""
    if item.startswith("/"):
        return re.search(re.escape(origin + item) + r"(?![0-9A-Za-z_])", text) is not None
    return item in text


def _judge(audit: dict, site, rule: str) -> list[str]:
    """Problems with ``rule``'s findings against the manifest: planted but missing (or not naming the thing),
    look-alikes reported, findings where nothing was planted."""
    found = [f for f in audit["findings"] if f["rule"] == rule]
    texts = [_text(f) for f in found]
    origin = audit["origin"]
    problems = []
    expects = [e for e in site.expect if e.rule == rule]
    for e in expects:
        hits = [t for t in texts if any(_names(t, w, origin) for w in e.where)]
        if e.present:
            if not hits:
                problems.append(f"MISSING {e.why} (where {e.where[:2]})")
            elif e.tokens and not any(tok in t for t in hits for tok in e.tokens):
                problems.append(f"NOT NAMED {e.why}: its findings carry none of {e.tokens}: {hits[0][:300]}")
        # a look-alike is reported when a finding is *at* it: a finding elsewhere may cite it as evidence
        # (this year's carryover finding names last year's report it was compared with)
        elif (at := [t for f, t in zip(found, texts) if any(_names(f["url"], w, origin) for w in e.where)]) and \
                not any(x.present and set(x.where) & set(e.where) for x in expects):
            problems.append(f"LOOK-ALIKE REPORTED {e.why}: {at[0][:300]}")
    planted = [w for e in expects if e.present for w in e.where]
    for t in texts:
        if not any(_names(t, w, origin) for w in planted):
            problems.append(f"UNPLANTED finding: {t[:300]}")
    return problems


def _summary(audit: dict, rule: str) -> str:
    n = sum(f["rule"] == rule for f in audit["findings"])
    return f"{rule}: {n} finding(s) in the audit"


# --- the generator plants what its manifest says (no crawl) ----------------------------------------
def test_generator_plants_exactly_the_named_errors(sites):
    reports = sites["disclosure"].reports
    for key, (report, errors) in reports.items():
        kinds = {b[0] for b in breaches(report)}
        want = set().union(*(BREACH_KINDS.get(e, set()) for e in errors)) if errors else set()
        assert kinds == want, (key, errors, sorted(breaches(report)))
    cz24, cz25 = reports["cz24"][0], reports["cz25"][0]
    assert cz24.t3["carry_out"] != cz25.t3["carry_in"]
    gov24, gov25 = reports["gov24"][0], reports["gov25"][0]
    assert gov24.t3["carry_out"] == gov25.t3["carry_in"]
    assert interaction_site(SEED).expect == sites["interaction"].expect   # deterministic (the cheaper site)


def test_generated_attachments_have_a_text_layer(sites):
    import docx
    import pdfplumber

    report = sites["disclosure"].reports["wj25"][0]
    for ruled in (True, False):
        with pdfplumber.open(io.BytesIO(pdf_bytes(report, ruled))) as pdf:
            text = "".join(page.extract_text() or "" for page in pdf.pages)
        assert "本年新收政府信息公开申请数量" in text and "结转下年度继续办理" in text
        assert str(report.t3["r7"][6]) in text
    tables = docx.Document(io.BytesIO(docx_bytes(report))).tables
    assert len(tables) == 3 and tables[1].cell(3, 9).text == str(report.t3["new"][6])


# --- annual reports --------------------------------------------------------------------------------
@pytest.mark.parametrize("rule", ANNUAL_RULES)
def test_annual_report_rules(disclosure, sites, rule):
    problems = _judge(disclosure, sites["disclosure"], rule)
    assert not problems, _summary(disclosure, rule) + "\n" + "\n".join(problems)


# --- message boards --------------------------------------------------------------------------------
@pytest.mark.parametrize("rule", ["interaction.unanswered", "interaction.late_reply"])
def test_message_board_rules(interaction, sites, rule):
    problems = _judge(interaction, sites["interaction"], rule)
    assert not problems, _summary(interaction, rule) + "\n" + "\n".join(problems)


def test_no_consulting_channel(disclosure, interaction, sites):
    problems = _judge(disclosure, sites["disclosure"], "interaction.no_channel")
    problems += _judge(interaction, sites["interaction"], "interaction.no_channel")
    assert not problems, "\n".join(problems)


# --- cloaked hijacks -------------------------------------------------------------------------------
def test_cloaked_hijacks(interaction, disclosure, sites):
    problems = _judge(interaction, sites["interaction"], "content.cloaked_hijack")
    problems += _judge(disclosure, sites["disclosure"], "content.cloaked_hijack")
    assert not problems, _summary(interaction, "content.cloaked_hijack") + "\n" + "\n".join(problems)


# --- duplicate 索引号 ------------------------------------------------------------------------------
def test_duplicate_index_numbers(disclosure, sites):
    problems = _judge(disclosure, sites["disclosure"], "metadata.duplicate_index_no")
    assert not problems, _summary(disclosure, "metadata.duplicate_index_no") + "\n" + "\n".join(problems)


# --- what a supervisor reads ----------------------------------------------------------------------
NEW_RULES = (*ANNUAL_RULES, "interaction.unanswered", "interaction.late_reply", "interaction.no_channel",
             "content.cloaked_hijack", "metadata.duplicate_index_no")


def test_new_findings_read_in_chinese(disclosure, interaction):
    """The evidence a supervisor reads labels each line in words, not with a program's field names
    (``asked_at：``, ``last_year_url：``), and calls a message's 办理状态 nothing like an HTTP status."""
    bad = []
    for audit in (disclosure, interaction):
        for f in audit["findings"]:
            if f["rule"] not in NEW_RULES:
                continue
            for line in (f.get("evidence_text") or "").splitlines():
                label, _, value = line.partition("：")
                if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_ ]*", label.strip()):
                    bad.append(f"{f['rule']}: field name as label: {line[:80]}")
                elif "HTTP" in label and not re.fullmatch(r"\d{3}.*", value.strip()):
                    bad.append(f"{f['rule']}: not an HTTP status under an HTTP label: {line[:80]}")
                elif "链接" in label and f["rule"].startswith("disclosure.annual_report"):
                    bad.append(f"{f['rule']}: a count of links in a report's arithmetic: {line[:80]}")
    assert not bad, f"{len(bad)} evidence line(s):\n" + "\n".join(sorted(set(bad))[:25])
