"""Tests of the human-handoff queue (bot/handoff) on a real Redis."""
