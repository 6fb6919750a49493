"""Progress of a batch: a bar with files/s and ETA on a terminal (tqdm),
plain periodic log lines when the output is a file or a CI log."""
from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, total: int, stream=None, every: float = 10.0, enabled: bool = True):
        self.total, self.done, self.errors = total, 0, 0
        self.stream = stream or sys.stderr
        self.every = every
        self.t0 = self.last = time.monotonic()
        self.bar = None
        self.enabled = enabled and total > 0
        if self.enabled and getattr(self.stream, "isatty", lambda: False)():
            from tqdm import tqdm

            self.bar = tqdm(total=total, file=self.stream, unit="file", dynamic_ncols=True, smoothing=0.1)

    def update(self, error: bool = False) -> None:
        self.done += 1
        self.errors += error
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.update(1)
            if error:
                self.bar.set_postfix(errors=self.errors, refresh=False)
            return
        now = time.monotonic()
        if now - self.last >= self.every or self.done == self.total:
            self.last = now
            rate = self.done / max(now - self.t0, 1e-9)
            eta = (self.total - self.done) / rate if rate else float("inf")
            print(f"ingest: {self.done}/{self.total} files, {self.errors} errors, {rate:.1f} files/s, "
                  f"ETA {eta:.0f}s", file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.t0
