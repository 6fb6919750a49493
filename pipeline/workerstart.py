"""Imported once by the fork server of the local ingest workers
(pipeline.workers._pool): the readers, the extractors and the jieba
tokenizer with the domain dictionary, loaded before the workers are forked
from it. Each worker then starts with them instead of importing and loading
them again: about a second of CPU time per worker, most of it jieba's
dictionary. Nothing here starts a thread or imports pyarrow or numpy (which
do): a process forked from one with threads may inherit a lock one of them
held."""
from . import recache

recache.install()  # before the rules compile their patterns; saved when the server ends

from . import link, readers  # noqa: E402,F401
from .workers import _warm  # noqa: E402

_warm()
