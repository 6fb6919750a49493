"""The extractors stay readable (issue 13): no function in extractors/ over
60 lines — a longer one is two decisions that want names of their own."""
import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent / "extractors"
LIMIT = 60


def _functions():
    for path in sorted(ROOT.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield f"{path.name}:{node.name}", node.end_lineno - node.lineno + 1


def test_the_check_sees_the_functions():
    lengths = dict(_functions())
    assert "metrics.py:_scope" in lengths and len(lengths) > 250


def test_no_long_functions():
    long = [f"{n} ({k})" for n, k in _functions() if k > LIMIT]
    assert not long, ", ".join(long)
