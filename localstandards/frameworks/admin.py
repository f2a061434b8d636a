"""Admin for frameworks: drafts are editable, published and retired versions are shown read-only."""

from django.contrib import admin

from localstandards.frameworks.models import (
    Area,
    Framework,
    Indicator,
    IndicatorTarget,
    Mission,
    ResultLabel,
    SatisfactionQuestion,
    ValidationRule,
)


def _frozen(framework) -> bool:
    return framework is not None and framework.pk is not None and framework.is_frozen


class FrozenAwareMixin:
    """Read-only (no add, change or delete) when the object belongs to a published or retired version."""

    def framework_of(self, obj):
        return obj.get_framework() if obj is not None else None

    def has_change_permission(self, request, obj=None):
        if _frozen(self.framework_of(obj)):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if _frozen(self.framework_of(obj)):
            return False
        return super().has_delete_permission(request, obj)


class FrozenInline(admin.TabularInline):
    """Inlines take the parent object: read-only when the parent's version is frozen."""

    extra = 0

    def _parent_frozen(self, obj) -> bool:
        if obj is None:
            return False
        framework = obj if isinstance(obj, Framework) else obj.get_framework()
        return _frozen(framework)

    def has_add_permission(self, request, obj=None):
        return not self._parent_frozen(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._parent_frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._parent_frozen(obj) and super().has_delete_permission(request, obj)


class AreaInline(FrozenInline):
    model = Area
    fields = ["order", "code", "name", "weight"]


class LabelInline(FrozenInline):
    model = ResultLabel
    fields = ["order", "key", "text_th", "text_en", "min_gap"]


class QuestionInline(FrozenInline):
    model = SatisfactionQuestion
    fields = ["order", "area", "code", "wording"]


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ["code", "version", "fiscal_year", "name", "status", "is_sample", "published_at"]
    list_filter = ["status", "fiscal_year", "is_sample"]
    search_fields = ["code", "name"]
    readonly_fields = ["status", "published_at", "retired_at", "created_at", "created_by", "copied_from", "version"]
    inlines = [AreaInline, QuestionInline, LabelInline]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_frozen:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_frozen:
            return False
        return super().has_delete_permission(request, obj)


class MissionInline(FrozenInline):
    model = Mission
    fields = ["order", "code", "name"]


@admin.register(Area)
class AreaAdmin(FrozenAwareMixin, admin.ModelAdmin):
    list_display = ["code", "name", "framework", "weight"]
    list_filter = ["framework"]
    inlines = [MissionInline]


@admin.register(Mission)
class MissionAdmin(FrozenAwareMixin, admin.ModelAdmin):
    list_display = ["code", "name", "area"]
    list_filter = ["area__framework"]


class TargetInline(FrozenInline):
    model = IndicatorTarget
    fields = ["lg_type", "value"]


class ValidationInline(FrozenInline):
    model = ValidationRule
    fields = ["order", "severity", "expression", "message"]


@admin.register(Indicator)
class IndicatorAdmin(FrozenAwareMixin, admin.ModelAdmin):
    list_display = ["code", "kind", "framework", "default_target", "evidence_required"]
    list_filter = ["framework", "kind"]
    search_fields = ["code", "wording"]
    inlines = [TargetInline, ValidationInline]


@admin.register(SatisfactionQuestion)
class SatisfactionQuestionAdmin(FrozenAwareMixin, admin.ModelAdmin):
    list_display = ["code", "wording", "framework"]
    list_filter = ["framework"]
