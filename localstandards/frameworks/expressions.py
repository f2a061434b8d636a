"""Safe evaluation of the small expressions a framework may hold (never eval/exec).

Three kinds, each with its explicit list of allowed names; anything else (attributes, unknown names or
functions, lambdas, comprehensions, strings longer than the limit) is refused when the workbook is checked.
"""

from __future__ import annotations

import ast
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext as _
from simpleeval import EvalWithCompoundTypes, InvalidExpression

MAX_LENGTH = 500

APPLICABILITY = "applicability"
VALIDATION = "validation"
SCORING = "scoring"

# The names an expression of each kind may use, with what they mean (shown in docs/framework-format.md).
ALLOWED_NAMES: dict[str, dict[str, str]] = {
    APPLICABILITY: {
        "lg_type": "type code of the local government: PAO, CITY, TOWN, SUBDISTRICT, SAO, SPECIAL, BMA",
        "province_code": "DOPA province code, 2 digits as text (e.g. '50')",
        "region": "region code: NORTH, NORTHEAST, CENTRAL, EAST, WEST, SOUTH",
        "area_km2": "area of the local government in km² (a number, or None when not published)",
    },
    VALIDATION: {
        "base": "ratio: the base (1) กรอบการประเมิน entered",
        "delivered": "ratio: what was delivered (2) การจัดบริการสาธารณะ",
        "count": "count: the number entered",
        "answer": "yes/no: True for yes, False for no",
        "target": "the target that applies to this local government",
        "lg_type": "type code of the local government",
    },
    SCORING: {
        "indicator_score": "average indicator score of the return, 0–100",
        "satisfaction_score": "share of พอใจ answers, 0–100",
        "satisfaction_share": "the satisfaction share from the scoring sheet, 0–1",
        "pass_threshold": "the pass threshold from the scoring sheet",
    },
}

FUNCTIONS = {"min": min, "max": max, "abs": abs, "round": round}

# Values used to try an expression once when a workbook is checked (catches features simpleeval refuses).
_TRIAL_VALUES: dict[str, dict[str, Any]] = {
    APPLICABILITY: {"lg_type": "SAO", "province_code": "50", "region": "NORTH", "area_km2": 50.0},
    VALIDATION: {"base": 10.0, "delivered": 8.0, "count": 3, "answer": True, "target": 80.0, "lg_type": "SAO"},
    SCORING: {"indicator_score": 75.0, "satisfaction_score": 80.0, "satisfaction_share": 0.2, "pass_threshold": 60.0},
}
_ALLOWED_NODES = (
    ast.Expression,
    ast.BoolOp,
    ast.BinOp,
    ast.UnaryOp,
    ast.Compare,
    ast.IfExp,
    ast.Call,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.Tuple,
    ast.List,
    ast.operator,
    ast.boolop,
    ast.unaryop,
    ast.cmpop,
)


class ExpressionError(ValueError):
    """A plain-language reason why an expression cannot be used."""


def _evaluator(names: dict[str, Any]) -> EvalWithCompoundTypes:
    return EvalWithCompoundTypes(functions=dict(FUNCTIONS), names=dict(names))


def names_used(expression: str) -> frozenset[str]:
    """The names of the values `expression` reads (the functions it calls left out).

    Empty when the expression cannot be read; evaluating it then reports why. Callers use it to tell an expression
    that is waiting for a value (a name whose value is still None) from one that fails.
    """
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except (SyntaxError, ValueError):
        return frozenset()
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    return frozenset(node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and id(node) not in called)


def check(expression: str, kind: str) -> None:
    """Raise ExpressionError when `expression` is not a valid expression of `kind`."""
    allowed = ALLOWED_NAMES[kind]
    if len(expression) > MAX_LENGTH:
        raise ExpressionError(_("The expression is longer than %(limit)s characters.") % {"limit": MAX_LENGTH})
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError:
        raise ExpressionError(_("The expression cannot be read (syntax error).")) from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            raise ExpressionError(
                _("The expression uses something that is not allowed (%(what)s).") % {"what": type(node).__name__}
            )
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS or node.keywords:
                raise ExpressionError(
                    _("Only these functions may be used: %(functions)s.") % {"functions": ", ".join(FUNCTIONS)}
                )
        elif isinstance(node, ast.Name) and node.id not in allowed and node.id not in FUNCTIONS:
            raise ExpressionError(
                _("Unknown name “%(name)s”; allowed names: %(names)s.") % {"name": node.id, "names": ", ".join(allowed)}
            )
    try:
        _evaluator(_TRIAL_VALUES[kind]).eval(expression.strip())
    except InvalidExpression as error:
        raise ExpressionError(_("The expression is not allowed: %(error)s") % {"error": error}) from None
    except Exception:  # noqa: S110 - arithmetic on trial values (e.g. division by zero) is not a syntax problem
        pass


@lru_cache(maxsize=1024)
def _checked(expression: str, kind: str) -> None:
    """check() once per expression: a framework has a few dozen, evaluated for every return (an error is not
    cached, so it is raised, in the current language, each time)."""
    check(expression, kind)


def evaluate(expression: str, kind: str, names: dict[str, Any]) -> Any:
    """Evaluate a checked expression with the given values (only the allowed names are passed on)."""
    _checked(expression, kind)
    allowed = ALLOWED_NAMES[kind]
    return _evaluator({key: value for key, value in names.items() if key in allowed}).eval(expression.strip())
