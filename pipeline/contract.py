"""The record contract: JSON Schema (draft 2020-12) for every record the
service returns and every table row, generated from the one schema
declaration in pipeline/dataset.py — so the contract cannot drift from the
dataset. `python -m pipeline.contract` rewrites contract/*.schema.json (a
test checks they are current).

Versioning: CONTRACT_VERSION follows semver. Adding an optional column is a
minor bump; removing or renaming a column, changing a type or narrowing
allowed values is a major bump (and dataset.SCHEMA_VERSION with it).
"""
from __future__ import annotations

import json
import os
import sys

import pyarrow as pa

from . import dataset

CONTRACT_VERSION = "1.2.0"  # 1.1: documents.genre, documents.duplicate_of, the sentences table; 1.2: proposals.reading, reading_text
BASE_URI = "https://jyta.example/contract"  # an identifier, never fetched
HERE = os.path.dirname(os.path.abspath(__file__))
CONTRACT_DIR = os.path.join(os.path.dirname(HERE), "contract")
# The records of /v1/extract: a document (its text included: every offset
# points into it) and the rows drawn from it.
RECORDS = ("documents", "proposals", "metrics", "indicators")


def _type(t: pa.DataType) -> dict:
    if pa.types.is_boolean(t):
        return {"type": "boolean"}
    if pa.types.is_integer(t):
        return {"type": "integer"}
    if pa.types.is_floating(t):
        return {"type": "number"}
    if pa.types.is_decimal(t):
        return {"type": "number", "description": "exact decimal (up to 6 places)"}
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return {"type": "array", "items": _type(t.value_type)}
    return {"type": "string"}


def table_schema(name: str) -> dict:
    props, required = {}, []
    for col, typ, req, allowed, meaning, example in dataset.COLUMNS[name]:
        p = _type(typ)
        if allowed is not None:
            p["enum"] = list(allowed)
        p["description"] = meaning + (f" — {p.pop('description')}" if "description" in p else "")
        if not req:
            p = {"anyOf": [p, {"type": "null"}], "description": p.pop("description")}
        props[col] = p
        if req:
            required.append(col)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"{BASE_URI}/{CONTRACT_VERSION}/{name}.schema.json",
            "title": f"jyta {name} record", "x-contract-version": CONTRACT_VERSION,
            "type": "object", "properties": props, "required": required, "additionalProperties": False}


def extract_schema() -> dict:
    """The body of a /v1/extract answer."""
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"{BASE_URI}/{CONTRACT_VERSION}/extract.schema.json",
            "title": "jyta /v1/extract answer", "x-contract-version": CONTRACT_VERSION, "type": "object",
            "properties": {
                "contract_version": {"const": CONTRACT_VERSION},
                "document": {"$ref": "documents.schema.json"},
                "proposals": {"type": "array", "items": {"$ref": "proposals.schema.json"}},
                "metrics": {"type": "array", "items": {"$ref": "metrics.schema.json"}},
                "indicators": {"type": "array", "items": {"$ref": "indicators.schema.json"}},
                "warnings": {"type": "array", "items": {"type": "string"}},
                "stored": {"type": "boolean", "description": "the document was added to the dataset (?store=true)"},
            },
            "required": ["contract_version", "document", "proposals", "metrics", "indicators", "warnings", "stored"],
            "additionalProperties": False}


def schemas() -> dict[str, dict]:
    out = {f"{name}.schema.json": table_schema(name) for name in dataset.COLUMNS}
    out["extract.schema.json"] = extract_schema()
    return out


def write(folder: str = CONTRACT_DIR) -> list[str]:
    os.makedirs(folder, exist_ok=True)
    paths = []
    for fname, sch in schemas().items():
        path = os.path.join(folder, fname)
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(sch, fh, ensure_ascii=False, indent=2)
            fh.write("\n")
        paths.append(path)
    return paths


if __name__ == "__main__":
    for p in write(sys.argv[1] if len(sys.argv) > 1 else CONTRACT_DIR):
        print(p)
