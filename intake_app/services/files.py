"""Writing files that hold patient data: atomically, and readable by their owner only."""

import os
import secrets
from collections.abc import Callable
from pathlib import Path

PRIVATE_MODE = 0o600


def temp_path_for(path: Path, tag: str = "") -> Path:
    """The hidden temporary file beside `path` that is renamed onto it once complete."""
    return path.with_name(f".{path.name}.{tag or secrets.token_hex(4)}.tmp")


def write_private(
    path: Path,
    payload: bytes,
    *,
    temp: Path | None = None,
    before_replace: Callable[[], None] | None = None,
) -> None:
    """Write `payload` to `path` with mode 0600: whole or not at all.

    The temporary file is created 0600 by os.open itself, so the data is never readable by
    others, not even for a moment, and the rename gives `path` that mode even when it replaces
    an older, more open file. `before_replace` runs once the bytes are on disk (tests crash
    the process there).
    """
    temp = temp or temp_path_for(path)
    # O_EXCL: never write into a file someone else made (or a link they planted).
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(temp, flags, PRIVATE_MODE)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        if before_replace is not None:
            before_replace()
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself survive a power cut (POSIX; Windows cannot open a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
