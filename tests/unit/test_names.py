"""Capitalisation offered for names typed all in lower or upper case; never for the rest."""

import pytest

from intake_app.domain.names import capitalisation_hint


@pytest.mark.parametrize(
    ("typed", "offered"),
    [
        ("okonkwo", "Okonkwo"),
        ("GRACE", "Grace"),
        ("mcdonald", "McDonald"),
        ("o'brien", "O'Brien"),
        ("O’BRIEN", "O’Brien"),
        ("van der berg", "van der Berg"),
        ("VAN DER BERG", "van der Berg"),
        ("d'souza", "d'Souza"),
        ("okonkwo-eze", "Okonkwo-Eze"),
        ("mary  ann", "Mary Ann"),
        ("nguyễn", "Nguyễn"),
        ("de", "De"),
    ],
)
def test_offered_capitalisation(typed: str, offered: str) -> None:
    assert capitalisation_hint(typed) == offered


@pytest.mark.parametrize("typed", ["McDonald", "Grace", "van der Berg", "deSouza", "", "123"])
def test_names_with_capitals_of_their_own_are_left_alone(typed: str) -> None:
    assert capitalisation_hint(typed) is None
