"""The catalogues are read with libyaml's safe loader (fast): it must read every shipped file
exactly as PyYAML's pure-Python safe loader does."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml

from socialpulse import catalogue

FILES = sorted(p.name for p in resources.files("socialpulse.catalogue").iterdir()
               if p.name.endswith(".yaml"))


def test_there_are_catalogues() -> None:
    assert "metrics.yaml" in FILES and len(FILES) >= 5


@pytest.mark.parametrize("name", FILES)
def test_fast_loader_reads_what_the_safe_loader_reads(name: str) -> None:
    text = resources.files("socialpulse.catalogue").joinpath(name).read_text(encoding="utf-8")
    assert yaml.load(text, Loader=catalogue._LOADER) == yaml.safe_load(text)


def test_fast_loader_stays_safe() -> None:
    with pytest.raises(yaml.YAMLError):
        yaml.load("!!python/object/apply:os.system ['true']", Loader=catalogue._LOADER)
