"""Benchmarks that print figures and assert nothing: `.venv/bin/python -m bench.<name>` from the checkout root."""
