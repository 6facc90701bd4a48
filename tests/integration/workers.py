"""Child processes for the concurrency tests: `python -m tests.integration.workers COMMAND ...`.

Each signs in through the services, as the application does, with the password on
standard input. `hold` and `hold-raw` print `holding` once they have the database's write
lock and keep it until their standard input closes.
"""

import sys
from pathlib import Path

from intake_app.domain.enums import Role
from intake_app.services.auth import change_password, sign_in
from intake_app.services.referrals import Referrals
from intake_app.services.users import add_user


def _signed_in(db: str, user: str):  # type: ignore[no-untyped-def]
    return sign_in(Path(db), user, sys.stdin.readline().rstrip("\n"))


def hold(db: str, user: str, action: str) -> None:
    """Hold the write lock inside an action of ours, which notes what holds it."""
    signed_in = _signed_in(db, user)
    with signed_in.clinic.write(action):
        print("holding", flush=True)
        sys.stdin.read()
    signed_in.close()


def hold_raw(db: str, user: str) -> None:
    """Hold the write lock as another program would: BEGIN IMMEDIATE and nothing noted."""
    signed_in = _signed_in(db, user)
    raw = signed_in.clinic.engine.raw_connection()
    try:
        raw.cursor().execute("BEGIN IMMEDIATE")
        print("holding", flush=True)
        sys.stdin.read()
        raw.cursor().execute("ROLLBACK")
    finally:
        raw.close()
    signed_in.close()


def views(db: str, user: str, referral_id: str, count: str) -> None:
    """Open one referral `count` times: each opening appends an audit entry."""
    signed_in = _signed_in(db, user)
    staff = Referrals(signed_in)
    for _ in range(int(count)):
        staff.get(int(referral_id))
    signed_in.close()
    print("done", flush=True)


def add_users(db: str, user: str, prefix: str, count: str) -> None:
    """An administrator adding users one after another (cheap key derivation)."""
    from intake_app.store.keyvault import KdfParams

    signed_in = _signed_in(db, user)
    cheap = KdfParams(memory_kib=1024, iterations=1, lanes=1)
    for n in range(int(count)):
        add_user(signed_in, f"{prefix}{n}", "initial-password-1", [Role.COORDINATOR], kdf=cheap)
    signed_in.close()
    print("done", flush=True)


def change_passwords(db: str, user: str, count: str) -> None:
    """A user changing their password again and again; prints the password in force last."""
    signed_in = _signed_in(db, user)
    old = sys.stdin.readline().rstrip("\n")  # the current password, given again
    for n in range(int(count)):
        new = f"changed-password-{n}"
        change_password(signed_in, old, new)
        old = new
    signed_in.close()
    print(old, flush=True)


def take(db: str, user: str, referral_id: str, version: str) -> None:
    """'Assign to me' once told to go (a line "go" on standard input, after "ready"): with
    `version` the row version shown on screen, "-" for a take from a list. Prints the outcome."""
    from intake_app.services.errors import ServiceError

    signed_in = _signed_in(db, user)
    staff = Referrals(signed_in)
    print("ready", flush=True)
    sys.stdin.readline()
    try:
        if version == "-":
            staff.assign_to_me(int(referral_id))
        else:
            staff.assign(int(referral_id), user, expected_version=int(version))
        print("taken", flush=True)
    except ServiceError as exc:
        print(f"refused: {exc}", flush=True)
    signed_in.close()


COMMANDS = {
    "hold": hold,
    "hold-raw": hold_raw,
    "views": views,
    "add-users": add_users,
    "change-passwords": change_passwords,
    "take": take,
}

if __name__ == "__main__":
    COMMANDS[sys.argv[1]](*sys.argv[2:])
