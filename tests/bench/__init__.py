"""Tests of the benchmark report (bench/report.py, bench/table.py)."""
