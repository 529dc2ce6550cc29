"""Runners execute batches of trials in one environment and hand back records."""
