"""The `jyta` command: argument parsing only; the work is in the library."""
from __future__ import annotations

import argparse
import sys


def _ingest(args) -> int:
    from .batch import ingest
    from .manifest import ManifestError

    try:
        s = ingest(args.paths, args.out, manifest_path=args.manifest,
                   max_bytes=int(args.max_mb * 2**20) if args.max_mb is not None else None,
                   workers=args.workers, scheduler=args.scheduler, progress=not args.quiet,
                   chunk_docs=args.chunk_docs)
    except ManifestError as e:
        print(f"jyta: {e}", file=sys.stderr)
        return 2
    rate = s.inputs / s.seconds if s.seconds else 0.0
    print(f"{s.inputs} input files: {s.added} new documents, {s.skipped} already in the dataset, "
          f"{s.errors} errors ({s.seconds:.1f}s, {rate:.1f} files/s) → {args.out}")
    for r in s.error_rows:
        print(f"  error  {r['source']}: [{r['stage']}/{r['error']}] {r['message']}")
    if s.duplicates:
        print(f"{len(s.duplicates)} near-duplicates: the same report as another document (documents.duplicate_of); "
              "rows kept, counted once in series and proposal links")
    for source, first in s.duplicates:
        print(f"  duplicate  {source} = {first}")
    if s.derived_refreshed:
        print(f"series and proposal links rebuilt → {args.out}")
    elif s.added:
        print(f"series and proposal links: jyta compare {args.out}")
    return 0


def _evaluate(args) -> int:
    import json
    import os
    import tempfile

    from . import evalsets
    from .evaluate import evaluate, format_genre_table, format_report, format_rule_table

    if bool(args.gold) == bool(args.set):
        print("jyta: evaluate needs --gold DIR or --set NAME (one of them)", file=sys.stderr)
        return 2
    if args.set:
        try:
            es = evalsets.get(args.set)
        except evalsets.UnknownSet as e:
            print(f"jyta: {e}", file=sys.stderr)
            return 2
        except FileNotFoundError:
            print(f"jyta: no {evalsets.REGISTRY}: the evaluation sets come with a source checkout "
                  "(pip install -e .); or give --gold DIR", file=sys.stderr)
            return 2
        gold, genres = es.gold, es.genres()
    else:
        gold, genres = args.gold, None
    if not os.path.isdir(gold):
        print(f"jyta: no gold folder at {gold}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out
        if out is None:
            if not args.set:
                print("jyta: evaluate needs OUT (a dataset folder) unless --set names a set to ingest", file=sys.stderr)
                return 2
            from .batch import ingest

            out = os.path.join(tmp, "out")
            ingest([es.raw], out, progress=False)
        elif not os.path.exists(os.path.join(out, "documents.parquet")):
            print(f"jyta: no dataset at {out} (run `jyta ingest … -o {out}` first)", file=sys.stderr)
            return 2
        rep = evaluate(out, gold, genres)
    print(format_report(rep))
    table = format_genre_table(rep)
    if table:
        print()
        print(table)
    if args.by_rule:
        print()
        print(format_rule_table(rep))
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

    try:
        paths = export(args.out, args.format, args.dest, args.tables, tokens=args.tokens)
    except ValueError as e:  # a missing dataset or table, flags that do not go together
        print(f"jyta: {e}", file=sys.stderr)
        return 2
    for path in paths:
        print(path)
    return 0


def _compare(args) -> int:
    from . import compare
    from .store import write_database

    n = compare.write(args.out, min_score=args.min_score, recurring_score=args.recurring_score,
                      same_kind=args.same_kind, label_score=args.label_score)
    write_database(args.out)
    print(f"{n['series']} series rows, {n['proposal_links']} proposal links → {args.out}")
    where, params = ["series_type = 'metric'", "value_type = 'level'"], []
    if args.region:
        # any spelling of the place: 宝坻 / 宝坻区 / 天津市宝坻区
        reg = compare.region_of(args.region)
        where.append("(region = ? OR region LIKE ?)")
        params += [reg[0], f"%{reg[0]}%"]
    if args.metric:
        where.append("measure = ?")
        params.append(args.metric)
    from .store import connect

    con = connect(args.out)
    try:
        df = con.execute(f"SELECT region, measure, coalesce(scope, '') AS scope, year, CAST(value AS DOUBLE) AS value, "
                         f"conflict FROM series WHERE {' AND '.join(where)}", params).df()
    finally:
        con.close()
    if not len(df):
        print("(no metric series)")
        return 0
    print(series_table(df, wide=args.wide, max_rows=args.max_rows))
    print("values by year; '!' marks a value another report of the same unit contradicts"
          + ("" if args.wide else "; --wide for every year and full scopes")
          + "; full rows: jyta query OUT \"SELECT * FROM series\"")
    return 0


def _number(v: float) -> str:
    """5.0 → 5, 98.70 → 98.7: counts read as counts."""
    return str(int(v)) if float(v).is_integer() else f"{v:.6f}".rstrip("0").rstrip(".")


def series_table(df, wide: bool = False, max_rows: int = 200) -> str:
    """The metric series as region × year, narrow enough for a terminal unless
    wide: the last six years, scopes cut to 20 characters."""
    import shutil

    import pandas as pd

    df = df.copy()
    df["v"] = [_number(v) + ("!" if c else "") for v, c in zip(df["value"], df["conflict"])]
    cell = df.groupby(["region", "measure", "scope", "year"])["v"].agg(lambda vs: "/".join(dict.fromkeys(vs)))
    table = cell.unstack("year").fillna("")
    if not wide:
        table = table[sorted(table.columns)[-6:]]
        table = table[(table != "").any(axis=1)]  # series of earlier years only: --wide
        table.index = pd.MultiIndex.from_tuples(
            [(r, m, sc if len(sc) <= 20 else sc[:19] + "…") for r, m, sc in table.index], names=table.index.names)
    width = 10_000 if wide else shutil.get_terminal_size((120, 24)).columns
    with pd.option_context("display.max_rows", max_rows, "display.width", width, "display.max_colwidth", 60):
        return table.to_string()


def _report(args) -> int:
    from .report import write

    print(write(args.out, args.dest))
    return 0


def _serve(args) -> int:
    from .service import serve

    serve(args.out, host=args.host, port=args.port, max_mb=args.max_mb, timeout=args.timeout)
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
    ing.add_argument("--workers", type=int, default=None,
                     help="worker processes (default: every core for 32 files or more, else 1)")
    ing.add_argument("--scheduler", help="run on a Dask cluster instead: the scheduler's address (tcp://host:8786)")
    ing.add_argument("-q", "--quiet", action="store_true", help="no progress bar or progress lines")
    ing.add_argument("--chunk-docs", type=int, default=200,
                     help="documents per chunk written as results come (memory and resume granularity)")
    ing.set_defaults(func=_ingest)
    ev = sub.add_parser("evaluate", help="score a dataset against gold annotations",
                        description="Score OUT against gold files (GOLD.md conventions); prints accuracy "
                        "per field, a table of every score by genre (the sidecars' `genre`) and, with --json, "
                        "writes every miss. With --set NAME and no OUT, ingests that set first.")
    ev.add_argument("out", nargs="?", help="dataset folder written by `jyta ingest`")
    ev.add_argument("--gold", help="folder of gold/NNN.json files (sidecars are read from its sibling raw/)")
    ev.add_argument("--set", help="an evaluation set of corpus/sets.yaml (sample, dev, blind, synthetic, …)")
    ev.add_argument("--json", help="write the full report (with misses) to this file")
    ev.add_argument("--by-rule", action="store_true",
                    help="also print each rule's precision on the proposal fields it decided")
    ev.set_defaults(func=_evaluate)
    q = sub.add_parser("query", help="run SQL over the dataset (DuckDB)",
                       description="Run SQL over OUT's tables (documents, errors, proposals, metrics, indicators) "
                       "with DuckDB and print the result.")
    q.add_argument("out", help="dataset folder")
    q.add_argument("sql", help='e.g. "SELECT region, year, count(*) FROM documents GROUP BY ALL"')
    q.add_argument("--max-rows", type=int, default=200)
    q.set_defaults(func=_query)
    cp = sub.add_parser("compare", help="series across years and proposals followed from year to year",
                        description="Build OUT/series (metrics and indicators of a region by year, year-on-year "
                        "changes, conflicting values flagged) and OUT/proposal_links (the same proposal in a later "
                        "year), then print the metric series.")
    cp.add_argument("out", help="dataset folder")
    cp.add_argument("--region", help="only this region, any spelling (宝坻, 宝坻区, 天津市宝坻区)")
    cp.add_argument("--metric", help="only this metric (satisfaction_rate, count, share…)")
    cp.add_argument("--min-score", type=float, default=50.0,
                    help="keep proposal links whose titles score at least this (0–100, default 50)")
    cp.add_argument("--label-score", type=float, default=70.0,
                    help="an indicator continues a series when its label scores at least this (default 70)")
    cp.add_argument("--recurring-score", type=float, default=60.0,
                    help="a proposal link at or above this marks a recurring problem (default 60)")
    cp.add_argument("--same-kind", action="store_true",
                    help="link proposals only to proposals of the same kind (default: a 建议 may come back as a 提案)")
    cp.add_argument("--max-rows", type=int, default=200)
    cp.add_argument("--wide", action="store_true", help="every year and full scopes (default: the last six years)")
    cp.set_defaults(func=_compare)
    rp = sub.add_parser("report", help="a static HTML review: charts by region, highlighted documents, errors",
                        description="Write DIR/index.html (per region: metric series and status mix by year; "
                        "documents with warnings; errors) and DIR/docs/<doc_id>.html (the text with every record "
                        "highlighted). Opens from disk: no server, no network.")
    rp.add_argument("out", help="dataset folder")
    rp.add_argument("-o", "--dest", required=True, help="folder for the report")
    rp.set_defaults(func=_report)
    sv = sub.add_parser("serve", help="the extractor and the dataset over HTTP",
                        description="POST /v1/extract (a report file or JSON text → its records; ?store=true adds it "
                        "to OUT), GET /v1/documents|proposals|metrics|indicators|series (filters, paging), /healthz, "
                        "/openapi.json.")
    sv.add_argument("out", help="dataset folder")
    sv.add_argument("--host", default="127.0.0.1")
    sv.add_argument("--port", type=int, default=8000)
    sv.add_argument("--max-mb", type=float, default=20.0, help="upload size limit (default 20)")
    sv.add_argument("--timeout", type=float, default=30.0, help="extraction time limit per request, seconds")
    sv.set_defaults(func=_serve)
    ex = sub.add_parser("export", help="write the tables as CSV, JSON Lines or XLSX, or the documents for spaCy",
                        description="CSV is UTF-8 with BOM (Excel on Chinese Windows opens it); XLSX is one workbook "
                        "with a sheet per table; spacy is DIR/jyta.spacy, a DocBin of every document with its "
                        "records as spans (pipeline/nlp.py).")
    ex.add_argument("out", help="dataset folder")
    ex.add_argument("--format", required=True, choices=["csv", "jsonl", "xlsx", "spacy"])
    ex.add_argument("--tokens", action="store_true",
                    help="with --format jsonl: each sentence of sentences.jsonl with its jieba tokens "
                    "[[token, start, end], …] (offsets in documents.text)")
    ex.add_argument("-o", "--dest", required=True, help="folder for the files")
    ex.add_argument("--tables", nargs="*", help="only these tables")
    ex.set_defaults(func=_export)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)
