"""A user's own knowledge of the files (`--manifest FILE.csv`): columns
`file`, `source_url`, `region`, `year`, `published`. Its values fill or
override what the text gives; the dataset records which source each came from.
"""
from __future__ import annotations

import csv
import os
import re

COLUMNS = ("source_url", "region", "year", "published")


class ManifestError(ValueError):
    pass


def _read_text(path: str) -> str:
    """UTF-8 (with or without BOM), else GB18030: Excel on Chinese Windows
    saves CSV in GBK."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as e:
        raise ManifestError(f"{path}: cannot read the manifest: {e.strerror or e}") from e
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ManifestError(f"{path}: the manifest is neither UTF-8 nor GBK text")


def load(path: str) -> dict[str, dict[str, str]]:
    """Rows keyed by real path, and by base name where that name is unique
    (a manifest written on another machine still matches by name)."""
    import io

    with io.StringIO(_read_text(path), newline="") as fh:
        reader = csv.DictReader(fh)
        if not reader.fieldnames or "file" not in reader.fieldnames:
            raise ManifestError(f"{path}: the manifest needs a `file` column (has {reader.fieldnames})")
        base = os.path.dirname(os.path.abspath(path))
        rows: dict[str, dict[str, str]] = {}
        names: dict[str, list[dict[str, str]]] = {}
        for i, row in enumerate(reader, start=2):
            f = (row.get("file") or "").strip()
            if not f:
                continue
            vals = {k: (row.get(k) or "").strip() for k in COLUMNS if (row.get(k) or "").strip()}
            if "year" in vals and not re.fullmatch(r"(19|20)\d{2}", vals["year"]):
                raise ManifestError(f"{path}:{i}: year {vals['year']!r} is not a year")
            if "published" in vals and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", vals["published"]):
                raise ManifestError(f"{path}:{i}: published {vals['published']!r} is not YYYY-MM-DD")
            full = f if os.path.isabs(f) else os.path.join(base, f)
            rows[os.path.realpath(full)] = vals
            names.setdefault(os.path.basename(f), []).append(vals)
    for name, found in names.items():
        if len(found) == 1:  # index.html in ten folders matches none of them by name
            rows.setdefault(name, found[0])
    return rows


def lookup(manifest: dict[str, dict[str, str]] | None, source: str) -> dict[str, str]:
    if not manifest:
        return {}
    return manifest.get(os.path.realpath(source)) or manifest.get(os.path.basename(source)) or {}


def sidecar(source: str) -> dict[str, str]:
    """`report.html` + `report.json` beside it, as crawlers save them: the
    sidecar's source address (`source_url` or `url`) is taken; nothing else in
    it is trusted, so an annotator's guesses never pass for facts."""
    import json

    path = os.path.splitext(source)[0] + ".json"
    if path == source or not os.path.isfile(path):
        return {}
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return {}
    url = data.get("source_url") or data.get("url") if isinstance(data, dict) else None
    return {"source_url": url} if isinstance(url, str) and url.strip() else {}


def known(manifest: dict[str, dict[str, str]] | None, source: str) -> dict[str, str]:
    """What is known of a file besides its text: its sidecar, then the
    manifest's row over it."""
    return {**sidecar(source), **lookup(manifest, source)}
