"""The partner view at ``/_sandbox/``: a person plays one partner and sees what it sees.

Forms post to ``/_sandbox/ui/...`` (see ``partner_forms``), which run the same actions as the
control API (so the same events fire) and come back here.
"""

from __future__ import annotations

import urllib.parse
from datetime import datetime
from functools import partial
from html import escape
from typing import TYPE_CHECKING

from integrations.sandbox.server import Request, Response, Router, html_response
from integrations.sandbox.tradinggrid.state import (
    ISSUE_CATEGORIES,
    REQUEST_TYPES,
    Contact,
    Partner,
    Publication,
    rfc3339,
    utcnow,
)

if TYPE_CHECKING:
    from integrations.sandbox.tradinggrid.app import TradingGridSandbox

STYLE = """
body{font:14px system-ui,sans-serif;margin:1.5rem;color:#222;max-width:75rem}
h2{border-bottom:2px solid #1d3557;padding-bottom:.2rem}h3{color:#1d3557;margin-bottom:.3rem}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3rem;
text-align:left;vertical-align:top}th{background:#f4f4f4}form{display:inline-block;margin:.2rem 0}
.card{border:1px solid #ccd;border-radius:6px;padding:.6rem;margin:.5rem 0;background:#fcfcff}
.msg{background:#e9f5db;padding:.5rem}.muted{color:#666}
.tag{background:#eef;padding:0 .3rem;border-radius:3px;font-size:12px}
.comment{border-left:3px solid #ccd;padding-left:.5rem;margin:.3rem 0}
code{font-size:12px}label{margin-right:.6rem}
"""
SECTIONS = (("asset", "Content"), ("kit", "Campaign kits"), ("onboarding", "Onboarding"))


def _when(moment: datetime | None) -> str:
    text = rfc3339(moment)
    return text.replace("T", " ").replace("Z", " UTC") if text else "—"


def _size(value: object) -> str:
    if not isinstance(value, int):
        return "—"
    for unit in ("B", "KB", "MB"):
        if value < 1024:
            return f"{value} {unit}"
        value //= 1024
    return f"{value} GB"


def _options(values: list[tuple[str, str]], selected: str = "") -> str:
    return "".join(
        f'<option value="{escape(v)}"{" selected" if v == selected else ""}>'
        f"{escape(label)}</option>"
        for v, label in values
    )


def _hidden(partner: Partner, contact: Contact | None) -> str:
    contact_id = contact.id if contact else ""
    return (
        f'<input type="hidden" name="partner_id" value="{partner.id}">'
        f'<input type="hidden" name="contact_id" value="{contact_id}">'
    )


def _picker(sb: TradingGridSandbox, partner: Partner | None) -> str:
    groups = []
    with sb.store.lock:
        for community in sorted(sb.store.communities.values(), key=lambda c: c.name):
            members = _options(
                [
                    (p.id, f"{p.company_name} · {p.tier} · {p.status}")
                    for p in sb.store.members(community.id)
                ],
                partner.id if partner else "",
            )
            groups.append(f'<optgroup label="{escape(community.name)}">{members}</optgroup>')
    return (
        '<form method="get" action="/_sandbox/">Play partner <select name="partner">'
        f'<option value="">— choose —</option>{"".join(groups)}</select> <button>Open</button>'
        "</form>"
    )


def _publication(
    sb: TradingGridSandbox, pub: Publication, partner: Partner, contact: Contact | None
) -> str:
    fields = pub.fields
    hidden = _hidden(partner, contact)
    contact_id = contact.id if contact else ""
    ack = sb.store.acknowledgements.get((pub.id, partner.id))
    status = ack.status if ack else "pending"
    base = f"/_sandbox/ui/publications/{pub.id}"
    files = "".join(
        f"<tr><td>{escape(str(f.get('name')))}</td><td>{_size(f.get('size'))}</td>"
        f'<td><code>{escape(str(f.get("md5") or "—"))}</code></td><td><a href="{base}/download?'
        + escape(
            urllib.parse.urlencode({"partner_id": partner.id, "contact_id": contact_id, "file": i})
        )
        + '">Download</a></td></tr>'
        for i, f in enumerate(fields.get("files") or [])
    )
    due = ""
    if fields.get("requires_acknowledgement"):
        due = f"<p><b>Acknowledgement required</b> by {_when(pub.moment('acknowledgement_due_at'))}"
        due += f" — your status: <span class=tag>{escape(status)}</span></p>"
    instructions = fields.get("instructions")
    published = pub.moment("publish_at") or pub.created_at
    return f"""<div class="card" id="{escape(pub.id)}"><h4>{escape(str(fields.get("title")))}
<span class="tag">v{escape(str(fields.get("version") or "—"))}</span>
<span class="muted"><code>{pub.id}</code> · published {_when(published)}
{f" · until {_when(pub.moment('expires_at'))}" if fields.get("expires_at") else ""}</span></h4>
<p>{escape(str(fields.get("summary") or ""))}</p>
{f"<p><b>Instructions:</b> {escape(str(instructions))}</p>" if instructions else ""}{due}
<table><tr><th>File</th><th>Size</th><th>MD5</th><th></th></tr>{files}</table>
<form method="post" action="{base}/view">{hidden}<button>View</button></form>
<form method="post" action="{base}/acknowledge">{hidden}
<input name="comment" placeholder="optional comment" size="30">
<button name="status" value="acknowledged">Acknowledge</button>
<button name="status" value="declined">Decline</button></form></div>"""


def _community_content(sb: TradingGridSandbox, partner: Partner, contact: Contact | None) -> str:
    visible = sb.store.visible_to(partner, utcnow())
    parts = []
    for community_id in partner.community_ids:
        community = sb.store.communities.get(community_id)
        if community is None:
            continue
        shown = [p for p in visible if p.community_id == community_id]
        parts.append(
            f"<h2>{escape(community.name)} <span class=muted>{len(shown)} items</span></h2>"
        )
        for kind, title in SECTIONS:
            items = [p for p in shown if p.fields.get("type") == kind]
            cards = "".join(_publication(sb, p, partner, contact) for p in items)
            parts.append(f"<h3>{title}</h3>{cards or '<p class=muted>Nothing here.</p>'}")
    return "".join(parts)


def _request_form(
    partner: Partner, contact: Contact | None, hidden: str, sb: TradingGridSandbox
) -> str:
    communities = [
        (c, sb.store.communities[c].name)
        for c in partner.community_ids
        if c in sb.store.communities
    ]
    types = _options([(t, t) for t in REQUEST_TYPES])
    categories = _options([("", "— (content_issue only)")] + [(c, c) for c in ISSUE_CATEGORIES])
    locale = contact.locale if contact else ""
    return f"""<h2>Open a request</h2><form method="post" action="/_sandbox/ui/requests">{hidden}
<label>Community <select name="community_id">{_options(communities)}</select></label>
<label>Type <select name="type">{types}</select></label>
<label>Category <select name="category">{categories}</select></label><br>
<label>Subject <input name="subject" required size="50"></label>
<label>Locale <input name="locale" value="{escape(locale)}" size="6"></label>
<label>Asset external_ref <input name="external_ref" size="28"></label><br>
<textarea name="description" rows="3" cols="90" placeholder="Description"></textarea><br>
<button>Open request</button></form>"""


def _requests(sb: TradingGridSandbox, partner: Partner, hidden: str) -> str:
    mine = sorted(
        (r for r in sb.store.requests.values() if r.partner_id == partner.id),
        key=lambda r: (r.created_at, r.id),
        reverse=True,
    )
    parts = [f"<h2>Your requests <span class=muted>{len(mine)}</span></h2>"]
    for found in mine:
        base = f"/_sandbox/ui/requests/{found.id}"
        comments = "".join(
            f'<div class="comment"><b>{escape(str(c.author.get("name") or c.author.get("type")))}'
            f"</b> <span class=muted>{_when(c.created_at)}</span><br>{escape(c.body)}</div>"
            for c in sb.store.comments_of(found.id)
            if c.visibility == "public"
        )
        refs = ", ".join(escape(str(ref.get("external_ref"))) for ref in found.asset_refs)
        buttons = ""
        if found.status == "resolved":
            buttons += f'<form method="post" action="{base}/confirm">{hidden}'
            buttons += "<button>Confirm delivery</button></form> "
        if found.status in ("resolved", "closed", "cancelled"):
            buttons += f'<form method="post" action="{base}/reopen">{hidden}'
            buttons += "<button>Reopen</button></form>"
        parts.append(f"""<div class="card"><h4>{escape(found.subject)}
<span class="tag">{escape(found.status)}</span></h4><p class="muted"><code>{found.id}</code> ·
{escape(found.type)}{" / " + escape(found.category) if found.category else ""} ·
{escape(found.locale)} · opened {_when(found.created_at)} · due {_when(found.due_at)}
{" · assets " + refs if refs else ""}</p><p>{escape(found.description)}</p>
{f"<p><b>Resolution:</b> {escape(found.resolution)}</p>" if found.resolution else ""}
{comments}<form method="post" action="{base}/comments">{hidden}
<input name="body" placeholder="Add a comment" size="60" required> <button>Comment</button>
</form> {buttons}</div>""")
    return "".join(parts)


def _deliveries(sb: TradingGridSandbox) -> str:
    snapshot = sb.events.snapshot(10)
    rows = "".join(
        f"<tr><td>{escape(d['created_at'])}</td><td>{escape(d['event_type'])}</td>"
        f"<td><code>{escape(d['id'])}</code></td><td>{escape(d['status'])}</td>"
        f"<td>{len(d['attempts'])}</td></tr>"
        for d in reversed(snapshot["deliveries"])
    )
    target = escape(snapshot["url"] or "—")
    return f"""<h2>Last event deliveries</h2><p class="muted">to <code>{target}</code>
({"on" if snapshot["enabled"] else "off"}, {snapshot["pending"]} pending)</p>
<table><tr><th>Queued</th><th>Event</th><th>Delivery</th><th>Status</th><th>Attempts</th></tr>
{rows}</table>"""


def show(sb: TradingGridSandbox, request: Request) -> Response:
    """``GET /_sandbox/?partner=&contact=``: the chosen partner's view of Trading Grid."""
    message = request.query.get("msg", "")
    with sb.store.lock:
        partner = sb.store.partners.get(request.query.get("partner", ""))
        body = ""
        if partner is not None:
            contacts = sb.store.contacts_of(partner.id)
            wanted = request.query.get("contact", "")
            contact = next((c for c in contacts if c.id == wanted), None) or next(
                (c for c in contacts if c.status == "active"), contacts[0] if contacts else None
            )
            hidden = _hidden(partner, contact)
            people = _options(
                [
                    (c.id, f"{c.first_name} {c.last_name} <{c.email}> · {c.status}")
                    for c in contacts
                ],
                contact.id if contact else "",
            )
            body = f"""<div class="card"><h2>{escape(partner.company_name)}</h2>
<p><code>{partner.id}</code> · tier <b>{escape(partner.tier)}</b> · regions
{escape(", ".join(partner.regions))} · language {escape(partner.language)} · status
<b>{escape(partner.status)}</b> · joined {_when(partner.joined_at)}</p>
<form method="get" action="/_sandbox/"><input type="hidden" name="partner" value="{partner.id}">
Acting as <select name="contact">{people}</select> <button>Switch</button></form></div>
{_community_content(sb, partner, contact)}{_request_form(partner, contact, hidden, sb)}
{_requests(sb, partner, hidden)}"""
        else:
            body = "<p>Choose a partner to see its communities, content and requests.</p>"
    return html_response(f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Trading Grid sandbox — partner view</title><style>{STYLE}</style></head><body>
<h1>Trading Grid Active Community sandbox</h1>
<p class="muted">Tenant <code>{escape(sb.tenant_id)}</code> · seed {sb.seed} ·
API under <code>/ac/v1</code> · JSON control API under <code>/_sandbox/api/</code></p>
{f'<p class="msg">{escape(message)}</p>' if message else ""}{_picker(sb, partner)}
{body}{_deliveries(sb)}</body></html>""")


def register(router: Router, sb: TradingGridSandbox) -> None:
    """Add the partner view's page."""
    router.add("GET", "/_sandbox/", partial(show, sb))
