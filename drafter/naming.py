"""Short Chinese names for blanks and for the report's sections, made valid keys. Pure.

Chinese has no spaces, so names are cut at the words reports use around figures: verbs and
adverbs that start a clause (完成、累计、力争全年), linking words that end it (为、达、均达), and
the markers 了、等、的 after which the noun comes.
"""

from __future__ import annotations

import keyword
import re
import unicodedata
from dataclasses import dataclass

from .placeholders import Placeholder, blank_spans, mask_blanks

NAME_CHARS = 12
GROUP_CHARS = 8
# Single characters are few here: 自来水、到位资金、在建项目 must keep their first character.
_LEADING = re.compile(
    r"^(?:[一二三四五六七八九十]+是|其中|同时|并且|并|另外|此外|以及|累计|共计|合计|总计|全年|今年|"
    r"全镇|全县|力争|确保|争取|预计|计划|已经|已|正在|完成了|完成|实现了|实现|新建|新增|开发|发放|"
    r"投入|投资|帮助|打造|接待|受理|达到|于|将|为|和|与|及)+")
_TRAILING = re.compile(r"(?:分别为|分别是|均达到|均达|达到|约为|共计|合计|累计|通过|超过|突破|为|达|是|有|约|"
                       r"共|超|逾|近|了|的)+$")
_AFTER_LEADING = re.compile(r"^(?:已经|已|即将|将|正在|完成了|完成|全面|基本)+")
_AFTER_STOP = re.compile(r"已经|已|即将|将|正在|按照|高质量|实现|得到|全部|均|都|进行|开展|大力|完成|"
                         r"的|等|和|与|及|在|于|被|把|并")
_PLACE_VERBS = re.compile(r"^(?:大力|积极|重点|主要|着力|全力)?(?:发展|推进|开展|实施|种植|养殖|建设)+")
_MARKS = re.compile(r"[“”\"‘’'《》「」()（）\[\]【】\s·—…]")
_H1 = re.compile(r"\s*([一二三四五六七八九十]+)、(.*)")
_H2 = re.compile(r"\s*[（(]([一二三四五六七八九十]+)[）)](.*)")
_GROUP_LEADING = re.compile(r"^(?:今年以来|去年以来|过去一年|一年来|当前|关于|聚焦|着力|全力|坚持|进一步|"
                            r"扎实推进|扎实|切实|全面|加快|持续|大力)+")
_LEADING_ORDINAL = re.compile(r"^(?:[一二三四五六七八九十]+是|其中)")
_YEAR = re.compile(r"\d{4}年度?")
_HEAD_END = re.compile(r"[。；;，,：:！!？?]")
# Measure words: what follows them is the thing counted (x个衔接资金项目 → 衔接资金项目).
CLASSIFIERS = ("个", "座", "条", "套", "位", "家", "所", "项", "批", "件", "起", "处", "台", "辆", "场", "篇",
               "份", "栋", "间", "只", "头", "张", "本", "支", "期", "类", "株", "棵", "盏", "宗", "例", "轮",
               "笔")
PLACE_UNITS = ("村", "镇", "乡", "组", "县", "区", "市", "社区", "街道", "村委会", "村民小组")
_TIME_SUFFIX = {"year": "年份", "month": "月份", "day": "日", "date": "日期"}
# The two ends of a range (x-x月, x至x万元): a time starts and ends, a figure has a floor and a ceiling.
_RANGE_TIME = {"from": "起始", "to": "截止"}
_RANGE_NUMBER = {"from": "下限", "to": "上限"}
_UNIT_NAMES = {"amount": "金额", "percent": "比率", "quantity": "数量", "count": "数量"}
_JINJA_WORDS = {"true", "false", "none", "True", "False", "None", "and", "or", "not", "in", "is",
                "if", "else", "loop", "self"}


@dataclass(frozen=True)
class Sections:
    """The report's numbered sections: the section of every line, and each section's group."""

    of_line: tuple[int, ...]     # section index of each line; 0 is the text before any heading
    groups: tuple[str, ...]      # the group name of each section, unique
    labels: tuple[str, ...]      # the heading of each section, for the schema's group labels


def find_sections(lines: list[str], *, start_group: str = "总体") -> Sections:
    """Return the sections of a report given as `lines`, by its 一、 headings (else its （一） ones)."""
    pattern = _H1 if any(_H1.match(line) for line in lines) else _H2
    of_line, groups, labels = [], [start_group], ["报告开头（第一个标题之前）"]
    taken = {start_group: 1}
    for line in lines:
        match = pattern.match(line)
        if match:
            groups.append(unique(_group_name(match.group(1), match.group(2)), taken))
            labels.append(mask_blanks(line.strip())[:30])  # 二、20XX年工作安排 → 二、20…年工作安排
        of_line.append(len(groups) - 1)
    return Sections(tuple(of_line), tuple(groups), tuple(labels))


def _group_name(numeral: str, title: str) -> str:
    head = _HEAD_END.split(title, maxsplit=1)[0]
    for start, end in reversed(blank_spans(head)):
        head = head[:start] + head[end:].removeprefix("年度").removeprefix("年")
    head = _YEAR.sub("", head)
    head = _GROUP_LEADING.sub("", _MARKS.sub("", head))
    if "的" in head.rstrip("的"):
        head = head.rstrip("的").rsplit("的", 1)[1]
    name = identifier(head)[:GROUP_CHARS]
    return name if name else f"第{numeral}部分"


def number_name(ph: Placeholder, previous: str) -> tuple[str, str, str]:
    """Return the name, the label and the merging stem of a number blank.

    `previous` is the name of the blank before `ph` when `ph` is chained to it
    (接待来访人数x批x人次 → 接待来访人数, 来访人数人次).
    """
    raw = _MARKS.sub("", ph.before)
    stem = _stem(raw)
    if len(stem) < 2:
        stem = ""  # one character (分x批) names nothing and must not merge blanks
    # The clause's own words explain a figure best; a bare verb (完成x位) explains nothing.
    label = _LEADING_ORDINAL.sub("", raw).strip() if stem else ""
    if ph.kind in _TIME_SUFFIX:
        # A month or a day names the event it dates (x月底开工 → 开工月份); a year, its clause.
        event = _after_head(ph.after.lstrip("底初末中旬")) if ph.kind != "year" else ""
        suffix = _RANGE_TIME.get(ph.part, "") + _TIME_SUFFIX[ph.kind]
        name = identifier((event or stem)[:NAME_CHARS - len(suffix)]) + suffix
        return name, name, stem
    if raw.endswith("第"):
        name = identifier(_stem(raw[:-1])[-6:] + "第几" + ph.unit)
        return name, name, stem
    if stem:
        name = stem
    elif ph.chained and previous:
        name = previous + (ph.unit if ph.unit not in previous else "")
    else:
        # After a measure word, or after 的, come the things counted or paid for.
        head = _after_head(ph.after) if ph.unit in CLASSIFIERS or ph.after.startswith("的") else ""
        name = head or (ph.unit + "数" if ph.kind == "count" and ph.unit else "") \
            or _UNIT_NAMES.get(ph.kind, "数值")
    if ph.part:
        bound = _RANGE_NUMBER[ph.part]
        name = name[-(NAME_CHARS - len(bound)):] + bound
        label = (label or name.removesuffix(bound)) + f"（范围的{bound}）"
    name = identifier(name[-NAME_CHARS:]) or "数值"
    return name, label or name, stem


def plain_name(ph: Placeholder) -> tuple[str, str, str]:
    """Return the name, the label and the merging stem ("": names merge only by clause) of a name blank."""
    unit = ph.unit
    if unit in PLACE_UNITS:
        after = _MARKS.sub("", ph.after)
        rest = _PLACE_VERBS.sub("", after)
        head = _after_head(rest) if rest != after else ""
        name = (head[:6] + unit) if head else unit + "名"
        label = f"{unit}名（不含“{unit}”字）"
        if ph.kind == "list":
            label = f"{unit}名，可填多个（不含“{unit}”字）"
    elif unit == "同志":
        name, label = "姓名", "姓名（不含“同志”）"
    elif unit:
        name, label = unit + "名称", f"{unit}名称（不含“{unit}”）"
    else:
        name, label = "名称", "名称（见原句）"
    return identifier(name) or "名称", label, ""


def text_name(name: str) -> str:
    """Return `name` as a valid key part."""
    return identifier(name) or "文字"


def _stem(words: str) -> str:
    """Return the noun phrase of the words before a blank: 确保全年完成招商签约任务 → 招商签约任务."""
    for marker in ("了", "等"):
        if marker in words:
            words = words.rsplit(marker, 1)[1]
    if "的" in words.rstrip("的"):  # 督办的信访件 → 信访件; 占全县的 keeps its words
        words = words.rsplit("的", 1)[1]
    previous = None
    while previous != words:
        previous = words
        words = _TRAILING.sub("", _LEADING.sub("", words))
    return words


def _after_head(words: str) -> str:
    """Return the head of the words after a blank: 衔接资金项目高质量推进 → 衔接资金项目."""
    words = _AFTER_LEADING.sub("", _MARKS.sub("", words).lstrip("的之"))
    match = _AFTER_STOP.search(words)
    head = words[: match.start()] if match else words
    return head[:NAME_CHARS]


def identifier(text: str) -> str:
    """Return `text` reduced to the characters a key part may hold (letters, digits, _)."""
    text = unicodedata.normalize("NFKC", text)
    kept = "".join(c for c in text if ("a" + c).isidentifier()).lstrip("_")
    if kept and not kept[0].isidentifier():
        kept = "项" + kept  # 5G基站 → 项5G基站: a key part may not start with a digit or _
    if keyword.iskeyword(kept) or kept in _JINJA_WORDS:
        kept += "_"
    return kept


def unique(name: str, taken: dict[str, int]) -> str:
    """Return `name`, or `name` with the first free number 2, 3, … after it; record it in `taken`.

    `taken` maps each name given out to the last number tried after it, so that a thousand
    blanks of the same name cost a thousand steps, not a million.
    """
    if name not in taken:
        taken[name] = 1
        return name
    number = taken[name]
    while True:
        number += 1
        candidate = f"{name}{number}"
        if candidate not in taken:
            taken[name] = number
            taken[candidate] = 1
            return candidate
