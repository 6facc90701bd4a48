"""The committed ui_*.py modules are what pyside6-uic makes of forms/*.ui today."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORMS = sorted((ROOT / "forms").glob("*.ui"))


@pytest.mark.parametrize("form", FORMS, ids=[f.stem for f in FORMS])
def test_generated_module_is_current(form: Path, tmp_path: Path) -> None:
    uic = shutil.which("pyside6-uic") or str(
        Path(__import__("sys").executable).parent / "pyside6-uic"
    )
    out = tmp_path / f"ui_{form.stem}.py"
    subprocess.run(
        [uic, "--from-imports", "--no-autoconnection", str(form), "-o", str(out)], check=True
    )
    committed = ROOT / "intake_app" / "ui" / "generated" / f"ui_{form.stem}.py"
    assert committed.read_text() == out.read_text(), f"run tools/uic: {committed.name} is stale"


def test_there_are_forms() -> None:
    assert FORMS, "forms/*.ui expected"
