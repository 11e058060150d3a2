"""Report text → gaps: places where words were cut out and nothing marks them. Pure.

A redacted report often loses a phrase without a trace: 坚持以为指导 (以……为指导 with the
ideology removed), 是召开之年, 纠治“”. Each rule below finds one such shape; the cut is the
empty position between the words that stayed.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .placeholders import LineMarks, context_of


class Rule(NamedTuple):
    """One shape of a cut: the pattern (an empty match at the cut) and the variable it suggests."""

    pattern: re.Pattern[str]
    shape: str        # how the cut shows, for the clerk: 以……为指导
    name: str         # the variable name it suggests
    label: str
    shared: bool      # every cut of this name is the same phrase, so one variable fills them all


RULES = (
    Rule(re.compile(r"(?<=以)(?=为(?:指导|统领|引领|遵循))"), "以……为指导", "指导思想",
         "指导思想（以……为指导）", True),
    Rule(re.compile(r"(?<=深入学习|认真学习|学习贯彻|深入贯彻|认真贯彻|全面贯彻)(?=[,，;；。、])"),
         "深入学习……", "指导思想", "指导思想（以……为指导）", True),
    Rule(re.compile(r"(?<=是|在)(?=(?:科学|正确)(?:指引|指导)(?:的结果|下))"), "是……科学指引的结果",
         "指导思想", "指导思想（以……为指导）", True),
    Rule(re.compile(r"(?<=是)(?=(?:召开|举办|举行)之年)"), "……召开之年", "重要会议",
         "当年召开的重要会议（……召开之年）", True),
    Rule(re.compile(r"(?<=在)(?=的(?:坚强|正确)?领导下)"), "在……的领导下", "领导机关",
         "领导机关（在……的领导下）", True),
    Rule(re.compile(r"(?<=落细落实|抓细抓实)(?=、)"), "落细落实……、", "落实对象",
         "落细落实的第一项", False),
    Rule(re.compile(r"(?<=“)(?=”)|(?<=‘)(?=’)|(?<=「)(?=」)"), "“”（空引号）", "引号内容",
         "引号中的词语", False),
    Rule(re.compile(r"(?<=《)(?=》)"), "《》（空书名号）", "书名", "书名号中的名称", False),
    Rule(re.compile(r"(?<=（)(?=）)|(?<=\()(?=\))|(?<=【)(?=】)"), "（）（空括号）", "括号内容",
         "括号中的内容", False),
)


class Gap(NamedTuple):
    """A place in a report where words are missing, with the rule that found it."""

    offset: int       # the position of the cut in the report text
    line: int         # 1-based line (paragraph) number
    column: int       # 1-based character in the line
    context: str      # its sentence (or the clauses nearest it), the cut shown as 【】
    rule: Rule


def find_gaps(text: str) -> tuple[Gap, ...]:
    """Return every unmarked cut in `text`, in order."""
    gaps: list[Gap] = []
    offset = 0
    for number, line in enumerate(text.split("\n"), start=1):
        found = {match.start(): rule for rule in RULES for match in rule.pattern.finditer(line)}
        marks = LineMarks(line) if found else None
        for column in sorted(found):
            gaps.append(Gap(offset + column, number, column + 1, context_of(line, column, column, marks),
                            found[column]))
        offset += len(line) + 1
    return tuple(gaps)
