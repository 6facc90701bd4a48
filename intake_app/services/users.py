"""User management: accounts, roles, and a key slot per user."""

from dataclasses import dataclass

from sqlalchemy import select

from intake_app.domain.enums import Role
from intake_app.services.auth import SignedIn, check_password, check_user_name
from intake_app.services.errors import ServiceError
from intake_app.services.permissions import Permission
from intake_app.store.keyvault import USER, KdfParams, KeyFile, key_file_for
from intake_app.store.models import User, UserRole


@dataclass(frozen=True)
class UserInfo:
    id: int
    name: str
    roles: tuple[str, ...]
    active: bool


def add_user(
    signed_in: SignedIn,
    name: str,
    password: str,
    roles: list[Role],
    display_name: str = "",
    kdf: KdfParams | None = None,
) -> UserInfo:
    clinic, actor = signed_in.clinic, signed_in.actor
    clinic.require(actor, Permission.MANAGE_USERS, "add_user")
    name = check_user_name(name)
    check_password(password)
    if not roles:
        raise ServiceError("role: give at least one role")
    assert clinic.db_path is not None
    kdf = kdf or KdfParams()
    with KeyFile.locked(key_file_for(clinic.db_path)) as key_file:
        # A slot without a user row is left from an interrupted add: the database decides.
        had_slot = key_file.find(USER, name) is not None
        key_file.wrap(USER, name, password, clinic.data_key, kdf)
        # The user row and its audit entry commit first; only then is the new slot written.
        with key_file.staged(), clinic.unit(actor, "add_user", "user") as unit:
            session = unit.session
            if session.execute(select(User.id).where(User.name == name)).first():
                if had_slot:
                    raise ServiceError(f"user name: {name} already exists")
                raise ServiceError(
                    f"user name: {name} already exists but has no password; "
                    "set one with the recovery code (intake-app recover)"
                )
            user = User(
                name=name, display_name=display_name or name, active=True, created_at=clinic.now()
            )
            user.roles = [UserRole(role=r.value) for r in sorted(set(roles))]
            session.add(user)
            session.flush()
            unit.entity_id = str(user.id)
            return UserInfo(user.id, user.name, tuple(r.role for r in user.roles), True)


def list_users(signed_in: SignedIn) -> list[UserInfo]:
    clinic, actor = signed_in.clinic, signed_in.actor
    clinic.require(actor, Permission.MANAGE_USERS, "list_users")
    with clinic.session() as session:
        return [
            UserInfo(u.id, u.name, tuple(sorted(r.role for r in u.roles)), u.active)
            for u in session.execute(select(User).order_by(User.name)).scalars()
        ]
