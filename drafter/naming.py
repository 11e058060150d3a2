"""Short Chinese names for blanks and for the report's sections, made valid keys. Pure.

Chinese has no spaces, so names are cut at the words reports use around figures: verbs and
adverbs that start a clause (完成、累计、力争全年), linking words that end it (为、达、均达), and
the markers 了、等、的 after which the noun comes.
"""

from __future__ import annotations

import keyword
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from . import chinese
from .placeholders import UNIT_KIND, Placeholder, blank_spans, mask_blanks

NAME_CHARS = 12
GROUP_CHARS = 8
# Single characters are few here: 自来水、到位资金、在建项目 must keep their first character.
_LEADING = re.compile("^(?:" + "|".join("""
    [一二三四五六七八九十]+是 其中 同时 并且 并 另外 此外 以及 累计 共计 合计 总计 全年 今年 全[镇县乡区市村]
    共有 现有 拥有 年末 年初 年底 力争 确保 争取 预计 计划 已经 已 正在 完成了 完成 实现了 实现 新建 新增
    开发 发放 投入 投资 帮助 帮扶 惠及 打造 接待 受理 达到 于 将 为 和 与 及""".split()) + ")+")
_TRAILING = re.compile("(?:" + "|".join("""
    控制在 保持在 稳定在 由上年 比上年 较上年 分别为 分别是 均达到 均达 达到 约为 共计 合计 累计 通过
    超过 突破 为 达 是 有 约 共 超 逾 近 了 的""".split()) + ")+$")
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
_UNITS_LONGEST_FIRST = sorted(UNIT_KIND, key=len, reverse=True)
_UNIT_NAMES = {"amount": "金额", "percent": "比率", "quantity": "数量", "count": "数量"}
_JINJA_WORDS = {"true", "false", "none", "True", "False", "None", "and", "or", "not", "in", "is",
                "if", "else", "loop", "self"}


@dataclass(frozen=True)
class Sections:
    """The report's numbered sections: the section of every line, and each section's group."""

    of_line: tuple[int, ...]     # section index of each line; 0 is the text before any heading
    groups: tuple[str, ...]      # the group name of each section, unique
    labels: tuple[str, ...]      # the heading of each section, for the schema's group labels


def find_sections(lines: list[str], *, start_group: str = "总体", reading: list[str] | None = None,
                  script: Callable[[str], str] | None = None) -> Sections:
    """Return the sections of a report given as `lines`, by its 一、 headings (else its （一） ones).

    `reading` is the lines read as Simplified, which group names are made from (今年以來工作回顧 →
    工作回顧), then written by `script` (chinese.to_traditional for a Traditional report).
    """
    reading = reading or lines
    pattern = _H1 if any(_H1.match(line) for line in reading) else _H2
    of_line, groups, labels = [], [start_group], ["报告开头（第一个标题之前）"]
    taken = {start_group: 1}
    for line, read in zip(lines, reading, strict=True):
        match = pattern.match(read)
        if match:
            name = _group_name(match.group(1), match.group(2))
            groups.append(unique(identifier(script(name)) or name if script else name, taken))
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
    (接待来访人数x批x人次 → 接待来访人数, 来访人数人次). The stem is "" when the words do not say
    by themselves what the figure is (增长x%: of what?); such a blank never shares a variable.
    """
    raw = _MARKS.sub("", ph.before)
    stem = _stem(raw)
    if len(stem) < 2:
        stem = ""  # one character (分x批) names nothing and must not merge blanks
    # The clause's own words explain a figure best; a bare verb (完成x位) explains nothing.
    label = _LEADING_ORDINAL.sub("", raw).strip() if stem else ""
    if ph.kind in _TIME_SUFFIX:
        # A month or a day names the event it dates (x月底开工 → 开工月份); a year, its clause.
        event = _after_head(ph.after.lstrip("底初末中旬以来前后"))
        place = ""
        if ph.after[:1] in ("在", "于"):
            # 在××镇第x届人民代表大会第x次会议上 → 会议: the last noun says where the date is.
            nouns = [w.text for w in chinese.words(_MARKS.sub("", ph.after)) if w.tag == "n"]
            place = nouns[-1] if nouns else ""
        if ph.kind == "year":  # 20XX年工作总结 → 工作总结年份: what a year dates comes after it
            # A year heading a table's column takes the row's first words: | 指标 | 2023年 | 20XX年 |.
            event = place or _wordy(_stem(_MARKS.sub("", ph.after))) or stem or _subject(ph.lead, cell=False)
            stem = ""
        else:
            event = event or place or stem
        suffix = _RANGE_TIME.get(ph.part, "") + _TIME_SUFFIX[ph.kind]
        name = identifier(fit(event, NAME_CHARS - len(suffix))) + suffix
        return name, name, ""  # dates of different events are different facts
    if raw.endswith("第"):
        name = identifier(fit(_stem(raw[:-1]), 6) + "第几" + ph.unit)
        return name, name, ""
    counted = _after_head(ph.after) if ph.unit in CLASSIFIERS or ph.after.startswith("的") else ""
    limit = NAME_CHARS
    if stem and _relative(stem):
        limit = RELATIVE_CHARS
        # 同比增长x%: the figure it grows from names it (产值xx万元，同比增长x% → 产值同比增长).
        subject = _subject(ph.lead)
        stem = subject + stem if subject else ""
        name = fit(stem, RELATIVE_CHARS) or fit(_LEADING.sub("", raw), NAME_CHARS) or raw
    elif counted and (ph.chained or not stem or _ends_with_verb(stem)
                      or ph.after.startswith("的") and len(chinese.words(stem)) == 1):
        # 设立x个服务站xx个服务点, 打造x个新农村: after a measure word come the things counted.
        name = counted
        stem = stem and fit(stem + counted, NAME_CHARS)
    elif stem:
        name = stem
    elif ph.chained and previous:
        name = previous + (ph.unit if ph.unit not in previous else "")
    else:
        subject = _subject(ph.lead)
        verb = _wordy(_TRAILING.sub("", _LEADING_ORDINAL.sub("", raw).strip())) if len(raw) <= 4 else ""
        name = counted or (subject + (verb or _UNIT_NAMES.get(ph.kind, "数值")) if subject else "") \
            or verb or (ph.unit + "数" if ph.kind == "count" and ph.unit else "") \
            or _UNIT_NAMES.get(ph.kind, "数值")
    if ph.part.startswith("ratio"):
        term = f"第{ph.part.removeprefix('ratio')}项"
        if ph.part != "ratio1" and previous:
            name = previous.rsplit("第", 1)[0]  # x:x:x, one ratio: 产业结构第1项, 产业结构第2项
        limit = RELATIVE_CHARS
        name = fit(name if name not in _UNIT_NAMES.values() else "比例", limit - len(term)) + term
        label = (label or name.removesuffix(term)) + f"（比例的{term}）"
        stem = ""
    elif ph.part:
        bound = _RANGE_NUMBER[ph.part]
        name = fit(name, NAME_CHARS - len(bound)) + bound
        label = (label or name.removesuffix(bound)) + f"（范围的{bound}）"
    name = identifier(fit(name, limit)) or "数值"
    return name, label or name, stem


def plain_name(ph: Placeholder) -> tuple[str, str, str]:
    """Return the name, the label and the merging stem ("": never merged) of a name blank."""
    unit = ph.unit
    person = person_name(ph)
    if person:
        return person
    if unit in PLACE_UNITS:
        after = _MARKS.sub("", ph.after)
        rest = _PLACE_VERBS.sub("", after)
        head = _after_head(rest) if rest != after else ""
        name = (fit(head, 6) + unit) if head else unit + "名"
        label = f"{unit}名（不含“{unit}”字）"
        if ph.kind == "list":
            label = f"{unit}名，可填多个（不含“{unit}”字）"
    elif unit:
        name, label = unit + "名称", f"{unit}名称（不含“{unit}”）"
    else:
        # 打响x粮油品牌 → 粮油品牌名称; XX大桥建成通车 → 大桥名称: the nouns after a name say what it names.
        head = _leading_nouns(ph.after) or _after_head(ph.after) or _stem(_MARKS.sub("", ph.before))
        name = fit(head, NAME_CHARS - 2) + "名称" if head else "名称"
        label = "名称（见原句）"
    return identifier(name) or "名称", label, ""


# Common single-character surnames: 张x、李xx are people.
SURNAMES = frozenset("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
                     "魏苏吕丁任沈姚卢姜崔钟谭陆汪范廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛"
                     "郝顾龚邵万覃武钱戴严欧莫孔向常汤康易乔赖文施洪辛柯庄牛")
_ROLE_END = re.compile(r"(?:书记|主任|镇长|乡长|县长|区长|市长|村长|局长|委员|主席|组长|站长|所长|校长|院长|"
                       r"代表|报告人|主持人|负责人|联系人|发言人|讲话人|汇报人|同志)[：:]?$")
_ROLE_AFTER = re.compile(r"^(?:同志)?(?:任|担任|当选为|当选|被评为|被授予|荣获|获评|获得|为)")


def person_name(ph: Placeholder) -> tuple[str, str, str] | None:
    """Return the name, label and stem of a blank holding a person's name (镇长张x, 张x同志), or None."""
    if ph.kind != "name" or ph.unit not in ("", "同志"):
        return None
    before = _MARKS.sub("", ph.before).rstrip("：:")
    role = _role(before, ph.after, ph.lead)
    surname = before[-1:] if before[-1:] in SURNAMES and len(ph.token) <= 2 else ""
    if surname and (len(before) == 1 or _ROLE_END.search(before[:-1]) or before[-2] in "、和与及"):
        role = _role(before[:-1], ph.after, "" if len(before) > 1 else ph.lead)
        name = fit(role, NAME_CHARS - 2) + surname + "某"
        return identifier(name), f"{role}{surname}某的名字（不含姓“{surname}”）", ""
    if ph.unit == "同志" or _ROLE_END.search((ph.lead + ph.before).rstrip()):
        role = role or "人员"
        return identifier(fit(role, NAME_CHARS - 2) + "姓名"), f"{role}的姓名", ""
    return None


def _role(before: str, after: str, lead: str = "") -> str:
    """Return the post of the person named next: 镇长张x → 镇长; 张x任东湖社区书记 → 东湖社区书记."""
    match = _ROLE_END.search(before)
    if match:
        return fit(before.rstrip("：:").removesuffix("同志"), 8)
    if not before and lead and _ROLE_END.search(lead):
        return fit(_SPLIT_LEAD.split(lead.rstrip("：: "))[-1], 8)  # 报告人：×××
    after = _MARKS.sub("", after)
    role = _ROLE_AFTER.match(after)
    return fit(_after_head(after[role.end():]), 8) if role else ""


def text_name(name: str) -> str:
    """Return `name` as a valid key part."""
    return identifier(name) or "文字"


# Nouns too general to name a figure without the verb before them: 投资规模, not 规模.
_GENERAL_HEADS = frozenset(("规模", "总额", "金额", "总量", "面积", "人数", "比例", "总数", "数量", "数",
                            "额", "产值", "收入", "总计", "合计"))
_NOUN_TAGS = ("n", "vn", "an", "nz", "ng", "nr", "ns", "nt", "l", "i")
# Words that may not start a name: 以上工业总产值 → 工业总产值.
_WEAK_TAGS = ("u", "p", "c", "f", "x", "uj", "ul", "e", "y", "o", "zg")
_CHANGE_WORDS = frozenset(("增长", "下降", "提高", "降低", "增加", "减少", "调整", "上升", "回落", "增幅",
                           "降幅", "扩大", "缩小", "变化", "增速", "提升"))
_SUBJECT_END = _CHANGE_WORDS | {"同比", "比", "较", "与", "和"}
RELATIVE_CHARS = 16  # 农村居民人均可支配收入同比增长: a subject and its change need more room
_SPLIT_LEAD = re.compile(r"[，,、；;：:（）()\[\]【】“”\"'‘’《》|｜\s]+|[xXｘＸ×*＊○〇0-9０-９.．,%％]+")


def fit(name: str, limit: int) -> str:
    """Return `name` cut to at most `limit` characters at word boundaries, its last words kept.

    Leading function words are dropped (以上工业总产值 → 工业总产值); a single word longer than
    `limit` is kept whole rather than cut.
    """
    if not name:
        return name
    words = chinese.words(name)
    while len(words) > 1 and (sum(len(w.text) for w in words) > limit or words[0].tag in _WEAK_TAGS):
        words = words[1:]
    return "".join(w.text for w in words)


def _relative(stem: str) -> bool:
    """Return True for words that say how a figure changed but not of what: 同比增长, 比上年提高."""
    words = chinese.words(stem)
    return bool(words) and words[-1].text in _CHANGE_WORDS and not any(
        w.tag.startswith(_NOUN_TAGS) for w in words[:-1])


def _ends_with_verb(stem: str) -> bool:
    words = chinese.words(stem)
    return bool(words) and words[-1].tag in ("v", "vd", "vi", "vg") and len(words[-1].text) <= 2


def _subject(lead: str, *, cell: bool = True) -> str:
    """Return the noun phrase a figure of `lead`, the sentence before a blank, is about.

    In a table row (| 签约x个 | 完成x万元 |) only the blank's own cell counts, unless `cell` is False.
    """
    segments = [seg for seg in _SPLIT_LEAD.split(lead.rsplit("|", 1)[-1] if cell else lead) if seg]
    for segment in reversed(segments[-4:]):
        for unit in _UNITS_LONGEST_FIRST:
            if segment.startswith(unit):
                segment = segment[len(unit):]
                break
        # 居民人均可支配收入增长与经济增长同步: the subject is what stands before its change.
        stem = _stem(_before_change(segment))
        if len(stem) >= 2 and not _relative(stem) and not _LEADING.fullmatch(stem) and \
                not all(w.tag in ("m", "q", "t", "r") for w in chinese.words(stem)):
            return stem
    return ""


def _stem(words: str) -> str:
    """Return the noun phrase of the words before a blank: 确保全年完成招商签约任务 → 招商签约任务.

    Verbs and adverbs are taken off whole words only (新签约 is not 签约), and a general noun keeps
    the verb before it (投资规模).
    """
    for marker in ("了", "等"):
        if marker in words:
            words = words.rsplit(marker, 1)[1]
    if "的" in words.rstrip("的"):  # 督办的信访件 → 信访件; 占全县的 keeps its words
        words = words.rsplit("的", 1)[1]
    if not words:
        return words
    starts = chinese.word_starts(words)
    previous = None
    first, last = 0, len(words)
    while previous != (first, last):
        previous = (first, last)
        lead = _LEADING.match(words[first:last])
        if lead and lead.end():
            cuts = sorted((c for c in starts if first < c <= first + lead.end()), reverse=True)
            first = next((c for c in cuts if c < last and words[c:last] not in _GENERAL_HEADS
                          or c == last and _only_verbs(words[first:last])), first)
        trail = _TRAILING.search(words[first:last])
        if trail and first + trail.start() < last:
            last = max(min(c for c in starts if c >= first + trail.start()), first)
    return words[first:last]


def _wordy(words: str) -> str:
    """Return `words` if they hold a Chinese character, else "" (a lone | or digit names nothing)."""
    return words if any("\u4e00" <= c <= "\u9fff" for c in words) else ""


def _before_change(words: str) -> str:
    """Return the words before the first word of change or comparison: 收入增长与… → 收入 (whole words:
    第一产业增加值 keeps its 增加)."""
    kept = []
    for word in chinese.words(words):
        if word.text in _SUBJECT_END and kept:
            break
        kept.append(word.text)
    return "".join(kept)


def _leading_nouns(words: str) -> str:
    """Return the nouns `words` start with: 大桥建成通车 → 大桥."""
    nouns = []
    for word in chinese.words(_MARKS.sub("", words)):
        if not word.tag.startswith(("n", "vn", "j")) or word.tag in ("nr", "ns") and nouns:
            break
        nouns.append(word.text)
    return fit("".join(nouns), NAME_CHARS - 2)


def _only_verbs(words: str) -> bool:
    """Return True when `words` hold no noun (新增, 完成了), so that taking them off leaves nothing lost."""
    return not any(w.tag.startswith(_NOUN_TAGS) for w in chinese.words(words))


def _after_head(words: str) -> str:
    """Return the head of the words after a blank: 衔接资金项目高质量推进 → 衔接资金项目."""
    words = _AFTER_LEADING.sub("", _MARKS.sub("", words).lstrip("的之"))
    if not words:
        return words
    starts = chinese.word_starts(words)
    match = _AFTER_STOP.search(words)
    end = len(words)
    if match:
        end = min((s for s in starts if s >= match.start()), default=len(words))
    # Whole words only, at most NAME_CHARS: 新签约, not 新签.
    while end > NAME_CHARS:
        end = max(s for s in starts if s < end)
    return words[:end]


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
