"""Use cases: permissions, audit and one transaction per user action."""
