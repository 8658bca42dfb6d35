"""Policies: what turns an observation into an action (players) or a transcript into advice (critics)."""
