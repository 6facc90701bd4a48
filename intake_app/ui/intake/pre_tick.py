"""At intake, tick the checklist items the form itself already holds."""

from intake_app.domain import DomainError
from intake_app.ui.intake.fields import (
    _parse_dob,
)


class PreTick:
    """Part of IntakeDialog: diagnosis, clinical question and demographics tick themselves."""

    # -- what the form already holds counts (intake only) --------------------
    def _set_up_pre_tick(self) -> None:
        """Tick diagnosis, clinical question and demographics once the form holds them.

        The user may untick them; an item the user unticked is not ticked again by typing.
        """
        self._auto_ticked: set[str] = set()
        self._user_unticked: set[str] = set()
        self._pre_ticking = False
        ui = self.ui
        for edit in (ui.diagnosisEdit, ui.familyNameEdit, ui.givenNameEdit, ui.dobEdit):
            edit.textChanged.connect(self._pre_tick)
        ui.questionEdit.textChanged.connect(self._pre_tick)
        ui.sexCombo.currentIndexChanged.connect(self._pre_tick)
        # After _rebuild_checklist (connected earlier): the new boxes exist by then.
        ui.serviceLineCombo.currentIndexChanged.connect(self._watch_pre_tick_boxes)
        self._watch_pre_tick_boxes()

    def _form_holds(self) -> dict[str, bool]:
        """For each item the form itself can supply: whether it is filled in."""
        ui = self.ui
        try:
            _parse_dob(ui.dobEdit.text().strip())
            dob_ok = True
        except DomainError:
            dob_ok = False
        demographics = (
            bool(ui.familyNameEdit.text().strip())
            and bool(ui.givenNameEdit.text().strip())
            and dob_ok
            and ui.sexCombo.currentData() is not None
        )
        return {
            "demographics": demographics,
            "diagnosis": bool(ui.diagnosisEdit.text().strip()),
            "clinical_question": bool(ui.questionEdit.toPlainText().strip()),
        }

    def _watch_pre_tick_boxes(self, _index: int = 0) -> None:
        for key, box in self._checks.items():
            if key in ("demographics", "diagnosis", "clinical_question"):
                box.toggled.connect(lambda on, k=key: self._pre_tick_box_toggled(k, on))
        self._pre_tick()

    def _pre_tick_box_toggled(self, key: str, on: bool) -> None:
        if self._pre_ticking:
            return
        self._auto_ticked.discard(key)  # the user's own choice from now on
        if on:
            self._user_unticked.discard(key)
        else:
            self._user_unticked.add(key)

    def _pre_tick(self, *_args: object) -> None:
        if self._edit_id is not None:
            return
        self._pre_ticking = True
        try:
            for key, filled in self._form_holds().items():
                box = self._checks.get(key)
                if box is None or key in self._user_unticked:
                    continue
                if filled and not box.isChecked():
                    box.setChecked(True)
                    self._auto_ticked.add(key)
                elif not filled and key in self._auto_ticked:
                    box.setChecked(False)
                    self._auto_ticked.discard(key)
        finally:
            self._pre_ticking = False
