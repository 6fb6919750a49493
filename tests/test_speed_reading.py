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


def test_numbers_of_one_length_agree_as_the_alignment_says():
    """_may_be_same's shortcut for number lists of one length (none may be
    missing below 100 numbers: they agree only if equal) decides what the
    alignment decides."""
    from pipeline import dedupe

    rnd = random.Random(5)
    for _ in range(20000):
        n = rnd.choice([0, 1, 3, 10, 99, 100, 150])
        a = [str(rnd.randint(1, 4)) for _ in range(n)]
        b = list(a) if rnd.random() < 0.3 else [str(rnd.randint(1, 4)) for _ in range(n + rnd.choice([0, 0, 1, -1 if n else 0]))]
        want = dedupe.unmatched(a, b) <= int(dedupe.MAX_UNMATCHED * min(len(a), len(b)))
        for x, y in ((a, b), (b, a), (tuple(a), list(b))):
            assert dedupe._may_be_same((100, x), (100, y)) == want, (a, b)
