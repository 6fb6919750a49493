"""The project's rule files (YAML) read with libyaml's parser where PyYAML
has it: the same data as yaml.safe_load (tests/test_speed.py compares them
on every rule file) in a tenth of the time, which every start of the CLI
and of a worker pays."""
from __future__ import annotations


def safe_load(text: str):
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
