"""Questions to the user through one injectable object, so tests never block on a message box."""

from PySide6.QtWidgets import QMessageBox, QWidget


class Prompter:
    def confirm(self, parent: QWidget | None, title: str, text: str) -> bool:
        answer = QMessageBox.question(parent, title, text)
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

    def confirm(self, parent: QWidget | None, title: str, text: str) -> bool:
        self.asked.append((title, text))
        return self.answers.pop(0) if self.answers else False

    def error(self, parent: QWidget | None, title: str, text: str) -> None:
        self.asked.append((title, text))

    def info(self, parent: QWidget | None, title: str, text: str) -> None:
        self.asked.append((title, text))
