"""The examples in examples/ run and print the answers they promise."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import REPO


def run(*argv: str) -> str:
    done = subprocess.run([sys.executable, *argv], capture_output=True, text=True, cwd=REPO, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.slow
def test_competency_questions_script_on_both_engines():
    outputs = [run("examples/competency_questions.py", "--engine", store) for store in ("rdflib", "oxigraph")]
    assert outputs[0] == outputs[1]
    out = outputs[0]
    assert "'the Kremlin' is https://w3id.org/kg/id/actor/russia" in out
    assert "(to https://w3id.org/kg/id/actor/ukraine; ultimatum, reported)" in out
    assert "for 15 years" in out and "A signed peace settlement (Condition)" in out
    assert "CQ9" in out and "[2222:" in out


@pytest.mark.slow
def test_notebook_style_walkthrough():
    out = run("examples/notebook.py")
    assert "https://w3id.org/kg/id/actor/ukraine https://w3id.org/kg/id/actor/united-states" in out
    assert "| position | positionLabel | other | otherLabel | conflict | conflictLabel |" in out
    assert "41 206 ultimatum reported (\"the article's author\",)" in out
