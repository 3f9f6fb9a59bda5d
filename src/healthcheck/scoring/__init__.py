"""Cleaned responses to scores: statistics, area scores, ratings, benchmarks, ranks, drivers and trends."""
