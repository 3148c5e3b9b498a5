"""Registered audit actions: namespaced names (``release.approve``) with a human label."""

from dataclasses import dataclass


@dataclass(frozen=True)
class AuditAction:
    name: str
    label: str


_actions: dict[str, AuditAction] = {}


class UnknownAuditAction(ValueError):
    pass


def register(name: str, label: str) -> AuditAction:
    """Register an action once; registering the same name with another label is a mistake."""
    if "." not in name:
        raise ValueError(f"Audit action names are namespaced ('area.verb'), got {name!r}.")
    existing = _actions.get(name)
    if existing and existing.label != label:
        raise ValueError(f"Audit action {name!r} is already registered as {existing.label!r}.")
    action = AuditAction(name, label)
    _actions[name] = action
    return action


def get(name: str) -> AuditAction:
    try:
        return _actions[name]
    except KeyError:
        raise UnknownAuditAction(f"Audit action {name!r} is not registered.") from None


def label_for(name: str) -> str:
    action = _actions.get(name)
    return action.label if action else name


def choices() -> list[tuple[str, str]]:
    return sorted(((a.name, a.label) for a in _actions.values()), key=lambda c: c[0])
