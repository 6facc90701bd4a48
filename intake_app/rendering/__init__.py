"""Report and letter files: pure functions from plain data to bytes. No SQL, no Qt widgets."""
