"""The follow-ups page: missing records to chase today, and recording each chase."""
