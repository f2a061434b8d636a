"""Business rules for frameworks: import/export, the canonical form, versions (publish, copy, retire), preview.

Views, the admin and the management command all call these functions. The run-time evaluation of expressions
(applicability, validation rules, recording failures) lives in evaluation.py and is importable from here too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from localstandards.frameworks.evaluation import (
    EvaluationFailure,
    RuleCheck,
    check_rules,
    indicator_applies,
    problem_count,
    problem_summaries,
    record_failures,
)
from localstandards.frameworks.models import (
    DEFAULT_NO_TEXT,
    DEFAULT_YES_TEXT,
    TYPE_CODES,
    Area,
    Framework,
    FrameworkFrozenError,
    Indicator,
    IndicatorTarget,
    LabelKey,
    Mission,
    ResultLabel,
    SatisfactionQuestion,
    Status,
    ValidationRule,
)
from localstandards.frameworks.spec import (
    AreaSpec,
    FrameworkHeader,
    FrameworkSpec,
    IndicatorSpec,
    LabelSpec,
    MissionSpec,
    QuestionSpec,
    ScoringSpec,
    ValidationSpec,
    dec_str,
)
from localstandards.frameworks.workbook import WorkbookError, build_workbook, parse_workbook

if TYPE_CHECKING:
    # The custom user lives in accounts, a layer above; the base class is all these functions need.
    from django.contrib.auth.base_user import AbstractBaseUser as User


class FrameworkStateError(Exception):
    """A version transition that is not allowed from the current status."""


@dataclass
class ImportResult:
    framework: Framework
    created: bool  # False: an identical version of the same code already existed and was reused


# ---------------------------------------------------------------------------------------------------------------
# Canonical form


def load_tree(framework: Framework) -> Framework:
    """The framework with its whole tree prefetched (areas → missions → indicators → targets/validations)."""
    return (
        Framework.objects.filter(pk=framework.pk)
        .prefetch_related(
            Prefetch(
                "areas",
                queryset=Area.objects.order_by("order", "pk").prefetch_related(
                    Prefetch(
                        "missions",
                        queryset=Mission.objects.order_by("order", "pk").prefetch_related(
                            Prefetch(
                                "indicators",
                                queryset=Indicator.objects.order_by("order", "pk").prefetch_related(
                                    Prefetch("targets", queryset=IndicatorTarget.objects.order_by("pk")),
                                    Prefetch("validations", queryset=ValidationRule.objects.order_by("order", "pk")),
                                ),
                            )
                        ),
                    ),
                    Prefetch("questions", queryset=SatisfactionQuestion.objects.order_by("order", "pk")),
                ),
            ),
            Prefetch("labels", queryset=ResultLabel.objects.order_by("order", "pk")),
        )
        .get()
    )


# A published version never changes (the model layer refuses it), so its tree is read once per process and kept.
# The key carries the publication time: a test database may hand a framework's id to another one after a rollback.
_FROZEN_TREES: dict[tuple[int, object], Framework] = {}
_FROZEN_TREES_MAX = 32


def frozen_tree(framework: Framework) -> Framework:
    """The version's tree as load_tree gives it, from this process's memory once the version is published.

    Read its parts (areas, missions, indicators, labels) only: the status and dates of the version can still
    change, so read those from the row itself. Nobody may change the objects returned: they are shared."""
    if framework.status == Status.DRAFT or framework.published_at is None:
        return load_tree(framework)
    key = (framework.pk, framework.published_at)
    tree = _FROZEN_TREES.get(key)
    if tree is None:
        tree = load_tree(framework)
        tree.indicators_by_pk = _indicators_by_pk(tree)
        if len(_FROZEN_TREES) >= _FROZEN_TREES_MAX:
            _FROZEN_TREES.pop(next(iter(_FROZEN_TREES)))
        _FROZEN_TREES[key] = tree
    return tree


def frozen_indicator(framework: Framework, pk: int) -> Indicator | None:
    """One indicator of a version, with its targets and rules, from frozen_tree (None when not of this version)."""
    tree = frozen_tree(framework)
    indicators = getattr(tree, "indicators_by_pk", None)
    if indicators is None:  # a draft: not kept, so not indexed
        indicators = _indicators_by_pk(tree)
    return indicators.get(pk)


def _indicators_by_pk(tree: Framework) -> dict[int, Indicator]:
    return {i.pk: i for area in tree.areas.all() for mission in area.missions.all() for i in mission.indicators.all()}


def forget_frozen_trees() -> None:
    """Empty this process's kept trees (tests that reuse ids; nothing else needs it)."""
    _FROZEN_TREES.clear()


def framework_to_spec(framework: Framework) -> FrameworkSpec:
    """The framework version as the same spec the workbook parser returns (no version or status)."""
    framework = load_tree(framework)
    areas: list[AreaSpec] = []
    missions: list[MissionSpec] = []
    indicators: list[IndicatorSpec] = []
    validations: list[ValidationSpec] = []
    questions: list[QuestionSpec] = []
    for area in framework.areas.all():
        areas.append(AreaSpec(code=area.code, name=area.name, weight=dec_str(area.weight)))
        questions.extend(
            QuestionSpec(area=area.code, code=question.code, wording=question.wording)
            for question in area.questions.all()
        )
        for mission in area.missions.all():
            missions.append(MissionSpec(area=area.code, code=mission.code, name=mission.name))
            for indicator in mission.indicators.all():
                indicators.append(_indicator_spec(mission, indicator))
                validations.extend(
                    ValidationSpec(
                        indicator=indicator.code,
                        severity=rule.severity,
                        expression=rule.expression,
                        message=rule.message,
                    )
                    for rule in indicator.validations.all()
                )
    return FrameworkSpec(
        framework=FrameworkHeader(
            code=framework.code,
            fiscal_year=framework.fiscal_year,
            name=framework.name,
            description=framework.description,
            is_sample=framework.is_sample,
            yes_text=framework.yes_text,
            no_text=framework.no_text,
        ),
        areas=areas,
        missions=missions,
        indicators=indicators,
        validations=validations,
        satisfaction=questions,
        scoring=ScoringSpec(
            satisfaction_share=dec_str(framework.satisfaction_share),
            pass_threshold=dec_str(framework.pass_threshold),
            satisfaction_pass_threshold=dec_str(framework.satisfaction_pass_threshold),
            score_formula=framework.score_formula,
        ),
        labels=[
            LabelSpec(key=label.key, text_th=label.text_th, text_en=label.text_en, min_gap=dec_str(label.min_gap))
            for label in framework.labels.all()
        ],
    )


def _indicator_spec(mission: Mission, indicator: Indicator) -> IndicatorSpec:
    overrides = {target.lg_type: dec_str(target.value) for target in indicator.targets.all()}
    return IndicatorSpec(
        mission=mission.code,
        code=indicator.code,
        wording=indicator.wording,
        guidance=indicator.guidance,
        kind=indicator.kind,
        base_unit=indicator.base_unit,
        delivered_unit=indicator.delivered_unit,
        count_unit=indicator.count_unit,
        applies_to=[t for t in TYPE_CODES if t in indicator.applicable_types],
        applicability=indicator.applicability,
        target=dec_str(indicator.default_target),
        targets={t: overrides[t] for t in TYPE_CODES if t in overrides},
        evidence_required=indicator.evidence_required,
        evidence_types=list(indicator.evidence_types),
        weight=dec_str(indicator.weight),
    )


def _dec(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


@transaction.atomic
def create_from_spec(
    spec: FrameworkSpec, *, user: User | None = None, copied_from: Framework | None = None
) -> Framework:
    """Write a validated spec as a new draft version (version = highest version of that code + 1)."""
    header, scoring = spec["framework"], spec["scoring"]
    # Two imports of the same code at once: the unique (code, version) constraint makes the second one fail.
    latest = Framework.objects.filter(code=header["code"]).aggregate(latest=Max("version"))["latest"]
    framework = Framework.objects.create(
        code=header["code"],
        version=(latest or 0) + 1,
        fiscal_year=header["fiscal_year"],
        name=header["name"],
        description=header["description"],
        is_sample=header["is_sample"],
        # Specs written before the yes/no wording existed read as ODLOC's tables do.
        yes_text=header.get("yes_text") or DEFAULT_YES_TEXT,
        no_text=header.get("no_text") or DEFAULT_NO_TEXT,
        satisfaction_share=_dec(scoring["satisfaction_share"]),
        pass_threshold=_dec(scoring["pass_threshold"]),
        satisfaction_pass_threshold=_dec(scoring["satisfaction_pass_threshold"]),
        score_formula=scoring["score_formula"],
        status=Status.DRAFT,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        copied_from=copied_from,
    )
    areas: dict[str, Area] = {}
    for order, area in enumerate(spec["areas"], start=1):
        areas[area["code"]] = Area.objects.create(
            framework=framework, code=area["code"], name=area["name"], weight=_dec(area["weight"]), order=order
        )
    missions: dict[str, Mission] = {}
    for order, mission in enumerate(spec["missions"], start=1):
        missions[mission["code"]] = Mission.objects.create(
            area=areas[mission["area"]], code=mission["code"], name=mission["name"], order=order
        )
    indicators: dict[str, Indicator] = {}
    for order, item in enumerate(spec["indicators"], start=1):
        indicator = Indicator.objects.create(
            framework=framework,
            mission=missions[item["mission"]],
            code=item["code"],
            order=order,
            wording=item["wording"],
            guidance=item["guidance"],
            kind=item["kind"],
            base_unit=item["base_unit"],
            delivered_unit=item["delivered_unit"],
            count_unit=item["count_unit"],
            applicable_types=list(item["applies_to"]),
            applicability=item["applicability"],
            default_target=_dec(item["target"]),
            evidence_required=item["evidence_required"],
            evidence_types=list(item["evidence_types"]),
            weight=_dec(item["weight"]),
        )
        IndicatorTarget.objects.bulk_create(
            IndicatorTarget(indicator=indicator, lg_type=lg_type, value=Decimal(value))
            for lg_type, value in item["targets"].items()
        )
        indicators[item["code"]] = indicator
    ValidationRule.objects.bulk_create(
        ValidationRule(
            indicator=indicators[rule["indicator"]],
            order=order,
            severity=rule["severity"],
            expression=rule["expression"],
            message=rule["message"],
        )
        for order, rule in enumerate(spec["validations"], start=1)
    )
    SatisfactionQuestion.objects.bulk_create(
        SatisfactionQuestion(
            framework=framework,
            area=areas[question["area"]],
            code=question["code"],
            wording=question["wording"],
            order=order,
        )
        for order, question in enumerate(spec["satisfaction"], start=1)
    )
    label_order = {key.value: index for index, key in enumerate(LabelKey, start=1)}
    ResultLabel.objects.bulk_create(
        ResultLabel(
            framework=framework,
            key=label["key"],
            order=label_order[label["key"]],
            text_th=label["text_th"],
            text_en=label["text_en"],
            min_gap=_dec(label["min_gap"]),
        )
        for label in spec["labels"]
    )
    return framework


# ---------------------------------------------------------------------------------------------------------------
# Import and export


def import_workbook(
    data: bytes, *, user: User | None = None, publish: bool = False, reuse_identical: bool = False
) -> ImportResult:
    """Validate the whole workbook and create a new draft version; nothing is written when there is a problem.

    reuse_identical=True (the management command): when a version of the same code already has exactly this
    content, reuse it instead of creating a duplicate, so loading the sample twice changes nothing.
    Raises WorkbookError (with every problem as sheet, cell, message).
    """
    spec = parse_workbook(data)
    with transaction.atomic():
        existing = None
        if reuse_identical:
            for candidate in Framework.objects.filter(code=spec["framework"]["code"]).exclude(status=Status.RETIRED):
                if framework_to_spec(candidate) == spec:
                    existing = candidate
                    break
        framework = existing or create_from_spec(spec, user=user)
        if publish and framework.status == Status.DRAFT:
            framework = publish_framework(framework)
    return ImportResult(framework=framework, created=existing is None)


def export_workbook(framework: Framework) -> bytes:
    return build_workbook(framework_to_spec(framework))


def export_filename(framework: Framework) -> str:
    return f"framework-{framework.code}-v{framework.version}.xlsx"


# ---------------------------------------------------------------------------------------------------------------
# Versions


def ensure_editable(framework: Framework) -> None:
    if Framework.objects.filter(pk=framework.pk).exclude(status=Status.DRAFT).exists():
        raise FrameworkFrozenError(framework)


@transaction.atomic
def publish_framework(framework: Framework) -> Framework:
    framework = Framework.objects.select_for_update().get(pk=framework.pk)
    if framework.status != Status.DRAFT:
        raise FrameworkStateError(_("Only a draft can be published."))
    problems = spec_problems(framework_to_spec(framework))
    if problems:
        raise FrameworkStateError(_("The draft is not complete: %(problems)s") % {"problems": "; ".join(problems)})
    framework.status = Status.PUBLISHED
    framework.published_at = timezone.now()
    framework.save(update_fields=["status", "published_at"])
    return framework


@transaction.atomic
def retire_framework(framework: Framework) -> Framework:
    framework = Framework.objects.select_for_update().get(pk=framework.pk)
    if framework.status != Status.PUBLISHED:
        raise FrameworkStateError(_("Only a published version can be retired."))
    framework.status = Status.RETIRED
    framework.retired_at = timezone.now()
    framework.save(update_fields=["status", "retired_at"])
    return framework


def new_version(framework: Framework, *, user: User | None = None) -> Framework:
    """A new draft version that is a deep copy of `framework` (which stays as it is)."""
    return create_from_spec(framework_to_spec(framework), user=user, copied_from=framework)


def spec_problems(spec: FrameworkSpec) -> list[str]:
    """Checks a draft edited in the admin must pass before publishing (the workbook parser checks the rest)."""
    problems = []
    if not spec["indicators"]:
        problems.append(_("The framework has no indicators."))
    keys = {label["key"] for label in spec["labels"]}
    if keys != {key.value for key in LabelKey}:
        problems.append(_("The five result labels are required."))
    for indicator in spec["indicators"]:
        if indicator["kind"] != "yesno" and indicator["target"] is None:
            missing = [t for t in indicator["applies_to"] if t not in indicator["targets"]]
            if missing:
                problems.append(
                    _("Indicator %(code)s has no target for %(types)s.")
                    % {"code": indicator["code"], "types": ", ".join(missing)}
                )
        if not indicator["applies_to"]:
            problems.append(_("Indicator %(code)s applies to no type.") % {"code": indicator["code"]})
    return problems


# ---------------------------------------------------------------------------------------------------------------
# Preview


@dataclass
class PreviewIndicator:
    indicator: Indicator
    wording: str
    guidance: str
    target: Decimal | None
    conditional: bool  # applicability depends on the local government's own data


@dataclass
class PreviewMission:
    mission: Mission
    indicators: list[PreviewIndicator] = field(default_factory=list)


@dataclass
class PreviewArea:
    area: Area
    missions: list[PreviewMission] = field(default_factory=list)
    questions: list[tuple[SatisfactionQuestion, str]] = field(default_factory=list)

    @property
    def indicator_count(self) -> int:
        return sum(len(mission.indicators) for mission in self.missions)


def preview(framework: Framework, lg_type: str) -> list[PreviewArea]:
    """The framework as a local government of `lg_type` sees it: applicable indicators only, wording filled."""
    framework = load_tree(framework)
    areas = []
    for area in framework.areas.all():
        preview_area = PreviewArea(
            area=area, questions=[(question, question.wording_for(lg_type)) for question in area.questions.all()]
        )
        for mission in area.missions.all():
            preview_mission = PreviewMission(mission=mission)
            for indicator in mission.indicators.all():
                applies, conditional = indicator_applies(indicator, lg_type)
                if applies:
                    preview_mission.indicators.append(
                        PreviewIndicator(
                            indicator=indicator,
                            wording=indicator.wording_for(lg_type),
                            guidance=indicator.guidance_for(lg_type),
                            target=indicator.target_for(lg_type),
                            conditional=conditional,
                        )
                    )
            if preview_mission.indicators:
                preview_area.missions.append(preview_mission)
        if preview_area.missions or preview_area.questions:
            areas.append(preview_area)
    return areas


__all__ = [
    "EvaluationFailure",
    "FrameworkFrozenError",
    "FrameworkStateError",
    "ImportResult",
    "RuleCheck",
    "WorkbookError",
    "check_rules",
    "create_from_spec",
    "export_workbook",
    "forget_frozen_trees",
    "framework_to_spec",
    "frozen_indicator",
    "frozen_tree",
    "import_workbook",
    "indicator_applies",
    "load_tree",
    "new_version",
    "preview",
    "problem_count",
    "problem_summaries",
    "publish_framework",
    "record_failures",
    "retire_framework",
]
