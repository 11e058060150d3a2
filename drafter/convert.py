"""Typed text → a value and its printed form, by schema type: the rules clerks' typing meets.

Pure: no files, no YAML. `values.check` applies these to every value of a values file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

from . import chars
from .schema import MAX_PLACES, NUMBER_TYPES, Variable

_FULL_WIDTH = str.maketrans("０１２３４５６７８９，．％－＋　", "0123456789,.%-+ ")
_TO_FULL_WIDTH = str.maketrans("0123456789,.-", "０１２３４５６７８９，．－")
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_UNIT_AFTER = re.compile(r"([+-]?[\d,]+(?:\.\d+)?)\s*([^\d\s.,]+)")
_DATE = re.compile(r"(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?")
MAX_DIGITS = 15  # more than any real figure in a report, fewer than float or Word would mangle
MAX_NAME, MAX_TEXT = 50, 500  # characters: a name, and a phrase restored into a sentence
_CHINESE_DIGITS = "零一二三四五六七八九"


class BadValue(Exception):
    """Raise when a typed value is not acceptable; `message` says why and `hint` how to fix it."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def expected(var: Variable) -> str:
    """Describe in Chinese what `var` accepts, with its unit and limits."""
    unit = f"（单位：{var.unit}，已写在{_where(var)}）" if var.unit and var.type in NUMBER_TYPES else ""
    if var.type == "count":
        what = "整数"
    elif var.type in ("amount", "quantity", "percent"):
        what = "数字" + (f"（保留 {var.places} 位小数）" if var.places is not None else "")
    elif var.type == "year":
        what = "四位年份，如 2024"
    elif var.type == "month":
        what = "月份数字"
    elif var.type == "day":
        what = "日期中的日数字"
    elif var.type == "date":
        return "日期，如 2024-12-20"
    elif var.type == "list":
        return "一个或多个名称，如 [张家, 李家]"
    else:
        return "文字" if var.type == "text" else "名称"
    return f"{_range(var)}的{what}{unit}"


def _where(var: Variable) -> str:
    # A list's column (组.名称.列) has its unit in the table's header, not in a sentence.
    return "句中" if var.key.count(".") < 2 else "表头"


def _range(var: Variable) -> str:
    if var.min is not None and var.max is not None:
        return f" {var.min}～{var.max} "
    if var.min is not None:
        return f"不小于 {var.min} "
    if var.max is not None:
        return f"不大于 {var.max} "
    return ""


def format_value(var: Variable, raw: str | tuple[str | None, ...]) -> str:
    """Return the printed form of `raw` for `var`; raise BadValue when it is not acceptable."""
    return parse_value(var, raw)[1]


def parse_value(var: Variable, raw: str | tuple[str | None, ...]) -> tuple[object, str]:
    """Return the value of `raw` for `var` and its printed form; raise BadValue when not acceptable.

    Numbers come back as int or Decimal, a list as a tuple of names, anything else as its text.
    """
    for text in raw if isinstance(raw, tuple) else (raw,):
        _refuse_unsafe(text or "")
    if var.fullwidth and var.type in (*NUMBER_TYPES, "date") and isinstance(raw, str):
        value, printed = parse_value(dataclasses.replace(var, fullwidth=False), raw)
        return value, printed.translate(_TO_FULL_WIDTH)
    if isinstance(raw, tuple):
        if var.type != "list":
            raise BadValue("应为一个取值，而不是列表。", f"应填{expected(var)}。")
        parts = [item or "" for item in raw]
    elif var.type == "list":
        inner = raw.strip()
        # [张家, 李家] given as text (--set), or 【张家，李家】 as a Chinese keyboard types [ and ].
        if inner[:1] + inner[-1:] in ("[]", "【】", "［］"):
            inner = inner[1:-1]
        if any(bracket in inner for bracket in "[]【】［］"):
            raise BadValue("列表里只能写名称，不能再套列表。", "写成 [张家, 李家] 或 张家、李家。")
        parts = re.split(r"[、，,]", inner)
    else:
        text = raw.strip()
        if var.type in NUMBER_TYPES:
            return _format_number(var, text)
        if var.type == "date":
            return _format_date(text)
        cleaned = _clean_text(var, raw)
        return cleaned, cleaned
    if not any(part.strip() for part in parts):
        raise BadValue("不能为空。", f"应填{expected(var)}。")
    if not all(part.strip() for part in parts):
        raise BadValue("列表中有空的名称。", "删除多余的顿号或逗号。")
    items = tuple(_clean_text(var, part) for part in parts)
    return items, var.sep.join(items)


def _refuse_unsafe(text: str) -> None:
    # Characters Word cannot store, drafter's value marks, and invisible ones from web pages.
    bad = chars.UNSAFE_VALUE.search(text)
    if bad and chars.BREAKS.match(bad.group()):
        raise BadValue(f"不能换行（含有 {chars.describe(bad.group())}）。", "请写在一行内。")
    if bad:
        raise BadValue(f"含有看不见或无法显示的字符（U+{ord(bad.group()):04X}），Word 文档中会出错。",
                   "多半是从网页或其他文件复制时带进来的，请删除这一项后重新输入。")


def _clean_text(var: Variable, raw: str) -> str:
    text = raw.strip()
    if "\n" in text or "\r" in text:
        raise BadValue("不能换行。", "请写在一行内。")
    if not text:
        raise BadValue("不能为空。", f"应填{expected(var)}。")
    limit = MAX_TEXT if var.type == "text" else MAX_NAME
    if len(text) > limit:
        raise BadValue(f"太长了（{len(text)} 个字，上限 {limit} 个字）。", "请检查是否把整段文字粘贴进来了。")
    if var.type != "text":
        marks = _stray_marks(text)
        if marks:
            raise BadValue(f"名称带了{marks}（{text}），会原样印进报告。", f"名称只写名称本身，去掉{marks}。")
    return text


_QUOTES = "“”‘’\"'「」『』"
_PAIRS = ("“”", "‘’", "「」", "『』", "【】", "〔〕", "［］", "[]", "《》")
_MARK_CHARS = frozenset(_QUOTES + "".join(_PAIRS))


def _stray_marks(text: str) -> str:
    """Return what quotes or brackets wrap `text` or stand unpaired in it ("" if none), in words."""
    if _MARK_CHARS.isdisjoint(text):
        return ""  # as most names are
    if text[0] in _QUOTES and text[-1] in _QUOTES:
        return "引号"
    if any(text[0] == pair[0] and text[-1] == pair[1] for pair in _PAIRS[4:]):
        return f"括号“{text[0]}{text[-1]}”"
    if text.count('"') % 2 or text.count("'") % 2 or \
            any(text.count(a) != text.count(b) for a, b in _PAIRS[:4]):
        return "不成对的引号"
    return ""


def doubts(var: Variable, value: object) -> list[BadValue]:
    """Return what is questionable about the accepted `value` of `var`: warnings, not errors."""
    if var.type == "text" and isinstance(value, str):
        marks = _stray_marks(value)
        if marks:
            return [BadValue(f"文字带了{marks}（{value}），会原样印进报告。",
                             "句中需要的引号已写在模板里；如果确实要印出这些引号，可以不改。")]
    return []


def _format_number(var: Variable, text: str) -> tuple[object, str]:
    shown = text
    if not text.isascii():  # full-width digits and marks, typed with a Chinese keyboard
        text = text.translate(_FULL_WIDTH)
    if " " in text:
        text = text.replace(" ", "")
    if var.type == "percent" and text.endswith("%"):
        text = text[:-1]
    suffix = _SUFFIXES.get(var.type)
    if suffix and text.endswith(suffix):
        text = text[: -len(suffix)]
    if text.isascii() and text.isdigit() and len(text) <= MAX_DIGITS:  # most figures: plain digits
        if var.type in _INTEGRAL:
            return _integral(var, shown, int(text))
        return _decimal(var, shown, Decimal(text))
    number_like = _NUMBER.fullmatch(text)
    if var.type in _INTEGRAL and not number_like:
        text = str(from_chinese(text)) if from_chinese(text) is not None else text
        number_like = _NUMBER.fullmatch(text)
    if not number_like:
        _refuse_sentence_words(var, shown, text)
        unit = _UNIT_AFTER.fullmatch(text)
        if unit and var.unit and unit.group(2) != var.unit:
            # 32000万元 typed where the sentence says 亿元: echoing 32000 back would be 10,000× off.
            raise BadValue(f"“{shown}”带了单位“{unit.group(2)}”，而{_where(var)}的单位是“{var.unit}”。",
                       f"请换算成{var.unit}，只填数字。")
        if unit:
            context = f"（{var.context}）" if var.context else ""
            raise BadValue(f"“{shown}”后面多了“{unit.group(2)}”。",
                       f"单位已写在{_where(var)}{context}，只填数字，例如 {unit.group(1)}。")
        raise BadValue(f"“{shown}”不是数字。", f"应填{expected(var)}。")
    whole, _, fraction = text.partition(".")
    if len(_NOT_DIGIT.sub("", whole)) > MAX_DIGITS:
        raise BadValue(f"数字位数太多（整数部分超过 {MAX_DIGITS} 位）。", f"应填{expected(var)}。")
    if len(fraction) > MAX_PLACES:  # printed as typed when the schema sets no places
        raise BadValue(f"小数位数太多（超过 {MAX_PLACES} 位）。", f"应填{expected(var)}。")
    value = Decimal(text.replace(",", ""))
    if value.is_zero():
        value = abs(value)  # -0 is 0
    integral = var.type in _INTEGRAL
    if integral and value != value.to_integral_value():
        raise BadValue(f"“{shown}”不是整数。", f"应填{expected(var)}。")
    if integral:
        return _integral(var, shown, int(value))
    return _decimal(var, shown, value)


def _decimal(var: Variable, shown: str, value: Decimal) -> tuple[Decimal, str]:
    """Return `value` (typed as `shown`) for `var`, rounded to its places, and its printed form;
    raise when out of range."""
    if (var.min is not None and value < var.min) or (var.max is not None and value > var.max):
        raise BadValue(f"{shown} 超出范围。", f"应填{expected(var)}。")
    if var.places is not None:
        value = value.quantize(Decimal(1).scaleb(-var.places), rounding=ROUND_HALF_UP)  # 四舍五入
    return value, format(value, ",f") if var.thousands else format(value, "f")


def _integral(var: Variable, shown: str, number: int) -> tuple[int, str]:
    """Return whole `number` (typed as `shown`) for `var` and its printed form; raise when out of range."""
    if (var.min is not None and number < var.min) or (var.max is not None and number > var.max):
        raise BadValue(f"{shown} 超出范围。", f"应填{expected(var)}。")
    if var.chinese:
        chinese = _chinese_number(number)
        # 两个, 两千元: a cardinal before a measure word says 两, but 二十 stays 二十.
        if var.liang and chinese.startswith("二") and not chinese.startswith("二十"):
            chinese = "两" + chinese[1:]
        return number, chinese
    return number, f"{number:,}" if var.thousands else str(number)


_INTEGRAL = ("count", "year", "month", "day")
_SUFFIXES = {"year": "年", "month": "月", "day": "日"}
_NOT_DIGIT = re.compile(r"\D")
_APPROX_AFTER = ("余", "多", "左右", "以上", "上下")
_APPROX_BEFORE = ("大约", "约", "近", "超过", "超", "逾", "达")
_FIGURE = re.compile(r"^(\D*?)([+-]?[\d,]+(?:\.\d+)?|[零〇○一二两三四五六七八九十百千万]+)(\D*)$")


def _refuse_sentence_words(var: Variable, shown: str, text: str) -> None:
    """Raise when `text` is a figure with words around it that the sentence already prints, or 约/余."""
    match = _FIGURE.match(text)
    if not match or not (match.group(1) or match.group(3)):
        return
    before, figure, after = match.groups()
    if not before and after == var.unit:
        if from_chinese(figure) is None:
            return  # 5个: said below, with the unit
        raise BadValue(f"“{shown}”后面多了“{after}”。",
                       f"单位已写在句中（{var.context}），只填数字，例如 {figure}。")
    sentence_before, _, sentence_after = var.context.partition("【】")
    extra = [word for word in (before, after) if word]
    in_sentence = (not before or sentence_before.endswith(before)) and \
                  (not after or sentence_after.startswith(after))
    digits = str(from_chinese(figure)) if from_chinese(figure) is not None else figure
    words = "“" + "”“".join(extra) + "”"
    if var.context and in_sentence:
        raise BadValue(f"“{shown}”里的{words}已经写在句中（{var.context}），会重复印出。",
                       f"只填数字，例如 {digits}。")
    approx, rest = [], after
    if before in _APPROX_BEFORE:
        approx.append(before)
    for word in _APPROX_AFTER:  # 3000余亩, 3000多; then 3000亩左右
        if rest.startswith(word) or rest.endswith(word):
            approx.append(word)
            rest = rest[len(word):] if rest.startswith(word) else rest[: -len(word)]
    if approx and (not before or before in _APPROX_BEFORE) and rest in ("", var.unit):
        said = "句中已写明是约数" if var.approx else "报告只印这个数字"
        unit = f"，单位“{rest}”也已写在句中" if rest else ""
        raise BadValue(f"“{shown}”里的“{'”“'.join(approx)}”不是单位，而是约数的说法；{said}{unit}。",
                       f"只填数字，例如 {digits}。")


def from_chinese(text: str) -> int | None:
    """Return the number `text` writes in Chinese numerals (十八, 二〇二四, 一百零五, 两万), or None.

    Written the standard way, its units falling (not 十百); figure by figure (二〇二四) too. The
    reverse of how a `chinese` count is printed, and the one reader of Chinese numerals.
    """
    if not text or any(char not in _NUMERALS and char not in _POWERS for char in text):
        return None
    if all(char in _NUMERALS for char in text):  # 二〇二四, 五: digit by digit
        return int("".join(str(_NUMERALS[char]) for char in text))
    total = section = 0
    digit: int | None = None
    last_power = 10 ** 9
    for char in text:
        if char in _NUMERALS:
            if digit is not None and _NUMERALS[char] != 0:
                return None  # 二三 without a unit between
            digit = _NUMERALS[char] or None
            continue
        power = _POWERS[char]
        if power == 10_000:
            section += digit or 0
            if not section or total:
                return None
            total, section, digit, last_power = section * power, 0, None, 10 ** 9
            continue
        if power >= last_power:
            return None  # 十百, 百百: units must fall
        section += (1 if digit is None else digit) * power
        digit, last_power = None, power
    return total + section + (digit or 0)


_NUMERALS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
             "七": 7, "八": 8, "九": 9}
_POWERS = {"十": 10, "百": 100, "千": 1000, "万": 10_000}


def _format_date(text: str) -> tuple[object, str]:
    match = _DATE.fullmatch(text.translate(_FULL_WIDTH).replace(" ", ""))
    if not match:
        raise BadValue(f"“{text}”不是日期。", "写成 2024-12-20 或 2024年12月20日。")
    try:
        day = dt.date(*(int(g) for g in match.groups()))
    except ValueError as err:
        raise BadValue(f"“{text}”不是有效的日期。", "检查月份（1～12）和日（该月的天数）。") from err
    if not 1900 <= day.year <= 2100:
        raise BadValue(f"“{text}”的年份超出范围。", "年份应在 1900～2100 之间。")
    return day, f"{day.year}年{day.month}月{day.day}日"


def _chinese_number(number: int) -> str:
    if number == 0:
        return "零"
    if number >= 10000:
        return str(number)
    out = ""
    units = ["千", "百", "十", ""]
    digits = f"{number:04d}"
    zero = False
    for digit, unit in zip(digits, units, strict=False):
        if digit == "0":
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += _CHINESE_DIGITS[int(digit)] + unit
    return out[1:] if out.startswith("一十") else out


def typed_text(var: Variable, value: object) -> str | list[str]:
    """Return typed `value` of `var` as a clerk types it: 8620, 3.2, 2024-12-20, a list of names.

    No thousands separators and no Chinese numerals, whatever the report prints.
    """
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)


CHINESE_NUMERAL = "[零〇一二两三四五六七八九十百千]+"
