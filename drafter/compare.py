"""Last year's values beside this year's: the change of each, and the ones that look like slips.

Pure: takes a schema and two sets of raw values, returns `Change` records. A flag is a warning,
never an error: a figure may really have grown tenfold.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from . import convert
from .errors import DrafterError
from .schema import NUMBER_TYPES, Schema, Variable
from .values import Values

# Figures typed in the wrong unit (元 for 万元) or with a digit too many or too few.
_MAGNITUDES = (10, 100, 1000, 10000)
_SLACK = Decimal("0.15")  # within 15 % of a power of ten counts as that power
SEVERAL = 2               # a count of at least this many that falls to 0 is worth a look
ALMOST_ALL = Decimal("0.8")
_BIG_UNITS = ("万元", "亿元")
MIN_COMPARED = 5          # fewer figures than this say nothing about "almost all changed"


class SlipError(DrafterError):
    """Raise when `drafter compare --strict` flagged a value as a probable slip."""


@dataclass(frozen=True)
class Change:
    """One variable in both years: values as a clerk types them, the change, and any flag."""

    key: str
    label: str
    unit: str
    old: str | list[str] | None
    new: str | list[str] | None
    change: str                      # Chinese wording: 同比增长 12.5%, 提高 2 个百分点, 未变 …
    difference: Decimal | None = None
    percent: Decimal | None = None   # relative change in %, None when not a figure or from 0
    flag: str | None = None          # why it may be a slip, or None
    flag_kind: str | None = None     # magnitude, rate, zero, unchanged

    def as_json(self) -> dict[str, object]:
        """Return the record as JSON-ready data (numbers as numbers, exact)."""
        return {"key": self.key, "label": self.label, "unit": self.unit, "old": self.old, "new": self.new,
                "change": {"text": self.change, "difference": _number(self.difference),
                           "percent": _number(self.percent)},
                "flag": self.flag, "flag_kind": self.flag_kind}


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def compare(schema: Schema, old: Values, new: Values) -> list[Change]:
    """Return a `Change` for every variable of `schema`, in report order, with slips flagged.

    A value that cannot be read (missing, or wrong for its type) is shown as typed and not judged.
    """
    changes = [_change(var, _typed(var, old), _typed(var, new), old.raw.get(var.key), new.raw.get(var.key))
               for var in schema.variables]
    return _flag_forgotten(schema, changes)


def _typed(var: Variable, data: Values) -> object | None:
    raw = data.raw.get(var.key)
    if raw is None or raw == ():
        return None
    try:
        # Limits are the check's business; compare still reads a rate of 105 to flag it.
        return convert.parse_value(dataclasses.replace(var, min=None, max=None), raw)[0]
    except convert.BadValue:
        return None


def _shown(var: Variable, typed: object | None, raw: object) -> str | list[str] | None:
    if typed is not None:
        return convert.typed_text(var, typed)
    if raw is None or raw == ():
        return None
    return "、".join(str(i or "") for i in raw) if isinstance(raw, tuple) else str(raw)


def _change(var: Variable, old: object | None, new: object | None, old_raw: object,
            new_raw: object) -> Change:
    shown_old, shown_new = _shown(var, old, old_raw), _shown(var, new, new_raw)
    record = Change(var.key, var.label, var.unit if var.type in NUMBER_TYPES else "", shown_old, shown_new,
                    change="")
    if shown_old is None and shown_new is None:
        return _with(record, change="两年都未填写")
    if shown_old is None:
        return _with(record, change="去年未填写")
    if shown_new is None:
        return _with(record, change="今年未填写")
    if old is None or new is None:
        return _with(record, change="取值有误，未比较")
    if var.type in NUMBER_TYPES and isinstance(old, (int, Decimal)) and isinstance(new, (int, Decimal)):
        return _numbers(var, record, Decimal(old), Decimal(new))
    if isinstance(old, dt.date) and isinstance(new, dt.date):
        days = (new - old).days
        wording = "未变" if days == 0 else f"推后 {days} 天" if days > 0 else f"提前 {-days} 天"
        return _with(record, change=wording, difference=Decimal(days))
    return _with(record, change="未变" if old == new else "已改")


def _numbers(var: Variable, record: Change, old: Decimal, new: Decimal) -> Change:
    difference = new - old
    unit = var.unit if var.type in ("count", "amount", "quantity") else ""
    if var.type == "percent":
        points = _plain(abs(difference))
        wording = ("持平" if not difference else
                   f"提高 {points} 个百分点" if difference > 0 else f"降低 {points} 个百分点")
        percent = None
    elif var.type in ("year", "month", "day"):
        wording = "未变" if not difference else f"{'+' if difference > 0 else '−'}{_plain(abs(difference))}"
        percent = None
    else:
        percent = (difference / old * 100).quantize(Decimal("0.1")) if old else None
        if not difference:
            wording = "持平"
        elif percent is None:
            wording = f"增加 {_plain(difference)}{unit}（去年为 0）"
        else:
            more, verb = ("增加", "增长") if difference > 0 else ("减少", "下降")
            wording = f"{more} {_plain(abs(difference))}{unit}，同比{verb} {abs(percent)}%"
    flag, kind = _slip(var, old, new)
    return _with(record, change=wording, difference=difference, percent=percent, flag=flag, flag_kind=kind)


def _slip(var: Variable, old: Decimal, new: Decimal) -> tuple[str | None, str | None]:
    if var.type == "percent" and new > 100:
        return f"比率 {_plain(new)}% 超过 100%，请核对。", "rate"
    if var.type == "count" and old >= SEVERAL and new == 0:
        return "去年有、今年为 0，是否漏填或填错？", "zero"
    if var.type in ("count", "amount", "quantity", "percent") and old > 0 and new > 0:
        ratio, bigger = (new / old, True) if new >= old else (old / new, False)
        for power in _MAGNITUDES:
            if abs(ratio / power - 1) <= _SLACK:
                if bigger and power == 10000 and var.unit in _BIG_UNITS:
                    return f"约为去年的 {power} 倍：单位是{var.unit}，是否按元填了？", "magnitude"
                times = f"{power} 倍" if bigger else f"1/{power}"
                slip = "多打了 0" if bigger else "少打了 0"
                return f"约为去年的 {times}，是否{slip}，或点错了小数点？", "magnitude"
    return None, None


def _flag_forgotten(schema: Schema, changes: list[Change]) -> list[Change]:
    """Flag figures and dates that stayed the same while almost all the others changed."""
    by_key = schema.by_key
    compared = [c for c in changes if c.difference is not None and not _may_stay(by_key[c.key])]
    if len(compared) < MIN_COMPARED:
        return changes
    changed = sum(1 for c in compared if c.difference)
    if Decimal(changed) / len(compared) < ALMOST_ALL:
        return changes
    # Nothing twice (0 accidents both years) is news, not a slip.
    same = {c.key for c in compared if not c.difference and c.flag is None and c.new != "0"}
    message = f"与去年相同，而其他 {changed}/{len(compared)} 项数字都变了，是否忘了改？"
    return [_with(c, flag=message, flag_kind="unchanged") if c.key in same else c for c in changes]


def _may_stay(var: Variable) -> bool:
    # A month or a day may well repeat; so does an ordinal (第十八届 lasts five years).
    return var.type in ("month", "day") or "第【】" in var.context


def _with(record: Change, **fields: object) -> Change:
    return Change(**{**record.__dict__, **fields})  # type: ignore[arg-type]


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def flagged(changes: list[Change]) -> list[Change]:
    """Return the changes that carry a flag."""
    return [c for c in changes if c.flag]


def warnings(changes: list[Change]) -> list[str]:
    """Return one Chinese warning line per flagged change: key, label, both values, why."""
    return [f"{c.key}（{c.label}）：去年 {_with_unit(c.old, c.unit)}，今年 {_with_unit(c.new, c.unit)}。"
            f"{c.flag}" for c in flagged(changes)]


def _joined(value: str | list[str] | None) -> str:
    if value is None:
        return "未填写"
    return "、".join(value) if isinstance(value, list) else value


def as_rows(changes: list[Change]) -> list[tuple[str, ...]]:
    """Return the changes as table rows: key, label, last year, this year, change, flag."""
    return [(c.key, c.label, _with_unit(c.old, c.unit), _with_unit(c.new, c.unit), c.change, c.flag or "")
            for c in changes]


def _with_unit(value: str | list[str] | None, unit: str) -> str:
    return _joined(value) + (unit if value is not None else "")
