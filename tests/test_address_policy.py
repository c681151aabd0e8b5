"""The auditor never becomes a way into an intranet: links and redirects to internal addresses
(and a name that resolves to one) are refused before any connection, with the reason recorded;
``--allow-private`` lifts it. Run in a network namespace of its own (loopback only), so even a
mistake could reach nothing. Also: a malformed link is a finding and the rest of its page is
crawled; an address literal is never sent to the DNS server."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.address_policy import AddressPolicy, special_kind

SCENARIO = Path(__file__).with_name("netns_scenario.py")


@pytest.mark.parametrize("address, kind", [
    ("10.0.0.5", "private"), ("172.16.3.4", "private"), ("192.168.1.1", "private"), ("100.64.1.1", "private"),
    ("127.0.0.1", "loopback"), ("::1", "loopback"), ("169.254.169.254", "metadata"), ("169.254.1.1", "link_local"),
    ("fe80::1", "link_local"), ("fd00::1", "private"), ("::ffff:10.1.2.3", "private"), ("224.0.0.1", "multicast"),
    ("0.0.0.0", "unspecified"), ("240.0.0.1", "reserved"), ("8.8.8.8", None), ("2001:4860::8888", None),
    ("www.gov.cn", "invalid"),
])
def test_special_kinds(address, kind):
    assert special_kind(address) == kind


def test_policy_allows_the_audited_sites_own_kind_only():
    policy = AddressPolicy(["127.0.0.1"])
    assert policy.check("localhost", ["127.0.0.1"]) is None  # the site runs on loopback: loopback is audited
    assert "private" in policy.check("internal.test", ["10.0.0.5"])
    assert "metadata" in policy.check("169.254.169.254", ["169.254.169.254"])
    assert "private" in policy.check("rebind.test", ["8.8.8.8", "10.0.0.5"])  # one internal address refuses the name
    intranet = AddressPolicy(["oa.example.gov.cn"])
    assert intranet.check("oa.example.gov.cn", ["10.1.1.1"]) is None
    assert intranet.check("dept.example.gov.cn", ["10.9.9.9"]) is None  # the intranet is what is audited
    assert "metadata" in intranet.check("169.254.169.254", ["169.254.169.254"])
    assert AddressPolicy(["www.gov.cn"], allow_private=True).check("x", ["169.254.169.254"]) is None


def run_in_namespace(tmp_path, *extra) -> dict:
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        pytest.skip("unshare/ip not available")
    command = f"ip link set lo up && exec {sys.executable} {SCENARIO} {tmp_path} {' '.join(extra)}"
    proc = subprocess.run(["unshare", "-n", "sh", "-c", command], capture_output=True, text=True, timeout=180,
                          cwd=Path(__file__).parents[1])
    if proc.returncode != 0 and "Operation not permitted" in proc.stderr:
        pytest.skip("network namespaces are not permitted here")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["returncode"] == 0, result["stderr"]
    return result


def test_internal_addresses_are_refused_and_recorded(tmp_path):
    result = run_in_namespace(tmp_path)
    pages = result["pages"]
    for url in ("http://10.255.255.1/x", "http://169.254.169.254/latest/meta-data/", "http://[fd00::1]/y",
                "http://[::ffff:10.1.2.3]/mapped", "http://internal.test/z"):
        kind, error = pages[url]
        assert kind == "address_policy" and "internal address refused" in error, (url, kind, error)
    # the in-scope page that redirects to an internal address: the hop is refused too
    assert pages[result["base"] + "/redirect"][0] == "address_policy"
    # refusals are not broken links (an intranet link may work for its users)
    assert not [f for f in result["findings"] if f[0] == "links.broken" and "10.255" in f[1]]
    # the start URL is an address literal: never sent to the DNS server; the private name was
    assert ("internal.test.", "A") in [tuple(q) for q in result["queries"]]
    assert not any(q[0].startswith("127.0.0.1") for q in result["queries"])


def test_allow_private_lifts_the_refusal(tmp_path):
    result = run_in_namespace(tmp_path, "--allow-private")
    kinds = {url: kind for url, (kind, _error) in result["pages"].items()}
    for url in ("http://10.255.255.1/x", "http://169.254.169.254/latest/meta-data/", "http://internal.test/z"):
        assert kinds[url] not in (None, "address_policy"), (url, kinds[url])  # attempted: no route in the namespace


def test_one_malformed_link_does_not_stop_the_page(tmp_path):
    result = run_in_namespace(tmp_path)
    docs = [u for u in result["pages"] if "/doc/" in u]
    assert len(docs) == 49
    malformed = [f for f in result["findings"] if f[0] == "links.malformed"]
    assert [(f[1].replace(result["base"], ""), f[2]["href"]) for f in malformed] == [
        ("/links.html", "http://127.0.0.1:99999/broken")]
