"""Places named in a report, resolved to administrative chains
(`宝坻区` → `天津市宝坻区`, `青岛政务网` → `山东省青岛市`).

The division list is data (resources/regions.tsv, built from cpca's adcodes
by scripts/build_regions.py); the rules here only decide which mention names
the reporting unit's place.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "自治县", "自治旗",
             "地区", "林区", "特区", "新区", "省", "市", "区", "县", "盟", "旗")
# Names that are also ordinary words inside body text (城区道路, 郊区农户).
_GENERIC = {"城区", "郊区", "矿区", "新区", "市中区", "城关区", "开发区", "高新区", "白云区", "和平区", "新华区"}
# A short form (`青岛`, `文登`) counts only where it names an institution or a
# site: 青岛政务网, 文登人民政府, 四川日报, 宝坻区 (full) needs no context.
_SHORT_CONTEXT = re.compile(r"^(人民政府|政府|政务|人大|政协|市民|日报|新闻|门户|发布|融媒|晚报|电视|广播|网)")
# Ethnic-name parts that long official names carry (恩施土家族苗族自治州 → 恩施州).
_NATIONS = sorted(
    "土家 苗 回 蒙古 藏 维吾尔 壮 满 侗 瑶 白 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 纳西 景颇 "
    "柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 "
    "保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺 布依 朝鲜 彝 各".split(), key=len, reverse=True)
_ETHNIC = re.compile("(?:" + "|".join(_NATIONS) + ")族(?:(?:" + "|".join(_NATIONS) + ")族)*(?=自治|区$|县$)")


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: int
    parent: str


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    surface: str
    candidates: tuple[Region, ...]
    short: bool


@lru_cache(maxsize=1)
def _rows() -> tuple[tuple[Region, str, str], ...]:
    """(division, short forms, host spellings) for every line of regions.tsv."""
    text = resources.files("extractors.resources").joinpath("regions.tsv").read_text("utf-8")
    out = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        code, name, level, parent, forms, spelled = line.split("\t")
        out.append((Region(code, name, int(level), parent), forms, spelled))
    return tuple(out)


@lru_cache(maxsize=1)
def _table() -> tuple[dict[str, Region], dict[str, list[Region]], dict[str, list[Region]]]:
    by_code: dict[str, Region] = {}
    full: dict[str, list[Region]] = {}
    short: dict[str, list[Region]] = {}
    for r, forms, _ in _rows():
        by_code[r.code] = r
        full.setdefault(r.name, []).append(r)
        for form in filter(None, forms.split(",")):
            short.setdefault(form, []).append(r)
    return by_code, full, short


@lru_cache(maxsize=1)
def _renamed() -> dict[str, Region]:
    """Counties that have become county-level cities since the division list was made (神木县 → 神木市,
    禄丰县 → 禄丰市): the 市 name of each, where no division has that name (an autonomous county keeps
    its name: no 自治市)."""
    _, full, short = _table()
    out = {}
    for r, _, _ in _rows():
        name = r.name[:-1] + "市"
        if (r.level == 3 and r.name.endswith("县") and not r.name.endswith("自治县") and len(r.name) >= 3
                and name not in full and name not in short):
            out[name] = Region(r.code, name, r.level, r.parent)
    return out


# 来源:神木市林业局; 禄丰市人民政府: a renamed county's 市 name counts only as an institution's place, standing
# alone (not 市政府办公室会同市人大…: 会同, "together with")
_INSTITUTION = re.compile(r"(?:人民政府|政府|人大|政协|[\u4e00-\u9fff]{0,8}?(?:局|委员会|委|办公室|办|中心|法院|检察院))")


def _short_forms(name: str) -> set[str]:
    """`宝坻区`→`宝坻`; `恩施土家族苗族自治州`→`恩施州`, `恩施`."""
    forms = set()
    m = _ETHNIC.search(name)
    if m:
        base = name[: m.start()]
        kind = name[m.end():]
        forms.add(base + kind[-1])  # 恩施州, 清原县, 管城区
        forms.add(base)
        return {f for f in forms if len(f) >= 2 and f != name}
    for suf in _SUFFIXES:
        if name.endswith(suf) and len(name) - len(suf) >= 2:
            forms.add(name[: -len(suf)])
            break
    forms.discard(name)
    return {f for f in forms if len(f) >= 2}


def chain(r: Region) -> str:
    """`天津市宝坻区`, `湖北省恩施土家族苗族自治州来凤县`."""
    by_code = _table()[0]
    parts = [r.name]
    seen = {r.code}
    while r.parent and r.parent in by_code and r.parent not in seen:
        r = by_code[r.parent]
        seen.add(r.code)
        parts.append(r.name)
    return "".join(reversed(parts))


def ancestors(r: Region) -> set[str]:
    by_code = _table()[0]
    out = set()
    while r.parent and r.parent in by_code and r.parent not in out:
        out.add(r.parent)
        r = by_code[r.parent]
    return out


def at_level(r: Region, level: int) -> Region | None:
    """The division of `level` that holds `r` (itself where it is of that level)."""
    by_code = _table()[0]
    while r.level > level and r.parent in by_code:
        r = by_code[r.parent]
    return r if r.level == level else None


@lru_cache(maxsize=1)
def _first_bigrams() -> frozenset[str]:
    _, full, short = _table()
    return frozenset(name[:2] for name in list(full) + list(short))


@lru_cache(maxsize=1)
def _first_chars() -> re.Pattern:
    """The characters a name starts with: the positions worth a look."""
    return re.compile("[" + "".join(sorted({re.escape(b[0]) for b in _first_bigrams()})) + "]")


def find_mentions(norm: str) -> list[Mention]:
    """All place names in a normalized (Simplified) text, longest match first."""
    _, full, short = _table()
    starts = _first_bigrams()
    first = _first_chars()
    out: list[Mention] = []
    i, n = 0, len(norm)
    while i < n:
        m = first.search(norm, i)  # most positions start no name: skipped by the regex engine, not one by one
        if m is None:
            break
        i = m.start()
        if norm[i:i + 2] not in starts:
            i += 1
            continue
        hit = None
        for L in range(min(_longest(), n - i), 1, -1):
            s = norm[i:i + L]
            if s in full and s not in _GENERIC and (L > 2 or _bounded(norm, i, full[s])):
                hit = Mention(i, i + L, s, tuple(full[s]), False)
                break
            if s in short:
                # A short form counts where it names an institution or a site
                # (青岛政务网, 文登人民政府), or, for provinces and cities, anywhere
                # (对北京城市建设): they are what the short form means first.
                # (屏边县 for 屏边苗族自治县, 秀山县: a short form with its own suffix is a name, anywhere)
                named = _SHORT_CONTEXT.match(norm[i + L:i + L + 4]) or (L >= 3 and s[-1] in "县区旗州盟")
                cands = tuple(short[s]) if named else tuple(r for r in short[s] if r.level <= 2)
                if cands:
                    hit = Mention(i, i + L, s, cands, True)
                    break
        if hit is None:
            hit = _renamed_at(norm, i)
        if hit:
            out.append(hit)
            i = hit.end
        else:
            i += 1
    return out


@lru_cache(maxsize=1)
def _longest() -> int:
    """The longest name or short form (镇沅彝族哈尼族拉祜族自治县 has 13 characters)."""
    _, full, short = _table()
    return max(map(len, list(full) + list(short)))


@lru_cache(maxsize=1)
def _renamed_lengths() -> tuple[int, ...]:
    """The lengths of the renamed counties' 市 names, longest first."""
    return tuple(sorted({len(name) for name in _renamed()}, reverse=True))


def _renamed_at(norm: str, i: int) -> Mention | None:
    renamed = _renamed()
    for L in _renamed_lengths():
        r = renamed.get(norm[i:i + L])
        if r is not None and _INSTITUTION.match(norm, i + L) and _bounded(norm, i, [r]):
            return Mention(i, i + L, norm[i:i + L], (r,), False)
    return None


def _bounded(norm: str, i: int, cands: list[Region]) -> bool:
    """A two-character name (和县, 礼县) stands alone or after its parent:
    `人大代表建议和县政协委员提案` holds no 和县."""
    if i == 0 or not ("\u4e00" <= norm[i - 1] <= "\u9fff"):
        return True
    by_code = _table()[0]
    for r in cands:
        p = by_code.get(r.parent)
        if p and (norm[:i].endswith(p.name) or norm[:i].endswith(p.name[:-1])):
            return True
    return False


@lru_cache(maxsize=1)
def central_organs() -> tuple[str, ...]:
    text = resources.files("extractors.resources").joinpath("central_organs.txt").read_text("utf-8")
    names = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    return tuple(sorted(names, key=len, reverse=True))


def resolve(head: list[Mention], body: list[Mention], head_text: str) -> str | None:
    """The reporting unit's place: the deepest unit named in the head, its
    ambiguity settled by the other places named; else the place the body
    names most; else `全国` for a central organ; else None."""
    named: set[str] = set()
    for m in head + body:
        for c in m.candidates:
            named.add(c.code)

    def pick(m: Mention) -> Region | None:
        if len(m.candidates) == 1:
            return m.candidates[0]
        supported = [c for c in m.candidates if ancestors(c) & named]
        if len(supported) == 1:
            return supported[0]
        return None

    resolved = [(m, pick(m)) for m in head]
    units = [r for _, r in resolved if r is not None]
    if units:
        # Deepest unit whose ancestors do not contradict the others named in the head.
        units.sort(key=lambda r: -r.level)
        for r in units:
            anc = ancestors(r) | {r.code}
            if all(u.code in anc or r.code in ancestors(u) or u.level >= r.level for u in units):
                return chain(r)
        return chain(units[0])
    ambiguous = [m for m, r in resolved if r is None]
    if ambiguous:
        return ambiguous[0].surface
    for organ in central_organs():
        if organ in head_text:
            return "全国"
    counts: dict[str, int] = {}
    for m in body:
        r = pick(m)
        if r is not None:
            counts[r.code] = counts.get(r.code, 0) + 1
    if counts:
        by_code = _table()[0]
        best = max(counts, key=lambda c: (counts[c], by_code[c].level))
        if counts[best] >= 2 or len(counts) == 1:
            return chain(by_code[best])
    return None


def canonical(name: str | None) -> Region | None:
    """The division a region field names, whatever its spelling: `宝坻区`,
    `天津市宝坻区`, `宝坻` and `天津市寶坻區` are one place. A name that stays
    ambiguous (`青山区`: Wuhan's or Baotou's) gives None."""
    if not name:
        return None
    from pipeline.textmap import to_simplified

    s = re.sub(r"\s+", "", to_simplified(name))
    _, full, short = _table()
    mentions: list[list[Region]] = []
    i = 0
    while i < len(s):
        for L in range(min(12, len(s) - i), 1, -1):
            t = s[i:i + L]
            # 九江: the city 九江市 as well as whatever lists 九江 as its short form
            cands = full.get(t) or (short.get(t, []) + [r for suf in ("省", "市", "州", "区", "县")
                                                        for r in full.get(t + suf, [])])
            if cands:
                mentions.append(list({c.code: c for c in cands}.values()))
                i += L
                break
        else:
            i += 1
    if not mentions:
        return None
    named = {c.code for m in mentions[:-1] for c in m}  # the other places named, not its own readings
    last = mentions[-1]
    if len(last) > 1:
        # the others named settle it (湖北省武汉市青山区); else the higher level
        # (北京: the city, not a district of that name elsewhere)
        last = [c for c in last if ancestors(c) & named] or last
        top = min(c.level for c in last)
        last = [c for c in last if c.level == top]
    return last[0] if len(last) == 1 else None


@lru_cache(maxsize=1)
def _pinyin() -> dict[str, list[Region]]:
    """Host spelling → divisions: every reading of the name (朝阳: zhaoyang, chaoyang)."""
    out: dict[str, list[Region]] = {}
    for r, _, spelled in _rows():
        for sp in filter(None, spelled.split(",")):
            out.setdefault(sp, []).append(r)
    return out


def from_url(url: str | None) -> Region | None:
    """The division a government site's address names: jyj.wuhan.gov.cn →
    武汉市, www.jimo.gov.cn → 即墨; a path segment (/wuhan/) only for a
    province or a city. A spelling several divisions share at the highest
    level it names (qingyuan: 清远市, 清原县…) gives the one at that level if
    it is alone there, else None."""
    if not url:
        return None
    from urllib.parse import urlsplit

    spelled = _pinyin()
    try:
        parts = urlsplit(url if "//" in url else "//" + url)
    except ValueError:
        return None
    host = [x for x in (parts.hostname or "").split(".") if x]
    gov = "gov" in host
    labels = [(x, gov) for x in host[:-1]] + [(x, False) for x in parts.path.lower().split("/") if x]
    for label, on_gov_host in labels:
        cands = spelled.get(label)
        if not cands or len(label) < 4:
            continue
        top = min(c.level for c in cands)
        at_top = [c for c in cands if c.level == top]
        if len(at_top) == 1 and (top <= 2 or on_gov_host):
            return at_top[0]
    return None
