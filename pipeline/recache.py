"""Compiled regular expressions kept between runs of the CLI (issue 18).

The rules compile some 400 patterns when a process starts, several of them
alternations of thousands of place names and terms: 90 ms of a one-file
ingest, in the pure-Python half of Python's `re` (parsing the pattern and
building its program). What that half builds for a pattern is kept here,
per user, for this Python (its version and its regex engine's), and handed
back to the engine's own constructor on the next start: the same program,
hence the same Pattern. An entry is kept only after checking that the
Pattern built from it equals (pattern, flags and program: CPython compares
all three) the one `re` compiled, and only where `re`'s internals are those
this was written for; anywhere else nothing changes.

    install()   # once, early in a process that compiles the rules
"""
from __future__ import annotations

import atexit
import marshal
import os
import re
import sys

MAX_ENTRIES = 1500  # past this, a save keeps the patterns of its own run only (the rules changed often)
_state: dict = {}


def install() -> None:
    """Serve `re`'s compilations from the cache in this process, and save
    the patterns it had to compile when the process ends."""
    if _state or not _supported():
        return
    path = _path()
    if path is None:
        return
    _state.update(path=path, cache=_load(path), new={}, used=set())
    re._compiler.compile = _compile
    atexit.register(_save)


def _supported() -> bool:
    import _sre

    compiler = getattr(re, "_compiler", None)
    return (sys.implementation.name == "cpython" and compiler is not None and (3, 11) <= sys.version_info[:2] <= (3, 13)
            and all(hasattr(compiler, n) for n in ("compile", "_code", "_parser")) and hasattr(_sre, "MAGIC"))


_ORIGINAL = re._compiler.compile if hasattr(re, "_compiler") else None


def _compile(p, flags=0):
    import _sre

    flags = int(flags)
    if not isinstance(p, str) or flags & (re.DEBUG | re.LOCALE):
        return _ORIGINAL(p, flags)
    key = (p, flags)
    args = _state["cache"].get(key)
    if args is not None:
        try:
            pattern = _sre.compile(p, *args)
        except Exception:  # an entry this engine does not take: compiled as usual
            pass
        else:
            _state["used"].add(key)
            return pattern
    pattern = _ORIGINAL(p, flags)
    args = _arguments(p, flags)
    try:
        same = _sre.compile(p, *args) == pattern
    except Exception:
        same = False
    if same:
        _state["new"][key] = args
    return pattern


def _arguments(p: str, flags: int) -> tuple:
    """What re._compiler.compile hands _sre.compile for ``p`` (its own steps)."""
    compiler = re._compiler
    parsed = compiler._parser.parse(p, flags)
    code = compiler._code(parsed, flags)
    groupindex = parsed.state.groupdict
    indexgroup = [None] * parsed.state.groups
    for k, i in groupindex.items():
        indexgroup[i] = k
    # the program as plain ints: its opcodes are an int subclass that marshal does not keep
    return flags | parsed.state.flags, [int(c) for c in code], parsed.state.groups - 1, dict(groupindex), tuple(indexgroup)


def _path() -> str | None:
    import _sre

    from .yamlload import cache_dir

    folder = cache_dir()
    if folder is None:
        return None
    # the exact Python: a bug fix in re's compiler may change a program without changing the engine's MAGIC
    v = sys.version_info
    tag = f"{sys.implementation.cache_tag}.{v.micro}{v.releaselevel[0]}{v.serial}-{_sre.MAGIC}-{marshal.version}"
    return os.path.join(folder, f"patterns-{tag}.marshal")


def _load(path: str) -> dict:
    try:
        with open(path, "rb") as fh:
            cache = marshal.load(fh)
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    return cache if isinstance(cache, dict) else {}


def _save() -> None:
    new = _state.get("new")
    if not new:
        return
    cache = _state["cache"]
    if len(cache) + len(new) > MAX_ENTRIES:
        cache = {k: cache[k] for k in _state["used"] if k in cache}
    cache = {**cache, **new}
    path = _state["path"]
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(tmp, "wb") as fh:
            marshal.dump(cache, fh)
        os.replace(tmp, path)  # whole or not at all, whoever saves at the same time
    except (OSError, ValueError):
        try:
            os.unlink(tmp)
        except OSError:
            pass
