"""The control page at ``/_sandbox/``: play the content team in a browser.

Every form posts to ``/_sandbox/ui/...``, runs the same action as the control API (so the same
webhook fires) and redirects back to the listing it came from.
"""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Callable
from functools import partial
from html import escape
from typing import TYPE_CHECKING

from integrations.sandbox.canto import actions
from integrations.sandbox.canto.state import STATUSES, Asset
from integrations.sandbox.server import (
    HttpError,
    Request,
    Response,
    Router,
    html_response,
    redirect,
)

if TYPE_CHECKING:
    from integrations.sandbox.canto.app import CantoSandbox

PAGE_SIZE = 50
STYLE = """
body{font:14px system-ui,sans-serif;margin:1.5rem;color:#222}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3rem;
text-align:left;vertical-align:top}th{background:#f4f4f4}form{margin:.2rem 0}
details>summary{cursor:pointer;color:#1d3557}.msg{background:#e9f5db;padding:.5rem}
.forms{display:grid;gap:.4rem;padding:.4rem;background:#fafafa}code{font-size:12px}
"""


def _when(ms: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(ms // 1000))


def _options(values: list[str], selected: str = "") -> str:
    return "".join(
        f'<option value="{escape(v)}"{" selected" if v == selected else ""}>{escape(v or "—")}'
        "</option>"
        for v in values
    )


def _choices(sb: CantoSandbox) -> dict[str, list[str]]:
    with sb.catalog.lock:
        values = {f.name: list(f.values) for f in sb.catalog.fields}
    return {name: ["", *values.get(name, [])] for name in ("Category", "Language", "Region")} | {
        "Regulated": ["Yes", "No"]
    }


def _field_selects(sb: CantoSandbox, asset: Asset | None = None) -> str:
    current = asset.additional if asset else {}
    return " ".join(
        f'{name} <select name="{name}">{_options(values, current.get(name, ""))}</select>'
        for name, values in _choices(sb).items()
    )


def _album_options(sb: CantoSandbox) -> str:
    with sb.catalog.lock:
        albums = [
            (node.id, sb.catalog.node_path(node.id)[1])
            for node in sb.catalog.nodes.values()
            if node.scheme == "album"
        ]
    return "".join(f'<option value="{i}">{escape(path)}</option>' for i, path in sorted(albums))


def _asset_row(sb: CantoSandbox, asset: Asset, back: str, albums: str) -> str:
    url = f"/_sandbox/ui/assets/{asset.id}"
    hidden = f'<input type="hidden" name="next" value="{escape(back)}">'
    names = ", ".join(escape(sb.catalog.nodes[a].name) for a in asset.albums)
    info = asset.additional
    return f"""<tr><td>{escape(asset.name)}<br><code>{asset.id}</code></td>
<td>{asset.scheme}</td><td>{escape(asset.approval)}</td><td>{asset.current.no}</td>
<td>{escape(info.get("Category", ""))}</td><td>{escape(info.get("Language", ""))}</td>
<td>{escape(info.get("Region", ""))}</td><td>{escape(info.get("Regulated", ""))}</td>
<td>{names}</td><td>{_when(asset.time)}</td>
<td><details><summary>change</summary><div class="forms">
<form method="post" action="{url}/version" enctype="multipart/form-data">{hidden}
New version: <input type="file" name="file"> comment <input name="comment">
<button>Upload version</button></form>
<form method="post" action="{url}/status">{hidden}
Status <select name="status">{_options(list(STATUSES), asset.approval)}</select>
<button>Set status</button></form>
<form method="post" action="{url}/metadata">{hidden}
Name <input name="name" value="{escape(asset.name)}" size="40">
Tags <input name="tags" value="{escape(", ".join(asset.tags))}" size="30">
{_field_selects(sb, asset)} <button>Save metadata</button></form>
<form method="post" action="{url}/albums">{hidden}
Album <select name="album">{albums}</select>
<button name="op" value="add">Add</button>
<button name="op" value="remove">Remove</button></form>
<form method="post" action="{url}/delete">{hidden}<button>Delete asset</button></form>
</div></details></td></tr>"""


def show(sb: CantoSandbox, request: Request) -> Response:
    """``GET /_sandbox/``: the asset list with search, paging and change forms."""
    query = request.query.get("q", "").strip().lower()
    try:
        page_number = max(1, int(request.query.get("page") or 1))
    except ValueError:
        page_number = 1
    albums = _album_options(sb)
    with sb.catalog.lock:
        ordered = sb.catalog.ordered()
        if query:
            ordered = [
                a
                for a in ordered
                if query in a.id
                or query in a.name.lower()
                or any(query in v.lower() for v in (*a.tags, *a.keywords))
            ]
        pages = max(1, -(-len(ordered) // PAGE_SIZE))
        page_number = min(page_number, pages)
        back = "/_sandbox/?" + urllib.parse.urlencode({"q": query, "page": page_number})
        rows = "".join(
            _asset_row(sb, asset, back, albums)
            for asset in ordered[(page_number - 1) * PAGE_SIZE : page_number * PAGE_SIZE]
        )
        found = len(ordered)
    hooks = sb.webhooks.snapshot()
    deliveries = "".join(
        f"<tr><td>{escape(d['sent_at'])}</td><td>{escape(d['event'])}</td>"
        f"<td>{escape(d['body']['displayname'])}</td>"
        f"<td>{d['status'] if d['status'] is not None else escape(str(d['error']))}</td></tr>"
        for d in reversed(hooks["deliveries"][-10:])
    )
    message = request.query.get("msg", "")
    pager = " ".join(
        f'<a href="/_sandbox/?{urllib.parse.urlencode({"q": query, "page": n})}">{label}</a>'
        for n, label in ((page_number - 1, "« previous"), (page_number + 1, "next »"))
        if 1 <= n <= pages
    )
    hidden = f'<input type="hidden" name="next" value="{escape(back)}">'
    return html_response(f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Canto sandbox</title><style>{STYLE}</style></head><body>
<h1>Canto sandbox</h1>
<p>{found} assets shown of {sb.catalog.live_count()} · seed {sb.seed} ·
webhooks {"on" if hooks["enabled"] else "off"} → <code>{escape(hooks["url"])}</code>
({hooks["pending"]} pending) · JSON control API under <code>/_sandbox/api/</code></p>
{f'<p class="msg">{escape(message)}</p>' if message else ""}
<form method="get" action="/_sandbox/"><input name="q" value="{escape(query)}"
placeholder="name, tag, keyword or id" size="40"> <button>Search</button></form>
<details><summary>Upload a new asset</summary><div class="forms">
<form method="post" action="/_sandbox/ui/assets" enctype="multipart/form-data">{hidden}
Name <input name="name" required placeholder="SDS-pump-X200-de.pdf" size="34">
File <input type="file" name="file"> Album <select name="album">{albums}</select>
Status <select name="approvalStatus">{_options(list(STATUSES))}</select>
{_field_selects(sb)} <button>Upload asset</button></form></div></details>
<p>Page {page_number} of {pages} {pager}</p>
<table><tr><th>Name / id</th><th>Scheme</th><th>Status</th><th>Version</th><th>Category</th>
<th>Language</th><th>Region</th><th>Regulated</th><th>Albums</th><th>Modified</th><th></th></tr>
{rows}</table><p>Page {page_number} of {pages} {pager}</p>
<h2>Last webhooks</h2><table><tr><th>Sent</th><th>Event</th><th>Asset</th><th>Result</th></tr>
{deliveries}</table></body></html>""")


def _back(request: Request, fields: dict[str, str], message: str) -> Response:
    target = fields.get("next", "")
    if not target.startswith("/_sandbox/"):
        target = "/_sandbox/"
    separator = "&" if "?" in target else "?"
    return redirect(f"{target}{separator}{urllib.parse.urlencode({'msg': message})}", 303)


def _additional(fields: dict[str, str]) -> dict[str, str]:
    return {
        name: fields[name]
        for name in ("Category", "Language", "Region", "Regulated")
        if name in fields
    }


def act(sb: CantoSandbox, request: Request, action: str) -> Response:
    """``POST /_sandbox/ui/...``: run one content-team action, then go back to the list."""
    fields, files = request.form()
    upload = files.get("file")
    content = upload.content if upload else None
    try:
        if action == "create":
            data = {**fields, "additional": _additional(fields)}
            asset = actions.create_asset(sb, data, content)
            return _back(request, fields, f"Uploaded {asset.name} ({asset.id})")
        asset = actions.find_asset(sb, request.params["id"])
        if action == "version":
            actions.new_version(sb, asset, fields.get("comment", ""), content)
        elif action == "status":
            actions.set_status(sb, asset, fields.get("status", ""))
        elif action == "metadata":
            data = {
                "name": fields.get("name"),
                "tags": fields.get("tags", ""),
                "additional": _additional(fields),
            }
            actions.edit_metadata(sb, asset, data)
        elif action == "albums":
            album = [fields.get("album", "")]
            add, remove = (album, []) if fields.get("op") != "remove" else ([], album)
            actions.change_albums(sb, asset, add, remove)
        else:
            actions.delete_asset(sb, asset)
    except HttpError as exc:
        reason = exc.payload.get("error") if isinstance(exc.payload, dict) else exc.status
        return _back(request, fields, f"Not done: {reason}")
    return _back(request, fields, f"{action.capitalize()}: {asset.name} ({asset.id})")


def register(router: Router, sb: CantoSandbox) -> None:
    """Add the control page's routes."""
    router.add("GET", "/_sandbox/", partial(show, sb))
    handlers: dict[str, Callable[[Request], Response]] = {
        "/_sandbox/ui/assets": partial(act, sb, action="create"),
        **{
            f"/_sandbox/ui/assets/{{id}}/{name}": partial(act, sb, action=name)
            for name in ("version", "status", "metadata", "albums", "delete")
        },
    }
    for pattern, handler in handlers.items():
        router.add("POST", pattern, handler)
