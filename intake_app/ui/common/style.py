"""The application's look: one stylesheet, the icons, and the light or dark palette."""

from functools import cache

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QActionGroup, QColor, QIcon, QPalette
from PySide6.QtWidgets import QApplication, QMenu, QWidget

from intake_app.paths import resource

# How the palette is chosen: the desktop's colour scheme, or the user's own choice (View menu).
COLOR_SCHEMES = {"system": "Follow the &system", "light": "&Light", "dark": "&Dark"}
COLOR_SCHEME_KEY = "view/colorScheme"


def apply_style(app: QApplication) -> None:
    app.setStyle("Fusion")  # the same on every platform; follows the palette, so dark-mode safe
    app.setStyleSheet(resource("style.qss").read_text(encoding="utf-8"))
    apply_color_scheme(app, saved_color_scheme())


def saved_color_scheme() -> str:
    value = str(QSettings().value(COLOR_SCHEME_KEY, "system"))
    return value if value in COLOR_SCHEMES else "system"


def apply_color_scheme(app: QApplication, scheme: str) -> None:
    """Light or dark palette; "system" follows the desktop's scheme where Qt can read it."""
    dark = scheme == "dark" or (
        scheme == "system" and app.styleHints().colorScheme() == Qt.ColorScheme.Dark
    )
    app.setPalette(dark_palette() if dark else app.style().standardPalette())


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def dark_palette() -> QPalette:
    """Fusion's colours on a dark ground; text contrast at least 7:1 on window and base."""
    p = QPalette()
    roles = QPalette.ColorRole
    for role, value in (
        (roles.Window, "#2b2d30"),
        (roles.WindowText, "#e8e8e8"),
        (roles.Base, "#1f2023"),
        (roles.AlternateBase, "#2a2c2f"),
        (roles.ToolTipBase, "#3a3d41"),
        (roles.ToolTipText, "#f0f0f0"),
        (roles.PlaceholderText, "#9a9a9a"),
        (roles.Text, "#e8e8e8"),
        (roles.Button, "#35373b"),
        (roles.ButtonText, "#e8e8e8"),
        (roles.BrightText, "#ff6b6b"),
        (roles.Light, "#4a4d52"),
        (roles.Midlight, "#3f4246"),
        (roles.Mid, "#5a5d62"),
        (roles.Dark, "#1a1b1d"),
        (roles.Shadow, "#000000"),
        (roles.Highlight, "#3d7bd9"),
        (roles.HighlightedText, "#ffffff"),
        (roles.Link, "#7cb4ff"),
        (roles.LinkVisited, "#c39cff"),
    ):
        p.setColor(role, QColor(value))
    disabled = QPalette.ColorGroup.Disabled
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        p.setColor(disabled, role, QColor("#7d7d7d"))
    return p


def color_scheme_menu(parent: QWidget) -> QMenu:
    """View > Colours: follow the system, light or dark; remembered for the next start."""
    menu = QMenu("&Colours", parent)
    group = QActionGroup(menu)
    current = saved_color_scheme()
    for scheme, text in COLOR_SCHEMES.items():
        action = QAction(text, menu)
        action.setObjectName(f"colors_{scheme}")
        action.setCheckable(True)
        action.setChecked(scheme == current)
        action.triggered.connect(lambda _=False, s=scheme: choose_color_scheme(s))
        group.addAction(action)
        menu.addAction(action)
    return menu


def choose_color_scheme(scheme: str) -> None:
    QSettings().setValue(COLOR_SCHEME_KEY, scheme)
    app = QApplication.instance()
    if isinstance(app, QApplication):
        apply_color_scheme(app, scheme)


@cache
def icon(name: str) -> QIcon:
    return QIcon(str(resource(f"icons/{name}.svg")))
