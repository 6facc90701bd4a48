"""One referral: its fields, checklist, timeline, steps and corrections."""
