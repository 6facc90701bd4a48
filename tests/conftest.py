"""Shared fixtures: real encrypted databases in temporary folders, a settable clock."""

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ADMIN_PASSWORD = "admin-password-1"
COORDINATOR_PASSWORD = "coordinator-pw-1"
TRIAGE_PASSWORD = "triage-password-1"
MANAGER_PASSWORD = "manager-password-1"


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep user data and settings of the tests out of the real home folder."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.delenv("INTAKE_DB", raising=False)


class Clock:
    """A clock the test sets; services read time only through it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 18, 15, 0, tzinfo=UTC))  # a Wednesday, 09:00 in Chicago


@dataclass
class ClinicFiles:
    db: Path
    recovery_code: str


@pytest.fixture(scope="session")
def _template_clinic(tmp_path_factory: pytest.TempPathFactory) -> ClinicFiles:
    """Made once: Argon2id costs ~0.15 s a password, and each test gets a copy of the files."""
    from intake_app.domain.enums import Role
    from intake_app.services.auth import create_clinic
    from intake_app.services.users import add_user

    db = tmp_path_factory.mktemp("template") / "intake.db"
    start = Clock(datetime(2026, 11, 1, 14, 0, tzinfo=UTC))
    created = create_clinic(db, "admin", ADMIN_PASSWORD, timezone="America/Chicago", clock=start)
    try:
        add_user(created.session, "cora", COORDINATOR_PASSWORD, [Role.COORDINATOR])
        add_user(created.session, "tess", TRIAGE_PASSWORD, [Role.TRIAGE])
        add_user(created.session, "mona", MANAGER_PASSWORD, [Role.MANAGER])
    finally:
        created.session.close()
    return ClinicFiles(db, created.recovery_code)


@pytest.fixture
def clinic_files(tmp_path: Path, _template_clinic: ClinicFiles) -> ClinicFiles:
    """A clinic database (admin, cora coordinator, tess triage, mona manager) of this test's own."""
    folder = tmp_path / "clinic"
    folder.mkdir()
    for source in _template_clinic.db.parent.iterdir():
        shutil.copy2(source, folder / source.name)
    return ClinicFiles(folder / _template_clinic.db.name, _template_clinic.recovery_code)


PASSWORDS = {
    "admin": ADMIN_PASSWORD,
    "cora": COORDINATOR_PASSWORD,
    "tess": TRIAGE_PASSWORD,
    "mona": MANAGER_PASSWORD,
}


@pytest.fixture
def sign_in_as(clinic_files: ClinicFiles, clock: Clock) -> Iterator[object]:
    """sign_in_as('cora') -> a signed-in session, closed at the end of the test."""
    from intake_app.services.auth import sign_in

    opened = []

    def _sign_in(name: str):  # type: ignore[no-untyped-def]
        session = sign_in(clinic_files.db, name, PASSWORDS[name], clock=clock)
        opened.append(session)
        return session

    yield _sign_in
    for session in opened:
        session.close()


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The umask most desktops run with: files are world-readable unless made otherwise."""
    old = os.umask(0o022)
    yield
    os.umask(old)
