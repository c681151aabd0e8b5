"""The HTML report's Content-Security-Policy: only its own inline blocks run, nothing is fetched."""

import base64
import hashlib
import re

from browser import browser_page

# records every CSP violation the page reports (installed before the page's own scripts run)
WATCH_VIOLATIONS = ("window.__csp = []; document.addEventListener('securitypolicyviolation', "
                    "e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));")


def _policy(html):
    match = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html)
    assert match, "no CSP meta tag"
    return dict((d.split()[0], d.split()[1:]) for d in match.group(1).split("; "))


def _sha256(text):
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def test_policy_is_strict_and_hashes_the_inline_blocks(audit):
    html = (audit["out"] / "index.html").read_text(encoding="utf-8")
    policy = _policy(html)
    assert policy["default-src"] == ["'none'"] and policy["img-src"] == ["data:"]
    assert policy["base-uri"] == ["'none'"] and policy["form-action"] == ["'none'"]
    assert policy["script-src"] == [_sha256(b) for b in re.findall(r"<script>(.*?)</script>", html, re.S)]
    assert policy["style-src"] == [_sha256(b) for b in re.findall(r"<style>(.*?)</style>", html, re.S)]
    assert "unsafe" not in html.split("</head>")[0]
    assert html.index("Content-Security-Policy") < html.index("<style>")  # in force before the first block
    assert not re.search(r"<[^>]+\sstyle=", html) and not re.search(r"<[^>]+\son[a-z]+=", html)  # nothing only 'unsafe-inline' allows


def test_report_runs_under_its_policy_and_blocks_injected_content(audit, tmp_path):
    html = (audit["out"] / "index.html").read_text(encoding="utf-8")
    with browser_page() as page:
        messages = []
        page.on("console", lambda msg: messages.append(msg.text))
        page.add_init_script(WATCH_VIOLATIONS)
        page.goto((audit["out"] / "index.html").as_uri())
        page.select_option("#f-rule", "links.broken")  # the inline script runs
        assert page.locator("#findings-table tr.finding:visible").count() == 6
        assert page.eval_on_selector("header", "h => getComputedStyle(h).backgroundColor") == "rgb(155, 28, 28)"  # the inline style applies
        assert page.evaluate("window.__csp") == []
        assert not [m for m in messages if "Content Security Policy" in m]

        # the same page with an injected script, style and remote image: all refused by the policy
        tampered = tmp_path / "tampered.html"
        tampered.write_text(html.replace(
            "</main>", '<script>document.title = "pwned"</script><style>body { display: none }</style>'
                       '<img src="http://127.0.0.1:9/beacon.png"></main>'), encoding="utf-8")
        page.goto(tampered.as_uri())
        page.wait_for_timeout(300)
        assert page.title() != "pwned" and page.locator("body").is_visible()
        violations = page.evaluate("window.__csp")
        assert any(v.startswith("script-src") for v in violations)
        assert any(v.startswith("style-src") for v in violations)
        assert any(v.startswith("img-src") and "127.0.0.1" in v for v in violations)
