"""Why a page could not be used, in words a reader understands (连接被拒绝, HTTP 404 页面不存在,
重定向循环 …), never the library exception the crawler recorded (``DownloadConnectionRefusedError``).

The scan database keeps what the crawler stored (pages.error_kind codes, the raw pages.error text,
DNS and IPv6 probe codes) and findings.json keeps it for machines; the reports, the CLI lines, the
batch status and ranking translate here, at the point of display.

    failure_words(code, detail, lang)  → 连接被拒绝 / HTTP 404 页面不存在 / 响应过慢（12.0 秒）…
    readable_error(text, lang)         → a stored error message (a start page's, a batch site's) in words
    plain(text)                        → text with library exception names taken out
"""

from __future__ import annotations

import re

# every code the crawler stores in pages.error_kind (crawler.spiders.disclosure.error_kind and
# on_error; "soft_404" and links.broken's "slow" are worded by failure_words itself), in
# dns_records.error (crawler.ipv6: nxdomain …) and in ipv6_probes.error (refused, no_route …)
FAILURES = {
    "dns": ("域名无法解析", "the host name does not resolve"),
    "nxdomain": ("域名不存在", "the host name does not exist"),
    "no_nameservers": ("域名服务器无应答", "no name server answered"),
    "no_address": ("域名没有地址记录", "the host name has no address record"),
    "refused": ("连接被拒绝", "connection refused"),
    "timeout": ("超时", "timed out"),
    "reset": ("连接被重置", "connection reset"),
    "tls": ("证书错误", "certificate error"),
    "redirect": ("重定向次数过多", "too many redirects"),
    "redirect_loop": ("重定向循环", "redirect loop"),
    "bad_redirect": ("重定向到无效地址", "redirected to an invalid address"),
    "offsite_redirect": ("被重定向到其他网站", "redirected to another site"),
    "connect": ("无法连接", "could not connect"),
    "no_route": ("本机没有通往该地址的网络路由", "no network route from this machine"),
    "too_large": ("响应内容过大", "response too large"),
    "unparsable": ("页面无法解析", "the page could not be parsed"),
    "attachment_not_read": ("附件超过大小上限，未读取", "attachment over the size limit, not read"),
    "unsupported": ("链接地址的类型无法访问", "an address of a kind that cannot be opened"),
    "address_policy": ("指向内部网络地址，未访问", "points to an internal network address, not visited"),
    "robots": ("网站的 robots.txt 不允许访问", "excluded by the site's robots.txt"),
    "ignored": ("未访问", "not visited"),
    "other": ("访问失败", "the request failed"),
}
SOFT_404 = {
    "title": ("软404（页面显示“页面不存在”）", "soft 404 (the page says it does not exist)"),
    "text": ("软404（页面显示“页面不存在”）", "soft 404 (the page says it does not exist)"),
    "redirect_home": ("软404（文章被重定向到首页）", "soft 404 (redirected to the home page)"),
}
SOFT_404_OTHER = ("软404（显示错误页面）", "soft 404 (an error page)")
HTTP = {
    400: ("请求无效", "bad request"), 401: ("需要登录", "login required"), 403: ("禁止访问", "forbidden"),
    404: ("页面不存在", "not found"), 405: ("不接受该请求方式", "method not allowed"), 408: ("请求超时", "request timeout"),
    410: ("页面已删除", "gone"), 429: ("请求过多，被限流", "too many requests"), 500: ("服务器内部错误", "server error"),
    501: ("服务器不支持该请求", "not implemented"), 502: ("网关错误", "bad gateway"), 503: ("服务暂不可用", "service unavailable"),
    504: ("网关超时", "gateway timeout"),
}
HTTP_CLASS = {2: ("正常", "OK"), 3: ("重定向", "redirect"), 4: ("请求错误", "client error"), 5: ("服务器错误", "server error")}
# the library exceptions behind a stored "Name: message" (crawler.spiders.disclosure.error_kind's table)
EXCEPTION_KINDS = {
    "DNSLookupError": "dns", "CannotResolveHostError": "dns", "ConnectionRefusedError": "refused",
    "DownloadConnectionRefusedError": "refused", "TimeoutError": "timeout", "TCPTimedOutError": "timeout",
    "DownloadTimeoutError": "timeout", "DownloadCancelledError": "too_large", "ConnectionLost": "reset",
    "ResponseFailed": "reset", "ResponseNeverReceived": "reset", "DownloadFailedError": "reset",
    "ConnectionResetError": "reset", "NotSupported": "unsupported", "ConnectError": "connect", "SSLError": "tls",
}
# a library exception's name (DownloadConnectionRefusedError, twisted.internet.error.DNSLookupError), with its colon
_EXCEPTION_NAME = re.compile(r"\b(?:[A-Za-z_]\w*\.)*(?:[A-Z][A-Za-z0-9]*(?:Error|Exception|Failed|Lost|NeverReceived)|"
                             r"NotSupported|IgnoreRequest)\b(?::\s*)?")
_NAME = re.compile(r"\b[A-Z][A-Za-z0-9]+\b")


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "zh" else pair[1]


def http_words(status: int, lang: str = "zh") -> str:
    """``HTTP 404 页面不存在``."""
    words = HTTP.get(status) or HTTP_CLASS.get(status // 100)
    return f"HTTP {status} {_pick(words, lang)}" if words else f"HTTP {status}"


def error_code_of(text: str) -> str:
    """The failure code (FAILURES) of a stored error text such as ``DownloadConnectionRefusedError: …``
    or ``IgnoreRequest: max redirections reached``; "other" when it names no known failure."""
    for name in _NAME.findall(text):
        if name == "IgnoreRequest":
            message = text.split(name, 1)[1].lower()
            if "address policy" in message:
                return "address_policy"
            if "redirect" in message:
                return "redirect_loop" if "loop" in message else "redirect"
            return "ignored"
        kind = EXCEPTION_KINDS.get(name)
        if kind:
            return "tls" if kind == "reset" and ("SSL" in text or "TLS" in text) else kind
    lower = text.lower()
    for marker, kind in (("internal address refused", "address_policy"), ("address policy", "address_policy"),
                         ("redirect", "redirect"), ("certificate", "tls"), ("ssl", "tls"), ("timed out", "timeout"),
                         ("timeout", "timeout"), ("refused", "refused"), ("reset", "reset"), ("resolve", "dns")):
        if marker in lower:
            return kind
    return "other"


def failure_words(error_kind_or_code, detail=None, lang: str = "zh") -> str:
    """Why a page could not be used, in words. ``error_kind_or_code``: a pages.error_kind, DNS or IPv6
    probe code (FAILURES), "soft_404" (``detail``: the stored reason: title, text, redirect_home),
    "slow" (``detail``: milliseconds), or an HTTP status (404, "404", "HTTP 404"). With no code,
    ``detail`` is a stored error text and is classified (error_code_of)."""
    code = error_kind_or_code
    if isinstance(code, str):
        match = re.fullmatch(r"\s*(?:HTTP\s*)?(\d{3})\s*", code)
        if match:
            code = int(match[1])
    if isinstance(code, int) and not isinstance(code, bool):
        return http_words(code, lang)
    if code == "soft_404":
        return _pick(SOFT_404.get(detail or "", SOFT_404_OTHER), lang)
    if code == "slow":
        seconds = f"{detail / 1000:.1f}" if isinstance(detail, (int, float)) and not isinstance(detail, bool) else "?"
        return f"响应过慢（{seconds} 秒）" if lang == "zh" else f"too slow ({seconds} s)"
    if isinstance(code, str) and ":" in code:  # an IPv6 probe's "other: …" or "address policy: …"
        code = code.split(":", 1)[0].strip().replace(" ", "_")
    if not code:
        code = error_code_of(str(detail)) if detail else "other"
    return _pick(FAILURES.get(code, FAILURES["other"]), lang)


def plain(text) -> str:
    """``text`` without library exception names (``DownloadConnectionRefusedError: ``): what is left is
    the message itself."""
    return " ".join(_EXCEPTION_NAME.sub("", str(text or "")).split())


_URL_HEAD = re.compile(r"(https?://\S+?):\s+")  # "http://host:8080/: …": the URL ends at a colon and a space
_EXIT = re.compile(r"exit (-?\d+):\s*")
RUN_ERRORS = {
    "interrupted": ("检查被中断", "interrupted"),
    "interrupted before the crawl started": ("抓取开始前被中断", "interrupted before the crawl started"),
    "unknown error": ("原因不明", "unknown error"), "no output": ("没有输出", "no output"),
}


_LEADING_NAME = re.compile(r"(?:[A-Za-z_]\w*\.)*([A-Z][A-Za-z0-9]+)\b")


def _one_error(text: str, lang: str, fetch: bool = False) -> str:
    """One stored error in words; ``fetch``: it is why a page could not be fetched (after its URL)."""
    text = text.strip().rstrip(";；").strip()
    if re.fullmatch(r"HTTP \d{3}", text):
        return failure_words(text, lang=lang)
    name = _LEADING_NAME.match(text)
    if name and (name[1] in EXCEPTION_KINDS or name[1] == "IgnoreRequest" or (fetch and _EXCEPTION_NAME.match(text))):
        return failure_words(None, text, lang)
    if "internal address refused" in text:
        return failure_words("address_policy", lang=lang)
    if text in RUN_ERRORS:
        return _pick(RUN_ERRORS[text], lang)
    return plain(text)


def readable_error(text, lang: str = "zh") -> str:
    """A stored error message as a reader should see it: ``http://x/: DownloadConnectionRefusedError: …``
    (one or more start pages, ``; `` between) → ``http://x/：连接被拒绝``; ``exit 1: ValueError: bad`` (a
    batch site's audit that died) → ``检查进程异常退出（退出码 1）：bad``; other text loses its exception names."""
    if not text:
        return ""
    text = str(text)
    colon = "：" if lang == "zh" else ": "
    exited = _EXIT.match(text)
    if exited:
        head = f"检查进程异常退出（退出码 {exited[1]}）" if lang == "zh" else f"the audit process failed (exit code {exited[1]})"
        rest = _one_error(text[exited.end():], lang)
        return f"{head}{colon}{rest}" if rest else head
    parts = _URL_HEAD.split(text)
    if len(parts) > 1 and not parts[0].strip():
        pieces = [f"{url}{colon}{_one_error(rest, lang, fetch=True)}" for url, rest in zip(parts[1::2], parts[2::2])]
        return ("；" if lang == "zh" else "; ").join(pieces)
    return _one_error(text, lang)
