"""Who may write what in the registry: the one place that says it.

Reading is the scoping's job (``Enterprise.objects.for_user``); these rules decide writes on
rows the user can already see. The city reads everything and writes nothing here (it does its
work through reviews and reports); administrators may correct anything.
"""

from __future__ import annotations

from typing import Any

from portal.roles import Role

# What an enterprise user may change about their own firm: how to reach its safety contact.
CONTACT_FIELDS = ["safety_contact", "phone"]
REGISTRY_FIELDS = [
    "credit_code",
    "name",
    "county",
    "industry",
    "size",
    "employees",
    "address",
    "legal_representative",
    "safety_contact",
    "phone",
]
REGISTRY_WRITERS = (Role.COUNTY, Role.ADMIN)


def can_write_registry(user: Any) -> bool:
    """Create firms, import sheets, keep the creation list."""
    return getattr(user, "role", None) in REGISTRY_WRITERS


def can_edit(user: Any, enterprise: Any) -> bool:
    role = getattr(user, "role", None)
    if role == Role.ADMIN:
        return True
    if role == Role.COUNTY:
        return enterprise.county_id == user.county_id
    if role == Role.ENTERPRISE:
        return enterprise.pk == user.enterprise_id
    return False


def editable_fields(user: Any) -> list[str]:
    """The fields the edit form offers; county staff cannot move a firm to another county."""
    role = getattr(user, "role", None)
    if role == Role.ENTERPRISE:
        return list(CONTACT_FIELDS)
    if role == Role.COUNTY:
        return [name for name in REGISTRY_FIELDS if name != "county"]
    return list(REGISTRY_FIELDS)


def can_close(user: Any, enterprise: Any) -> bool:
    return can_write_registry(user) and can_edit(user, enterprise) and not enterprise.closed_on
