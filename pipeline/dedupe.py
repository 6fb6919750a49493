"""The same report under another file: `documents.duplicate_of`.

A report is often collected more than once — its PDF and its web page, a
copy re-hosted by a news site, a Traditional-character mirror. Equal bytes
are caught when a file is read (an error row, stage `dedupe`); this module
finds copies whose bytes differ and marks each with the doc_id of the
first one, so that series and proposal links count the report once.

How two texts are compared (``prepare``, ``same_report``):

- Site chrome lines (the readers' chrome patterns, and the 来源/发布时间/
  浏览 lines that sites rewrite) are dropped; the rest is folded to NFKC,
  Simplified characters and lower case, and everything but letters and
  digits is dropped — so whitespace, punctuation width and line breaks
  do not count.
- Most of the shorter text must run, in order, through the longer one
  (rapidfuzz's LCS), and the two must be of about one length: an excerpt
  or a compilation that contains a report is not that report.
- The numbers must agree: every number of the text with fewer numbers,
  in order, in the other (numbers only one copy has, a date line one site
  adds, are allowed). A number that differs makes another report — next
  year's report written from this year's, or the same office's reply
  letter on another proposal — however alike the words.

Candidates are found without comparing all pairs: MinHash signatures of
character shingles, banded (LSH), so that only texts sharing a band are
compared. The signatures are kept in OUT/.dedupe.parquet; an ingest computes
them for its new documents only. A document in that file has been checked:
its mark stands (unless the document it points to left the dataset).

Which one is first: the one already in the dataset, else the earliest by
source path — independent of worker order, and a re-run changes nothing.
"""
from __future__ import annotations

import hashlib
import math
import os
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Iterable, Iterator

import numpy as np

CACHE = ".dedupe.parquet"
VERSION = "1"  # of prepare() and the signatures: another version recomputes them
SHINGLE = 5  # characters
BANDS, ROWS = 16, 4  # 64 hash functions; texts sharing ~70% of their shingles meet in a band almost surely
MIN_CONTAINED = 0.9  # of the shorter text, found in order in the longer
MIN_COVERED = 0.75  # of the longer text: a copy, not an excerpt or a compilation
MAX_UNMATCHED = 0.01  # numbers of one text the other lacks, per number (none below 100 numbers)
MAX_CANDIDATES = 50  # per document, those sharing the most bands: a template shared by thousands stays cheap

# Lines a site writes around a report and another site writes otherwise.
_INFO = re.compile(r"(发布|公开|成文|更新|印发)(时间|日期)|信息来源|来\s*源\s*[::]|(浏览|阅读|点击|访问)(次数|量|数)?\s*[::]"
                   r"|作\s*者\s*[::]|编\s*辑\s*[::]|索\s*引\s*号|公开目录|发布机构|字\s*号\s*[::]")
_INFO_MAX = 150
_CHROME_MAX = 100  # longer lines are never chrome (pipeline/resources/boilerplate.yaml max_len, with room)
# A metadata table laid out one cell a line: the label, then its value (索引号 / 741792287-2019-00130).
_LABEL = re.compile(r"^(索\s*引\s*号|主题分类|体裁分类|发文日期|发布日期|发布时间|成文日期|生成日期|发布机构|所属机构|"
                    r"文\s*号|来\s*源|信息来源|公开方式|公开时限|公开范围|主\s*题\s*词|有\s*效\s*性)\s*[::]?$")
_LABEL_VALUE_MAX = 40
# The time a page was put up (2017/12/22 10:19:16): each site has its own; a letter's date has no clock.
_STAMP = re.compile(r"^\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?\s+\d{1,2}:\d{2}(:\d{2})?$")
_NOT_WORD = re.compile(r"[\W_]+")
_SPACE = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+")


@dataclass
class Prepared:
    norm: str  # letters and digits only, Simplified, lower case
    numbers: list[str]


def prepare(text: str) -> Prepared:
    """The text as compared.

    >>> p = prepare("來源:人民網 發布時間:2022-11-30\\n今年共承辦建議24件,辦結率100%。")
    >>> p.norm, p.numbers
    ('今年共承办建议24件办结率100', ['24', '100'])
    """
    from .textmap import to_simplified

    lines, value_next = [], False
    for line in to_simplified(unicodedata.normalize("NFKC", text)).splitlines():
        s = line.strip()
        label, value_next = value_next, False
        if _LABEL.match(s):
            value_next = True
        elif not (label and len(s) <= _LABEL_VALUE_MAX) and not (len(s) <= _INFO_MAX and (
                _INFO.search(s) or _STAMP.match(s) or (len(s) <= _CHROME_MAX and is_chrome(s)))):
            lines.append(s)
    kept = "\n".join(lines).lower()
    # numbers as the text separates them (40%\n404 is two), not as the letters-only text runs them together
    return Prepared(_NOT_WORD.sub("", kept), _DIGITS.findall(_SPACE.sub("", kept)))


@lru_cache(maxsize=1 << 16)
def is_chrome(line: str) -> bool:
    """The readers' chrome test, remembered: a site's chrome lines come back on every page of it."""
    from .readers.chrome import is_chrome

    return is_chrome(line)


def unmatched(a: list[str], b: list[str]) -> int:
    """Numbers of the shorter sequence not found, in order, in the other
    (numbers only the longer one has do not count: a date line one site
    adds).

    >>> unmatched(["2021", "24", "44"], ["2021", "31", "44"]), unmatched(["2021", "24"], ["7", "2021", "24", "9"])
    (1, 0)
    """
    return min(len(a), len(b)) - _lcs().similarity(a, b)


def same_report(a: Prepared, b: Prepared) -> bool:
    """Whether two prepared texts are one report (module docstring). Called
    for every candidate pair: thousands of texts of one template are each
    compared with up to MAX_CANDIDATES others."""
    if not _may_be_same((len(a.norm), a.numbers), (len(b.norm), b.numbers)):
        return False
    short, long = sorted((len(a.norm), len(b.norm)))
    need = math.ceil(max(MIN_CONTAINED * short, MIN_COVERED * long))
    return _lcs().similarity(a.norm, b.norm, score_cutoff=need) >= need


def _may_be_same(a: tuple, b: tuple) -> bool:
    """The half of same_report that needs no text, on (length of the prepared
    text, its numbers): of about one length, and the numbers agree."""
    short, long = (a[0], b[0]) if a[0] <= b[0] else (b[0], a[0])
    if short == 0 or short < MIN_COVERED * long:
        return False
    allowed = int(MAX_UNMATCHED * min(len(a[1]), len(b[1])))
    if not allowed and len(a[1]) == len(b[1]):
        # none may be missing, and one as long as the other is in it in order
        # only if they are equal: a comparison in C, not a sequence alignment
        # (copies of one template, each with a number of its own, are most pairs)
        return tuple(a[1]) == tuple(b[1])
    return unmatched(a[1], b[1]) <= allowed


@lru_cache(maxsize=1)
def _lcs():
    """rapidfuzz's LCSseq, imported on the first comparison (a batch without
    candidates, a one-file ingest, never pays for it) and then at the cost
    of a cache look-up, not of an import statement per pair."""
    from rapidfuzz.distance import LCSseq

    return LCSseq


def _constants(tag: str) -> np.ndarray:
    # from SHA-256, not a random generator: the signatures are stored, and
    # must come out the same on every machine and numpy version
    return np.array([int.from_bytes(hashlib.sha256(f"{tag}{i}".encode()).digest()[:8], "little")
                     for i in range(BANDS * ROWS)], dtype=np.uint64)


_MUL = _constants("mul") | np.uint64(1)
_ADD = _constants("add")


def signature(norm: str) -> list[int]:
    """The band keys of a prepared text: MinHash over its character
    shingles, BANDS bands of ROWS values each, one int64 key per band."""
    if not norm:
        return []
    cps = np.frombuffer(norm.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n = max(1, len(cps) - SHINGLE + 1)
    shingles = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(min(SHINGLE, len(cps))):
            shingles = shingles * np.uint64(1_000_003) + cps[j:j + n]
        shingles = np.sort(shingles)  # unique, as np.unique gives them (which imports numpy.ma to check for a mask)
        shingles = shingles[np.concatenate(([True], shingles[1:] != shingles[:-1]))]
        mins = np.full(BANDS * ROWS, np.iinfo(np.uint64).max, dtype=np.uint64)
        for k in range(0, len(shingles), 1 << 15):  # bounded memory for long texts
            part = shingles[k:k + (1 << 15)]
            mins = np.minimum(mins, ((_MUL[:, None] * part[None, :] + _ADD[:, None]) >> np.uint64(32)).min(axis=1))
    keys = []
    for band in range(BANDS):
        digest = hashlib.blake2b(band.to_bytes(2, "little") + mins[band * ROWS:(band + 1) * ROWS].tobytes(),
                                 digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return keys


# --- the signatures kept in OUT ------------------------------------------------

def load_cache(out: str) -> tuple[dict[str, list[int]], bool]:
    """doc_id → band keys of the documents already checked, and whether the
    keys are of this VERSION (else they are recomputed; the marks stand)."""
    return load_signatures(os.path.join(out, CACHE))


def load_signatures(path: str) -> tuple[dict[str, list[int]], bool]:
    """doc_id → band keys kept in ``path`` (none if there is no such file),
    and whether they are of this VERSION."""
    import pyarrow.parquet as pq

    if not os.path.exists(path):
        return {}, True
    table = pq.ParquetFile(path).read(columns=["doc_id", "bands"])  # one file (read_table would import pyarrow.dataset)
    meta = table.schema.metadata or {}
    current = meta.get(b"jyta.dedupe_version") == VERSION.encode()
    return dict(zip(table.column("doc_id").to_pylist(), table.column("bands").to_pylist())), current


def save_cache(out: str, sigs: dict[str, list[int]]) -> None:
    save_signatures(os.path.join(out, CACHE), sigs)


def save_signatures(path: str, sigs: dict[str, list[int]], briefs: dict[str, tuple] | None = None) -> None:
    """``sigs`` into ``path``, atomically; with ``briefs`` (a worker's chunk),
    each document's length of prepared text and numbers beside its keys."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    fields = [("doc_id", pa.string()), ("bands", pa.list_(pa.int64()))]
    ids = sorted(sigs)
    cols = {"doc_id": ids, "bands": [sigs[i] for i in ids]}
    if briefs is not None:
        fields += [("length", pa.int64()), ("numbers", pa.list_(pa.string()))]
        cols |= {"length": [briefs[i][0] for i in ids], "numbers": [list(briefs[i][1]) for i in ids]}
    schema = pa.schema(fields, metadata={"jyta.dedupe_version": VERSION})
    tmp = path + ".tmp"
    pq.write_table(pa.table(cols, schema=schema), tmp)
    os.replace(tmp, path)


def load_briefs(path: str, pool: dict[str, str]) -> dict[str, tuple[int, tuple[str, ...]]]:
    """doc_id → (length of the prepared text, its numbers) a worker kept in
    ``path`` (none where it kept none, or for another VERSION); each number
    one string of ``pool`` (the same number, the same object)."""
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    meta = pf.schema_arrow.metadata or {}
    if meta.get(b"jyta.dedupe_version") != VERSION.encode() or "length" not in pf.schema_arrow.names:
        return {}
    table = pf.read(columns=["doc_id", "length", "numbers"])
    return {i: (n, tuple(pool.setdefault(x, x) for x in nums)) for i, n, nums in
            zip(table.column("doc_id").to_pylist(), table.column("length").to_pylist(),
                table.column("numbers").to_pylist())}


def signatures_of(rows: Iterable[dict], briefs: dict | None = None) -> dict[str, list[int]]:
    """The band keys of documents rows (doc_id, text): made by the worker
    that extracted them, so that the merge, in one process, does not
    prepare every new text for them; ``briefs``, where given, gets each
    document's (length of the prepared text, its numbers): what the merge
    compares first, so that it prepares no text for that either."""
    sigs = {}
    for r in rows:
        p = prepare(r["text"])
        sigs[r["doc_id"]] = signature(p.norm)
        if briefs is not None:
            briefs[r["doc_id"]] = (len(p.norm), p.numbers)
    return sigs


# --- deciding the marks --------------------------------------------------------

@dataclass
class Doc:
    doc_id: str
    source: str
    duplicate_of: str | None
    in_dataset: bool  # in OUT before this ingest


@dataclass
class Decisions:
    marks: dict[str, str | None]  # doc_id → duplicate_of, every document
    sigs: dict[str, list[int]]  # what OUT/.dedupe.parquet is to hold
    found: list[tuple[str, str]] = field(default_factory=list)  # (doc_id, duplicate_of) newly marked


def decide(docs: list[Doc], cache: dict[str, list[int]], cache_current: bool,
           texts: Callable[[set[str]], Iterator[tuple[str, str]]],
           fresh: dict[str, list[int]] | None = None, briefs: dict[str, tuple] | None = None) -> Decisions:
    """The marks of every document. ``docs``: the dataset as it will be;
    ``texts(ids)`` yields (doc_id, text) of those documents (read on demand:
    only new documents and candidates are ever read); ``fresh``: signatures
    of new documents made where they were extracted (the workers), so that
    their texts need not be read here for that; ``briefs``: their lengths and
    numbers (load_briefs), likewise."""
    by_id = {d.doc_id: d for d in docs}
    marks = {d.doc_id: d.duplicate_of for d in docs}
    # a mark pointing to a document that left the dataset is decided again
    open_ = {d.doc_id for d in docs if d.doc_id not in cache or (d.duplicate_of and d.duplicate_of not in by_id)}
    for i in open_:
        marks[i] = None
    sigs = {i: cache[i] for i in by_id if i in cache and cache_current}
    sigs.update((i, keys) for i, keys in (fresh or {}).items() if i in by_id and i not in sigs)
    for doc_id, text in texts(set(by_id) - set(sigs)):
        sigs[doc_id] = signature(prepare(text).norm)

    ranks = {i: (not d.in_dataset, d.source, i) for i, d in by_id.items()}  # looked up per candidate pair
    rank = ranks.__getitem__
    order = sorted(open_, key=rank)
    candidates = _worth_comparing(_candidates(order, sigs), texts, rank, briefs or {})
    for block, prepared in _prepared_blocks(order, candidates, texts):
        for x in block:
            ys = sorted(candidates.get(x, ()), key=lambda y: (rank(marks[y] or y), rank(y)))
            for y in ys:
                if same_report(prepared[x], prepared[y]):
                    marks[x] = marks[y] or y
                    break
    _to_roots(marks)
    found = [(x, marks[x]) for x in order if marks[x] and marks[x] != by_id[x].duplicate_of]
    return Decisions(marks, sigs, found)


BLOCK = 1000  # open documents compared per block: the prepared texts held are those of a block and its candidates


def _worth_comparing(candidates: dict[str, list[str]], texts, rank, briefs: dict[str, tuple]) -> dict[str, list[str]]:
    """Each document's candidates that pass the half of same_report that needs
    no text (lengths and numbers), in their order. Only for these are whole
    prepared texts held: documents of one template (thousands of reply
    letters, each number its own) would otherwise keep nearly every prepared
    text of the batch in memory until its last candidate. What is held here
    is a length and the numbers, from ``briefs`` (the workers') or from the
    texts, read a block at a time."""
    need = {i for x, ys in candidates.items() if ys for i in (x, *ys)}
    brief = {i: briefs[i] for i in need if i in briefs}
    pool: dict[str, str] = {}  # a number as written → one string for all its copies
    missing = sorted(need - brief.keys(), key=rank)
    for b in range(0, len(missing), BLOCK):
        for doc_id, text in texts(set(missing[b:b + BLOCK])):
            p = prepare(text)
            brief[doc_id] = (len(p.norm), tuple(pool.setdefault(n, n) for n in p.numbers))
    return {x: [y for y in ys if _may_be_same(brief[x], brief[y])] for x, ys in candidates.items() if ys}


def _prepared_blocks(order: list[str], candidates: dict[str, list[str]], texts):
    """``order`` in blocks, each with the prepared texts of its documents that
    have candidates and of their candidates. A prepared text is dropped after
    the last block that needs it, so memory follows a block, not the batch
    (a template shared by many documents keeps its few first ones)."""
    last: dict[str, int] = {}
    for k, x in enumerate(order):
        if candidates.get(x):
            for i in (x, *candidates[x]):
                last[i] = k // BLOCK
    prepared: dict[str, Prepared] = {}
    for b in range(0, len(order), BLOCK):
        block = order[b:b + BLOCK]
        need = {i for x in block if candidates.get(x) for i in (x, *candidates[x])} - prepared.keys()
        prepared.update((doc_id, prepare(text)) for doc_id, text in texts(need))
        yield block, prepared
        for i in [i for i in prepared if last[i] <= b // BLOCK]:
            del prepared[i]


def _candidates(order: list[str], sigs: dict[str, list[int]]) -> dict[str, list[str]]:
    """For each open document (``order``), the documents sharing a band with
    it that it may be a copy of: those not open, and the open ones before it;
    at most MAX_CANDIDATES, those sharing most bands."""
    from collections import Counter
    from itertools import chain

    is_open = set(order)
    index: dict[int, list[str]] = {}
    for doc_id, keys in sigs.items():
        if doc_id not in is_open:
            for k in keys:
                index.setdefault(k, []).append(doc_id)
    out = {}
    for x in order:  # an open document joins the index after its own look-up: only later ones see it
        keys = sigs.get(x, ())
        shared = Counter(chain.from_iterable(index.get(k, ()) for k in keys))
        out[x] = [y for _, y in sorted([(-n, y) for y, n in shared.items()])[:MAX_CANDIDATES]]
        for k in keys:
            index.setdefault(k, []).append(x)
    return out


def _to_roots(marks: dict[str, str | None]) -> None:
    """Every mark names a document that is itself no copy (a copy of a copy
    points to the first)."""
    for x in list(marks):
        seen = {x}
        root = marks[x]
        while root is not None and marks.get(root) is not None and root not in seen:
            seen.add(root)
            root = marks[root]
        marks[x] = root


def texts_from(rows: Iterable[dict]) -> Callable[[set[str]], Iterator[tuple[str, str]]]:
    """``texts`` for decide() from rows in memory (tests, small datasets)."""
    rows = list(rows)

    def texts(ids: set[str]):
        for r in rows:
            if r["doc_id"] in ids:
                yield r["doc_id"], r["text"]

    return texts
