"""Chinese text reading: words with parts of speech (jieba) and Traditional ↔ Simplified (OpenCC).

The only module importing `jieba` and `opencc`. Both are imported on first use, so that the
commands that never read a report (`vars`, `check`, `render`, `init`) do not pay for them: jieba
takes about a second to load its dictionary. Every function is deterministic: the same text gives
the same words on every run, whatever the hash seed.
"""

from __future__ import annotations

import logging
import re
import warnings
from functools import lru_cache
from typing import Any, NamedTuple

# Traditional text is read as Simplified only when it is more than a stray character or two.
TRADITIONAL_SHARE = 0.02
TRADITIONAL_MIN = 3
_HAN = re.compile("[\u4e00-\u9fff]")


class Word(NamedTuple):
    """One word of a segmented text and its jieba part-of-speech tag (n noun, v verb, m numeral …)."""

    text: str
    tag: str


@lru_cache(maxsize=1)
def _converters() -> tuple[Any, Any]:
    import opencc

    return opencc.OpenCC("t2s"), opencc.OpenCC("s2t")


@lru_cache(maxsize=1)
def _posseg() -> Any:
    with warnings.catch_warnings():
        # jieba 0.42 imports pkg_resources, which newer setuptools marks as deprecated.
        warnings.simplefilter("ignore")
        import jieba
        import jieba.posseg

    jieba.setLogLevel(logging.WARNING)  # not "Building prefix dict…" on every run
    jieba.initialize()
    return jieba.posseg


def to_simplified(text: str) -> str:
    """Return `text` in Simplified characters, exactly as long as `text`, position for position.

    OpenCC converts phrase by phrase; where a phrase would change the length, each character is
    converted on its own, so that an offset in the result is the same offset in `text`.
    """
    if text.isascii():
        return text
    t2s = _converters()[0]
    lines = text.split("\n")
    out = []
    for line in lines:
        converted = t2s.convert(line)
        if len(converted) != len(line):
            converted = "".join(c if len(s := t2s.convert(c)) != 1 else s for c in line)
        out.append(converted)
    return "\n".join(out)


def to_traditional(text: str) -> str:
    """Return Simplified `text` in Traditional characters (for names shown in a Traditional report)."""
    return _converters()[1].convert(text) if not text.isascii() else text


def is_traditional(text: str, simplified: str | None = None) -> bool:
    """Return True when `text` is written in Traditional characters, not just quoting one or two.

    `simplified` is `to_simplified(text)`, when the caller has it already.
    """
    simplified = to_simplified(text) if simplified is None else simplified
    if simplified == text:
        return False
    changed = sum(map(str.__ne__, text, simplified))
    han = len(_HAN.findall(text))
    return changed >= TRADITIONAL_MIN and changed >= TRADITIONAL_SHARE * han


@lru_cache(maxsize=65536)
def words(text: str) -> tuple[Word, ...]:
    """Return the words of Simplified `text`, with their part-of-speech tags."""
    if not text:
        return ()
    return tuple(Word(w.word, w.flag) for w in _posseg().cut(text))


def word_starts(text: str) -> frozenset[int]:
    """Return the offsets in `text` where a word starts (0 and len(text) included)."""
    starts, position = {0, len(text)}, 0
    for word in words(text):
        position += len(word.text)
        starts.add(position)
    return frozenset(starts)
