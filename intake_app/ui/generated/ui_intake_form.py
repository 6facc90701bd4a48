# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'intake_form.ui'
##
## Created by: Qt User Interface Compiler version 6.11.3
##
## WARNING! All changes made in this file will be lost when recompiling UI file!
################################################################################

from PySide6.QtCore import (QCoreApplication, QDate, QDateTime, QLocale,
    QMetaObject, QObject, QPoint, QRect,
    QSize, QTime, QUrl, Qt)
from PySide6.QtGui import (QBrush, QColor, QConicalGradient, QCursor,
    QFont, QFontDatabase, QGradient, QIcon,
    QImage, QKeySequence, QLinearGradient, QPainter,
    QPalette, QPixmap, QRadialGradient, QTransform)
from PySide6.QtWidgets import (QAbstractButton, QApplication, QComboBox, QDateEdit,
    QDateTimeEdit, QDialog, QDialogButtonBox, QFormLayout,
    QFrame, QGroupBox, QHBoxLayout, QLabel,
    QLayout, QLineEdit, QPlainTextEdit, QScrollArea,
    QSizePolicy, QSpacerItem, QSpinBox, QVBoxLayout,
    QWidget)

class Ui_IntakeForm(object):
    def setupUi(self, IntakeForm):
        if not IntakeForm.objectName():
            IntakeForm.setObjectName(u"IntakeForm")
        IntakeForm.resize(980, 760)
        IntakeForm.setSizeGripEnabled(True)
        self.dialogLayout = QVBoxLayout(IntakeForm)
        self.dialogLayout.setSpacing(8)
        self.dialogLayout.setObjectName(u"dialogLayout")
        self.dialogLayout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self.introLabel = QLabel(IntakeForm)
        self.introLabel.setObjectName(u"introLabel")
        self.introLabel.setProperty(u"role", u"hint")
        self.introLabel.setWordWrap(True)

        self.dialogLayout.addWidget(self.introLabel)

        self.scrollArea = QScrollArea(IntakeForm)
        self.scrollArea.setObjectName(u"scrollArea")
        self.scrollArea.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scrollArea.setFrameShape(QFrame.Shape.NoFrame)
        self.scrollArea.setWidgetResizable(True)
        self.scrollContents = QWidget()
        self.scrollContents.setObjectName(u"scrollContents")
        self.columnsLayout = QHBoxLayout(self.scrollContents)
        self.columnsLayout.setSpacing(16)
        self.columnsLayout.setObjectName(u"columnsLayout")
        self.columnsLayout.setContentsMargins(0, 0, 0, 0)
        self.leftColumn = QVBoxLayout()
        self.leftColumn.setSpacing(10)
        self.leftColumn.setObjectName(u"leftColumn")
        self.referralGroup = QGroupBox(self.scrollContents)
        self.referralGroup.setObjectName(u"referralGroup")
        self.referralForm = QFormLayout(self.referralGroup)
        self.referralForm.setObjectName(u"referralForm")
        self.referralForm.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        self.referralForm.setLabelAlignment(Qt.AlignmentFlag.AlignRight|Qt.AlignmentFlag.AlignVCenter)
        self.referralForm.setHorizontalSpacing(10)
        self.referralForm.setVerticalSpacing(6)
        self.channelLabel = QLabel(self.referralGroup)
        self.channelLabel.setObjectName(u"channelLabel")
        font = QFont()
        font.setBold(True)
        self.channelLabel.setFont(font)

        self.referralForm.setWidget(0, QFormLayout.ItemRole.LabelRole, self.channelLabel)

        self.channelCombo = QComboBox(self.referralGroup)
        self.channelCombo.setObjectName(u"channelCombo")

        self.referralForm.setWidget(0, QFormLayout.ItemRole.FieldRole, self.channelCombo)

        self.receivedLabel = QLabel(self.referralGroup)
        self.receivedLabel.setObjectName(u"receivedLabel")
        self.receivedLabel.setFont(font)

        self.referralForm.setWidget(1, QFormLayout.ItemRole.LabelRole, self.receivedLabel)

        self.receivedEdit = QDateTimeEdit(self.referralGroup)
        self.receivedEdit.setObjectName(u"receivedEdit")
        self.receivedEdit.setCalendarPopup(True)

        self.referralForm.setWidget(1, QFormLayout.ItemRole.FieldRole, self.receivedEdit)

        self.receivedError = QLabel(self.referralGroup)
        self.receivedError.setObjectName(u"receivedError")
        self.receivedError.setProperty(u"role", u"error")
        self.receivedError.setWordWrap(True)

        self.referralForm.setWidget(2, QFormLayout.ItemRole.FieldRole, self.receivedError)

        self.sentOnLabel = QLabel(self.referralGroup)
        self.sentOnLabel.setObjectName(u"sentOnLabel")

        self.referralForm.setWidget(3, QFormLayout.ItemRole.LabelRole, self.sentOnLabel)

        self.sentOnEdit = QDateEdit(self.referralGroup)
        self.sentOnEdit.setObjectName(u"sentOnEdit")
        self.sentOnEdit.setCalendarPopup(True)

        self.referralForm.setWidget(3, QFormLayout.ItemRole.FieldRole, self.sentOnEdit)

        self.sentOnError = QLabel(self.referralGroup)
        self.sentOnError.setObjectName(u"sentOnError")
        self.sentOnError.setProperty(u"role", u"error")
        self.sentOnError.setWordWrap(True)

        self.referralForm.setWidget(4, QFormLayout.ItemRole.FieldRole, self.sentOnError)


        self.leftColumn.addWidget(self.referralGroup)

        self.partnerGroup = QGroupBox(self.scrollContents)
        self.partnerGroup.setObjectName(u"partnerGroup")
        self.partnerForm = QFormLayout(self.partnerGroup)
        self.partnerForm.setObjectName(u"partnerForm")
        self.partnerForm.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        self.partnerForm.setLabelAlignment(Qt.AlignmentFlag.AlignRight|Qt.AlignmentFlag.AlignVCenter)
        self.partnerForm.setHorizontalSpacing(10)
        self.partnerForm.setVerticalSpacing(6)
        self.partnerLabel = QLabel(self.partnerGroup)
        self.partnerLabel.setObjectName(u"partnerLabel")
        self.partnerLabel.setFont(font)

        self.partnerForm.setWidget(0, QFormLayout.ItemRole.LabelRole, self.partnerLabel)

        self.partnerEdit = QLineEdit(self.partnerGroup)
        self.partnerEdit.setObjectName(u"partnerEdit")
        self.partnerEdit.setClearButtonEnabled(False)

        self.partnerForm.setWidget(0, QFormLayout.ItemRole.FieldRole, self.partnerEdit)

        self.partnerHint = QLabel(self.partnerGroup)
        self.partnerHint.setObjectName(u"partnerHint")
        self.partnerHint.setProperty(u"role", u"hint")
        self.partnerHint.setWordWrap(True)

        self.partnerForm.setWidget(1, QFormLayout.ItemRole.FieldRole, self.partnerHint)

        self.partnerError = QLabel(self.partnerGroup)
        self.partnerError.setObjectName(u"partnerError")
        self.partnerError.setProperty(u"role", u"error")
        self.partnerError.setWordWrap(True)

        self.partnerForm.setWidget(2, QFormLayout.ItemRole.FieldRole, self.partnerError)

        self.clinicianLabel = QLabel(self.partnerGroup)
        self.clinicianLabel.setObjectName(u"clinicianLabel")

        self.partnerForm.setWidget(3, QFormLayout.ItemRole.LabelRole, self.clinicianLabel)

        self.clinicianEdit = QLineEdit(self.partnerGroup)
        self.clinicianEdit.setObjectName(u"clinicianEdit")
        self.clinicianEdit.setClearButtonEnabled(False)

        self.partnerForm.setWidget(3, QFormLayout.ItemRole.FieldRole, self.clinicianEdit)

        self.contactPersonLabel = QLabel(self.partnerGroup)
        self.contactPersonLabel.setObjectName(u"contactPersonLabel")

        self.partnerForm.setWidget(4, QFormLayout.ItemRole.LabelRole, self.contactPersonLabel)

        self.contactPersonEdit = QLineEdit(self.partnerGroup)
        self.contactPersonEdit.setObjectName(u"contactPersonEdit")
        self.contactPersonEdit.setClearButtonEnabled(False)

        self.partnerForm.setWidget(4, QFormLayout.ItemRole.FieldRole, self.contactPersonEdit)

        self.contactPhoneLabel = QLabel(self.partnerGroup)
        self.contactPhoneLabel.setObjectName(u"contactPhoneLabel")

        self.partnerForm.setWidget(5, QFormLayout.ItemRole.LabelRole, self.contactPhoneLabel)

        self.contactPhoneEdit = QLineEdit(self.partnerGroup)
        self.contactPhoneEdit.setObjectName(u"contactPhoneEdit")
        self.contactPhoneEdit.setClearButtonEnabled(False)

        self.partnerForm.setWidget(5, QFormLayout.ItemRole.FieldRole, self.contactPhoneEdit)

        self.contactFaxLabel = QLabel(self.partnerGroup)
        self.contactFaxLabel.setObjectName(u"contactFaxLabel")

        self.partnerForm.setWidget(6, QFormLayout.ItemRole.LabelRole, self.contactFaxLabel)

        self.contactFaxEdit = QLineEdit(self.partnerGroup)
        self.contactFaxEdit.setObjectName(u"contactFaxEdit")
        self.contactFaxEdit.setClearButtonEnabled(False)

        self.partnerForm.setWidget(6, QFormLayout.ItemRole.FieldRole, self.contactFaxEdit)


        self.leftColumn.addWidget(self.partnerGroup)

        self.patientGroup = QGroupBox(self.scrollContents)
        self.patientGroup.setObjectName(u"patientGroup")
        self.patientForm = QFormLayout(self.patientGroup)
        self.patientForm.setObjectName(u"patientForm")
        self.patientForm.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        self.patientForm.setLabelAlignment(Qt.AlignmentFlag.AlignRight|Qt.AlignmentFlag.AlignVCenter)
        self.patientForm.setHorizontalSpacing(10)
        self.patientForm.setVerticalSpacing(6)
        self.familyNameLabel = QLabel(self.patientGroup)
        self.familyNameLabel.setObjectName(u"familyNameLabel")
        self.familyNameLabel.setFont(font)

        self.patientForm.setWidget(0, QFormLayout.ItemRole.LabelRole, self.familyNameLabel)

        self.familyNameEdit = QLineEdit(self.patientGroup)
        self.familyNameEdit.setObjectName(u"familyNameEdit")
        self.familyNameEdit.setClearButtonEnabled(False)

        self.patientForm.setWidget(0, QFormLayout.ItemRole.FieldRole, self.familyNameEdit)

        self.familyNameError = QLabel(self.patientGroup)
        self.familyNameError.setObjectName(u"familyNameError")
        self.familyNameError.setProperty(u"role", u"error")
        self.familyNameError.setWordWrap(True)

        self.patientForm.setWidget(1, QFormLayout.ItemRole.FieldRole, self.familyNameError)

        self.givenNameLabel = QLabel(self.patientGroup)
        self.givenNameLabel.setObjectName(u"givenNameLabel")
        self.givenNameLabel.setFont(font)

        self.patientForm.setWidget(2, QFormLayout.ItemRole.LabelRole, self.givenNameLabel)

        self.givenNameEdit = QLineEdit(self.patientGroup)
        self.givenNameEdit.setObjectName(u"givenNameEdit")
        self.givenNameEdit.setClearButtonEnabled(False)

        self.patientForm.setWidget(2, QFormLayout.ItemRole.FieldRole, self.givenNameEdit)

        self.givenNameError = QLabel(self.patientGroup)
        self.givenNameError.setObjectName(u"givenNameError")
        self.givenNameError.setProperty(u"role", u"error")
        self.givenNameError.setWordWrap(True)

        self.patientForm.setWidget(3, QFormLayout.ItemRole.FieldRole, self.givenNameError)

        self.dobLabel = QLabel(self.patientGroup)
        self.dobLabel.setObjectName(u"dobLabel")
        self.dobLabel.setFont(font)

        self.patientForm.setWidget(4, QFormLayout.ItemRole.LabelRole, self.dobLabel)

        self.dobEdit = QLineEdit(self.patientGroup)
        self.dobEdit.setObjectName(u"dobEdit")
        self.dobEdit.setClearButtonEnabled(False)

        self.patientForm.setWidget(4, QFormLayout.ItemRole.FieldRole, self.dobEdit)

        self.dobError = QLabel(self.patientGroup)
        self.dobError.setObjectName(u"dobError")
        self.dobError.setProperty(u"role", u"error")
        self.dobError.setWordWrap(True)

        self.patientForm.setWidget(5, QFormLayout.ItemRole.FieldRole, self.dobError)

        self.sexLabel = QLabel(self.patientGroup)
        self.sexLabel.setObjectName(u"sexLabel")
        self.sexLabel.setFont(font)

        self.patientForm.setWidget(6, QFormLayout.ItemRole.LabelRole, self.sexLabel)

        self.sexCombo = QComboBox(self.patientGroup)
        self.sexCombo.setObjectName(u"sexCombo")

        self.patientForm.setWidget(6, QFormLayout.ItemRole.FieldRole, self.sexCombo)

        self.sexError = QLabel(self.patientGroup)
        self.sexError.setObjectName(u"sexError")
        self.sexError.setProperty(u"role", u"error")
        self.sexError.setWordWrap(True)

        self.patientForm.setWidget(7, QFormLayout.ItemRole.FieldRole, self.sexError)

        self.mrnLabel = QLabel(self.patientGroup)
        self.mrnLabel.setObjectName(u"mrnLabel")

        self.patientForm.setWidget(8, QFormLayout.ItemRole.LabelRole, self.mrnLabel)

        self.mrnEdit = QLineEdit(self.patientGroup)
        self.mrnEdit.setObjectName(u"mrnEdit")
        self.mrnEdit.setClearButtonEnabled(False)

        self.patientForm.setWidget(8, QFormLayout.ItemRole.FieldRole, self.mrnEdit)

        self.mrnError = QLabel(self.patientGroup)
        self.mrnError.setObjectName(u"mrnError")
        self.mrnError.setProperty(u"role", u"error")
        self.mrnError.setWordWrap(True)

        self.patientForm.setWidget(9, QFormLayout.ItemRole.FieldRole, self.mrnError)

        self.patientPhoneLabel = QLabel(self.patientGroup)
        self.patientPhoneLabel.setObjectName(u"patientPhoneLabel")

        self.patientForm.setWidget(10, QFormLayout.ItemRole.LabelRole, self.patientPhoneLabel)

        self.patientPhoneEdit = QLineEdit(self.patientGroup)
        self.patientPhoneEdit.setObjectName(u"patientPhoneEdit")
        self.patientPhoneEdit.setClearButtonEnabled(False)

        self.patientForm.setWidget(10, QFormLayout.ItemRole.FieldRole, self.patientPhoneEdit)

        self.contactMethodLabel = QLabel(self.patientGroup)
        self.contactMethodLabel.setObjectName(u"contactMethodLabel")

        self.patientForm.setWidget(11, QFormLayout.ItemRole.LabelRole, self.contactMethodLabel)

        self.contactMethodCombo = QComboBox(self.patientGroup)
        self.contactMethodCombo.setObjectName(u"contactMethodCombo")

        self.patientForm.setWidget(11, QFormLayout.ItemRole.FieldRole, self.contactMethodCombo)

        self.languageLabel = QLabel(self.patientGroup)
        self.languageLabel.setObjectName(u"languageLabel")

        self.patientForm.setWidget(12, QFormLayout.ItemRole.LabelRole, self.languageLabel)

        self.languageEdit = QLineEdit(self.patientGroup)
        self.languageEdit.setObjectName(u"languageEdit")
        self.languageEdit.setClearButtonEnabled(False)

        self.patientForm.setWidget(12, QFormLayout.ItemRole.FieldRole, self.languageEdit)


        self.leftColumn.addWidget(self.patientGroup)

        self.leftSpacer = QSpacerItem(0, 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding)

        self.leftColumn.addItem(self.leftSpacer)


        self.columnsLayout.addLayout(self.leftColumn)

        self.rightColumn = QVBoxLayout()
        self.rightColumn.setSpacing(10)
        self.rightColumn.setObjectName(u"rightColumn")
        self.clinicalGroup = QGroupBox(self.scrollContents)
        self.clinicalGroup.setObjectName(u"clinicalGroup")
        self.clinicalForm = QFormLayout(self.clinicalGroup)
        self.clinicalForm.setObjectName(u"clinicalForm")
        self.clinicalForm.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        self.clinicalForm.setLabelAlignment(Qt.AlignmentFlag.AlignRight|Qt.AlignmentFlag.AlignVCenter)
        self.clinicalForm.setHorizontalSpacing(10)
        self.clinicalForm.setVerticalSpacing(6)
        self.serviceLineLabel = QLabel(self.clinicalGroup)
        self.serviceLineLabel.setObjectName(u"serviceLineLabel")
        self.serviceLineLabel.setFont(font)

        self.clinicalForm.setWidget(0, QFormLayout.ItemRole.LabelRole, self.serviceLineLabel)

        self.serviceLineCombo = QComboBox(self.clinicalGroup)
        self.serviceLineCombo.setObjectName(u"serviceLineCombo")

        self.clinicalForm.setWidget(0, QFormLayout.ItemRole.FieldRole, self.serviceLineCombo)

        self.serviceLineError = QLabel(self.clinicalGroup)
        self.serviceLineError.setObjectName(u"serviceLineError")
        self.serviceLineError.setProperty(u"role", u"error")
        self.serviceLineError.setWordWrap(True)

        self.clinicalForm.setWidget(1, QFormLayout.ItemRole.FieldRole, self.serviceLineError)

        self.triggerLabel = QLabel(self.clinicalGroup)
        self.triggerLabel.setObjectName(u"triggerLabel")
        self.triggerLabel.setFont(font)

        self.clinicalForm.setWidget(2, QFormLayout.ItemRole.LabelRole, self.triggerLabel)

        self.triggerCombo = QComboBox(self.clinicalGroup)
        self.triggerCombo.setObjectName(u"triggerCombo")

        self.clinicalForm.setWidget(2, QFormLayout.ItemRole.FieldRole, self.triggerCombo)

        self.triggerError = QLabel(self.clinicalGroup)
        self.triggerError.setObjectName(u"triggerError")
        self.triggerError.setProperty(u"role", u"error")
        self.triggerError.setWordWrap(True)

        self.clinicalForm.setWidget(3, QFormLayout.ItemRole.FieldRole, self.triggerError)

        self.diagnosisLabel = QLabel(self.clinicalGroup)
        self.diagnosisLabel.setObjectName(u"diagnosisLabel")

        self.clinicalForm.setWidget(4, QFormLayout.ItemRole.LabelRole, self.diagnosisLabel)

        self.diagnosisEdit = QLineEdit(self.clinicalGroup)
        self.diagnosisEdit.setObjectName(u"diagnosisEdit")
        self.diagnosisEdit.setClearButtonEnabled(False)

        self.clinicalForm.setWidget(4, QFormLayout.ItemRole.FieldRole, self.diagnosisEdit)

        self.diagnosisError = QLabel(self.clinicalGroup)
        self.diagnosisError.setObjectName(u"diagnosisError")
        self.diagnosisError.setProperty(u"role", u"error")
        self.diagnosisError.setWordWrap(True)

        self.clinicalForm.setWidget(5, QFormLayout.ItemRole.FieldRole, self.diagnosisError)

        self.icd10Label = QLabel(self.clinicalGroup)
        self.icd10Label.setObjectName(u"icd10Label")

        self.clinicalForm.setWidget(6, QFormLayout.ItemRole.LabelRole, self.icd10Label)

        self.icd10Edit = QLineEdit(self.clinicalGroup)
        self.icd10Edit.setObjectName(u"icd10Edit")
        self.icd10Edit.setClearButtonEnabled(False)

        self.clinicalForm.setWidget(6, QFormLayout.ItemRole.FieldRole, self.icd10Edit)

        self.icd10Error = QLabel(self.clinicalGroup)
        self.icd10Error.setObjectName(u"icd10Error")
        self.icd10Error.setProperty(u"role", u"error")
        self.icd10Error.setWordWrap(True)

        self.clinicalForm.setWidget(7, QFormLayout.ItemRole.FieldRole, self.icd10Error)

        self.questionLabel = QLabel(self.clinicalGroup)
        self.questionLabel.setObjectName(u"questionLabel")

        self.clinicalForm.setWidget(8, QFormLayout.ItemRole.LabelRole, self.questionLabel)

        self.questionEdit = QPlainTextEdit(self.clinicalGroup)
        self.questionEdit.setObjectName(u"questionEdit")
        self.questionEdit.setTabChangesFocus(True)

        self.clinicalForm.setWidget(8, QFormLayout.ItemRole.FieldRole, self.questionEdit)

        self.questionCount = QLabel(self.clinicalGroup)
        self.questionCount.setObjectName(u"questionCount")
        self.questionCount.setProperty(u"role", u"hint")
        self.questionCount.setAlignment(Qt.AlignmentFlag.AlignRight|Qt.AlignmentFlag.AlignVCenter)

        self.clinicalForm.setWidget(9, QFormLayout.ItemRole.FieldRole, self.questionCount)

        self.questionError = QLabel(self.clinicalGroup)
        self.questionError.setObjectName(u"questionError")
        self.questionError.setProperty(u"role", u"error")
        self.questionError.setWordWrap(True)

        self.clinicalForm.setWidget(10, QFormLayout.ItemRole.FieldRole, self.questionError)

        self.urgencyLabel = QLabel(self.clinicalGroup)
        self.urgencyLabel.setObjectName(u"urgencyLabel")

        self.clinicalForm.setWidget(11, QFormLayout.ItemRole.LabelRole, self.urgencyLabel)

        self.urgencyCombo = QComboBox(self.clinicalGroup)
        self.urgencyCombo.setObjectName(u"urgencyCombo")

        self.clinicalForm.setWidget(11, QFormLayout.ItemRole.FieldRole, self.urgencyCombo)

        self.timeframeLabel = QLabel(self.clinicalGroup)
        self.timeframeLabel.setObjectName(u"timeframeLabel")

        self.clinicalForm.setWidget(12, QFormLayout.ItemRole.LabelRole, self.timeframeLabel)

        self.timeframeSpin = QSpinBox(self.clinicalGroup)
        self.timeframeSpin.setObjectName(u"timeframeSpin")
        self.timeframeSpin.setMinimum(0)
        self.timeframeSpin.setMaximum(365)

        self.clinicalForm.setWidget(12, QFormLayout.ItemRole.FieldRole, self.timeframeSpin)

        self.timeframeError = QLabel(self.clinicalGroup)
        self.timeframeError.setObjectName(u"timeframeError")
        self.timeframeError.setProperty(u"role", u"error")
        self.timeframeError.setWordWrap(True)

        self.clinicalForm.setWidget(13, QFormLayout.ItemRole.FieldRole, self.timeframeError)

        self.consentLabel = QLabel(self.clinicalGroup)
        self.consentLabel.setObjectName(u"consentLabel")

        self.clinicalForm.setWidget(14, QFormLayout.ItemRole.LabelRole, self.consentLabel)

        self.consentCombo = QComboBox(self.clinicalGroup)
        self.consentCombo.setObjectName(u"consentCombo")

        self.clinicalForm.setWidget(14, QFormLayout.ItemRole.FieldRole, self.consentCombo)


        self.rightColumn.addWidget(self.clinicalGroup)

        self.documentsGroup = QGroupBox(self.scrollContents)
        self.documentsGroup.setObjectName(u"documentsGroup")
        self.checklistLayout = QVBoxLayout(self.documentsGroup)
        self.checklistLayout.setSpacing(4)
        self.checklistLayout.setObjectName(u"checklistLayout")
        self.checklistHint = QLabel(self.documentsGroup)
        self.checklistHint.setObjectName(u"checklistHint")
        self.checklistHint.setProperty(u"role", u"hint")
        self.checklistHint.setWordWrap(True)

        self.checklistLayout.addWidget(self.checklistHint)


        self.rightColumn.addWidget(self.documentsGroup)

        self.rightSpacer = QSpacerItem(0, 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding)

        self.rightColumn.addItem(self.rightSpacer)


        self.columnsLayout.addLayout(self.rightColumn)

        self.columnsLayout.setStretch(0, 1)
        self.columnsLayout.setStretch(1, 1)
        self.scrollArea.setWidget(self.scrollContents)

        self.dialogLayout.addWidget(self.scrollArea)

        self.formError = QLabel(IntakeForm)
        self.formError.setObjectName(u"formError")
        self.formError.setProperty(u"role", u"error")
        self.formError.setWordWrap(True)

        self.dialogLayout.addWidget(self.formError)

        self.bottomLayout = QHBoxLayout()
        self.bottomLayout.setSpacing(12)
        self.bottomLayout.setObjectName(u"bottomLayout")
        self.saveHint = QLabel(IntakeForm)
        self.saveHint.setObjectName(u"saveHint")
        self.saveHint.setProperty(u"role", u"hint")
        self.saveHint.setWordWrap(True)

        self.bottomLayout.addWidget(self.saveHint)

        self.buttonBox = QDialogButtonBox(IntakeForm)
        self.buttonBox.setObjectName(u"buttonBox")
        self.buttonBox.setStandardButtons(QDialogButtonBox.StandardButton.Cancel|QDialogButtonBox.StandardButton.Save)

        self.bottomLayout.addWidget(self.buttonBox)

        self.bottomLayout.setStretch(0, 1)

        self.dialogLayout.addLayout(self.bottomLayout)

#if QT_CONFIG(shortcut)
        self.channelLabel.setBuddy(self.channelCombo)
        self.receivedLabel.setBuddy(self.receivedEdit)
        self.sentOnLabel.setBuddy(self.sentOnEdit)
        self.partnerLabel.setBuddy(self.partnerEdit)
        self.clinicianLabel.setBuddy(self.clinicianEdit)
        self.contactPersonLabel.setBuddy(self.contactPersonEdit)
        self.contactPhoneLabel.setBuddy(self.contactPhoneEdit)
        self.contactFaxLabel.setBuddy(self.contactFaxEdit)
        self.familyNameLabel.setBuddy(self.familyNameEdit)
        self.givenNameLabel.setBuddy(self.givenNameEdit)
        self.dobLabel.setBuddy(self.dobEdit)
        self.sexLabel.setBuddy(self.sexCombo)
        self.mrnLabel.setBuddy(self.mrnEdit)
        self.patientPhoneLabel.setBuddy(self.patientPhoneEdit)
        self.contactMethodLabel.setBuddy(self.contactMethodCombo)
        self.languageLabel.setBuddy(self.languageEdit)
        self.serviceLineLabel.setBuddy(self.serviceLineCombo)
        self.triggerLabel.setBuddy(self.triggerCombo)
        self.diagnosisLabel.setBuddy(self.diagnosisEdit)
        self.icd10Label.setBuddy(self.icd10Edit)
        self.questionLabel.setBuddy(self.questionEdit)
        self.urgencyLabel.setBuddy(self.urgencyCombo)
        self.timeframeLabel.setBuddy(self.timeframeSpin)
        self.consentLabel.setBuddy(self.consentCombo)
#endif // QT_CONFIG(shortcut)
        QWidget.setTabOrder(self.channelCombo, self.receivedEdit)
        QWidget.setTabOrder(self.receivedEdit, self.sentOnEdit)
        QWidget.setTabOrder(self.sentOnEdit, self.partnerEdit)
        QWidget.setTabOrder(self.partnerEdit, self.clinicianEdit)
        QWidget.setTabOrder(self.clinicianEdit, self.contactPhoneEdit)
        QWidget.setTabOrder(self.contactPhoneEdit, self.contactFaxEdit)
        QWidget.setTabOrder(self.contactFaxEdit, self.contactPersonEdit)
        QWidget.setTabOrder(self.contactPersonEdit, self.familyNameEdit)
        QWidget.setTabOrder(self.familyNameEdit, self.givenNameEdit)
        QWidget.setTabOrder(self.givenNameEdit, self.dobEdit)
        QWidget.setTabOrder(self.dobEdit, self.sexCombo)
        QWidget.setTabOrder(self.sexCombo, self.patientPhoneEdit)
        QWidget.setTabOrder(self.patientPhoneEdit, self.serviceLineCombo)
        QWidget.setTabOrder(self.serviceLineCombo, self.triggerCombo)
        QWidget.setTabOrder(self.triggerCombo, self.diagnosisEdit)
        QWidget.setTabOrder(self.diagnosisEdit, self.icd10Edit)
        QWidget.setTabOrder(self.icd10Edit, self.questionEdit)
        QWidget.setTabOrder(self.questionEdit, self.urgencyCombo)
        QWidget.setTabOrder(self.urgencyCombo, self.timeframeSpin)
        QWidget.setTabOrder(self.timeframeSpin, self.mrnEdit)
        QWidget.setTabOrder(self.mrnEdit, self.contactMethodCombo)
        QWidget.setTabOrder(self.contactMethodCombo, self.languageEdit)
        QWidget.setTabOrder(self.languageEdit, self.consentCombo)

        self.retranslateUi(IntakeForm)
    # setupUi

    def retranslateUi(self, IntakeForm):
        IntakeForm.setWindowTitle(QCoreApplication.translate("IntakeForm", u"New referral", None))
        self.introLabel.setText(QCoreApplication.translate("IntakeForm", u"Fields with a bold label are required. Ctrl+S saves, Esc cancels.", None))
        self.referralGroup.setTitle(QCoreApplication.translate("IntakeForm", u"Referral", None))
        self.channelLabel.setText(QCoreApplication.translate("IntakeForm", u"C&hannel:", None))
        self.receivedLabel.setText(QCoreApplication.translate("IntakeForm", u"&Received:", None))
        self.receivedEdit.setDisplayFormat(QCoreApplication.translate("IntakeForm", u"yyyy-MM-dd HH:mm", None))
        self.receivedError.setText("")
        self.sentOnLabel.setText(QCoreApplication.translate("IntakeForm", u"Partner sen&t it on:", None))
        self.sentOnEdit.setDisplayFormat(QCoreApplication.translate("IntakeForm", u"yyyy-MM-dd", None))
        self.sentOnEdit.setSpecialValueText(QCoreApplication.translate("IntakeForm", u"Not known", None))
        self.sentOnError.setText("")
        self.partnerGroup.setTitle(QCoreApplication.translate("IntakeForm", u"Referring partner", None))
        self.partnerLabel.setText(QCoreApplication.translate("IntakeForm", u"&Organisation:", None))
        self.partnerEdit.setPlaceholderText(QCoreApplication.translate("IntakeForm", u"search the directory or type a new one", None))
        self.partnerHint.setText("")
        self.partnerError.setText("")
        self.clinicianLabel.setText(QCoreApplication.translate("IntakeForm", u"Referring c&linician:", None))
        self.contactPersonLabel.setText(QCoreApplication.translate("IntakeForm", u"Contact &person:", None))
        self.contactPhoneLabel.setText(QCoreApplication.translate("IntakeForm", u"Phone:", None))
        self.contactFaxLabel.setText(QCoreApplication.translate("IntakeForm", u"Fax:", None))
        self.patientGroup.setTitle(QCoreApplication.translate("IntakeForm", u"Patient", None))
        self.familyNameLabel.setText(QCoreApplication.translate("IntakeForm", u"&Family name:", None))
        self.familyNameError.setText("")
        self.givenNameLabel.setText(QCoreApplication.translate("IntakeForm", u"Gi&ven name:", None))
        self.givenNameError.setText("")
        self.dobLabel.setText(QCoreApplication.translate("IntakeForm", u"&Date of birth:", None))
        self.dobEdit.setPlaceholderText(QCoreApplication.translate("IntakeForm", u"YYYY-MM-DD", None))
        self.dobError.setText("")
        self.sexLabel.setText(QCoreApplication.translate("IntakeForm", u"Se&x:", None))
        self.sexError.setText("")
        self.mrnLabel.setText(QCoreApplication.translate("IntakeForm", u"&MRN:", None))
        self.mrnEdit.setPlaceholderText(QCoreApplication.translate("IntakeForm", u"optional until registered", None))
        self.mrnError.setText("")
        self.patientPhoneLabel.setText(QCoreApplication.translate("IntakeForm", u"Patient phone:", None))
        self.contactMethodLabel.setText(QCoreApplication.translate("IntakeForm", u"Preferred contact:", None))
        self.languageLabel.setText(QCoreApplication.translate("IntakeForm", u"Preferred language:", None))
        self.languageEdit.setPlaceholderText(QCoreApplication.translate("IntakeForm", u"e.g. English", None))
        self.clinicalGroup.setTitle(QCoreApplication.translate("IntakeForm", u"Clinical", None))
        self.serviceLineLabel.setText(QCoreApplication.translate("IntakeForm", u"Service l&ine:", None))
        self.serviceLineError.setText("")
        self.triggerLabel.setText(QCoreApplication.translate("IntakeForm", u"Tri&gger:", None))
        self.triggerError.setText("")
        self.diagnosisLabel.setText(QCoreApplication.translate("IntakeForm", u"Diag&nosis:", None))
        self.diagnosisEdit.setPlaceholderText(QCoreApplication.translate("IntakeForm", u"diagnosis or clinical suspicion", None))
        self.diagnosisError.setText("")
        self.icd10Label.setText(QCoreApplication.translate("IntakeForm", u"ICD-&10:", None))
        self.icd10Edit.setPlaceholderText(QCoreApplication.translate("IntakeForm", u"optional, e.g. C50.9", None))
        self.icd10Error.setText("")
        self.questionLabel.setText(QCoreApplication.translate("IntakeForm", u"Clinical &question:", None))
        self.questionEdit.setPlaceholderText(QCoreApplication.translate("IntakeForm", u"what the referrer asks the oncology team", None))
        self.questionCount.setText(QCoreApplication.translate("IntakeForm", u"0 / 500", None))
        self.questionError.setText("")
        self.urgencyLabel.setText(QCoreApplication.translate("IntakeForm", u"Referrer's &urgency:", None))
        self.timeframeLabel.setText(QCoreApplication.translate("IntakeForm", u"Preferred timefr&ame:", None))
        self.timeframeSpin.setSpecialValueText(QCoreApplication.translate("IntakeForm", u"Not stated", None))
        self.timeframeSpin.setSuffix(QCoreApplication.translate("IntakeForm", u" days", None))
        self.timeframeError.setText("")
        self.consentLabel.setText(QCoreApplication.translate("IntakeForm", u"Cons&ent to share:", None))
        self.documentsGroup.setTitle(QCoreApplication.translate("IntakeForm", u"Documents received", None))
        self.checklistHint.setText(QCoreApplication.translate("IntakeForm", u"Choose a service line to see its checklist.", None))
        self.formError.setText("")
        self.saveHint.setText("")
    # retranslateUi

