"""Fault injection: kill -9 and restart every process of a private stack."""
