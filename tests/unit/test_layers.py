"""The layering of SPEC §9, read from the source with `ast`: each layer imports only those above.

1. domain  2. rendering  3. store  4. services  5. ui and cli.
"""

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGE = "intake_app"
PACKAGE_DIR = REPO / PACKAGE

QT = frozenset({"PySide6", "shiboken6", "PyQt5", "PyQt6"})
SQL = frozenset({"sqlalchemy", "alembic", "sqlcipher3", "psycopg", "psycopg2", "sqlite3"})


@dataclass(frozen=True)
class Rule:
    banned_libraries: frozenset[str]
    banned_layers: frozenset[str]  # second component of intake_app.<layer>


ALL_LAYERS = frozenset({"domain", "rendering", "store", "services", "ui", "cli", "__main__"})
# Every module and subpackage directly under intake_app/, so a new one is covered too.
TOP_MODULES = frozenset(
    {p.stem for p in PACKAGE_DIR.glob("*.py")}
    | {p.name for p in PACKAGE_DIR.iterdir() if p.is_dir() and not p.name.startswith("__")}
)

RULES: dict[str, Rule] = {
    # plain Python: no Qt, no SQL, no file formats; nothing of the app but itself and paths
    "domain": Rule(
        QT | SQL | {"reportlab", "openpyxl"},
        (ALL_LAYERS | TOP_MODULES) - {"domain", "paths", "__init__"},
    ),
    # pure functions from plain data to bytes: no SQL, no Qt
    "rendering": Rule(QT | SQL, frozenset({"store", "services", "ui", "cli", "__main__"})),
    "store": Rule(QT, frozenset({"services", "ui", "cli", "__main__"})),
    "services": Rule(QT, frozenset({"ui", "cli", "__main__"})),
}


@dataclass(frozen=True)
class Import:
    line: int
    name: str


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(source: str, module: str, is_package: bool) -> Iterator[Import]:
    """Every module name the source imports, relative imports resolved, nested ones included."""
    tree = ast.parse(source)
    package = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(node.lineno, alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                kept = package[: len(package) - (node.level - 1)]
                base = ".".join([*kept, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            yield Import(node.lineno, base)
            for alias in node.names:
                if alias.name != "*":
                    yield Import(node.lineno, f"{base}.{alias.name}")
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            first = node.args[0]
            if (
                called in ("__import__", "import_module")
                and isinstance(first, ast.Constant)
                and isinstance(first.value, str)
            ):
                yield Import(node.lineno, first.value)


def violations_in(source: str, module: str, is_package: bool, where: str) -> list[str]:
    parts = module.split(".")
    if len(parts) < 2 or parts[0] != PACKAGE or parts[1] not in RULES:
        return []
    rule = RULES[parts[1]]
    found: dict[tuple[int, str], str] = {}  # one entry per line and banned thing
    for imp in imports_of(source, module, is_package):
        top, _, rest = imp.name.partition(".")
        layer = rest.split(".")[0] if top == PACKAGE and rest else None
        banned = top if top in rule.banned_libraries else layer
        if banned in rule.banned_libraries or banned in rule.banned_layers:
            key = (imp.line, banned)
            if key not in found or len(imp.name) < len(found[key]):
                found[key] = imp.name
    return [f"{where}:{line}: {module} imports {name}" for (line, _), name in sorted(found.items())]


def _source_files() -> list[Path]:
    return sorted(p for p in PACKAGE_DIR.rglob("*.py") if "__pycache__" not in p.parts)


def test_layering_of_the_package() -> None:
    violations: list[str] = []
    for path in _source_files():
        module = module_name(path, REPO)
        source = path.read_text(encoding="utf-8")
        where = str(path.relative_to(REPO))
        violations += violations_in(source, module, path.name == "__init__.py", where)
    assert not violations, "imports that break the layering of SPEC §9:\n" + "\n".join(violations)


def test_the_walk_sees_every_ruled_layer() -> None:
    files = _source_files()
    layers = {module_name(p, REPO).split(".")[1] for p in files if p.parent != PACKAGE_DIR}
    assert set(RULES) <= layers
    domain = {module_name(p, REPO) for p in files if p.parent.name == "domain"}
    for name in ("enums", "checklists", "lifecycle", "priority", "calendar", "metrics"):
        assert f"intake_app.domain.{name}" in domain
    for name in ("targets", "access", "intake"):
        assert f"intake_app.domain.{name}" in domain


def test_every_source_file_parses() -> None:
    for path in _source_files():
        ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


# --- the checker itself finds what it should ------------------------------------------------


@pytest.mark.parametrize(
    ("module", "is_package", "source", "banned"),
    [
        ("intake_app.domain.x", False, "import sqlalchemy.orm", "sqlalchemy.orm"),
        ("intake_app.domain.x", False, "from PySide6.QtCore import Qt", "PySide6.QtCore"),
        ("intake_app.domain.x", False, "def f():\n    import reportlab\n", "reportlab"),
        ("intake_app.domain.x", False, "from alembic import op", "alembic"),
        ("intake_app.domain.x", False, "from intake_app.store import models", "intake_app.store"),
        ("intake_app.domain.x", False, "from intake_app import services", "intake_app.services"),
        (
            "intake_app.domain.x",
            False,
            "from ..rendering import report_csv",
            "intake_app.rendering",
        ),
        ("intake_app.domain.x", False, "from intake_app.cli import main", "intake_app.cli"),
        ("intake_app.domain", True, "from ..store.models import Referral", "intake_app.store"),
        (
            "intake_app.domain.x",
            False,
            "import importlib\nimportlib.import_module('PySide6')",
            "PySide6",
        ),
        ("intake_app.rendering.x", False, "from sqlalchemy import select", "sqlalchemy"),
        (
            "intake_app.rendering.x",
            False,
            "from intake_app.services import reports",
            "intake_app.services",
        ),
        ("intake_app.rendering.x", False, "import intake_app.cli", "intake_app.cli"),
        ("intake_app.store.x", False, "from PySide6 import QtCore", "PySide6"),
        (
            "intake_app.store.x",
            False,
            "from ..services.errors import ServiceError",
            "intake_app.services",
        ),
        ("intake_app.store.migrations.env", False, "from ...ui import main", "intake_app.ui"),
        ("intake_app.services.x", False, "import PySide6.QtWidgets", "PySide6.QtWidgets"),
        ("intake_app.services.x", False, "from intake_app.ui.main import Window", "intake_app.ui"),
        ("intake_app.services.x", False, "from .. import cli", "intake_app.cli"),
    ],
)
def test_checker_reports_a_banned_import(
    module: str, is_package: bool, source: str, banned: str
) -> None:
    found = violations_in(source, module, is_package, "f.py")
    assert found, "the checker missed a banned import"
    assert any(f"imports {banned}" in v for v in found), found


@pytest.mark.parametrize(
    ("module", "is_package", "source"),
    [
        ("intake_app.domain.x", False, "from intake_app.domain import DomainError"),
        ("intake_app.domain.x", False, "from . import enums\nfrom .enums import State"),
        ("intake_app.domain", True, "from .lifecycle import replay"),
        ("intake_app.domain.x", False, "from intake_app.paths import resource"),
        (
            "intake_app.domain.x",
            False,
            "import holidays\nimport json\nfrom zoneinfo import ZoneInfo",
        ),
        ("intake_app.rendering.x", False, "from intake_app.domain.metrics import ReportRow"),
        ("intake_app.store.x", False, "import sqlalchemy\nfrom intake_app.domain import enums"),
        ("intake_app.services.x", False, "from intake_app.store import models\nimport reportlab"),
        ("intake_app.services.x", False, "from intake_app.rendering import report_csv"),
        ("intake_app.cli", False, "from intake_app.services import auth"),
        ("intake_app.ui.main", False, "from PySide6 import QtWidgets"),
    ],
)
def test_checker_allows_an_import_from_above(module: str, is_package: bool, source: str) -> None:
    assert violations_in(source, module, is_package, "f.py") == []


def test_domain_may_use_nothing_of_the_app_but_itself_and_paths() -> None:
    assert RULES["domain"].banned_layers >= {"rendering", "store", "services", "ui", "cli"}
    assert "paths" in TOP_MODULES
    assert "paths" not in RULES["domain"].banned_layers


def test_module_names() -> None:
    assert module_name(PACKAGE_DIR / "domain" / "__init__.py", REPO) == "intake_app.domain"
    assert module_name(PACKAGE_DIR / "domain" / "access.py", REPO) == "intake_app.domain.access"
