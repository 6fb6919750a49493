"""Issue 18: per-file steps done in C rather than a Python step per byte or
line; they decide what the loops they replace decided."""
import os
import random

import pytest

from pipeline import workers

sniff_module = __import__("pipeline.readers.sniff", fromlist=["_looks_binary"])


def test_looks_binary_counts_control_bytes_as_the_loop_did():
    rnd = random.Random(3)
    for _ in range(20000):
        head = bytes(rnd.choice([1, 5, 8, 9, 10, 13, 14, 20, 31, 32, 65, 200, 255]) for _ in range(rnd.randint(0, 60)))
        control = sum(1 for b in head if b < 9 or 13 < b < 32)
        assert sniff_module._looks_binary(head) == (control > len(head) * 0.05), head


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="no /proc")
def test_data_size_is_vmdata():
    with open("/proc/self/status") as fh:
        want = [int(line.split()[1]) * 1024 for line in fh if line.startswith("VmData:")]
    assert abs(workers._data_size() - want[0]) < 2**20  # read a moment apart
