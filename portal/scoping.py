"""The one place that decides what each role may see.

Every model that users can reach gets a manager built from ``ScopedQuerySet`` and declares how
it is tied to a county, an enterprise and an agency. Views never fetch without
``Model.objects.for_user(user)`` (through ``portal.policy.fetch``), so an object outside the
user's scope answers 404 and "forgot to check" cannot happen.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from .roles import CITY_WIDE_ROLES, Role


class ScopedQuerySet(models.QuerySet):
    """Subclasses name the lookups that tie a row to a county, an enterprise and an agency.

    A lookup left as ``None`` means that role sees none of these rows. Override a
    ``scope_*`` method where a plain lookup is not enough.
    """

    county_lookup: str | None = None
    enterprise_lookup: str | None = None
    agency_lookup: str | None = None

    def for_user(self, user: Any) -> ScopedQuerySet:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        role = user.role
        if role in CITY_WIDE_ROLES:
            return self.scope_city(user)
        if role == Role.COUNTY and user.county_id:
            return self.scope_county(user)
        if role == Role.ENTERPRISE and user.enterprise_id:
            return self.scope_enterprise(user)
        if role == Role.AGENCY and user.agency_id:
            return self.scope_agency(user)
        return self.none()

    def scope_city(self, user: Any) -> ScopedQuerySet:
        return self.all()

    def scope_county(self, user: Any) -> ScopedQuerySet:
        return self._by(self.county_lookup, user.county_id)

    def scope_enterprise(self, user: Any) -> ScopedQuerySet:
        return self._by(self.enterprise_lookup, user.enterprise_id)

    def scope_agency(self, user: Any) -> ScopedQuerySet:
        qs = self._by(self.agency_lookup, user.agency_id)
        # An agency reaches a row through several assignments: count it once.
        return qs.distinct() if self.agency_lookup and "__" in self.agency_lookup else qs

    def _by(self, lookup: str | None, value: Any) -> ScopedQuerySet:
        if lookup is None:
            return self.none()
        return self.filter(**{lookup: value})


class SharedQuerySet(ScopedQuerySet):
    """Rows every signed-in user may read: reference data, the city's campaigns."""

    def scope_county(self, user: Any) -> ScopedQuerySet:
        return self.all()

    scope_enterprise = scope_agency = scope_county


class CountyOwnedQuerySet(ScopedQuerySet):
    """Rows that belong to one county: the county reads its own, the city all, firms and
    agencies none."""

    county_lookup = "county"
