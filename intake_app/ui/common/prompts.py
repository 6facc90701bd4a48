"""Questions to the user through one injectable object, so tests never block on a message box."""

from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget


def make_default(button: QPushButton) -> None:
    """The button Enter presses, in bold. Bold on the button itself, for every state, so that
    Qt measures it in the font it is drawn with (a bold `:default` rule clipped the label)."""
    button.setDefault(True)
    button.setStyleSheet("font-weight: 600;")


class Prompter:
    def confirm(
        self,
        parent: QWidget | None,
        title: str,
        text: str,
        *,
        yes: str | None = None,
        no: str | None = None,
        default_no: bool = False,
    ) -> bool:
        """Yes or no; `yes`/`no` name the buttons, `default_no` makes Enter the safe answer."""
        box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        yes_button = box.button(QMessageBox.StandardButton.Yes)
        no_button = box.button(QMessageBox.StandardButton.No)
        if yes:
            yes_button.setText(yes)
        if no:
            no_button.setText(no)
        default = no_button if default_no else yes_button
        box.setDefaultButton(default)
        make_default(default)
        box.setEscapeButton(no_button)
        answer = box.exec()
        box.deleteLater()
        return answer == QMessageBox.StandardButton.Yes

    def error(self, parent: QWidget | None, title: str, text: str) -> None:
        QMessageBox.warning(parent, title, text)

    def info(self, parent: QWidget | None, title: str, text: str) -> None:
        QMessageBox.information(parent, title, text)


class ScriptedPrompter(Prompter):
    """For tests: answers confirmations from a list and records every question."""

    def __init__(self, answers: list[bool] | None = None) -> None:
        self.answers = list(answers or [])
        self.asked: list[tuple[str, str]] = []

    def confirm(
        self,
        parent: QWidget | None,
        title: str,
        text: str,
        *,
        yes: str | None = None,
        no: str | None = None,
        default_no: bool = False,
    ) -> bool:
        self.asked.append((title, text))
        return self.answers.pop(0) if self.answers else False

    def error(self, parent: QWidget | None, title: str, text: str) -> None:
        self.asked.append((title, text))

    def info(self, parent: QWidget | None, title: str, text: str) -> None:
        self.asked.append((title, text))
