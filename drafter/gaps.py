"""Report text → gaps: places where words were cut out and nothing marks them. Pure.

A redacted report often loses a phrase without a trace: 坚持以为指导 (以……为指导 with the
ideology removed), 是召开之年, 纠治“”. Each rule below finds one such shape; the cut is the
empty position between the words that stayed. A rule that is not `sure` finds words that may also
stand as written (深入学习，), for the clerk to check.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .placeholders import LineMarks, context_of


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


def find_gaps(text: str) -> tuple[Gap, ...]:
    """Return every unmarked cut in `text`, in order."""
    gaps: list[Gap] = []
    offset = 0
    for number, line in enumerate(text.split("\n"), start=1):
        found: dict[int, tuple[Rule, str]] = {}
        for rule in RULES:
            for match in rule.pattern.finditer(line):
                found.setdefault(match.end("before"),
                                 (rule, f"{match.group('before')}……{match.group('after')}"))
        marks = LineMarks(line) if found else None
        for column in sorted(found):
            rule, words = found[column]
            gaps.append(Gap(offset + column, number, column + 1, context_of(line, column, column, marks),
                            rule, words))
        offset += len(line) + 1
    return tuple(gaps)
