"""Folding text for search: case and accents ignored, so 'nguyen' finds 'Nguyễn'."""

import unicodedata


def search_key(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip())
    without_marks = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # A few letters do not decompose into base + mark.
    folded = without_marks.casefold().translate(_SPECIAL)
    return " ".join(folded.split())


_SPECIAL = str.maketrans({"ø": "o", "đ": "d", "ł": "l", "ß": "ss", "æ": "ae", "œ": "oe"})


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string greater than every string starting with `prefix`."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


# Control characters (C0, DEL, C1), format characters (bidi overrides and isolates,
# zero-width space and joiners, word joiner, byte-order mark, soft hyphen), lone
# surrogates, and the line and paragraph separators: invisible or able to rewrite
# what a terminal or a reader shows.
FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def _forbidden(ch: str) -> bool:
    return unicodedata.category(ch) in FORBIDDEN_CATEGORIES


def forbidden_character(text: str, allow: str = "") -> str | None:
    """The first control or invisible formatting character in `text` as 'U+XXXX', or None."""
    if text.isprintable():  # the common case, in C: no Cc, Cf, Cs, Zl, Zp (nor Zs but space)
        return None
    for ch in text:
        if ch not in allow and _forbidden(ch):
            return f"U+{ord(ch):04X}"
    return None


def escape_controls(text: str, keep: str = "") -> str:
    """`text` with every control or invisible formatting character written as an escape.

    For printing stored text to a terminal or a log: an ESC sequence or a bidi override
    in a name shows as `\\x1b` or `\\u202e` instead of acting.
    """
    if text.isprintable():
        return text
    return "".join(_escaped(ch) if ch not in keep and _forbidden(ch) else ch for ch in text)


def _escaped(ch: str) -> str:
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def quoted(value: str, most: int = 40) -> str:
    """A value for a message: quoted, shortened, invisible characters escaped."""
    shown = value if len(value) <= most else value[: most - 1] + "…"
    return f"'{escape_controls(shown)}'"
