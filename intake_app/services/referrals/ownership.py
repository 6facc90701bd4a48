"""Ownership: who works a referral now ("Assign to me", "Unassign", giving it to a colleague).

When several people work one queue, two of them can open the same referral at once. Every
assignment takes the write lock before it reads who has the referral, so the second of two
simultaneous takes sees the first one's result and is told who has it.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from intake_app.domain.enums import Role, State
from intake_app.services.errors import ConcurrentEdit, NotFound, ServiceError
from intake_app.services.permissions import Permission, permissions_of
from intake_app.services.referrals.base import ReferralBase
from intake_app.store.models import Event, Referral, User


@dataclass(frozen=True)
class Assignment:
    """The outcome of an assignment: the referral, its state, and who has it now."""

    referral_id: int
    state: str
    assigned_to: str | None  # user name; None when unassigned
    assigned_at: datetime | None


class ReferralOwnership(ReferralBase):
    """Assigning a referral to a user, and taking it back."""

    def assign_to_me(self, referral_id: int, at: datetime | None = None) -> Assignment:
        """'Assign to me' from a list: refused, naming who has it, if someone else has it."""
        return self._assign(referral_id, self.actor.name, at, None, only_if_free=True)

    def unassign(
        self, referral_id: int, at: datetime | None = None, expected_version: int | None = None
    ) -> Assignment:
        return self._assign(referral_id, None, at, expected_version, only_if_free=False)

    def assign(
        self,
        referral_id: int,
        user_name: str | None,
        at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Assignment:
        """Give the referral to `user_name` (None: to nobody), also from someone else.

        With `expected_version` (the version shown), a referral changed meanwhile is refused,
        naming who has it now.
        """
        return self._assign(referral_id, user_name, at, expected_version, only_if_free=False)

    def _assign(
        self,
        referral_id: int,
        user_name: str | None,
        at: datetime | None,
        expected_version: int | None,
        *,
        only_if_free: bool,
    ) -> Assignment:
        action = "assign" if user_name is not None else "unassign"
        self.clinic.require(self.actor, Permission.ASSIGN, action, str(referral_id))
        now = self.clinic.now()
        with self.clinic.unit(self.actor, action, "referral", str(referral_id)) as unit:
            session = unit.session
            row = session.get(Referral, referral_id)
            if row is None:
                raise NotFound(f"referral {referral_id} does not exist")
            holder = self._user_name(session, row.assigned_to_id)
            if expected_version is not None and row.row_version != expected_version:
                now_with = f"it is now assigned to {holder}" if holder else "it is now unassigned"
                raise ConcurrentEdit(
                    f"referral {referral_id} was changed by someone else ({now_with}); "
                    "reload it and try again"
                )
            target = self._assignee(session, user_name) if user_name is not None else None
            if target is not None and not State(row.state).is_open:
                raise ServiceError(
                    f"state: the referral is {row.state}; only an open referral can be assigned"
                )
            if target is not None and row.assigned_to_id == target.id:
                who = "you" if target.id == self.actor.user_id else target.name
                raise ServiceError(
                    f"assigned_to: referral {referral_id} is already assigned to {who}"
                )
            if target is None and row.assigned_to_id is None:
                raise ServiceError(f"assigned_to: referral {referral_id} is not assigned to anyone")
            if only_if_free and holder is not None:
                since = self.clinic.local_time(row.assigned_at) if row.assigned_at else "earlier"
                raise ServiceError(
                    f"assigned_to: referral {referral_id} is already assigned to {holder} "
                    f"(since {since})"
                )
            when = at or now
            self._check_time(row, when, now, "assigned_at", after_last_step=False)
            last = session.execute(
                select(func.max(Event.effective_at)).where(
                    Event.referral_id == row.id, Event.kind == "assigned"
                )
            ).scalar_one()
            if last is not None and when < last:
                raise ServiceError("assigned_at: is before the referral's last assignment change")
            row.assigned_to_id = target.id if target is not None else None
            row.assigned_at = when if target is not None else None
            name = target.name if target is not None else ""
            self._event(session, row, "assigned", at=when, detail=name)
            return Assignment(row.id, row.state, target.name if target else None, row.assigned_at)

    def _assignee(self, session: Session, user_name: str) -> User:
        """The user to assign to: an active account whose roles work referrals."""
        name = user_name.strip()
        user = session.execute(select(User).where(User.name == name)).scalar_one_or_none()
        if user is None:
            raise ServiceError(f"assigned_to: there is no user named {name!r}")
        if not user.active:
            raise ServiceError(f"assigned_to: user {user.name} is inactive")
        roles = frozenset(Role(r.role) for r in user.roles)
        if Permission.ASSIGN not in permissions_of(roles):
            raise ServiceError(
                f"assigned_to: user {user.name} does not work referrals "
                "(a coordinator or triage role is needed)"
            )
        return user

    @staticmethod
    def _user_name(session: Session, user_id: int | None) -> str | None:
        if user_id is None:
            return None
        return session.execute(select(User.name).where(User.id == user_id)).scalar_one_or_none()
