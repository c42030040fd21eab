"""The table of who may do what, assembled from the core's permissions and those each tool declares.

Every web route and every CLI command that touches protected data names one permission from here;
tests/core/test_permissions.py walks every route under every role against this table. A tool declares
its permissions (and any new staff role) in its own `TOOL`, so adding one edits no core file.
"""

from __future__ import annotations

from functools import cache

PUBLIC = "public"

CORE_ROLES: tuple[str, ...] = ("anonymous", "caseworker", "investigator", "admin")
_CORE_STAFF: tuple[str, ...] = ("caseworker", "investigator", "admin")

# The core's own permissions; each tool adds its own through Tool.permissions.
CORE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "account:self": ("*staff",),  # own profile, own API tokens, own jobs
    "jobs:read": ("*staff",),
    "users:manage": ("admin",),
    "audit:read": ("admin",),
    "jobs:all": ("admin",),
}


@cache
def _table() -> tuple[tuple[str, ...], dict[str, frozenset[str]]]:
    from heroes.core.tools import DuplicateName, all_tools

    tools = all_tools()
    roles = list(CORE_ROLES)
    for tool in tools:
        for role in tool.roles:
            if role in roles:
                raise DuplicateName(f"The role {role!r} of the tool {tool.name!r} is already defined.")
            roles.append(role)
    staff = [r for r in roles if r != "anonymous"]
    granted: dict[str, set[str]] = {role: {PUBLIC} for role in roles}
    owner: dict[str, str] = dict.fromkeys(CORE_PERMISSIONS, "core")
    declared: list[tuple[str, str, tuple[str, ...]]] = [("core", p, r) for p, r in CORE_PERMISSIONS.items()]
    for tool in tools:
        for permission, holders in tool.permissions.items():
            if permission in owner or permission == PUBLIC:
                raise DuplicateName(
                    f"The permission {permission!r} of {tool.name!r} is already declared by {owner.get(permission)!r}."
                )
            owner[permission] = tool.name
            declared.append((tool.name, permission, holders))
    for source, permission, holders in declared:
        for holder in holders:
            targets = staff if holder == "*staff" else [holder]
            for role in targets:
                if role not in granted:
                    raise ValueError(f"{source} grants {permission!r} to the unknown role {role!r}.")
                granted[role].add(permission)
    return tuple(roles), {role: frozenset(perms) for role, perms in granted.items()}


def reset() -> None:
    _table.cache_clear()


def roles() -> tuple[str, ...]:
    """Every role, `anonymous` first."""
    return _table()[0]


def staff_roles() -> tuple[str, ...]:
    return tuple(r for r in roles() if r != "anonymous")


def role_permissions() -> dict[str, frozenset[str]]:
    return _table()[1]


def allowed(role: str, permission: str) -> bool:
    return permission in role_permissions().get(role, frozenset())
