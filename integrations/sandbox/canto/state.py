"""The Canto sandbox's in-memory catalog: assets, versions, folders, albums and custom fields.

One re-entrant lock guards everything; every change stamps the asset's modification time and
drops the cached orderings that search pages through.
"""

from __future__ import annotations

import random
import string
import threading
import time
from dataclasses import dataclass, field

ID_ALPHABET = string.ascii_lowercase + string.digits
NODE_ALPHABET = string.ascii_uppercase + string.digits
STATUSES = ("Approved", "Pending", "Restricted", "Expired")


def now_ms() -> int:
    """The current time in milliseconds since the epoch."""
    return int(time.time() * 1000)


@dataclass(slots=True)
class Version:
    """One uploaded file version; its bytes are generated unless a file was uploaded."""

    no: int
    created: int
    owner_name: str
    comment: str = ""
    content: bytes | None = None
    _md5: str | None = None
    _size: int | None = None


@dataclass(slots=True)
class Asset:
    """One asset as Canto keeps it; times are epoch milliseconds."""

    id: str
    scheme: str
    name: str
    mime: str
    owner: str
    owner_name: str
    created: int
    time: int
    width: int
    height: int
    approval: str
    tags: list[str]
    keywords: list[str]
    smart_tags: list[str]
    additional: dict[str, str]
    albums: list[str]
    versions: list[Version]
    deleted: bool = False

    @property
    def current(self) -> Version:
        """The newest version."""
        return self.versions[-1]


@dataclass(slots=True)
class Node:
    """A folder or an album; albums hold assets (an insertion-ordered set of ids)."""

    id: str
    name: str
    scheme: str
    parent: str | None
    children: list[str] = field(default_factory=list)
    assets: dict[str, None] = field(default_factory=dict)


@dataclass(slots=True)
class CustomField:
    """A custom metadata field; its values land in an asset's ``additional`` under ``name``."""

    id: str
    name: str
    values: list[str]


class Catalog:
    """Everything the sandbox's Canto tenant holds."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.assets: dict[str, Asset] = {}
        self.nodes: dict[str, Node] = {}
        self.roots: list[str] = []
        self.fields: list[CustomField] = []
        self._orderings: dict[tuple[str, str], list[Asset]] = {}
        self._random = random.Random(0)
        self.touch_round = 0

    def replace(
        self,
        assets: list[Asset],
        nodes: list[Node],
        fields: list[CustomField],
        seed: int,
    ) -> None:
        """Swap in a freshly seeded catalog."""
        with self.lock:
            self.assets = {asset.id: asset for asset in assets}
            self.nodes = {node.id: node for node in nodes}
            self.roots = [node.id for node in nodes if node.parent is None]
            self.fields = fields
            self._orderings.clear()
            self._random = random.Random(f"runtime-{seed}")
            self.touch_round = 0

    # Reading

    def live_count(self) -> int:
        """How many assets are not deleted."""
        with self.lock:
            return len(self.ordered())

    def get(self, asset_id: str, include_deleted: bool = False) -> Asset | None:
        """One asset by id, or None (deleted assets only when asked for)."""
        with self.lock:
            asset = self.assets.get(asset_id)
        if asset is None or (asset.deleted and not include_deleted):
            return None
        return asset

    def ordered(self, sort_by: str = "time", direction: str = "descending") -> list[Asset]:
        """Live assets in a stable order (ties broken by id); cached until the next change."""
        with self.lock:
            key = (sort_by, direction)
            cached = self._orderings.get(key)
            if cached is None:
                if sort_by == "name":
                    ordering = sorted(
                        (a for a in self.assets.values() if not a.deleted),
                        key=lambda a: (a.name.lower(), a.id),
                    )
                else:
                    ordering = sorted(
                        (a for a in self.assets.values() if not a.deleted),
                        key=lambda a: (a.time, a.id),
                    )
                if direction == "descending":
                    ordering.reverse()
                cached = self._orderings[key] = ordering
            return cached

    def node_path(self, node_id: str) -> tuple[str, str]:
        """``(idPath, namePath)`` of a folder or album, e.g. ``("F1/PP4QV", "/Compliance/SDS")``."""
        with self.lock:
            ids: list[str] = []
            names: list[str] = []
            current: str | None = node_id
            while current is not None:
                node = self.nodes[current]
                ids.append(node.id)
                names.append(node.name)
                current = node.parent
        return "/".join(reversed(ids)), "/" + "/".join(reversed(names))

    def album_ids_under(self, node_id: str) -> list[str]:
        """The album itself, or every album below a folder."""
        with self.lock:
            node = self.nodes[node_id]
            if node.scheme == "album":
                return [node.id]
            found: list[str] = []
            for child in node.children:
                found.extend(self.album_ids_under(child))
            return found

    def field_by_id_or_name(self, key: str) -> CustomField | None:
        """A custom field by its id or, tolerantly, by its display name."""
        with self.lock:
            for custom in self.fields:
                if key in (custom.id, custom.name):
                    return custom
        return None

    # Changing

    def changed(self, asset: Asset) -> Asset:
        """Stamp ``asset`` as modified now and invalidate the orderings."""
        asset.time = max(now_ms(), asset.time)
        self._orderings.clear()
        return asset

    def new_id(self) -> str:
        """A fresh asset id: 26 lowercase letters and digits."""
        with self.lock:
            while True:
                candidate = "".join(self._random.choices(ID_ALPHABET, k=26))
                if candidate not in self.assets:
                    return candidate

    def new_node_id(self) -> str:
        """A fresh folder or album id: five uppercase letters and digits."""
        with self.lock:
            while True:
                candidate = "".join(self._random.choices(NODE_ALPHABET, k=5))
                if candidate not in self.nodes:
                    return candidate

    def add_asset(self, asset: Asset, album_id: str | None) -> Asset:
        """Store a new asset, optionally in an album."""
        with self.lock:
            self.assets[asset.id] = asset
            if album_id:
                self.add_to_album(asset, album_id)
            return self.changed(asset)

    def add_to_album(self, asset: Asset, album_id: str) -> bool:
        """Put ``asset`` in an album; False when it was there already."""
        with self.lock:
            album = self.nodes[album_id]
            if asset.id in album.assets:
                return False
            album.assets[asset.id] = None
            asset.albums.append(album_id)
            self.changed(asset)
            return True

    def remove_from_album(self, asset: Asset, album_id: str) -> bool:
        """Take ``asset`` out of an album; False when it was not in it."""
        with self.lock:
            album = self.nodes.get(album_id)
            if album is None or asset.id not in album.assets:
                return False
            del album.assets[asset.id]
            asset.albums.remove(album_id)
            self.changed(asset)
            return True

    def add_version(
        self, asset: Asset, owner_name: str, comment: str, content: bytes | None
    ) -> Version:
        """Upload a new version of ``asset``."""
        with self.lock:
            version = Version(asset.current.no + 1, now_ms(), owner_name, comment, content)
            asset.versions.append(version)
            self.changed(asset)
            version.created = asset.time
            return version

    def update(
        self,
        asset: Asset,
        *,
        name: str | None = None,
        approval: str | None = None,
        tags: list[str] | None = None,
        keywords: list[str] | None = None,
        additional: dict[str, str | None] | None = None,
    ) -> Asset:
        """Change any of name, approval status, tags, keywords and custom fields (None deletes)."""
        with self.lock:
            if name is not None:
                asset.name = name
            if approval is not None:
                asset.approval = approval
            if tags is not None:
                asset.tags = list(dict.fromkeys(tags))
            if keywords is not None:
                asset.keywords = list(dict.fromkeys(keywords))
            for key, value in (additional or {}).items():
                if value is None:
                    asset.additional.pop(key, None)
                else:
                    asset.additional[key] = value
            return self.changed(asset)

    def delete(self, asset: Asset) -> Asset:
        """Mark ``asset`` deleted: it disappears from every listing."""
        with self.lock:
            asset.deleted = True
            return self.changed(asset)

    def set_list_value(self, asset: Asset, attribute: str, value: str, present: bool) -> bool:
        """Add or remove one tag or keyword; False when nothing changed."""
        with self.lock:
            values: list[str] = getattr(asset, attribute)
            if present == (value in values):
                return False
            if present:
                values.append(value)
            else:
                values.remove(value)
            self.changed(asset)
            return True

    def create_node(self, parent_id: str, name: str, scheme: str) -> Node:
        """Create a folder or album under a folder, or return the same-named existing one."""
        with self.lock:
            parent = self.nodes[parent_id]
            for child_id in parent.children:
                child = self.nodes[child_id]
                if child.name == name and child.scheme == scheme:
                    return child
            node = Node(self.new_node_id(), name, scheme, parent_id)
            self.nodes[node.id] = node
            parent.children.append(node.id)
            return node

    def create_field(self, name: str, values: list[str]) -> CustomField:
        """Add a custom field; choice fields get values, text fields none."""
        with self.lock:
            existing = self.field_by_id_or_name(name)
            if existing is not None:
                return existing
            kind = "meta_multichoice" if values else "meta_text"
            number = sum(1 for custom in self.fields if custom.id.startswith(kind + "_"))
            custom = CustomField(f"{kind}_{number}", name, list(values))
            self.fields.append(custom)
            return custom

    def touch(self, count: int) -> list[str]:
        """Give ``count`` live assets a new keyword, firing nothing; each round picks the same."""
        with self.lock:
            self.touch_round += 1
            live = sorted(a.id for a in self.assets.values() if not a.deleted)
            picker = random.Random(f"touch-{self.touch_round}")
            picked = picker.sample(live, min(count, len(live)))
            keyword = f"touched-{self.touch_round}"
            for asset_id in picked:
                asset = self.assets[asset_id]
                asset.keywords.append(keyword)
                self.changed(asset)
            return picked
