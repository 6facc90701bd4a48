"""A layout that places items left to right and wraps, like words in a paragraph.

A row of filters or buttons then never forces a wide minimum on its pane.
"""

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget


class FlowLayout(QLayout):
    def __init__(self, parent: QWidget | None = None, spacing: int = 8) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._gap = spacing
        self._breaks: set[int] = set()  # indexes before which a double gap separates groups
        self.setContentsMargins(0, 0, 0, 0)

    def add_group_break(self) -> None:
        self._breaks.add(len(self._items))

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        return size

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        """Place the items (or only measure); the height they take at this width."""
        lines: list[list[tuple[QLayoutItem, QSize, int]]] = [[]]
        x = rect.x()
        for index, item in enumerate(self._items):
            widget = item.widget()
            if widget is not None and widget.isHidden():
                continue
            hint = item.sizeHint()
            gap = self._gap * 2 if index in self._breaks else self._gap
            if lines[-1] and x + gap + hint.width() > rect.right() + 1:
                lines.append([])
                x = rect.x()
            elif lines[-1]:
                x += gap
            lines[-1].append((item, hint, x))
            x += hint.width()
        y = rect.y()
        for line in lines:
            height = max((hint.height() for _, hint, _ in line), default=0)
            if move:
                for item, hint, left in line:  # centred on the line, as in a box layout
                    item.setGeometry(QRect(QPoint(left, y + (height - hint.height()) // 2), hint))
            y += height + self._gap
        return max(0, y - self._gap - rect.y())
