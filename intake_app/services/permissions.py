"""Who may do what (SPEC §2). Deny by default: a permission not listed for a role is refused."""

from enum import StrEnum

from intake_app.domain.enums import Role


class Permission(StrEnum):
    READ_REFERRALS = "read_referrals"
    CREATE_REFERRAL = "create_referral"
    EDIT_REFERRAL = "edit_referral"  # documents, acknowledgements
    SEND_LETTERS = "send_letters"  # letters to the referrer (triage asks for missing records)
    TRIAGE = "triage"  # priority and triage decision, decline, redirect
    SCHEDULE = "schedule"  # appointments, seen, no-show, withdrawn, reopen
    IMPORT = "import"
    RUN_REPORTS = "run_reports"
    MANAGE_USERS = "manage_users"
    VERIFY_AUDIT = "verify_audit"
    MANAGE_SETTINGS = "manage_settings"  # targets, holidays, standards, follow-up ladder
    ASSIGN = "assign"  # take or give a referral to work (ownership)
    EXPORT_IDENTIFIED = "export_identified"  # report exports that name patients


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.COORDINATOR: frozenset(
        {
            Permission.READ_REFERRALS,
            Permission.CREATE_REFERRAL,
            Permission.EDIT_REFERRAL,
            Permission.SCHEDULE,
            Permission.IMPORT,
            Permission.ASSIGN,
            Permission.SEND_LETTERS,
        }
    ),
    Role.TRIAGE: frozenset(
        {Permission.READ_REFERRALS, Permission.TRIAGE, Permission.ASSIGN, Permission.SEND_LETTERS}
    ),
    Role.MANAGER: frozenset(
        {
            Permission.READ_REFERRALS,
            Permission.RUN_REPORTS,
            Permission.VERIFY_AUDIT,
            Permission.EXPORT_IDENTIFIED,
        }
    ),
    Role.ADMIN: frozenset(
        {Permission.MANAGE_USERS, Permission.VERIFY_AUDIT, Permission.MANAGE_SETTINGS}
    ),
}


def permissions_of(roles: frozenset[Role]) -> frozenset[Permission]:
    granted: set[Permission] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS.get(role, frozenset())
    return frozenset(granted)
