"""Modules compiled from forms/*.ui by pyside6-uic: generated, do not edit (see tools/uic)."""
