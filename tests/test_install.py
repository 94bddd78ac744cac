"""A plain (not editable) install of the wheel works from an empty folder, on the bundled seed and on a new corpus.

The wheel is built from the repository and installed with ``--no-deps`` into a new virtual
environment whose dependencies come from the test environment's site-packages (a ``.pth`` file,
which makes no package of kg itself visible: the editable install is a finder that a ``.pth``-added
folder does not run). So ``kg`` in the new environment is the wheel's copy, with only what the wheel
carries: ontology, shapes, query library, templates, static files and the seed corpus.
"""

from __future__ import annotations

import json
import shutil
import site
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import INVENTED_CORPUS, REPO, snapshot

pytestmark = pytest.mark.slow  # builds a wheel and runs kg in subprocesses


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("install")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(work / "dist"), str(REPO)],
                   check=True, capture_output=True)
    [wheel] = (work / "dist").glob("kg_positions-*.whl")
    env = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(env)], check=True)
    [packages] = env.glob("lib/python*/site-packages")
    (packages / "test-dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    subprocess.run([str(env / "bin" / "pip"), "install", "-q", "--no-deps", str(wheel)], check=True, capture_output=True)
    return env


def environment(venv: Path, home: Path) -> dict[str, str]:
    """The new environment first on PATH; the dependencies' programs (the oxigraph server) after it."""
    return {"PATH": f"{venv / 'bin'}:{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(home),
            "XDG_CACHE_HOME": str(home / ".cache")}


def run(venv: Path, cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(argv), cwd=cwd, env=environment(venv, cwd), capture_output=True, text=True, timeout=300)


def test_the_five_commands_work_on_the_bundled_seed_from_an_empty_folder(venv: Path, tmp_path: Path) -> None:
    [installed] = venv.glob("lib/python*/site-packages/kg")
    assert not (installed / "seed").is_symlink() and (installed / "ontology" / "kg.ttl").is_file()
    assert (installed / "py.typed").exists() and (installed / "seed" / "build" / "kg.trig").is_file()
    before = snapshot(installed.parent)
    built = run(venv, tmp_path, "kg", "build")
    assert built.returncode == 0, built.stderr
    assert "corpus: seed" in built.stdout and "SHACL: conforms" in built.stdout
    assert (tmp_path / ".cache" / "kg").is_dir()  # the installed seed is read-only: its build goes to the cache
    actors = run(venv, tmp_path, "kg", "query", "actors", "-f", "csv")
    assert actors.returncode == 0 and "https://w3id.org/kg/id/actor/russia" in actors.stdout
    page = run(venv, tmp_path, "kg", "viz")
    assert page.returncode == 0 and (tmp_path / "kg-graph.html").stat().st_size > 100_000
    python = run(venv, tmp_path, "python", "-c", "import kg; print([a.label for a in kg.load().actors()])")
    assert python.returncode == 0 and "'Russia'" in python.stdout
    server = subprocess.Popen(["kg", "serve", "--port", "0"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env=environment(venv, tmp_path))
    try:
        url = server.stdout.readline().split(": ", 1)[1].strip()
        query = urllib.parse.urlencode({"query": "ASK { <https://w3id.org/kg/id/actor/russia> ?p ?o }"})
        with urllib.request.urlopen(f"{url}?{query}", timeout=60) as answer:
            assert json.load(answer)["boolean"] is True
    finally:
        server.terminate()
        server.wait(30)
    assert snapshot(installed.parent) == before, "the installed package must not be written to"


def test_a_new_corpus_builds_and_queries_without_touching_the_package(venv: Path, tmp_path: Path) -> None:
    [installed] = venv.glob("lib/python*/site-packages/kg")
    before = snapshot(installed.parent)
    assert run(venv, tmp_path, "kg", "init", "mine").returncode == 0
    shutil.copy(INVENTED_CORPUS / "entities.yaml", tmp_path / "mine" / "entities.yaml")
    for path in (INVENTED_CORPUS / "articles").glob("001_*"):
        shutil.copy(path, tmp_path / "mine" / "articles")
    built = run(venv, tmp_path / "mine", "kg", "build")
    assert built.returncode == 0, built.stderr
    assert "corpus: mine (1 article(s)" in built.stdout
    answer = run(venv, tmp_path, "kg", "--corpus", "mine", "query", "positions", "-f", "csv")
    assert "Aldoria offers Brenn a 10-year water guarantee" in answer.stdout
    assert "Donbas" not in answer.stdout
    assert snapshot(installed.parent) == before
