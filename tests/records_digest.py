"""A digest of the records every evaluation set's texts give, so that a change
made for speed can be checked to change no record (issue 18).

    python tests/records_digest.py            # compare, print what differs
    python tests/records_digest.py --write    # refresh after an intended change of records

Each document's records (pipeline.link.records, with its sidecar as the
ingest reads it) are serialized canonically per table (keys sorted, Decimals
as their exact strings) and hashed; tests/records_digest.json keeps one short
hash per set, document and table, so a difference names what changed.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DIGEST = os.path.join(HERE, "records_digest.json")
TABLES = ("documents", "indicators", "metrics", "proposals", "sentences")


def _canonical(rows: list[dict]) -> bytes:
    # default=str keeps a Decimal's exponent (1.0 and 1 differ), as the dataset does
    return json.dumps(rows, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")


def document_digest(path: str, source: str) -> dict[str, str]:
    """Per table, a short hash of the records of the file at ``path``
    (``source``: the name recorded, relative, so the digest is the same in
    every checkout)."""
    from pipeline import manifest
    from pipeline.link import records
    from pipeline.readers import load_bytes, read_bytes

    recs = records(read_bytes(load_bytes(path), source=source), manifest_row=manifest.known(None, path))
    return {name: hashlib.sha256(_canonical(recs[name])).hexdigest()[:16] for name in TABLES}


def compute() -> dict[str, dict[str, dict[str, str]]]:
    """{set: {file name: {table: hash}}} over every registered set's raw texts."""
    from pipeline.evalsets import load_sets

    out: dict[str, dict[str, dict[str, str]]] = {}
    for name, s in sorted(load_sets().items()):
        if not os.path.isdir(s.raw):
            continue
        files = sorted(f for f in os.listdir(s.raw) if f.endswith(".txt"))
        out[name] = {f: document_digest(os.path.join(s.raw, f), f"{name}/{f}") for f in files}
    return out


def differences(expected: dict, got: dict) -> list[str]:
    """One line per set, document or table whose records changed."""
    lines = []
    for set_name in sorted(set(expected) | set(got)):
        e, g = expected.get(set_name, {}), got.get(set_name, {})
        for f in sorted(set(e) | set(g)):
            if f not in g or f not in e:
                lines.append(f"{set_name}/{f}: {'gone' if f not in g else 'new'}")
                continue
            changed = [t for t in TABLES if e[f].get(t) != g[f].get(t)]
            if changed:
                lines.append(f"{set_name}/{f}: {', '.join(changed)} changed")
    return lines


def load() -> dict:
    with open(DIGEST, encoding="utf-8") as fh:
        return json.load(fh)


def write(digest: dict) -> None:
    with open(DIGEST, "w", encoding="utf-8") as fh:
        json.dump(digest, fh, indent=0, sort_keys=True)
        fh.write("\n")


def main(argv: list[str]) -> int:
    sys.path.insert(0, ROOT)
    got = compute()
    if "--write" in argv:
        write(got)
        print(f"wrote {DIGEST}: {sum(len(v) for v in got.values())} documents")
        return 0
    diff = differences(load(), got)
    print("\n".join(diff) or "records identical")
    return 1 if diff else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
