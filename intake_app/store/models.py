"""SQLAlchemy 2 models: the schema of the referral store."""

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator, TypeEngine


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes stored as UTC.

    PostgreSQL keeps them as timestamptz. SQLite has no time zones: there they are
    fixed-width ISO 8601 text in UTC, which sorts and compares in time order and is
    formatted in one step (bulk imports bind millions of them).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(_SQLiteUTCText())
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; times must be aware")
        utc = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return utc.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
        return utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            return datetime.fromisoformat(value).replace(tzinfo=UTC)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class _SQLiteUTCText(String):
    """Plain text to the driver: no second conversion after UTCDateTime's own."""

    __visit_name__ = "DATETIME"


class Base(DeclarativeBase):
    pass


class Setting(Base):
    """Clinic-wide settings and the database's identity (key `database_id`)."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    roles: Mapped[list["UserRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )


class UserRole(Base):
    __tablename__ = "user_roles"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    user: Mapped[User] = relationship(back_populates="roles")


class Partner(Base):
    """A referring organisation in the partner directory."""

    __tablename__ = "partners"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation: Mapped[str] = mapped_column(String(160), unique=True)
    clinician: Mapped[str] = mapped_column(String(120), default="")
    contact_person: Mapped[str] = mapped_column(String(120), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    fax: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(String(300), default="")


class ServiceLine(Base):
    __tablename__ = "service_lines"
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ChecklistVersion(Base):
    """A checklist as it stood at one time; referrals point at the version they are assessed on."""

    __tablename__ = "checklist_versions"
    __table_args__ = (UniqueConstraint("service_line_key", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    service_line_key: Mapped[str] = mapped_column(ForeignKey("service_lines.key"))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    items: Mapped[list["ChecklistItem"]] = relationship(
        order_by="ChecklistItem.position", lazy="selectin"
    )


class ChecklistItem(Base):
    __tablename__ = "checklist_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    checklist_id: Mapped[int] = mapped_column(ForeignKey("checklist_versions.id"))
    key: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(120))
    required: Mapped[bool] = mapped_column(Boolean)
    position: Mapped[int] = mapped_column(Integer)


class Import(Base):
    """A large import, written in several short transactions and shown only when done.

    state: "writing" while its rows go in; "removing" while the rows of one that failed or
    whose program stopped are taken out again; then "done" or "abandoned". Referrals of an
    import in the first two states are hidden from every reader (services.importing.staged).
    """

    __tablename__ = "imports"
    __table_args__ = (Index("ix_imports_state", "state"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(String(12), default="writing")
    rows: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    workstation: Mapped[str] = mapped_column(String(80))
    # The process writing it (or removing its rows), to tell a stopped one from a slow one.
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Partners it added to the directory, removed with its rows if nothing else uses them.
    partner_ids: Mapped[list[int]] = mapped_column(JSON, default=list)


class Referral(Base):
    __tablename__ = "referrals"
    __table_args__ = (
        Index("ix_referrals_state_received", "state", "received_at"),
        Index("ix_referrals_due", "due_at"),
        # Covers the access-time report, which reads these for every referral of a period
        # (table lookups through a received_at index were 5x slower on SQLCipher); it also
        # serves every other received_at range and order.
        Index(
            "ix_referrals_report",
            "received_at",
            "service_line_key",
            "priority",
            "proposed_priority",
            "acknowledged_at",
            "records_complete_at",
            "triaged_at",
            "seen_at",
            "channel",
            "partner_id",
        ),
        Index("ix_referrals_dob_family", "date_of_birth", "family_key"),
        Index("ix_referrals_family_key", "family_key"),
        Index("ix_referrals_given_key", "given_key"),
        Index("ix_referrals_mrn", "mrn"),
        Index("ix_referrals_partner", "partner_id"),
        Index("ix_referrals_linked", "linked_referral_id"),  # the referrals linked to one
        Index("ix_referrals_import", "import_id"),  # an unfinished import's rows, to remove
        Index("ix_referrals_assigned", "assigned_to_id"),  # "mine" and "unassigned" lists
        Index("ix_referrals_followup_due", "followup_due_at"),  # the follow-ups due list
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    # Intake (SPEC §3.1)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    partner_sent_on: Mapped[date | None] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(16))
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    referring_clinician: Mapped[str] = mapped_column(String(120), default="")
    contact_person: Mapped[str] = mapped_column(String(120), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    contact_fax: Mapped[str] = mapped_column(String(40), default="")
    family_name: Mapped[str] = mapped_column(String(80))
    given_name: Mapped[str] = mapped_column(String(80))
    # Case- and accent-folded names (domain.text.search_key) for search and duplicate checks.
    family_key: Mapped[str] = mapped_column(String(80))
    given_key: Mapped[str] = mapped_column(String(80))
    date_of_birth: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(8))
    mrn: Mapped[str | None] = mapped_column(String(40))
    patient_phone: Mapped[str] = mapped_column(String(40), default="")
    preferred_contact: Mapped[str | None] = mapped_column(String(8))
    preferred_language: Mapped[str] = mapped_column(String(40), default="")
    service_line_key: Mapped[str] = mapped_column(ForeignKey("service_lines.key"))
    checklist_id: Mapped[int] = mapped_column(ForeignKey("checklist_versions.id"))
    trigger: Mapped[str] = mapped_column(String(32))
    diagnosis: Mapped[str] = mapped_column(String(200), default="")
    icd10: Mapped[str] = mapped_column(String(8), default="")
    clinical_question: Mapped[str] = mapped_column(String(500), default="")
    referrer_urgency: Mapped[str | None] = mapped_column(String(8))
    preferred_timeframe_days: Mapped[int | None] = mapped_column(Integer)
    consent_to_share: Mapped[str] = mapped_column(String(16), default="not_on_file")
    linked_referral_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id"))

    # Life cycle (SPEC §3.3)
    state: Mapped[str] = mapped_column(String(16), default="new")
    state_changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_from: Mapped[str | None] = mapped_column(String(16))
    close_reason: Mapped[str] = mapped_column(String(300), default="")
    proposed_priority: Mapped[str] = mapped_column(String(8))
    proposal_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    priority: Mapped[str | None] = mapped_column(String(8))
    appointment_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Milestones: recorded once, whatever the state.
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    records_complete_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    triaged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What is due next and by when (domain.access.next_due), kept with every change so that
    # lists can filter and sort on it in the database.
    next_due: Mapped[str | None] = mapped_column(String(24))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The import that wrote this referral in steps; hidden from every reader until it is done.
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"))

    # Holds (clock stops, SPEC §3.5): the open hold's reason and start, or None; the
    # patient-unavailable time of holds already ended, which extends due times. Each hold is
    # also a pair of timeline events (hold_started, hold_ended).
    hold_reason: Mapped[str | None] = mapped_column(String(24))
    held_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    patient_held_seconds: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    # The required checklist items not in hand when the referral was logged (keys, comma-
    # separated; "" when complete on arrival): what the partner scorecard counts, kept in step
    # with the receipts so reports need not join them (migration 0009).
    missing_on_arrival: Mapped[str] = mapped_column(Text, default="", server_default="")

    # Ownership: who works this referral now (an "assigned" event on the timeline each time).
    assigned_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", name="fk_referrals_assigned_to_id_users")
    )
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Follow-ups of missing records (domain.followups): the steps done so far and when the
    # last was done; the next step and its due time, kept with every change (like due_at)
    # so that the follow-ups due list is one index range. Each step done is also an event.
    followups_done: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    followup_done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    followup_step: Mapped[int | None] = mapped_column(Integer)
    followup_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __mapper_args__ = {"version_id_col": row_version}  # noqa: RUF012 - SQLAlchemy's API

    # Loaded on access: lists select the columns they show, and must not pay for these.
    partner: Mapped[Partner] = relationship()
    receipts: Mapped[list["ItemReceipt"]] = relationship(
        back_populates="referral", cascade="all, delete-orphan"
    )


class ItemReceipt(Base):
    """One checklist item received for one referral."""

    __tablename__ = "item_receipts"
    __table_args__ = (UniqueConstraint("referral_id", "item_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id"))
    item_key: Mapped[str] = mapped_column(String(40))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    referral: Mapped[Referral] = relationship(back_populates="receipts")


class Event(Base):
    """A step in a referral's timeline: transition, milestone, item, letter."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_referral", "referral_id"),
        # The hold events of a period, for adjusted access times, without reading every event
        # (covering: the report reads no event row).
        Index("ix_events_kind_time", "kind", "effective_at", "referral_id", "detail"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id"))
    kind: Mapped[str] = mapped_column(String(24))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str | None] = mapped_column(String(16))
    effective_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(300), default="")
    detail: Mapped[str] = mapped_column(String(120), default="")


class AuditEntry(Base):
    """Append-only, hash-chained record of who did what to which record. No patient values."""

    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    user_name: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(24))
    entity_id: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[str] = mapped_column(String(16))
    workstation: Mapped[str] = mapped_column(String(80))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # What a settings change changed, as JSON {"before": ..., "after": ...}; never a patient
    # value. Chained into the hash when not empty, so entries from before it still verify.
    # No Python default: an entry without a detail leaves the column out of the INSERT, so
    # audit entries can still be written on a schema from before 0007 (as it is upgraded).
    detail: Mapped[str] = mapped_column(Text, server_default="")


class PendingLetter(Base):
    """A letter file about to be written, noted first so that a crash between writing the
    file and recording the letters is found and settled at the next start.

    status: "pending" until settled; then "recorded" (the file is in place and the letters are
    on their referrals) or "dropped" (no such file: nothing was recorded).
    """

    __tablename__ = "pending_letters"
    __table_args__ = (Index("ix_pending_letters_status", "status", "workstation"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    referral_ids: Mapped[list[int]] = mapped_column(JSON)
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    workstation: Mapped[str] = mapped_column(String(80))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# -- access targets and the clinic's closures (SPEC §3.5), settings an administrator changes --


class AccessTarget(Base):
    """Days from receipt to one step, for a service line (or "*", every line without its
    own) and priority, counted in business or calendar days (domain.targets.DayUnit)."""

    __tablename__ = "access_targets"
    __table_args__ = (
        UniqueConstraint("service_line_key", "priority", "measure", name="uq_access_targets_key"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    service_line_key: Mapped[str] = mapped_column(String(40))
    priority: Mapped[str] = mapped_column(String(8))
    measure: Mapped[str] = mapped_column(String(24))
    days: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(12))
    # None for the targets seeded when the database was made or upgraded.
    changed_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", name="fk_access_targets_changed_by_users")
    )
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Closure(Base):
    """A day the clinic sets apart from the country's public holidays: closed (an extra
    closure) or open (a public holiday the clinic works, which counts as a business day)."""

    __tablename__ = "closures"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # "closed" or "open"
    label: Mapped[str] = mapped_column(String(120), default="")
    added_by: Mapped[int] = mapped_column(ForeignKey("users.id", name="fk_closures_added_by_users"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
