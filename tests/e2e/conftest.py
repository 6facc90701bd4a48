"""Fixtures of the command-line tests."""

import pytest

from tests.conftest import ClinicFiles
from tests.e2e.cli_helpers import FIXTURES, run_as


@pytest.fixture
def imported(clinic_files: ClinicFiles, capsys) -> ClinicFiles:  # type: ignore[no-untyped-def]
    """The four referrals of report_small.csv, imported by a coordinator who also triages."""
    from intake_app.domain.enums import Role
    from intake_app.services.auth import sign_in
    from intake_app.services.users import add_user

    admin = sign_in(clinic_files.db, "admin", "admin-password-1")
    add_user(admin, "hana", "hana-password-1", [Role.COORDINATOR, Role.TRIAGE])
    admin.close()
    result = run_as(
        capsys,
        clinic_files.db,
        "hana",
        "hana-password-1\n",
        "import",
        "referrals",
        FIXTURES / "report_small.csv",
    )
    assert result.code == 0, result.err
    assert "Imported 4 referrals" in result.out
    return clinic_files
