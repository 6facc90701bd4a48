"""Checking the database and its audit trail from a front end."""

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from intake_app.services import audit
from intake_app.services.auth import SignedIn
from intake_app.services.permissions import Permission
from intake_app.store import DatabaseDamaged
from intake_app.store.engine import check_existing, encrypted_engine, is_damage, page_problems
from intake_app.store.keyvault import USER, KeyFile, key_file_for

BACKUP_ADVICE = "restore it from a backup"


def verify_audit(signed_in: SignedIn) -> audit.ChainCheck:
    """Every page sound, every entry chained, and the chain still holding the latest anchor."""
    clinic, actor = signed_in.clinic, signed_in.actor
    clinic.require(actor, Permission.VERIFY_AUDIT, "verify_audit")
    with clinic.engine.connect() as connection:
        problems = page_problems(connection, thorough=False)
    if problems:
        return audit.ChainCheck(0, None, str(DatabaseDamaged(problems[0])))
    anchor, anchor_problem = _latest_anchor(signed_in)
    with clinic.session() as session:
        result = audit.verify(session, clinic.audit_key, anchor)
    if result.intact and anchor_problem:
        return audit.ChainCheck(result.entries, None, anchor_problem)
    return result


def _latest_anchor(signed_in: SignedIn) -> tuple[audit.Anchor | None, str]:
    clinic = signed_in.clinic
    if clinic.db_path is None:  # shared mode: the server keeps the rights
        return None, ""
    path = audit.anchor_path(clinic.db_path)
    try:
        anchor = audit.read_anchor(
            path, audit.anchor_key(clinic.data_key), clinic.settings.database_id
        )
    except audit.AnchorUnreadable as exc:
        return None, f"{exc}; {BACKUP_ADVICE}"
    if anchor is None:
        with clinic.session() as session:
            if audit.is_anchored(session):
                return None, f"the audit anchor {path.name} is missing; {BACKUP_ADVICE}"
    return anchor, ""


@dataclass(frozen=True)
class DatabaseCheck:
    problems: list[str]

    @property
    def sound(self) -> bool:
        return not self.problems


def check_database(db_path: Path, user_name: str, password: str) -> DatabaseCheck:
    """Page, structure and foreign-key checks. It does not sign in, so nothing is written to
    a damaged file and a damaged audit tail cannot stop the check; the password only
    unwraps the key (the check shows no patient data)."""
    check_existing(db_path)
    data_key = KeyFile.load(key_file_for(db_path)).unwrap(USER, user_name.strip().lower(), password)
    engine = encrypted_engine(db_path, data_key)
    try:
        with engine.connect() as connection:
            return DatabaseCheck(page_problems(connection, thorough=True))
    except DBAPIError as exc:
        if is_damage(exc):
            raise DatabaseDamaged() from None
        raise
    finally:
        engine.dispose()


def damage_message(exc: BaseException) -> str | None:
    """The one line both front ends show for an error from a damaged page, else None."""
    return str(DatabaseDamaged()) if is_damage(exc) else None
