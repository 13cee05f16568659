"""Benchmarks for sm-spaces (issue 6). `python -m bench` runs them all and writes BENCHMARKS.md."""
