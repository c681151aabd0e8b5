"""Output format name → writer(conn, scan_id, out_dir, rules, lang) → path."""

from reports import ci_formats, findings_json, html, tables

WRITERS = {
    "html": lambda conn, scan_id, out, rules, lang: html.write(conn, scan_id, out, rules, lang),
    "json": lambda conn, scan_id, out, rules, lang: findings_json.write(conn, scan_id, out),
    "csv": tables.write_csv,
    "xlsx": tables.write_xlsx,
    "sarif": ci_formats.write_sarif,
    "junit": ci_formats.write_junit,
}
