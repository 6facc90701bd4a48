"""tools/dev itself, in a copy of the repository whose virtual environment, apt-get and user
are stand-ins: what it installs, when, and what it says when it cannot install."""

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Records every pip call; answers tools/qt_libraries.py as a machine missing two libraries
# would, until apt-get has "installed" them.
FAKE_PYTHON = """#!/bin/bash
here="$(dirname "$0")"
case "$*" in
  *"-m pip"*) echo "pip $*" >>"$here/../calls" ;;
  *--missing-packages*) [ -e "$here/../apt-done" ] || printf 'libxcb-icccm4\\nlibxcb-keysyms1\\n' ;;
  *--check*) [ -e "$here/../apt-done" ] ;;
esac
"""
FAKE_APP = """#!/bin/bash
echo "intake-app $*"
"""
FAKE_APT = """#!/bin/bash
echo "apt-get $*" >>"$VENV_DIR/calls"
touch "$VENV_DIR/apt-done"
"""


def executable(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / "tools").mkdir(parents=True)
    shutil.copy2(ROOT / "tools" / "dev", repo / "tools" / "dev")
    for name in ("pyproject.toml", "setup.py", "constraints.txt"):
        shutil.copy2(ROOT / name, repo / name)
    venv_bin = repo / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    executable(venv_bin / "python", FAKE_PYTHON)
    executable(venv_bin / "intake-app", FAKE_APP)
    return repo


def run_dev(
    repo: Path, *args: str, uid: int = 1000, apt: bool = True
) -> subprocess.CompletedProcess[str]:
    """tools/dev with a PATH holding only what it needs: no sudo, a stand-in id (and apt-get)."""
    bin_dir = repo.parent / "bin"
    shutil.rmtree(bin_dir, ignore_errors=True)
    bin_dir.mkdir()
    for tool in ("bash", "cat", "cut", "dirname", "env", "sha256sum", "touch", "printf"):
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    executable(bin_dir / "id", f"#!/bin/bash\necho {uid}\n")
    if apt:
        executable(bin_dir / "apt-get", FAKE_APT)
    env = {"PATH": str(bin_dir), "VENV_DIR": str(repo / ".venv"), "HOME": str(repo.parent)}
    return subprocess.run(
        ["bash", str(repo / "tools" / "dev"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def calls(repo: Path) -> list[str]:
    log = repo / ".venv" / "calls"
    return log.read_text().splitlines() if log.exists() else []


def test_without_root_or_sudo_it_names_the_packages_to_install(checkout: Path) -> None:
    done = run_dev(checkout, "start")
    assert done.returncode == 1
    assert "sudo: command not found" not in done.stderr
    assert "As root, run:  apt-get install -y libxcb-icccm4 libxcb-keysyms1" in done.stderr
    assert "intake-app" not in done.stdout


def test_as_root_it_installs_the_missing_qt_libraries_with_apt(checkout: Path) -> None:
    done = run_dev(checkout, "start", uid=0)
    assert done.returncode == 0, done.stderr
    assert "apt-get install -y -qq libxcb-icccm4 libxcb-keysyms1" in calls(checkout)
    assert done.stdout.rstrip().endswith("intake-app --demo")


def test_installs_once_and_again_only_when_pyproject_changes(checkout: Path) -> None:
    (checkout / ".venv" / "apt-done").touch()
    assert run_dev(checkout, "start").returncode == 0
    first = calls(checkout)
    assert any(c.endswith("install -q -c constraints.txt -e .") for c in first), first
    assert not any("[test]" in c for c in first)

    assert run_dev(checkout, "start", "--smoke-test").returncode == 0
    assert calls(checkout) == first  # nothing installed the second time

    with (checkout / "pyproject.toml").open("a") as handle:
        handle.write("\n# changed\n")
    assert run_dev(checkout, "start").returncode == 0
    assert len(calls(checkout)) > len(first)


def test_test_installs_the_test_extra(checkout: Path) -> None:
    (checkout / ".venv" / "apt-done").touch()
    run_dev(checkout, "test")  # the stand-in venv has no ruff: only the install is checked
    assert any(c.endswith("install -q -c constraints.txt -e .[test]") for c in calls(checkout))
    assert os.path.exists(checkout / ".venv" / ".installed-start")
