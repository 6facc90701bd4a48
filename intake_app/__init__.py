"""Referral Intake: referral logging, document tracking, triage and access-time reporting."""

__version__ = "0.1.0"
