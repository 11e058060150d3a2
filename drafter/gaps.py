"""Report text → gaps: places where words were cut out and nothing marks them. Pure.

A redacted report often loses a phrase without a trace: 坚持以为指导 (以……为指导 with the
ideology removed), 是召开之年, 纠治“”. Each rule below finds one such shape; the cut is the
empty position between the words that stayed. A rule that is not `sure` finds words that may also
stand as written (深入学习，), for the clerk to check.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from . import chinese
from .placeholders import LineMarks, context_of

# What stands before a unit when a figure is there: digits, blanks, numerals, a masked variable (□),
# and words a unit may follow without one: 每万元, 平方公里, 突破亿元, 千万元.
_FIGURE_BEFORE = r"0-9０-９xXｘＸ×*＊○〇零一二三四五六七八九十百千万亿两几多余数每上超过逾近破方□.．%％\s"
# …and a unit named as such: 投资（万元）, 单位：万元, 金额/万元, a table cell (| 万元 |).
_FIGURE_BEFORE += r"（(：:/|【\[、"
# Verbs that take a count: 辖x个村, 新建x个, 设立x个 (个人、个体、个别 are words of their own).
_COUNT_VERBS = ("辖|下辖|现有|拥有|共有|有|新建|建成|建设|引进|签约|共|计|累计|新增|培育|打造|实施|设立|设置|"
                "组建|成立|创建|举办|开展|召开|举行|帮扶|慰问|培训|接待|受理|办理|化解|排查|整改|覆盖|惠及|"
                "涉及|包括|其中|达到|达|完成|安置|吸纳|带动|走访|解决|安装|改造|修建|新修|铺设|评选出|表彰")
DATE_CUT = "定于……召开"
_COUNTED = r"(?:个(?![人体别性案税数子])|户(?![籍口外主型均内政])|座(?![谈位次]))"


class Rule(NamedTuple):
    """One shape of a cut: the pattern and the variable it suggests.

    The pattern's groups `before` and `after` are the words that stayed; the cut lies between them.
    """

    pattern: re.Pattern[str]
    shape: str        # how the cut shows, for the clerk: 以……为指导
    name: str         # the variable name it suggests
    label: str
    shared: bool      # every cut of the same exact words is the same phrase: one variable fills them
    sure: bool = True  # False when the words may well stand without a cut (深入学习，): check by hand
    figure: bool = False  # a figure was cut, not words: the unit after it tells its kind
    each: str = ""        # units in `after` that lost a figure of their own too: 户人 is x户x人


RULES = (
    Rule(re.compile(r"(?P<before>以)(?P<after>为(?:指导|统领|引领|遵循))"), "以……为指导", "指导思想",
         "指导思想", True),
    # 贯彻 always takes an object; 全面贯彻、坚决落实 share the one after 落实, so 、 is no cut.
    Rule(re.compile(r"(?P<before>深入贯彻|认真贯彻|全面贯彻|学习贯彻)(?P<after>[,，;；。])"), "深入贯彻……",
         "贯彻内容", "贯彻的内容", True),
    # 学习 may stand alone (组织干部认真学习，提高能力); only 深入学习， at a clause end is suspect.
    Rule(re.compile(r"(?P<before>深入学习)(?P<after>[,，;；。])"), "深入学习……", "学习内容",
         "学习的内容", False, sure=False),
    Rule(re.compile(r"(?P<before>是|在)(?P<after>(?:科学|正确)(?:指引|指导)(?:的结果|下))"),
         "是……科学指引的结果", "指引思想", "指引的思想", True),
    Rule(re.compile(r"(?P<before>是)(?P<after>(?:召开|举办|举行)之年)"), "……召开之年", "重要会议",
         "当年召开的重要会议", True),
    Rule(re.compile(r"(?P<before>在)(?P<after>的(?:坚强|正确)?领导下)"), "在……的领导下", "领导机关",
         "领导机关", True),
    # 落细落实、抓严抓实各项措施 can share an object as well: the cut is likely, not certain.
    Rule(re.compile(r"(?P<before>落细落实|抓细抓实)(?P<after>、)"), "落细落实……、", "落实对象",
         "落细落实的第一项", False, sure=False),
    Rule(re.compile(r"(?P<before>[“‘「])(?P<after>[”’」])"), "“”（空引号）", "引号内容",
         "引号中的词语", False),
    Rule(re.compile(r"(?P<before>《)(?P<after>》)"), "《》（空书名号）", "书名", "书名号中的名称", False),
    Rule(re.compile(r"(?P<before>[（(【])(?P<after>[）)】])"), "（）（空括号）", "括号内容",
         "括号中的内容", False),
    # A figure cut out before its measure word or unit: 辖个社区，个居民小组；距市区公里；增长%.
    Rule(re.compile(rf"(?P<before>(?:{_COUNT_VERBS})|[，,、；;：:])(?P<after>{_COUNTED})"), "辖……个", "数量",
         "数量", False, figure=True),
    Rule(re.compile(rf"(?P<before>[^{_FIGURE_BEFORE}])(?P<after>(?:平方公里|公里|千米|平方米|立方米|万美元|"
                    r"万元|亿元|万千瓦|千瓦时|公顷|个百分点|万人次)"
                    r"(?!级|以上|以下|大关|项目|企业|产业|工程|园区|户|GDP|地区|工业|农业|生产|增加值|产值|投资|固定|能耗))"),
         "……公里", "数量", "数量", False, figure=True),
    Rule(re.compile(rf"(?P<before>[^{_FIGURE_BEFORE}])(?P<after>[%％](?![0-9A-Fa-f]{{2}}))"), "增长……%",
         "比率", "比率", False, figure=True),
    # 低保户x户x人 with both figures cut: 低保户户人，.
    Rule(re.compile(r"(?P<before>户)(?P<after>户人(?:次)?(?=[，,。；;、）)]))"), "……户……人", "数量", "数量",
         False, figure=True, each="人"),
    # 第x届, 第x次 with the figure cut: 第届, 第次.
    Rule(re.compile(r"(?P<before>第)(?P<after>[届次批期轮])"), "第……届", "第几", "第几", False, figure=True),
    # A date cut before its verb: 会议定于召开；于月日前.
    Rule(re.compile(r"(?P<before>定于|将于|拟于|已于|计划于|预计于|预定于|初定于)"
                    r"(?P<after>召开|举行|举办|开幕|闭幕|启动|开工|竣工|开始|结束|完成|投产|通车|开通|揭牌)"),
         DATE_CUT, "日期", "日期", False, figure=True),
    Rule(re.compile(r"(?P<before>[于在至到自从])(?P<after>年?月日)"), "于……月……日", "日期", "日期", False,
         figure=True, each="月日"),
)


class Gap(NamedTuple):
    """A place in a report where words are missing, with the rule that found it."""

    offset: int       # the position of the cut in the report text
    line: int         # 1-based line (paragraph) number
    column: int       # 1-based character in the line
    context: str      # its sentence (or the clauses nearest it), the cut shown as 【】
    rule: Rule
    words: str = ""   # the words around the cut as written: 以……为统领, 深入学习……，

    @property
    def shape(self) -> str:
        """Return how the cut shows for the clerk: the words around it, else the rule's shape."""
        return self.words or self.rule.shape

    @property
    def label(self) -> str:
        """Return the label of the variable that fills the cut: what it is, then its exact words."""
        return f"{self.rule.label}（{self.shape}）"


def find_gaps(text: str, reading: str | None = None) -> tuple[Gap, ...]:
    """Return every unmarked cut in `text`, in order; `reading` is its Simplified reading, if known."""
    gaps: list[Gap] = []
    offset = 0
    reading = chinese.to_simplified(text) if reading is None else reading
    for number, (line, read) in enumerate(zip(text.split("\n"), reading.split("\n"), strict=True), start=1):
        found: dict[int, tuple[Rule, str]] = {}
        for rule in RULES:
            for match in rule.pattern.finditer(read):
                start, cut, end = match.start(), match.end("before"), match.end()
                words = f"{line[start:cut]}……{line[cut:end]}"
                for at in [cut] + [cut + i for i, c in enumerate(read[cut:end]) if i and c in rule.each]:
                    found.setdefault(at, (rule, words))
        marks = LineMarks(read) if found else None
        for column in sorted(found):
            rule, words = found[column]
            gaps.append(Gap(offset + column, number, column + 1, context_of(line, column, column, marks),
                            rule, words))
        offset += len(line) + 1
    return tuple(gaps)
