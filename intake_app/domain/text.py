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
