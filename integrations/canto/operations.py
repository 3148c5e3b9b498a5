"""Outbox operations that write to Canto. Canto's writes are idempotent by nature (a tag set
twice is one tag, an album name twice is one album), so a repeated delivery changes nothing.
"""

from __future__ import annotations

from django.conf import settings

from integrations.canto.client import CantoClient
from integrations.outbox import operation


def _client() -> CantoClient:
    return CantoClient.from_settings()


def _walk(nodes: list, depth: int = 0):
    for node in nodes if isinstance(nodes, list) else ():
        if isinstance(node, dict):
            yield node
            yield from _walk(node.get("children") or [], depth + 1)


def requests_folder(client: CantoClient) -> str:
    """The id of the folder that holds request albums (the setting names it by id or name)."""
    wanted = settings.CANTO_REQUESTS_FOLDER.strip()
    for node in _walk(client.tree()):
        if node.get("scheme") == "folder" and wanted in (str(node.get("id")), node.get("name")):
            return str(node["id"])
    raise LookupError(f"Canto has no folder {wanted!r} for partner request albums")


@operation("canto.add_tag")
def add_tag(payload: dict, key: str) -> dict:
    _client().add_tag(payload["scheme"], payload["id"], payload["tag"])
    return {"tagged": payload["id"], "tag": payload["tag"]}


@operation("canto.add_keyword")
def add_keyword(payload: dict, key: str) -> dict:
    _client().add_keyword(payload["scheme"], payload["id"], payload["keyword"])
    return {"id": payload["id"], "keyword": payload["keyword"]}


def resolve_properties(client: CantoClient, properties: list[dict]) -> list[dict]:
    """Properties given by ``propertyName`` (a custom field's id or display name, as portal
    admins configure it) get the field's id, which Canto's batch edit wants."""
    named = [p for p in properties if "propertyName" in p and not p.get("propertyId")]
    if not named:
        return properties
    fields = [f for f in client.custom_fields() if isinstance(f, dict) and f.get("id")]
    by_id = {str(f["id"]): str(f["id"]) for f in fields}
    by_name = {str(f.get("name") or "").strip().lower(): str(f["id"]) for f in fields}
    resolved = []
    for prop in properties:
        prop = dict(prop)
        name = str(prop.pop("propertyName", "") or "").strip()
        if name and not prop.get("propertyId"):
            found = by_id.get(name) or by_name.get(name.lower())
            if found is None:
                raise LookupError(f"Canto has no custom field {name!r}")
            prop["propertyId"] = found
        resolved.append(prop)
    return resolved


@operation("canto.batch_edit")
def batch_edit(payload: dict, key: str) -> dict:
    client = _client()
    contents = [(c["scheme"], c["id"]) for c in payload["contents"]]
    client.batch_edit(contents, resolve_properties(client, payload["properties"]))
    return {"edited": len(contents)}


@operation("canto.version_comment")
def version_comment(payload: dict, key: str) -> dict:
    client = _client()
    client.version_comment(
        payload["scheme"], payload["id"], str(payload["version"]), payload["comment"]
    )
    return {"commented": payload["id"]}


@operation("canto.create_request_album")
def create_request_album(payload: dict, key: str) -> dict:
    client = _client()
    folder = payload.get("folder_id") or requests_folder(client)
    album = client.create_album(folder, payload["name"])
    return {"id": str(album["id"]), "name": album.get("name") or payload["name"], "folder": folder}
