"""Reading import files: bytes to rows, rows to validated records."""
