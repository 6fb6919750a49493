"""Write corpus/manifest.csv: the region of each bundled report as its
collector recorded it (`region_hint` of raw/NNN.json), where the hint names
one place. What a user's own manifest would hold: it lets reports whose text
names no place (066: "省十二届人大五次会议") join their region's series.
`jyta evaluate` ignores manifest values: gold scores the text.

    python scripts/corpus_manifest.py > corpus/manifest.csv
"""
import csv
import glob
import json
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(__file__), "..", "corpus", "raw")
w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(["file", "region"])
for path in sorted(glob.glob(os.path.join(ROOT, "*.json"))):
    with open(path, encoding="utf-8") as fh:
        hint = (json.load(fh).get("region_hint") or "").strip()
    place = re.split(r"[((]", hint)[0].strip()
    # 未知区 (unknown), 青山区(武汉市…或包头市…) (unsettled), 全国(中央部门) (no place)
    if not place or place.startswith("未知") or "某" in place or "或" in hint.split("(")[-1][:12] or place == "全国":
        continue
    stem = os.path.splitext(os.path.basename(path))[0]
    txt = next(iter(glob.glob(os.path.join(ROOT, stem + ".*[!n]"))), None)
    if txt:
        w.writerow([os.path.basename(txt), place])
