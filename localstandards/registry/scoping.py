"""What a user may see: the one helper every read path goes through.

`accessible_units(user)` turns a user's role memberships into a `UnitScope` (the scope of each role plus
everything below it: a province covers its districts and their local governments). Every model that holds a
local government's data gets its `for_user(user)` from `ScopedQuerySet`, which filters through the scope.
Deny by default: an anonymous or inactive user, or one without roles, sees nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.db.models import Q

_CACHE_ATTR = "_unit_scope_cache"


@dataclass(frozen=True)
class UnitScope:
    nation: bool = False
    province_ids: frozenset[int] = field(default_factory=frozenset)
    district_ids: frozenset[int] = field(default_factory=frozenset)
    local_government_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_empty(self) -> bool:
        return not (self.nation or self.province_ids or self.district_ids or self.local_government_ids)

    def local_government_q(self, path: str = "") -> Q:
        """Rows whose local government (reached through `path`, e.g. "local_government__") is in scope."""
        if self.nation:
            return Q()
        condition = Q(pk__in=[]) if not path else Q(**{f"{path}pk__in": []})
        if self.local_government_ids:
            condition |= Q(**{f"{path}pk__in": sorted(self.local_government_ids)})
        if self.district_ids:
            condition |= Q(**{f"{path}district_id__in": sorted(self.district_ids)})
        if self.province_ids:
            condition |= Q(**{f"{path}province_id__in": sorted(self.province_ids)})
        return condition

    def district_q(self) -> Q:
        """Districts in scope: every district of a scoped province, and each scoped district."""
        if self.nation:
            return Q()
        return Q(pk__in=sorted(self.district_ids)) | Q(province_id__in=sorted(self.province_ids))

    def province_q(self) -> Q:
        if self.nation:
            return Q()
        return Q(pk__in=sorted(self.province_ids))

    def covers_province(self, province_id: int) -> bool:
        return self.nation or province_id in self.province_ids


def accessible_units(user) -> UnitScope:
    """The units `user` may see, computed once per user object (one query)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return UnitScope()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    nation = False
    provinces: set[int] = set()
    districts: set[int] = set()
    local_governments: set[int] = set()
    # Read through the user's own relation, so this module needs no import of the accounts app (which sits above
    # the registry). A membership's constraint binds a national role to no unit at all: no unit means the nation.
    # The user's own cache of its memberships (accounts.User.cached_memberships) when it has one: the role checks of
    # the same request read it too, so the memberships are loaded once per request.
    if hasattr(user, "cached_memberships"):
        rows = [(m.province_id, m.district_id, m.local_government_id) for m in user.cached_memberships]
    else:
        rows = user.memberships.values_list("province_id", "district_id", "local_government_id")
    for province_id, district_id, local_government_id in rows:
        if province_id:
            provinces.add(province_id)
        elif district_id:
            districts.add(district_id)
        elif local_government_id:
            local_governments.add(local_government_id)
        else:
            nation = True
    scope = UnitScope(nation, frozenset(provinces), frozenset(districts), frozenset(local_governments))
    setattr(user, _CACHE_ATTR, scope)
    return scope


def forget_cached_scope(user) -> None:
    """Drop the per-object cache after memberships change (tests, admin)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


class UnscopedQueryError(RuntimeError):
    """A query of a local government's data that named no scope: neither `.for_user(user)` nor `.unscoped()`."""


class ScopedQuerySet(models.QuerySet):
    """Base queryset for every model that belongs to a local government.

    Subclasses set `scope_path` to the lookup that reaches the LocalGovernment ("" for the model itself,
    "local_government__" for an assessment, "assessment__local_government__" for an answer).

    Fail closed (as django-scopes does): a query of a guarded model refuses to run until it is narrowed by
    `.for_user(user)` or explicitly opened with `.unscoped()`, whose caller says why in a comment. A forgotten
    filter is then an `UnscopedQueryError` in the tests instead of a leak. Building a queryset, `create()` and use
    as a subquery of a scoped query are allowed; reading, counting, updating and deleting are not.
    """

    scope_path: str = "local_government__"
    guarded: bool = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._scope_named = False

    def _clone(self):
        clone = super()._clone()
        clone._scope_named = self._scope_named
        return clone

    def for_user(self, user):
        queryset = self.filter(accessible_units(user).local_government_q(self.scope_path))
        queryset._scope_named = True
        return queryset

    def unscoped(self):
        """Every row, on purpose: system jobs (scoring, reminders, aggregates), and reads narrowed by an object the
        caller already read through `for_user`. Say which in a comment at the call."""
        queryset = self._chain()
        queryset._scope_named = True
        return queryset

    def none(self):
        queryset = super().none()
        queryset._scope_named = True
        return queryset

    def _check_scope(self) -> None:
        if self.guarded and not self._scope_named:
            raise UnscopedQueryError(
                f"{self.model.__name__}: a query of a local government's data needs .for_user(user) or .unscoped()"
            )

    def _fetch_all(self):
        if self._result_cache is None:
            self._check_scope()
        super()._fetch_all()

    def iterator(self, *args, **kwargs):
        self._check_scope()
        return super().iterator(*args, **kwargs)

    def count(self):
        if self._result_cache is None:
            self._check_scope()
        return super().count()

    def exists(self):
        if self._result_cache is None:
            self._check_scope()
        return super().exists()

    def contains(self, obj):
        self._check_scope()
        return super().contains(obj)

    def aggregate(self, *args, **kwargs):
        self._check_scope()
        return super().aggregate(*args, **kwargs)

    def in_bulk(self, *args, **kwargs):
        self._check_scope()
        return super().in_bulk(*args, **kwargs)

    def update(self, **kwargs):
        self._check_scope()
        return super().update(**kwargs)

    def delete(self):
        self._check_scope()
        return super().delete()

    def explain(self, **options):
        self._check_scope()
        return super().explain(**options)

    @classmethod
    def as_manager(cls):
        manager = ScopedManager.from_queryset(cls)()
        manager._built_with_as_manager = True
        return manager

    as_manager.queryset_only = True

    @classmethod
    def framework_manager(cls):
        """The manager Django's own machinery reads through (unique checks of forms, cascades, serialisation of a
        backup, related managers narrowed by their parent): never guarded. Declared on each guarded model as
        `framework_objects` and named in `Meta.default_manager_name`; application code uses `objects`
        (tests/test_architecture.py keeps it so)."""
        return UnguardedManager.from_queryset(cls)()


class ScopedManager(models.Manager):
    pass


class UnguardedManager(models.Manager):
    def get_queryset(self):
        queryset = super().get_queryset()
        queryset._scope_named = True
        return queryset


def guarded_history(scope_path: str) -> dict:
    """Keyword arguments for `HistoricalRecords` of a model holding a local government's data: its history table
    refuses an unscoped query like the model does. `instance.history` is narrowed by that one instance (which the
    caller read through `for_user`), so it runs as it is."""
    from simple_history.manager import HistoricalQuerySet, HistoryManager

    queryset = type(
        "GuardedHistoricalQuerySet", (ScopedQuerySet, HistoricalQuerySet), {"scope_path": scope_path, "guarded": True}
    )

    class GuardedHistoryManager(HistoryManager):
        def get_queryset(self):
            queryset = super().get_queryset()
            if self.instance is not None:
                queryset._scope_named = True
            return queryset

    return {"history_manager": GuardedHistoryManager, "historical_queryset": queryset}
