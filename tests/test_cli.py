"""Command-line conventions: --version, python -m kg, a closed pipe, Ctrl-C, progress on stderr."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

import kg
from conftest import interruptible
from kg.cli import main
from kg.progress import step


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out == f"kg {kg.__version__}\n"


def test_progress_is_silent_when_quick_and_says_so_when_slow(capsys: pytest.CaptureFixture[str]) -> None:
    with step("quick"):
        pass
    assert capsys.readouterr().err == ""
    with step("slow step", after=0.05):
        time.sleep(0.2)
    err = capsys.readouterr().err
    assert err.startswith("kg: slow step ...\n") and "kg: slow step: done in 0.2 s" in err


@pytest.mark.slow
def test_python_m_kg_and_a_closed_pipe() -> None:
    assert subprocess.run([sys.executable, "-m", "kg", "--version"], capture_output=True, text=True).stdout == f"kg {kg.__version__}\n"
    done = subprocess.run(f"{sys.executable} -m kg query --list | head -1", shell=True, capture_output=True, text=True)
    assert done.stdout.startswith("actor-mentions") and done.stderr == ""


@pytest.mark.slow
def test_ctrl_c_exits_130_with_one_line() -> None:
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    process = subprocess.Popen([sys.executable, "-m", "kg", "query", slow, "--engine", "oxigraph"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=interruptible)
    time.sleep(4)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert (process.returncode, err) == (130, "kg: interrupted\n")
