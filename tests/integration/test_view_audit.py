"""Who viewed what (SPEC §6): lists, searches and letter previews are audited by the ids shown."""

import pytest
from sqlalchemy import select

from intake_app.domain.letters import LetterKind
from intake_app.services.audit_check import verify_audit
from intake_app.services.errors import PermissionDenied
from intake_app.services.letters import Letters
from intake_app.services.referrals import ReferralQuery, Referrals
from intake_app.store.models import AuditEntry
from tests.conftest import COORDINATOR_PASSWORD
from tests.e2e.cli_helpers import run_as
from tests.factories import log_referral


def entries_after(signed_in, seq: int) -> list[tuple[str, str, str, str, str]]:  # type: ignore[no-untyped-def]
    with signed_in.clinic.session() as s:
        rows = s.execute(select(AuditEntry).where(AuditEntry.seq > seq).order_by(AuditEntry.seq))
        return [(e.user_name, e.action, e.entity, e.entity_id, e.outcome) for e in rows.scalars()]


def last_seq(signed_in) -> int:  # type: ignore[no-untyped-def]
    with signed_in.clinic.session() as s:
        return s.execute(select(AuditEntry.seq).order_by(AuditEntry.seq.desc())).scalars().first()


def test_each_page_audits_the_ids_it_shows_in_order(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    cora, tess = sign_in_as("cora"), sign_in_as("tess")
    ids = [log_referral(cora, family_name=f"Paged{n}") for n in range(5)]
    start = last_seq(cora)
    query = ReferralQuery(sort="id", descending=False, limit=3)
    first = Referrals(tess).page(query)
    second = Referrals(tess).page(ReferralQuery(sort="id", descending=False, offset=3, limit=3))
    assert [r.id for r in first.rows] == ids[:3]
    assert [r.id for r in second.rows] == ids[3:]
    assert entries_after(cora, start) == [
        ("tess", "list_referrals", "referral", str(i), "ok") for i in ids
    ]
    # An empty page shows no one: nothing to audit.
    mark = last_seq(cora)
    assert Referrals(tess).page(ReferralQuery(offset=50)).rows == ()
    assert entries_after(cora, mark) == []
    assert verify_audit(sign_in_as("mona")).intact


def test_a_search_audits_what_it_found_but_not_what_was_typed(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    found = log_referral(cora, family_name="Oyelaran")
    log_referral(cora, family_name="Brown")
    start = last_seq(cora)
    page = Referrals(cora).page(ReferralQuery(search="oyel"))
    assert [r.id for r in page.rows] == [found]
    new = entries_after(cora, start)
    assert new == [("cora", "search_referrals", "referral", str(found), "ok")]
    assert "oyel" not in str(new).lower()


def test_a_letter_preview_audits_each_referral_once_in_one_entry_each(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    ids = [log_referral(cora) for _ in range(3)]
    start = last_seq(cora)
    Letters(cora).render(ids, LetterKind.ACKNOWLEDGEMENT)
    assert entries_after(cora, start) == [
        ("cora", "letter_acknowledgement_rendered", "referral", str(i), "ok") for i in ids
    ]
    # Cancelled before it was shown: nothing was seen, nothing audited.
    mark = last_seq(cora)
    assert Letters(cora).render(ids, LetterKind.ACKNOWLEDGEMENT, lambda done, total: False) is None
    assert entries_after(cora, mark) == []


def test_actions_tell_nothing_to_a_user_who_may_not_read(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    cora, admin = sign_in_as("cora"), sign_in_as("admin")
    rid = log_referral(cora)
    start = last_seq(cora)
    with pytest.raises(PermissionDenied, match="admin \\(admin\\) may not view referral"):
        Referrals(admin).actions(rid)
    # The same answer whether or not the referral exists.
    with pytest.raises(PermissionDenied, match="admin \\(admin\\) may not view referral"):
        Referrals(admin).actions(rid + 1000)
    assert entries_after(cora, start) == [
        ("admin", "view_referral", "referral", str(rid), "denied"),
        ("admin", "view_referral", "referral", str(rid + 1000), "denied"),
    ]
    assert any(a.allowed for a in Referrals(cora).actions(rid))


def test_referral_list_on_the_command_line_is_audited(clinic_files, capsys, sign_in_as) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    ids = [log_referral(cora, family_name=f"Listed{n}") for n in range(3)]
    start = last_seq(cora)
    result = run_as(
        capsys, clinic_files.db, "cora", f"{COORDINATOR_PASSWORD}\n", "referral", "list"
    )
    assert result.code == 0, result.err
    listed = [e for e in entries_after(cora, start) if e[1] == "list_referrals"]
    assert sorted(int(e[3]) for e in listed) == sorted(ids)
