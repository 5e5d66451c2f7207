"""Real final clauses from public agreements, each quoted with its source and run as a scenario
whose dates are computed by hand in the test's docstring (reference/treaty-lifecycle.md §6)."""
