"""Re-imports are caught in bulk (SPEC §3.6 at import): a few queries, not one per row."""

from collections.abc import Callable

import pytest
from sqlalchemy import event

from intake_app.services.auth import SignedIn
from intake_app.services.importer import DuplicateRows, import_referrals
from intake_app.services.referrals import Referrals
from tests.e2e.test_cli_import_files import csv_text, patient


def rows_file(count: int) -> str:
    return csv_text([patient(1, family_name=f"Patient{n:05d}") for n in range(count)])


def referral_queries(signed_in: SignedIn, action: Callable[[], object]) -> int:
    """How many statements reading the referrals table `action` sends to the database."""
    with signed_in.clinic.session() as session:
        engine = session.get_bind()
    seen: list[str] = []

    def record(_conn, _cursor, statement: str, *_args: object) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT") and "FROM referrals" in statement:
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(seen)


@pytest.mark.parametrize("size", [3, 300])
def test_the_duplicate_lookup_does_not_grow_with_the_file(sign_in_as, size: int) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    text = rows_file(size)
    import_referrals(cora, text)
    with pytest.raises(DuplicateRows) as refused:
        import_referrals(cora, text)
    assert len(refused.value.problems) == min(size, 200) + (size > 200)
    queries = referral_queries(cora, lambda: import_referrals(cora, text, skip_duplicates=True))
    # Once to report the duplicates, once more under the write lock when rows remain.
    assert queries <= 2
    assert Referrals(cora).page().total == size


def test_another_patient_at_the_same_time_is_no_duplicate(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    import_referrals(cora, csv_text([patient(1)]))
    result = import_referrals(cora, csv_text([patient(1, family_name="Someone else")]))
    assert result.referrals == 1
    # Nor is the same patient's second referral, received at another time.
    result = import_referrals(cora, csv_text([patient(1, received_at="2026-11-05T09:00")]))
    assert result.referrals == 1


def test_rows_written_by_another_import_after_the_screening_are_refused_under_the_lock(  # type: ignore[no-untyped-def]
    sign_in_as, monkeypatch
) -> None:
    """The race the second look closes: B screens, A writes the same rows, B writes."""
    from intake_app.services import importer

    cora, other = sign_in_as("cora"), sign_in_as("cora")
    text = rows_file(5)
    screen = importer._screen_duplicates

    def screen_then_lose_the_race(*args, **kwargs):  # type: ignore[no-untyped-def]
        kept = screen(*args, **kwargs)
        monkeypatch.setattr(importer, "_screen_duplicates", screen)
        import_referrals(other, text)  # the other workstation gets the lock first
        return kept

    monkeypatch.setattr(importer, "_screen_duplicates", screen_then_lose_the_race)
    with pytest.raises(DuplicateRows) as refused:
        import_referrals(cora, text)
    assert refused.value.problems[0] == "row 2: already imported as referral 1"
    assert Referrals(cora).page().total == 5
