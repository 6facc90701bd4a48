"""The coordinator's intake form: logging and editing a referral."""
