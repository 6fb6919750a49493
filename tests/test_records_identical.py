"""Issue 18: work done for speed changes no record. Every evaluation set's
texts give the records whose digest is committed in tests/records_digest.json."""
import records_digest


def test_the_records_of_every_set_are_as_committed():
    diff = records_digest.differences(records_digest.load(), records_digest.compute())
    assert not diff, (
        f"{len(diff)} documents' records differ from tests/records_digest.json:\n  " + "\n  ".join(diff[:20])
        + "\nA change meant only for speed must not change records. If this change of records is intended "
        "(an accuracy fix), refresh the digest: python tests/records_digest.py --write")


def test_the_digest_names_what_changed():
    expected = {"dev": {"101.txt": {t: "a" for t in records_digest.TABLES}, "102.txt": {}}}
    got = {"dev": {"101.txt": {**expected["dev"]["101.txt"], "metrics": "b"}, "103.txt": {}}}
    assert records_digest.differences(expected, got) == [
        "dev/101.txt: metrics changed", "dev/102.txt: gone", "dev/103.txt: new"]
    assert records_digest.differences(expected, expected) == []
