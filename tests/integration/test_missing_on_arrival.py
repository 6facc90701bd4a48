"""What a referral missed on arrival is stored on it (migration 0009): as it is logged,
imported, received and corrected, and backfilled for existing rows the same way."""

import importlib.util
from datetime import timedelta

from sqlalchemy import select, text

from intake_app.services.demo import rows_to_csv, synthetic_rows
from intake_app.services.importer import import_referrals
from intake_app.services.referrals import Referrals
from intake_app.store.models import Referral
from intake_app.store.schema import MIGRATIONS
from tests.factories import intake, log_referral

RECEIVED = intake().received_at


def _stored(signed_in) -> dict[int, str]:  # type: ignore[no-untyped-def]
    with signed_in.clinic.session() as session:
        return dict(session.execute(select(Referral.id, Referral.missing_on_arrival)).all())  # type: ignore[arg-type]


def _required(signed_in, line: str = "medical_oncology") -> list[str]:  # type: ignore[no-untyped-def]
    return [i.key for i in signed_in.clinic.service_lines[line].checklist if i.required]


def test_logging_stores_the_required_items_not_in_hand_at_receipt(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    first, second, *rest = _required(cora)
    complete = log_referral(cora, items=dict.fromkeys([first, second, *rest]))
    # One item in hand at receipt, one received an hour after it, the rest never.
    partial = log_referral(cora, items={first: None, second: RECEIVED + timedelta(hours=1)})
    stored = _stored(cora)
    assert stored[complete] == ""
    assert stored[partial] == ",".join([second, *rest])
    # Items received later do not change what was missing on arrival...
    Referrals(cora).receive_items(partial, rest, at=RECEIVED + timedelta(hours=2))
    assert _stored(cora)[partial] == ",".join([second, *rest])
    # ...but a correction of the time of receipt does: the item that came an hour later
    # was in hand when it was in fact received.
    Referrals(cora).correct_receipt(partial, RECEIVED + timedelta(hours=1), "logged early")
    assert _stored(cora)[partial] == ",".join(rest)


def test_the_backfill_computes_what_the_services_store(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    now = cora.clinic.now() - timedelta(hours=2)
    # The coordinator imports referrals not yet triaged (the file's later steps need triage).
    rows = [
        r
        for r in synthetic_rows(60, seed=7, now=now, days=20)
        if not any(r.get(k) for k in ("triaged_at", "closed_at", "close_reason"))
    ]
    import_referrals(cora, rows_to_csv(rows))
    first, second, *rest = _required(cora)
    log_referral(cora, items={first: None, second: RECEIVED + timedelta(hours=1)})
    log_referral(cora, items=dict.fromkeys([first, second, *rest]))
    stored = _stored(cora)
    assert any(stored.values()) and "" in stored.values()  # both kinds are covered

    spec = importlib.util.spec_from_file_location(
        "migration_0009", MIGRATIONS / "versions" / "0009_missing_on_arrival.py"
    )
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with cora.clinic.engine.begin() as conn:
        conn.execute(text("UPDATE referrals SET missing_on_arrival = 'stale'"))
        conn.execute(text(migration.BACKFILL.format(aggregate="group_concat(key, ',')")))
    assert _stored(cora) == stored
