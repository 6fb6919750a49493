"""The `jyta` command: argument parsing only; the work is in the library."""
from __future__ import annotations

import argparse
import sys
import time


def _ingest(args) -> int:
    from .batch import ingest
    from .manifest import ManifestError

    t0 = time.perf_counter()
    tty = sys.stderr.isatty()

    def progress(i, n, path):
        if tty:
            print(f"\r[{i + 1}/{n}] {path[-60:]:<60}", end="", file=sys.stderr, flush=True)

    try:
        s = ingest(args.paths, args.out, manifest_path=args.manifest,
                   max_bytes=int(args.max_mb * 2**20) if args.max_mb is not None else None, progress=progress)
    except ManifestError as e:
        print(f"jyta: {e}", file=sys.stderr)
        return 2
    if tty:
        print(file=sys.stderr)
    dt = time.perf_counter() - t0
    print(f"{s.inputs} input files: {s.added} new documents, {s.skipped} already in the dataset, "
          f"{s.errors} errors ({dt:.1f}s) → {args.out}")
    for r in s.error_rows:
        print(f"  error  {r['source']}: [{r['stage']}/{r['error']}] {r['message']}")
    return 0


def _evaluate(args) -> int:
    import json

    from .evaluate import evaluate, format_report

    rep = evaluate(args.out, args.gold)
    print(format_report(rep))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(rep, fh, ensure_ascii=False, indent=1)
        print(f"misses and details → {args.json}")
    return 0


def _query(args) -> int:
    import pandas as pd

    from .store import query

    try:
        df = query(args.out, args.sql)
    except Exception as e:  # DuckDB's own message says what is wrong with the SQL
        print(f"jyta: {type(e).__name__}: {e}", file=sys.stderr)
        return 2
    with pd.option_context("display.max_rows", args.max_rows, "display.max_columns", None,
                           "display.width", 200, "display.max_colwidth", 60):
        print(df.to_string(index=False) if len(df) else "(no rows)")
    return 0


def _export(args) -> int:
    from .store import export

    for path in export(args.out, args.format, args.dest, args.tables):
        print(path)
    return 0


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    p = argparse.ArgumentParser(prog="jyta", description="Reports on handling deputies' suggestions and "
                                "CPPCC proposals → a normalized dataset.")
    p.add_argument("--version", action="version", version=f"jyta {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    ing = sub.add_parser("ingest", help="read report files into the dataset",
                         description="Read files, folders (recursive) and globs into OUT: "
                         "OUT/documents.parquet and OUT/errors.parquet. Re-running adds only new files.")
    ing.add_argument("paths", nargs="+", help="files, folders or glob patterns")
    ing.add_argument("-o", "--out", required=True, help="dataset folder")
    ing.add_argument("--manifest", help="CSV with columns file, source_url, region, year, published")
    ing.add_argument("--max-mb", type=float, default=None, help="refuse files larger than this (default 100)")
    ing.set_defaults(func=_ingest)
    ev = sub.add_parser("evaluate", help="score a dataset against gold annotations",
                        description="Score OUT against gold files (GOLD.md conventions); prints accuracy "
                        "per field and, with --json, writes every miss.")
    ev.add_argument("out", help="dataset folder written by `jyta ingest`")
    ev.add_argument("--gold", required=True, help="folder of gold/NNN.json files")
    ev.add_argument("--json", help="write the full report (with misses) to this file")
    ev.set_defaults(func=_evaluate)
    q = sub.add_parser("query", help="run SQL over the dataset (DuckDB)",
                       description="Run SQL over OUT's tables (documents, errors, proposals, metrics, indicators) "
                       "with DuckDB and print the result.")
    q.add_argument("out", help="dataset folder")
    q.add_argument("sql", help='e.g. "SELECT region, year, count(*) FROM documents GROUP BY ALL"')
    q.add_argument("--max-rows", type=int, default=200)
    q.set_defaults(func=_query)
    ex = sub.add_parser("export", help="write the tables as CSV, JSON Lines or XLSX",
                        description="CSV is UTF-8 with BOM (Excel on Chinese Windows opens it); XLSX is one workbook "
                        "with a sheet per table.")
    ex.add_argument("out", help="dataset folder")
    ex.add_argument("--format", required=True, choices=["csv", "jsonl", "xlsx"])
    ex.add_argument("-o", "--dest", required=True, help="folder for the files")
    ex.add_argument("--tables", nargs="*", help="only these tables")
    ex.set_defaults(func=_export)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)
