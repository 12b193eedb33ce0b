"""Nynorsk spellings of query words in bokmål, so a researcher writing nynorsk finds metadata
written in bokmål, as most of the catalogue's is ("sjukdom" finds "sykdom", "hjartesjukdom"
finds "hjertesykdom", "røykjar dagleg" finds "røyker daglig").

The Snowball stemmer the index uses has one Norwegian stemmer, which takes off nynorsk endings
("-ar", "-ane") well enough; what it cannot do is spell a stem the other way: "sjuk" is not
"syk", "heim" not "hjem". The rules are in `nynorsk.txt` (an operator's copy at
`<home>/nynorsk.txt` is read instead once it exists; an edit works without a reindex: the rules
rewrite the query, not the index), one per line:

    fødd = født          the whole word
    *sjuk* = *syk*       anywhere in a word: the parts of compounds ("sjukehus", "sukkersjuke")
    *leg = *lig          at the end of a word ("dagleg", "alvorleg")

applied in the file's order (so "*heime*" can come before "*heim*"). The bokmål spelling is an
alternative of the word as typed (`catalog.search.analysis.Synonyms.plan`), never a replacement:
a word that only looks like nynorsk ("Halden") still finds what it says.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from catalog.lru import remember

log = logging.getLogger(__name__)

NYNORSK_FILE = Path(__file__).resolve().parent / "nynorsk.txt"
MEMO_SIZE = 10_000


@dataclass(frozen=True)
class Rules:
    """The rules of a file: nynorsk -> bokmål for whole words, parts of words (in order) and endings."""

    whole: dict[str, str]
    anywhere: tuple[tuple[str, str], ...]
    endings: tuple[tuple[str, str], ...]


class Bokmal:
    """`spell(word)`: the word in bokmål by the rules of `lines` (reread when they change)."""

    def __init__(self, lines: Callable[[], list[str]], source: str = str(NYNORSK_FILE)):
        self.lines = lines
        self.source = source
        self._parsed: tuple[list[str], Rules] | None = None
        self._spelt: dict[str, str] = {}  # word -> its spelling by the rules parsed last

    def rules(self) -> Rules:
        lines = self.lines()
        if self._parsed is None or self._parsed[0] is not lines:
            self._parsed = (lines, parse(lines, self.source))
            self._spelt = {}
        return self._parsed[1]

    def spell(self, word: str) -> str:
        """`word` lowercased, as bokmål spells it (itself when no rule applies)."""
        return self.spelt([word])[0]

    def spelt(self, words: list[str]) -> list[str]:
        """`spell` of each word, the rules looked up once (a look at whether their file changed).
        Remembered: every search spells its words, and most searches' words were searched before."""
        rules, memo = self.rules(), self._spelt
        out = []
        for word in words:
            spelt = memo.get(word)
            if spelt is None:
                spelt = remember(memo, word, _spell(rules, word), MEMO_SIZE)
            out.append(spelt)
        return out


def _spell(rules: Rules, word: str) -> str:
    lower = word.lower()
    whole = rules.whole.get(lower)
    if whole is not None:
        return whole
    for nynorsk, bokmal in rules.anywhere:
        if nynorsk in lower:
            lower = lower.replace(nynorsk, bokmal)
    for nynorsk, bokmal in rules.endings:
        if lower.endswith(nynorsk) and len(lower) > len(nynorsk):
            return lower[: -len(nynorsk)] + bokmal
    return lower


def parse(lines: list[str], source: str = "nynorsk.txt") -> Rules:
    """The rules of `lines` (see the module); a line that is not one is skipped with a warning
    naming it, and the others apply."""
    whole: dict[str, str] = {}
    anywhere: list[tuple[str, str]] = []
    endings: list[tuple[str, str]] = []
    for number, line in enumerate(lines, 1):
        nynorsk, equals, bokmal = (part.strip().lower() for part in line.partition("="))
        starred = nynorsk.startswith("*"), nynorsk.endswith("*")
        if (
            not equals
            or not nynorsk.strip("*")
            or not bokmal.strip("*")
            or starred != (bokmal.startswith("*"), bokmal.endswith("*"))
        ):
            log.warning(
                "%s: entry %d (%r) is not 'nynorsk = bokmål' with the same stars; skipped", source, number, line
            )
            continue
        pair = nynorsk.strip("*"), bokmal.strip("*")
        if starred == (True, True):
            anywhere.append(pair)
        elif starred == (True, False):
            endings.append(pair)
        elif starred == (False, False):
            whole[pair[0]] = pair[1]
        else:
            log.warning("%s: entry %d (%r): a star only before is not a rule; skipped", source, number, line)
    return Rules(whole, tuple(anywhere), tuple(endings))
