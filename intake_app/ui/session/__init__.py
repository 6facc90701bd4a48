"""Signing in, the first run, and the idle lock."""
