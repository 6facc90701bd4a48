"""The application's look: one stylesheet and the icons, from resources/."""

from functools import cache

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from intake_app.paths import resource


def apply_style(app: QApplication) -> None:
    app.setStyle("Fusion")  # the same on every platform; follows the palette, so dark-mode safe
    app.setStyleSheet(resource("style.qss").read_text(encoding="utf-8"))


@cache
def icon(name: str) -> QIcon:
    return QIcon(str(resource(f"icons/{name}.svg")))
