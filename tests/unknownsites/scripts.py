"""JavaScript written into pages: script-filled lists, script-written static pagers, SPA detail shells.

All code is hand-written ES5 with no external library: XMLHttpRequest, fetch(), a tiny
$.ajax-like helper, or a <script>-tag JSONP loader. Parameter names, keys and paths are written
into the code literally, as a site's own developer would.
"""

from __future__ import annotations

import json

from .model import Column


def js(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _enc() -> str:
    return ("function enc(o) { var a = []; for (var k in o) { if (o.hasOwnProperty(k)) "
            "a.push(encodeURIComponent(k) + '=' + encodeURIComponent(o[k])); } return a.join('&'); }\n")


def transport_js(kind: str, helper: str = "$m", cb_param: str = "callback") -> str:
    """``send(req, done)``: req = {method, url, body, ctype}; done gets the response text (or, by
    script tag, the JSONP payload)."""
    if kind == "xhr":
        return """function send(req, done) {
  var x = new XMLHttpRequest();
  x.open(req.method, req.url, true);
  if (req.ctype) x.setRequestHeader('Content-Type', req.ctype);
  x.onreadystatechange = function () { if (x.readyState === 4 && x.status === 200) done(x.responseText); };
  x.send(req.body === undefined ? null : req.body);
}
"""
    if kind == "fetch":
        return """function send(req, done) {
  var opt = {method: req.method, headers: {}, credentials: 'same-origin'};
  if (req.ctype) opt.headers['Content-Type'] = req.ctype;
  if (req.body !== undefined) opt.body = req.body;
  fetch(req.url, opt).then(function (r) { return r.text(); }).then(done);
}
"""
    if kind == "helper":
        return f"""var {helper} = {{
  ajax: function (o) {{
    var x = new XMLHttpRequest();
    x.open(o.type || 'GET', o.url, true);
    if (o.contentType) x.setRequestHeader('Content-Type', o.contentType);
    x.onload = function () {{ if (x.status == 200 && o.success) o.success(x.responseText); }};
    x.send(o.data === undefined ? null : o.data);
  }}
}};
function send(req, done) {{ {helper}.ajax({{url: req.url, type: req.method, data: req.body, contentType: req.ctype, success: done}}); }}
"""
    # JSONP through a <script> element
    return f"""var jpSeq = 0;
function send(req, done) {{
  var name = 'jp' + new Date().getTime() + '_' + (jpSeq++);
  var s = document.createElement('script');
  window[name] = function (d) {{ window[name] = undefined; if (s.parentNode) s.parentNode.removeChild(s); done(d); }};
  s.src = req.url + (req.url.indexOf('?') < 0 ? '?' : '&') + {js(cb_param)} + '=' + name;
  document.getElementsByTagName('head')[0].appendChild(s);
}}
"""


def _params_js(m: dict, size: int) -> str:
    lines = [f"  var p = {js(m['inner_consts'])};"]
    pp = js(m["page_param"])
    if m["scheme"] == "page1":
        lines.append(f"  p[{pp}] = k;")
    elif m["scheme"] == "page0":
        lines.append(f"  p[{pp}] = k - 1;")
    elif m["scheme"] == "offset":
        lines.append(f"  p[{pp}] = (k - 1) * SIZE;")
    else:
        lines.append(f"  p[{pp}] = (k - 1) * SIZE + 1;")
        lines.append(f"  p[{js(m['end_param'])}] = k * SIZE;")
    if m["size_param"]:
        lines.append(f"  p[{js(m['size_param'])}] = SIZE;")
    return "function params(k) {\n" + "\n".join(lines) + "\n  return p;\n}\n"


def _request_js(m: dict) -> str:
    place, out = m["place"], ["function request(k) {", f"  var p = params(k), url = EP, body, ctype;"]
    form = "'application/x-www-form-urlencoded; charset=UTF-8'"
    if place == "query":
        out.append("  url += '?' + enc(p);")
        if m["method"] == "POST":
            out.append("  body = '';")
    elif place == "form":
        out += ["  body = enc(p);", f"  ctype = {form};"]
        if m["outer_consts"]:
            out.append(f"  url += '?' + enc({js(m['outer_consts'])});")
    elif place == "json":
        out += ["  body = JSON.stringify(p);", "  ctype = 'application/json;charset=UTF-8';"]
        if m["outer_consts"]:
            out.append(f"  url += '?' + enc({js(m['outer_consts'])});")
    else:
        out += [f"  var o = {js(m['outer_consts'])};", f"  o[{js(m['nest_param'])}] = JSON.stringify(p);"]
        if place == "nested-query":
            out.append("  url += '?' + enc(o);")
        else:
            out += ["  body = enc(o);", f"  ctype = {form};"]
    if m["format"] == "jsonp" and m["transport"] != "script-tag":
        out.append(f"  url += (url.indexOf('?') < 0 ? '?' : '&') + {js(m['callback_param'] + '=jQuery1124_' + m['chan'])};")
    if m["cache_buster"]:
        out.append(f"  url += (url.indexOf('?') < 0 ? '?' : '&') + '{m['cache_buster']}=' + new Date().getTime();")
    out.append(f"  return {{method: {js(m['method'])}, url: url, body: body, ctype: ctype}};")
    return "\n".join(out) + "\n}\n"


def _dig(var: str, path: list) -> str:
    return f"dig({var}, {js(path)})"


def _parse_js(m: dict, tag: str) -> str:
    total = m.get("total")
    if m["format"] == "html":
        body = [f"  var tmp = document.createElement({js(tag)});", "  tmp.innerHTML = t;"]
        if total:
            body += [f"  var inp = tmp.querySelector('input[name=\"{total['input']}\"]');",
                     "  if (inp) { var v = parseInt(inp.value, 10); inp.parentNode.removeChild(inp); "
                     + ("pages = Math.ceil(v / SIZE); total = v; }" if total["kind"] == "records" else "pages = v; }")]
        return ("function parse(t) {\n  var pages = null, total = null;\n" + "\n".join(body)
                + "\n  return {html: tmp.innerHTML, n: tmp.getElementsByTagName('a').length, pages: pages, total: total};\n}\n")
    tk, uk, dk = js(m["title_key"]), js(m["url_key"]), js(m["date_key"])
    if m["url_field"] == "url":
        url = f"String(it[{uk}])"
    else:
        pre, post = m["url_template"].split("{id}")
        url = f"{js(pre)} + it[{uk}] + {js(post)}"
    if m["date_format"] == "epoch_ms":
        date = f"new Date(Number(it[{dk}]) + 8 * 3600 * 1000).toISOString().slice(0, 10)"
    else:
        date = f"String(it[{dk}]).slice(0, 10)"
    if m["format"] == "jsonp" and m["transport"] != "script-tag":
        decode = "  var d = JSON.parse(t.replace(/^[^(]*\\(/, '').replace(/\\)\\s*;?\\s*$/, ''));"
    elif m["format"] == "jsonp":
        decode = "  var d = t;"
    else:
        decode = "  var d = typeof t === 'string' ? JSON.parse(t) : t;"
    if total:
        tot = _dig("d", total["path"])
        pages = f"  var tot = {tot}; var pages = tot == null ? null : " + (
            "Math.ceil(Number(tot) / SIZE), total = tot == null ? null : Number(tot);" if total["kind"] == "records"
            else "Number(tot), total = null;")
    else:
        pages = "  var pages = null, total = null;"
    row = ("'<li><a href=\"' + o.u + '\" target=\"_blank\" title=\"' + esc(o.t) + '\">' + esc(o.t) + '</a><span class=\"d\">' + o.d + '</span></li>'"
           if tag == "ul" else
           "'<div class=\"row\"><a href=\"' + o.u + '\" target=\"_blank\" title=\"' + esc(o.t) + '\">' + esc(o.t) + '</a><em>' + o.d + '</em></div>'")
    return f"""function one(it) {{ return {{t: String(it[{tk}]), u: {url}, d: {date}}}; }}
function parse(t) {{
{decode}
  var list = {_dig('d', m['items_path'])} || [];
{pages}
  var h = '';
  for (var i = 0; i < list.length; i++) {{ var o = one(list[i]); h += {row}; }}
  return {{html: h, n: list.length, pages: pages, total: total}};
}}
"""


def _notice_js(m: dict, tag: str, nd_id: str) -> tuple[str, str]:
    """(code run when the first page is empty, code run when it is not)."""
    if m["notice"] == "script-string":
        el = "li" if tag == "ul" else "p"
        return f"box.innerHTML = '<{el} class=\"no-data\">{m['notice_text']}</{el}>';", ""
    if m["notice"] == "hidden-div":
        return (f"box.innerHTML = ''; document.getElementById('{nd_id}').style.display = 'block';",
                f"document.getElementById('{nd_id}').style.display = 'none';")
    return "box.innerHTML = '';", ""


def _pager_js(m: dict) -> str:
    fn = m["pager_fn"]
    link = lambda k, text: f"'<a href=\"javascript:void(0)\" onclick=\"{fn}(' + ({k}) + ')\">{text}</a>'"
    shows = ""
    if m.get("shows") == "共N页":
        shows = "  if (pages != null) h += '<span class=\"sum\">共' + pages + '页</span>';\n"
    elif m.get("shows") == "共N条":
        shows = "  if (lastTotal != null) h += '<span class=\"sum\">共' + lastTotal + '条</span>';\n"
    if m["pager"] == "numbers":
        num = link("i", "' + i + '")
        body = (f"  if (k > 1) h += {link('k - 1', '上一页')};\n"
                f"  for (var i = 1; i <= (pages || 0); i++) h += i === k ? '<span class=\"cur\">' + i + '</span>' : {num};\n"
                f"  if (pages != null && k < pages) h += {link('k + 1', '下一页')};\n" + shows)
    elif m["pager"] == "next":
        body = ("  var more = pages != null ? k < pages : n >= SIZE;\n"
                f"  if (k > 1) h += '<button type=\"button\" onclick=\"{fn}(' + (k - 1) + ')\">上一页</button>';\n"
                f"  if (more) h += '<button type=\"button\" onclick=\"{fn}(' + (k + 1) + ')\">下一页</button>';\n" + shows)
    else:
        body = ("  var more = pages != null ? k < pages : n >= SIZE;\n"
                f"  if (more) h += '<a class=\"load-more\" href=\"javascript:;\" onclick=\"{fn}(' + (k + 1) + ')\">加载更多</a>';\n")
    return "function pager(k, pages, n) {\n  var h = '';\n" + body + "  pg.innerHTML = h;\n}\n"


def list_script(col: Column, m: dict, ids: dict) -> str:
    """The whole script of a script-filled list; ``ids`` = {box, pager, notice} element ids."""
    tag = m["container_tag"]
    empty_js, full_js = _notice_js(m, tag, ids["notice"])
    append = "true" if m["pager"] == "more" else "false"
    head = ("(function () {\n"
            f"var EP = {js(m['endpoint'])}, SIZE = {col.size}, lastTotal = null;\n"
            f"var box = document.getElementById('{ids['box']}'), pg = document.getElementById('{ids['pager']}');\n"
            "function esc(s) { return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/\"/g, '&quot;'); }\n"
            "function dig(o, path) { for (var i = 0; i < path.length; i++) { if (o == null) return null; o = o[path[i]]; } return o; }\n")
    code = (head + _enc() + transport_js(m["transport"], m.get("helper", "$m"), m.get("callback_param", "callback"))
            + _params_js(m, col.size) + _request_js(m) + _parse_js(m, tag) + _pager_js(m)
            + f"""function load(k, append) {{
  send(request(k), function (t) {{
    var r = parse(t);
    lastTotal = r.total;
    if (!r.n && !append) {{ {empty_js} }}
    else {{ {full_js} box.innerHTML = append ? box.innerHTML + r.html : r.html; }}
    pager(k, r.pages, r.n);
  }});
}}
window[{js(m['pager_fn'])}] = function (k) {{ load(k, {append}); return false; }};
load(1, false);
}})();
""")
    return code


def nav_function(m: dict) -> str:
    """The static pager function of a ``scriptpager`` column: args in the drawn order."""
    a = {name: f"a_{name}" for name in m["args"]}
    base = a.get("base", js(m["base"]))
    ext = a.get("ext", js(m["ext"]))
    naming = m["naming"]
    sep = "_" if "_" in naming else ("-" if "-" in naming else "")
    num = "i" if "km1" in naming else "(i + 1)"
    href = f"function href(i) {{ return i === 0 ? {base} + '.' + {ext} : {base} + '{sep}' + {num} + '.' + {ext}; }}"
    cur = f"a_current - {m['current_base']}"
    records = "  if (a_records) h += '<em>共' + a_records + '条</em>';\n" if "records" in a else ""
    out = ("  document.getElementById(a_container).innerHTML = h;" if "container" in a
           else "  document.write('<div class=\"pagination\">' + h + '</div>');")
    return (f"function {m['fn']}({', '.join(a[n] for n in m['args'])}) {{\n"
            f"  {href}\n  var cur = {cur}, h = '';\n"
            "  if (cur > 0) h += '<a href=\"' + href(cur - 1) + '\">上一页</a>';\n"
            "  for (var i = 0; i < a_pages; i++) h += i === cur ? '<span class=\"on\">' + (i + 1) + '</span>' : '<a href=\"' + href(i) + '\">' + (i + 1) + '</a>';\n"
            "  if (cur < a_pages - 1) h += '<a href=\"' + href(cur + 1) + '\">下一页</a>';\n"
            + records + out + "\n}\n")


def nav_call(m: dict, values: dict) -> str:
    def lit(v):
        return f"'{v}'" if isinstance(v, str) and m.get("quote") == "single" else js(v)
    return f"{m['fn']}({', '.join(lit(values[n]) for n in m['args'])});"


def spa_shell_script(spa: dict) -> str:
    """Detail shell: read the id from the address, fetch the document, fill title, table and body."""
    keys = spa["keys"]
    if spa["method"] == "GET":
        req = f"{{method: 'GET', url: API + '?' + {js(spa['api_param'])} + '=' + encodeURIComponent(id)}}"
    elif spa["place"] == "form":
        req = (f"{{method: 'POST', url: API, body: {js(spa['api_param'])} + '=' + encodeURIComponent(id), "
               "ctype: 'application/x-www-form-urlencoded'}")
    else:
        req = f"{{method: 'POST', url: API, body: JSON.stringify({{{js(spa['api_param'])}: id}}), ctype: 'application/json'}}"
    rows = ",\n    ".join(f"[{js(label)}, {js(key)}, {str(label.endswith('日期')).lower()}]" for label, key in keys.items()
                           if label not in ("正文",))
    return f"""(function () {{
var API = {js(spa['api'])};
{transport_js(spa['transport'])}
function dig(o, path) {{ for (var i = 0; i < path.length; i++) {{ if (o == null) return null; o = o[path[i]]; }} return o; }}
function day(v) {{ return typeof v === 'number' ? new Date(v + 8 * 3600 * 1000).toISOString().slice(0, 10) : String(v).slice(0, 10); }}
var m = new RegExp('[?&]' + {js(spa['id_param'])} + '=([^&#]*)').exec(location.search);
var id = m ? decodeURIComponent(m[1]) : '';
send({req}, function (t) {{
  var d = dig(JSON.parse(t), {js(spa['path'])});
  if (!d) {{ document.getElementById('d-title').textContent = '文档不存在或已删除'; return; }}
  var rows = [
    {rows}
  ];
  var h = '';
  for (var i = 0; i < rows.length; i++) {{
    var v = d[rows[i][1]];
    h += '<tr><th>' + rows[i][0] + '</th><td>' + (v == null ? '' : (rows[i][2] ? day(v) : v)) + '</td></tr>';
  }}
  document.getElementById('d-meta').innerHTML = h;
  document.getElementById('d-title').textContent = d[{js(keys['标题'])}];
  document.getElementById('d-body').innerHTML = d[{js(keys['正文'])}];
  document.title = d[{js(keys['标题'])}];
}});
}})();
"""
