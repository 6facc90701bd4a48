"""The managers' reports: the dashboard page, its charts and tables, exports."""
