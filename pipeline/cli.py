"""The `jyta` command: argument parsing only; the work is in the library."""
from __future__ import annotations

import argparse
import math
import os
import sys


class UserError(Exception):
    """A mistake in what the user typed (a path, a flag): one line, exit 2."""


def _ingest(args) -> int:
    from . import recache

    recache.install()  # before the rules compile their patterns (see pipeline/recache.py)
    from .batch import ingest
    from .dataset import arrow_without_pandas
    from .manifest import ManifestError
    from .workers import file_limits

    arrow_without_pandas()  # this process converts lists only

    _folder_for(args.out, "-o")
    try:
        file_limits()
    except ValueError as e:
        raise UserError(str(e)) from None
    files = _inputs(args.paths)  # before OUT exists: a mistake creates nothing
    if args.scheduler:
        _check_scheduler(args.scheduler)
    try:
        s = ingest(files, args.out, manifest_path=args.manifest,
                   max_bytes=int(args.max_mb * 2**20) if args.max_mb is not None else None,
                   workers=args.workers, scheduler=args.scheduler, progress=not args.quiet,
                   chunk_docs=args.chunk_docs)
    except ManifestError as e:
        raise UserError(str(e)) from None
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


def _inputs(paths: list[str]) -> list[str]:
    """The files the paths name. A path that names nothing is a typo, not an
    input (the library records it as an error row; on the command line the
    user is there to fix it)."""
    import glob

    from .batch import collect

    for p in paths:
        if glob.has_magic(p) and not os.path.exists(p):
            if not glob.glob(p, recursive=True):
                raise UserError(f"no files match {p}")
        elif not os.path.exists(p):
            raise UserError(f"no such file or folder: {p}")
    files = collect(paths)
    if not files:
        raise UserError(f"no readable files found in {', '.join(paths)} "
                        "(hidden files and sidecars such as .json, .csv, .md are skipped)")
    return files


def _folder_for(path: str, flag: str) -> None:
    if os.path.exists(path) and not os.path.isdir(path):
        raise UserError(f"{path} is a file; {flag} needs a folder")


def _check_scheduler(address: str) -> None:
    from distributed.comm import get_address_host_port

    try:
        get_address_host_port(address)
    except ValueError as e:
        raise UserError(f"--scheduler {address}: {e} (e.g. tcp://HOST:8786)") from None


def _evaluate(args) -> int:
    import json
    import tempfile

    from . import evalsets
    from .evaluate import evaluate, format_genre_table, format_report, format_rule_table

    if bool(args.gold) == bool(args.set):
        raise UserError("evaluate needs --gold DIR or --set NAME (one of them)")
    if args.set:
        try:
            es = evalsets.get(args.set)
        except evalsets.UnknownSet as e:
            raise UserError(str(e)) from None
        except FileNotFoundError:
            raise UserError(f"no {evalsets.REGISTRY}: the evaluation sets come with a source checkout "
                            "(pip install -e .); or give --gold DIR") from None
        gold, genres = es.gold, es.genres()
    else:
        gold, genres = args.gold, None
    if not os.path.isdir(gold):
        raise UserError(f"no gold folder at {gold}")
    if args.json:
        _file_for(args.json, "--json")  # known before the evaluation, not after it
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out
        if out is None:
            if not args.set:
                raise UserError("evaluate needs OUT (a dataset folder) unless --set names a set to ingest")
            from .batch import ingest

            out = os.path.join(tmp, "out")
            ingest([es.raw], out, progress=False)
        elif not os.path.exists(os.path.join(out, "documents.parquet")):
            raise UserError(f"no dataset at {out} (run `jyta ingest … -o {out}` first)")
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


def _file_for(path: str, flag: str) -> None:
    if os.path.isdir(path):
        raise UserError(f"{path} is a folder; {flag} needs a file name")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise UserError(f"no folder {os.path.dirname(path)} for {flag} {path}")


def _query(args) -> int:
    import duckdb

    from .store import query_rows

    try:
        columns, rows = query_rows(args.out, args.sql, limit=args.max_rows + 1)
    except duckdb.Error as e:
        raise UserError(_sql_error(e)) from None
    if not rows:
        print("(no rows)")
        return 0
    print(rows_table(columns, rows[:args.max_rows]))
    if len(rows) > args.max_rows:
        print(f"(first {args.max_rows} rows; --max-rows N for more)")
    return 0


def _sql_error(e: Exception) -> str:
    """DuckDB's message on one line, without its LINE/caret picture."""
    lines = str(e).splitlines()
    cut = next((i for i, line in enumerate(lines) if line.startswith("LINE ")), len(lines))
    return " ".join(line.strip() for line in lines[:cut] if line.strip())


def _shown(v) -> str:
    """A value in a console table: missing as empty (never NaN or <NA>),
    whole numbers as integers (146, not 146.0), one line per row."""
    import json

    from .store import number_text

    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)) or type(v).__name__ == "Decimal":
        return number_text(v)
    if isinstance(v, (list, tuple, dict)):
        v = json.dumps(v, ensure_ascii=False, default=str)
    return " ".join(str(v).split())


def rows_table(columns: list[str], rows: list[tuple]) -> str:
    import pandas as pd

    df = pd.DataFrame([[_shown(v) for v in r] for r in rows], columns=columns)
    # Chinese characters take two columns of a terminal: aligned by their width
    with pd.option_context("display.unicode.east_asian_width", True):
        return df.to_string(index=False, max_colwidth=60)


def _export(args) -> int:
    from .store import export

    for path in export(args.out, args.format, args.dest, args.tables, tokens=args.tokens):
        print(path)
    return 0


def _compare(args) -> int:
    from . import compare, dataset
    from .store import require, write_database

    require(args.out)  # compare writes tables: never into a folder that is no dataset
    # the ingests' lock, and series and proposal_links switched in together
    with dataset.exclusive(args.out):
        with dataset.transaction(args.out):
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


def _doctor(args) -> int:
    from .store import check, repair

    if args.repair:
        for line in repair(args.out):
            print(f"repaired  {line}")
    found = check(args.out, sample=args.sample)
    width = max((len(f.file) for f in found), default=0)
    for f in found:
        print(f"{f.status.upper():8}  {f.file:<{width}}  {f.message}")
    damaged = [f for f in found if f.status == "damaged"]
    if not damaged:
        print(f"no damage found in {args.out}")
        return 0
    fixable = sum(f.repairable for f in damaged)
    parts = [f"{fixable} --repair can fix" + ("" if args.repair else f" (jyta doctor {args.out} --repair)")] * bool(
        fixable)
    if fixable < len(damaged):
        parts.append(f"{len(damaged) - fixable} need the source files: ingest them again into a new folder")
    print(f"{len(damaged)} damaged: {'; '.join(parts)}")
    return 1


def _number(v) -> str:
    """5.0 → 5, 98.70 → 98.7: counts read as counts."""
    from .store import number_text

    return number_text(v)


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
    from .store import require

    require(args.out)  # the report builds missing series into OUT: only into a dataset
    _folder_for(args.dest, "-o")
    print(write(args.out, args.dest))
    return 0


def _serve(args) -> int:
    from .service import serve
    from .store import require

    # an empty folder is a dataset to be filled by uploads; a missing path is a typo
    if not (os.path.isdir(args.out) and not os.listdir(args.out)):
        require(args.out)
    serve(args.out, host=args.host, port=args.port, max_mb=args.max_mb, timeout=args.timeout, workers=args.workers,
          queue_wait=args.queue_wait, max_queue=args.max_queue, max_rss_mb=args.memory_mb)
    return 0


def _at_least(low, kind=int, high=None):
    """An argparse type: a number of this kind in [low, high]."""
    def parse(text: str):
        try:
            v = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a {'whole ' if kind is int else ''}number") from None
        if not math.isfinite(v):
            raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
        if v < low or (high is not None and v > high):
            raise argparse.ArgumentTypeError(
                f"{text} is out of range ({low} to {high})" if high is not None else f"{text} is below {low}")
        return v
    return parse


FORMATS = ("csv", "jsonl", "xlsx", "spacy")  # pipeline.store.FORMATS, without importing pyarrow for --help
POSITIVE = _at_least(1)
SCORE = _at_least(0.0, float, 100.0)
MEGABYTES = _at_least(0.001, float)


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        # argparse would print the whole usage first: one line says it, --help has the rest
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    # --debug before or after the command; SUPPRESS: the subcommand's default must not undo jyta --debug
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show the traceback of an unexpected error (or set JYTA_DEBUG=1)")
    p = _Parser(prog="jyta", parents=[common], description="Reports on handling deputies' suggestions and "
                "CPPCC proposals → a normalized dataset.")
    p.add_argument("--version", action="version", version=f"jyta {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    ing = sub.add_parser("ingest", parents=[common], help="read report files into the dataset",
                         description="Read files, folders (recursive) and globs into OUT: "
                         "OUT/documents.parquet and OUT/errors.parquet. Re-running adds only new files. A file that takes "
                         "more than 60 s or 2048 MiB to read and extract is an error row (stage timeout or memory); "
                         "JYTA_FILE_SECONDS and JYTA_FILE_MEMORY_MB in the environment change the limits.")
    ing.add_argument("paths", nargs="+", help="files, folders or glob patterns")
    ing.add_argument("-o", "--out", required=True, help="dataset folder")
    ing.add_argument("--manifest", help="CSV with columns file, source_url, region, year, published")
    ing.add_argument("--max-mb", type=MEGABYTES, default=None, help="refuse files larger than this (default 100)")
    ing.add_argument("--workers", type=POSITIVE, default=None,
                     help="worker processes (default: every core for 32 files or more, else 1)")
    ing.add_argument("--scheduler", help="run on a Dask cluster instead: the scheduler's address (tcp://host:8786)")
    ing.add_argument("-q", "--quiet", action="store_true", help="no progress bar or progress lines")
    ing.add_argument("--chunk-docs", type=POSITIVE, default=200,
                     help="documents per chunk written as results come (memory and resume granularity)")
    ing.set_defaults(func=_ingest)
    ev = sub.add_parser("evaluate", parents=[common], help="score a dataset against gold annotations",
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
    q = sub.add_parser("query", parents=[common], help="run SQL over the dataset (DuckDB)",
                       description="Run SQL over OUT's tables (documents, errors, proposals, metrics, indicators) "
                       "with DuckDB and print the result.")
    q.add_argument("out", help="dataset folder")
    q.add_argument("sql", help='e.g. "SELECT region, year, count(*) FROM documents GROUP BY ALL"')
    q.add_argument("--max-rows", type=POSITIVE, default=200, help="print at most this many rows (default 200)")
    q.set_defaults(func=_query)
    cp = sub.add_parser("compare", parents=[common],
                        help="series across years and proposals followed from year to year",
                        description="Build OUT/series (metrics and indicators of a region by year, year-on-year "
                        "changes, conflicting values flagged) and OUT/proposal_links (the same proposal in a later "
                        "year), then print the metric series.")
    cp.add_argument("out", help="dataset folder")
    cp.add_argument("--region", help="only this region, any spelling (宝坻, 宝坻区, 天津市宝坻区)")
    cp.add_argument("--metric", help="only this metric (satisfaction_rate, count, share…)")
    cp.add_argument("--min-score", type=SCORE, default=50.0,
                    help="keep proposal links whose titles score at least this (0–100, default 50)")
    cp.add_argument("--label-score", type=SCORE, default=70.0,
                    help="an indicator continues a series when its label scores at least this (default 70)")
    cp.add_argument("--recurring-score", type=SCORE, default=60.0,
                    help="a proposal link at or above this marks a recurring problem (default 60)")
    cp.add_argument("--same-kind", action="store_true",
                    help="link proposals only to proposals of the same kind (default: a 建议 may come back as a 提案)")
    cp.add_argument("--max-rows", type=POSITIVE, default=200)
    cp.add_argument("--wide", action="store_true", help="every year and full scopes (default: the last six years)")
    cp.set_defaults(func=_compare)
    rp = sub.add_parser("report", parents=[common],
                        help="a static HTML review: charts by region, highlighted documents, errors",
                        description="Write DIR/index.html (per region: metric series and status mix by year; "
                        "documents with warnings; errors) and DIR/docs/<doc_id>.html (the text with every record "
                        "highlighted). Opens from disk: no server, no network.")
    rp.add_argument("out", help="dataset folder")
    rp.add_argument("-o", "--dest", required=True, help="folder for the report")
    rp.set_defaults(func=_report)
    sv = sub.add_parser("serve", parents=[common], help="the extractor and the dataset over HTTP",
                        description="POST /v1/extract (a report file or JSON text → its records; ?store=true adds it "
                        "to OUT), GET /v1/documents|proposals|metrics|indicators|series (filters, paging), /healthz, "
                        "/openapi.json.")
    sv.add_argument("out", help="dataset folder")
    sv.add_argument("--host", default="127.0.0.1")
    sv.add_argument("--port", type=_at_least(0, int, 65535), default=8000)
    sv.add_argument("--max-mb", type=MEGABYTES, default=20.0, help="upload size limit (default 20)")
    sv.add_argument("--timeout", type=_at_least(0.001, float), default=30.0,
                    help="extraction time limit per request, seconds (default 30; past it: 504)")
    sv.add_argument("--workers", type=POSITIVE, default=None,
                    help="extraction worker processes (default: one per core, 2 to 8)")
    sv.add_argument("--queue-wait", type=_at_least(0.0, float), default=30.0,
                    help="seconds a request waits for a free worker (default 30; past it: 503 with Retry-After)")
    sv.add_argument("--max-queue", type=_at_least(0), default=None,
                    help="requests that may wait for a worker (default 4 per worker; more: 503 with Retry-After)")
    # a warm worker holds ~250 MiB before it reads anything: below that every request would be killed
    sv.add_argument("--memory-mb", type=_at_least(256.0, float), default=2048.0,
                    help="a worker holding more than this many MiB is killed and its request gets 422 memory "
                    "(default 2048)")
    sv.set_defaults(func=_serve)
    dr = sub.add_parser("doctor", parents=[common], help="check every table of a dataset; --repair rebuilds what "
                        "can be rebuilt", description="Verify every table of OUT: readable, with the declared "
                        "columns, rows counted, every row's document in documents, every evidence span "
                        "text[start:end] == surface, the database file and caches. Exit 1 when something is damaged. "
                        "--repair finishes or clears a run that was killed, deletes rows whose document is gone, "
                        "rebuilds series and proposal_links (as `jyta compare` last built them) and OUT/jyta.duckdb.")
    dr.add_argument("out", help="dataset folder")
    dr.add_argument("--repair", action="store_true", help="rebuild what can be rebuilt without the source files")
    dr.add_argument("--sample", type=POSITIVE, default=None,
                    help="check the evidence spans of this many rows per table (default: every row)")
    dr.set_defaults(func=_doctor)
    ex = sub.add_parser("export", parents=[common], help="write the tables as CSV, JSON Lines or XLSX, or the documents for spaCy",
                        description="CSV is UTF-8 with BOM (Excel on Chinese Windows opens it); XLSX is one workbook "
                        "with a sheet per table, numbers as numbers. Every table but documents carries its documents' "
                        "region, year and title (doc_region, doc_year, doc_title). spacy is DIR/jyta.spacy, a DocBin "
                        "of every document with its records as spans (pipeline/nlp.py).")
    ex.add_argument("out", help="dataset folder")
    ex.add_argument("--format", required=True, choices=FORMATS)
    ex.add_argument("--tokens", action="store_true",
                    help="with --format jsonl: each sentence of sentences.jsonl with its jieba tokens "
                    "[[token, start, end], …] (offsets in documents.text)")
    ex.add_argument("-o", "--dest", required=True, help="folder for the files")
    ex.add_argument("--tables", nargs="*", help="only these tables")
    ex.set_defaults(func=_export)
    return p


def main(argv: list[str] | None = None) -> int:
    """The command; a user's mistake is one line on stderr and exit 2, anything
    unexpected one line and exit 1 (the traceback with --debug or JYTA_DEBUG=1)."""
    _one_blas_thread()
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as e:  # --help, --version, or a usage error argparse has said in one line
        return e.code if isinstance(e.code, int) else 0
    debug = getattr(args, "debug", False) or os.environ.get("JYTA_DEBUG", "") not in ("", "0")
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("jyta: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `jyta query … | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as e:
        from .store import DatasetError

        if isinstance(e, (UserError, DatasetError)):
            print(f"jyta: error: {_one_line(e)}", file=sys.stderr)
            return 2
        if debug:
            import traceback

            traceback.print_exc()
        print(f"jyta: error: {type(e).__name__}: {_one_line(e)}"
              + ("" if debug else " (--debug or JYTA_DEBUG=1 shows where)"), file=sys.stderr)
        return 1


def _one_blas_thread() -> None:
    """numpy's OpenBLAS starts a thread per core when numpy is imported (by
    pyarrow, by the near-duplicate check) and jyta multiplies no matrices:
    the threads cost a one-file ingest 70 ms, more on a machine with more
    cores. Set before numpy is imported, for this process and the workers it
    starts; a value the user set is kept."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def _one_line(e: Exception) -> str:
    return " ".join(str(e).split())
