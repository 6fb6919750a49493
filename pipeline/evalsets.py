"""The project's evaluation sets: one registry (corpus/sets.yaml), one loader.

A set is a folder with `raw/NNN.txt`, optional sidecars `raw/NNN.json`
(`genre`, `source_url`, …) and `gold/NNN.json` (GOLD.md). The gate, `jyta
evaluate --set NAME` and the floor-raising script all find sets here, so a new
set is one entry in the registry.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "corpus")
REGISTRY = os.path.join(CORPUS, "sets.yaml")
UNKNOWN_GENRE = "unknown"


@dataclass(frozen=True)
class EvalSet:
    name: str
    root: str
    real: bool
    gated: bool
    tune: bool
    about: str = ""

    @property
    def raw(self) -> str:
        return os.path.join(self.root, "raw")

    @property
    def gold(self) -> str:
        return os.path.join(self.root, "gold")

    def exists(self) -> bool:
        return os.path.isdir(self.raw) and os.path.isdir(self.gold)

    def genres(self) -> dict[str, str]:
        """Each gold document's genre, from its sidecar."""
        return genres_of(self.gold, self.raw)


class UnknownSet(KeyError):
    def __str__(self) -> str:
        return f"no evaluation set {self.args[0]!r}; known: {', '.join(load_sets())}"


@lru_cache(maxsize=None)
def _registry(path: str) -> dict[str, EvalSet]:
    import yaml

    with open(path, encoding="utf-8") as fh:
        entries = yaml.safe_load(fh) or {}
    base = os.path.dirname(path)
    return {name: EvalSet(name, os.path.normpath(os.path.join(base, e["path"])), bool(e.get("real")),
                          bool(e.get("gated")), bool(e.get("tune")), e.get("about", ""))
            for name, e in entries.items()}


def load_sets(registry: str = REGISTRY) -> dict[str, EvalSet]:
    """Every registered set, in registry order (existing or not yet filled)."""
    return dict(_registry(registry))


def get(name: str, registry: str = REGISTRY) -> EvalSet:
    sets = load_sets(registry)
    if name not in sets:
        raise UnknownSet(name)
    return sets[name]


def gated(registry: str = REGISTRY) -> list[EvalSet]:
    return [s for s in load_sets(registry).values() if s.gated and s.exists()]


def short_genre(genre: str | None) -> str:
    """The bundled sample writes `target:handling_report`; the rest `news`."""
    if not genre:
        return UNKNOWN_GENRE
    return str(genre).split(":", 1)[-1]


def genres_of(gold_dir: str, raw_dir: str | None = None) -> dict[str, str]:
    """gold key → genre, read from the sidecar `raw/KEY.json` beside the text
    (raw_dir defaults to the gold folder's sibling `raw/`)."""
    raw_dir = raw_dir or os.path.join(os.path.dirname(os.path.abspath(gold_dir)), "raw")
    out = {}
    for name in sorted(os.listdir(gold_dir)):
        if not name.endswith(".json"):
            continue
        key = name[:-5]
        side = os.path.join(raw_dir, name)
        genre = None
        if os.path.exists(side):
            try:
                with open(side, encoding="utf-8") as fh:
                    genre = json.load(fh).get("genre")
            except (OSError, ValueError):
                genre = None
        out[key] = short_genre(genre)
    return out
