"""Capitalising names typed all in lower or upper case ("okonkwo" → "Okonkwo").

Only a suggestion: names have their own rules (McDonald, O'Brien, van der Berg, d'Souza), so the
form offers the capitalised form and never changes what was typed by itself.
"""

# Lower-case particles inside a family name ("van der Berg", "da Silva"); the first word of a
# name that is only a particle is capitalised all the same.
PARTICLES = frozenset(
    {
        "van",
        "von",
        "der",
        "den",
        "de",
        "del",
        "della",
        "di",
        "da",
        "dos",
        "das",
        "du",
        "la",
        "le",
        "ter",
        "ten",
        "bin",
        "binti",
        "al",
        "el",
        "y",
    }
)


def _word(word: str) -> str:
    """One word: each part after a hyphen or apostrophe capitalised, Mc as in McDonald."""
    out = []
    for index, part in enumerate(_split_keep(word, "-'’")):
        if part in "-'’":
            out.append(part)
            continue
        lowered = part.lower()
        previous = out[-1] if out else ""
        if previous in "'’" and index == 2 and len(out[0]) == 1 and out[0].lower() in "dl":
            # d'Souza, l'Estrange: the particle stays lower-case, the name after it does not.
            out[0] = out[0].lower()
        if lowered.startswith("mc") and len(lowered) > 3:
            out.append("Mc" + lowered[2:].capitalize())
        else:
            out.append(lowered.capitalize())
    return "".join(out)


def _split_keep(text: str, separators: str) -> list[str]:
    parts: list[str] = []
    current = ""
    for char in text:
        if char in separators:
            if current:
                parts.append(current)
            parts.append(char)
            current = ""
        else:
            current += char
    if current:
        parts.append(current)
    return parts


def capitalised(name: str) -> str:
    """The usual capitalisation of `name`, word by word."""
    words = name.split()
    out = []
    for index, word in enumerate(words):
        lowered = word.lower()
        if lowered in PARTICLES and index < len(words) - 1:
            out.append(lowered)
        else:
            out.append(_word(word))
    if out and all(w.lower() in PARTICLES for w in words):
        out[0] = out[0].capitalize()
    return " ".join(out)


def capitalisation_hint(name: str) -> str | None:
    """The capitalised form to offer for a name typed all in lower or all in upper case;
    None when it was typed with capitals of its own (kept as typed) or nothing would change."""
    stripped = " ".join(name.split())
    letters = [c for c in stripped if c.isalpha()]
    if not letters:
        return None
    all_lower = all(c.islower() for c in letters)
    all_upper = all(c.isupper() for c in letters)
    if not (all_lower or all_upper):
        return None
    suggestion = capitalised(stripped)
    return suggestion if suggestion != stripped else None
