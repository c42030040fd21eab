"""The single table of who may do what.

Every web route and every CLI command that touches protected data names one permission from here;
tests/core/test_permissions.py walks every route under every role against this table.
"""

from __future__ import annotations

PUBLIC = "public"

ROLES: tuple[str, ...] = ("anonymous", "caseworker", "investigator", "admin")
STAFF_ROLES: tuple[str, ...] = ("caseworker", "investigator", "admin")

_STAFF = {
    PUBLIC,
    "account:self",  # own profile, own API tokens, own jobs
    "jobs:read",
}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "anonymous": frozenset({PUBLIC}),
    "caseworker": frozenset(
        _STAFF
        | {
            "fakejobs:batch",
            "grooming:analyze",
        }
    ),
    "investigator": frozenset(
        _STAFF
        | {
            "fakejobs:batch",
            "grooming:analyze",
            "reports:read",
            "reports:manage",
            "media:use",
        }
    ),
    "admin": frozenset(
        _STAFF
        | {
            "fakejobs:batch",
            "grooming:analyze",
            "reports:read",
            "reports:manage",
            "media:use",
            "referral:edit",
            "users:manage",
            "audit:read",
            "jobs:all",
        }
    ),
}


def allowed(role: str, permission: str) -> bool:
    return permission in ROLE_PERMISSIONS.get(role, frozenset())


def all_permissions() -> frozenset[str]:
    return frozenset().union(*ROLE_PERMISSIONS.values())
