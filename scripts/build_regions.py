"""Build extractors/resources/regions.tsv from the administrative-division
codes that the `cpca` package ships (resources/adcodes.csv, MIT licence).

Run once when the division list needs refreshing:
    pip install cpca pypinyin && python scripts/build_regions.py
The output is committed, so jyta itself depends on neither.
"""
import csv
import os

import cpca

src = os.path.join(os.path.dirname(cpca.__file__), "resources", "adcodes.csv")
rows = {}
with open(src, encoding="utf-8") as fh:
    for r in csv.DictReader(fh):
        code = r["adcode"][:6]
        rows[code] = r["name"]
PLACEHOLDER = ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划")
out = []
for code, name in sorted(rows.items()):
    if name in PLACEHOLDER:
        continue
    if code.endswith("0000"):
        level, parent = 1, ""
    elif code.endswith("00"):
        level, parent = 2, code[:2] + "0000"
    else:
        level = 3
        city = code[:4] + "00"
        parent = city if city in rows and rows[city] not in PLACEHOLDER else code[:2] + "0000"
    out.append((code, name, level, parent))
# Short forms (宝坻区 → 宝坻) are written out here so that a short form that
# is also an ordinary word (会同 "together with", 和平 "peace") is left out:
# jieba's dictionary tags place names `ns`; a form it knows under another tag
# is a word first.
import jieba
import sys

from itertools import islice, product

from pypinyin import Style, lazy_pinyin, pinyin


def spellings(base: str) -> list[str]:
    """The usual reading first, then the other readings of characters with
    several (朝阳: zhaoyang, chaoyang; 长治: zhangzhi, changzhi): hosts use
    the place's own reading, which the first guess can miss."""
    first = "".join(lazy_pinyin(base))
    alts = ("".join(p) for p in islice(product(*pinyin(base, style=Style.NORMAL, heteronym=True)), 16))
    return [first] + sorted({a for a in alts if a != first})

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from extractors.regions import _short_forms  # noqa: E402

tags = {}
with open(os.path.join(os.path.dirname(jieba.__file__), "dict.txt"), encoding="utf-8") as fh:
    for line in fh:
        parts = line.split()
        if len(parts) == 3:
            tags[parts[0]] = parts[2]
dst = os.path.join(os.path.dirname(__file__), "..", "extractors", "resources", "regions.tsv")
with open(dst, "w", encoding="utf-8", newline="") as fh:
    fh.write("# adcode\tname\tlevel\tparent\tshort forms\tpinyin — from cpca's adcodes.csv (MIT) and pypinyin; "
             "see scripts/build_regions.py\n")
    for code, name, level, parent in out:
        forms = sorted(f for f in _short_forms(name) if tags.get(f, "ns") == "ns")
        # the name as government hosts spell it (jyj.wuhan.gov.cn, www.jimo.gov.cn):
        # pinyin of the name without its suffix (wuhan, jimo)
        base = min(_short_forms(name) or {name}, key=len)
        fh.write("\t".join([code, name, str(level), parent, ",".join(forms), ",".join(spellings(base))]) + "\n")
print(len(out), "regions")
