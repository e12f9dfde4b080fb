"""Helpers shared by the Python test suites (tests/integration, …): free ports, waiting on conditions."""
