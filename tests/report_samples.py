"""Hand-made report documents for the renderer and export tests: every column kind, a
partner whose name is a formula, and (identified) the referrals behind a group."""

from datetime import UTC, date, datetime

from intake_app.domain.report_tables import Column, ReportDocument, Table

FORMULA_PARTNER = '=HYPERLINK("http://evil.example","Click me")'
PATIENT_NAME = "Nguyễn Thị Bích"
PATIENT_MRN = "MRN-77123"
PATIENT_BORN = date(1950, 1, 2)

ACCESS = Table(
    "access_times",
    "Access times",
    (
        Column("group_by", "Grouped by"),
        Column("group", "Group"),
        Column("measure", "Measure"),
        Column("count", "Count", "count"),
        Column("median_hours", "Median (hours)", "hours"),
        Column("p90_hours", "90th percentile (hours)", "hours"),
        Column("within_target_share", "Within target", "share"),
    ),
    (
        ("service_line", "all", "acknowledge", 1204, 35.0, 70.2, 1.0),
        ("service_line", "all", "triage", 3, 68.0, 71.2, 0.6667),
        ("service_line", "breast", "acknowledge", 2, 4.25, 6.5, 0.5),
        ("service_line", "breast", "triage", 0, None, None, None),
    ),
    "Hours from receipt to each step.",
)
PARTNERS = Table(
    "partners",
    "Partner scorecard",
    (
        Column("partner", "Partner"),
        Column("sent", "Referrals sent", "count"),
        Column("complete_on_arrival", "Complete on arrival", "share"),
        Column("median_hours_to_complete", "Median hours to complete", "hours"),
        Column("most_missing", "Most often missing"),
        Column("loop_closed", "Loop closed", "share"),
    ),
    (
        (FORMULA_PARTNER, 17, 0.4118, 26.5, "imaging (6), pathology report (3)", 0.25),
        ("-2+3 Clinic", 5, 0.8, 3.75, "", None),
        ("Valley Gastroenterology", 9, 0.5556, 12.0, "insurance (2)", 1.0),
    ),
)
STANDARDS = Table(
    "standards",
    "Standards",
    (
        Column("standard", "Standard"),
        Column("count", "Referrals", "count"),
        Column("share", "Share that met it", "share"),
        Column("threshold", "Threshold", "share"),
        Column("met", "Met", "met"),
    ),
    (
        ("First consult within 14 calendar days", 40, 0.93, 0.93, True),
        ("Triage within 2 business days", 41, 0.878, 0.9, False),
    ),
)
VOLUME = Table(
    "volume",
    "Volume",
    (
        Column("week", "Week of", "date"),
        Column("received", "Received", "count"),
        Column("complete_at_receipt", "Complete at receipt", "share"),
    ),
    ((date(2026, 11, 2), 31, 0.4194), (date(2026, 11, 9), 28, 0.5)),
)


def weekly(tables: tuple[Table, ...] = (ACCESS, PARTNERS, STANDARDS, VOLUME)) -> ReportDocument:
    return ReportDocument(
        title="Weekly review",
        clinic="Riverside Cancer Center",
        period_start=date(2026, 11, 2),
        period_end=date(2026, 11, 8),
        generated_at=datetime(2026, 11, 9, 14, 30, tzinfo=UTC),
        tables=tables,
        group_by="service_line",
    )


def behind(rows: int = 3) -> ReportDocument:
    """The referrals behind one group, with names: an identified document."""
    table = Table(
        "referrals",
        "Referrals behind Valley Gastroenterology",
        (
            Column("referral_id", "Referral", "count"),
            Column("patient", "Patient"),
            Column("mrn", "MRN"),
            Column("date_of_birth", "Born", "date"),
            Column("state", "State"),
        ),
        tuple(
            (i + 1, f"{PATIENT_NAME} {i}", PATIENT_MRN, PATIENT_BORN, "seen") for i in range(rows)
        ),
    )
    return ReportDocument(
        title="Referrals behind a group",
        clinic="Riverside Cancer Center",
        period_start=date(2026, 11, 2),
        period_end=date(2026, 11, 8),
        generated_at=datetime(2026, 11, 9, 14, 30, tzinfo=UTC),
        tables=(table,),
        identified=True,
        group_by="partner",
    )
