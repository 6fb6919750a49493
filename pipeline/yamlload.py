"""The project's rule files (YAML) read with libyaml's parser where PyYAML
has it: the same data as yaml.safe_load (tests/test_speed.py compares them
on every rule file) in a tenth of the time, which every start of the CLI
and of a worker pays.

What a text parses to is kept in the user's cache folder (marshal, named by
the text's digest and the PyYAML installed): the next start reads it back in
half a millisecond, without importing PyYAML (20-30 ms of a one-file ingest
for the rule files). A text that changes gets a new name; a cache that
cannot be read or written is parsed around."""
from __future__ import annotations

import hashlib
import marshal
import os
import sys
from functools import lru_cache


def safe_load(text: str):
    path = _cached(text)
    if path:
        try:
            with open(path, "rb") as fh:
                return marshal.load(fh)
        except (OSError, EOFError, ValueError, TypeError):
            pass
    data = parse(text)
    if path:
        _store(path, data)
    return data


def parse(text: str):
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def cache_dir() -> str | None:
    """JYTA_CACHE, else jyta/ in the user's cache folder (XDG_CACHE_HOME,
    ~/.cache); None where there is no home (no cache then)."""
    if os.environ.get("JYTA_CACHE"):
        return os.environ["JYTA_CACHE"]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return None if base.startswith("~") else os.path.join(base, "jyta")


def _cached(text: str) -> str | None:
    """Where the parse of ``text`` is kept: named by the text, this Python's
    marshal format and the PyYAML installed (its file's size and time), so
    that no other parse is ever read back for it."""
    folder, versions = cache_dir(), _versions()
    if folder is None or versions is None:
        return None
    key = f"{versions}\n{text}"
    return os.path.join(folder, "rules", hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] + ".marshal")


@lru_cache(maxsize=1)
def _versions() -> str | None:
    from importlib.util import find_spec

    try:
        st = os.stat(find_spec("yaml").origin)
    except (ImportError, AttributeError, TypeError, ValueError, OSError):
        return None
    return f"{sys.version_info[0]}.{sys.version_info[1]}-{marshal.version}-{st.st_size}-{st.st_mtime_ns}"


def _store(path: str, data) -> None:
    try:
        blob = marshal.dumps(data)
    except ValueError:  # a type marshal does not keep (a date): parsed every time
        return
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(tmp, "wb") as fh:
            fh.write(blob)
        os.replace(tmp, path)  # whole or not at all, whoever writes it at the same time
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass
