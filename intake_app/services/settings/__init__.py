"""Clinic settings an administrator changes: one module per setting (targets, holidays)."""
