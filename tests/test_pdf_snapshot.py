"""The PDF reader gives, for a fixed set of PDFs, exactly what it gave
before it was made faster (issue 18): same text, page starts, tables and
warnings, hence the same records. See tests/pdf_snapshot.py."""
import json

import pdf_snapshot


def test_the_reader_gives_what_it_gave_before():
    with open(pdf_snapshot.STORED) as fh:
        want = json.load(fh)
    got = pdf_snapshot.digests()
    assert [k for k in want if got.get(k) != want[k]] == [], "run `python tests/pdf_snapshot.py` to see which"
    assert set(got) == set(want)
