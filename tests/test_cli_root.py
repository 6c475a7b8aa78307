"""The top-level CLI: info, help on every verb, one-line errors with exit status 2."""

from __future__ import annotations

import subprocess
import sys

import pytest

VERBS = ["info", "demo", "terrain", "ephemeris", "stations", "horizon", "illumination", "thermal",
         "volatiles", "sites", "traverse"]


def _lupex(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from lupex.cli import main; main()", *args],
                          capture_output=True, text=True, timeout=300)


def test_info_names_versions_and_ephemeris_sources():
    r = _lupex("info")
    assert r.returncode == 0, r.stderr
    for word in ("numpy", "skyfield", "de421", "moon_pa_de421"):
        assert word in r.stdout.lower()


@pytest.mark.parametrize("verb", VERBS)
def test_every_verb_has_help_with_an_example(verb):
    r = _lupex(verb, "--help")
    assert r.returncode == 0, r.stderr
    assert "example" in r.stdout.lower() or "lupex " in r.stdout.lower()


def test_bad_input_is_one_line_and_exit_2(tmp_path):
    r = _lupex("terrain", "info", str(tmp_path / "missing.tif"))
    assert r.returncode == 2
    assert "missing.tif" in r.stderr and "Traceback" not in r.stderr
    r = _lupex("ephemeris", "--lat", "-89.45", "--lon", "222.7", "--start", "2070-01-01",
               "--stop", "2070-01-02", "--step", "1h")
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_error_text_is_not_read_as_markup(capsys):
    # a message quoting `pip install 'lupex[gpu]'` keeps its brackets (rich would eat "[gpu]")
    from lupex.cli import main

    with pytest.raises(SystemExit) as e:
        main(["terrain", "info", "missing[gpu].tif"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "error:" in err and "missing[gpu].tif" in err
