"""Benchmarks at national scale (issue 6): a data generator, paired floors, a load script."""
