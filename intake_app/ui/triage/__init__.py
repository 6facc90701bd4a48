"""The triage queue: referrals awaiting a triage decision, worked in order by keyboard."""
