"""Real report texts rendered to PDF by the fixtures and read back: where
does the reader keep a line break the original does not have (a wrap left
in), and where does it lose one the original has (two paragraphs joined)?

Run as a script for the measure over every real text, on a narrow and a
wide page, with both of the fixtures' line breakings (fpdf2's, which breaks
only at spaces, and a browser's), in each font given (a name the `mplfonts`
extra ships, or a path):

    python tests/pdf_wraps.py [--every N] [--font SimHei.ttf --font /usr/share/fonts/…] [--show]
"""
from __future__ import annotations

import argparse
import difflib
import glob
import itertools
import os
import re
import sys
from collections import Counter
from dataclasses import dataclass, field

sys.path.insert(0, os.path.dirname(__file__))

import fixtures as fx  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REAL_TEXTS = ("corpus/sets/dev/raw/*.txt", "corpus/raw/*.txt")
WIDTHS = (120, 210)  # mm: a narrow page (about 24 characters a line) and A4 (about 45)
WRAPS = ("word", "cjk")  # the fixtures' two ways of breaking lines
_SENTENCE_END = set("。；：！？;:!?」』”")
_HEADING = re.compile(r"[一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|\d+[.．、](?!\d)")


@dataclass
class Breaks:
    """Line breaks of the read text against the original's, as positions in
    the text with all whitespace removed."""
    text: str  # the original, whitespace removed
    kept: list[int] = field(default_factory=list)  # breaks where the original has none
    lost: list[int] = field(default_factory=list)  # the original's paragraph breaks the reader joined
    spaces: set[int] = field(default_factory=set)  # where the original has whitespace (a space or a break)
    same_text: bool = True  # the read text has the original's characters

    def inside_sentence(self, pos: int) -> bool:
        return self.text[pos - 1] not in _SENTENCE_END

    def wrong(self) -> list[int]:
        """Breaks kept where the original runs on. A break where it has a
        space after a sentence's end, or a space before or after a heading
        or list item (`…工作总结 一、办理情况 县农业农村局…`), is a fair reading."""
        return [p for p in self.kept if p not in self.spaces or not self.fair_break(p)]

    def fair_break(self, p: int) -> bool:
        before = max((q for q in self.spaces if q < p), default=0)
        heading = _HEADING.match(self.text, before) and not set(self.text[before:p]) & _SENTENCE_END
        return not self.inside_sentence(p) or bool(_HEADING.match(self.text, p) or heading)

    def show(self, pos: int, mark: str) -> str:
        return self.text[max(0, pos - 12):pos] + mark + self.text[pos:pos + 12]


def _squash(parts: list[str]) -> tuple[str, set[int], set[int]]:
    """The text without whitespace, where its line breaks fall, and where
    other whitespace fell (a space is a place a line may wrap)."""
    out, breaks, spaces, n = [], set(), set(), 0
    for part in parts:
        if n and part.strip():
            breaks.add(n)
        for j, piece in enumerate(re.split(r"\s+", part.strip())):
            if j and piece:
                spaces.add(n)
            out.append(piece)
            n += len(piece)
    return "".join(out), breaks, spaces


def compare(paras: list[str], read_text: str) -> Breaks:
    orig, obreaks, ospaces = _squash(paras)
    got, rbreaks, _ = _squash(read_text.split("\n"))
    if got != orig:  # glyphs the font lacks, running lines dropped: align the two
        where = {}
        for a, b, size in difflib.SequenceMatcher(None, orig, got, autojunk=False).get_matching_blocks():
            where.update({b + k: a + k for k in range(size)})
        # a break falls right after the character before it (a dropped • opens the next line)
        rbreaks = {where[x - 1] + 1 for x in rbreaks if x - 1 in where}
    return Breaks(orig, sorted(rbreaks - obreaks), sorted(obreaks - rbreaks), ospaces | obreaks, got == orig)


def read_back(paras: list[str], font: str, width: float, wrap: str = "word") -> str:
    from pipeline.readers.pdf import read_pdf

    return read_pdf(fx.pdf_bytes(paras, font=font, width=width, wrap=wrap))[0]


def font_path(name: str) -> str:
    return name if os.sep in name else fx.extras_font(name)


def measure(files: list[str], fonts: list[str], widths=WIDTHS, wraps=WRAPS, show: bool = False) -> Counter:
    total: Counter = Counter()
    for path in files:
        with open(path, encoding="utf-8") as fh:
            paras = fx.paragraphs(fh.read())
        for font, width, wrap in itertools.product(fonts, widths, wraps):
            b = compare(paras, read_back(paras, font_path(font), width, wrap))
            key = f"{os.path.basename(font)} {width}mm {wrap}"
            _tally(total, key, b)
            if show:
                for p in b.kept:
                    print(f"kept\t{key}\t{os.path.basename(path)}\t{b.show(p, '⏎')}")
                for p in b.lost:
                    print(f"lost\t{key}\t{os.path.basename(path)}\t{b.show(p, '¶')}")
    return total


def _tally(total: Counter, key: str, b: Breaks) -> None:
    total[key, "renderings"] += 1
    total[key, "wraps kept"] += len(b.kept)
    total[key, "  at a space of the original"] += len(set(b.kept) & b.spaces)
    total[key, "  inside a sentence"] += sum(map(b.inside_sentence, b.kept))
    total[key, "  where the original runs on (wrong)"] += len(b.wrong())
    total[key, "  before a digit"] += sum(b.text[p].isdigit() for p in b.kept)
    total[key, "texts with a wrap kept"] += bool(b.kept)
    total[key, "texts with a wrap kept inside a sentence"] += any(map(b.inside_sentence, b.kept))
    total[key, "paragraph breaks lost"] += len(b.lost)
    total[key, "texts with a break lost"] += bool(b.lost)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--every", type=int, default=1, help="take every Nth text")
    ap.add_argument("--font", action="append", help="a font the mplfonts extra ships, or a path (repeatable)")
    ap.add_argument("--show", action="store_true", help="print each wrap kept and break lost")
    a = ap.parse_args(argv)
    files = [f for g in REAL_TEXTS for f in sorted(glob.glob(os.path.join(ROOT, g)))][::a.every]
    total = measure(files, a.font or ["SimHei.ttf"], show=a.show)
    print(f"{len(files)} texts")
    for (key, what), n in sorted(total.items()):
        print(f"{key}\t{what}\t{n}")


if __name__ == "__main__":
    main()
