"""Output format name → writer(conn, scan_id, out_dir) → path."""

from reports import findings_json

WRITERS = {
    "json": findings_json.write,
}
