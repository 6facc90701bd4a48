"""Widgets and helpers every screen shares: dialogs for life-cycle steps, prompts, style."""
