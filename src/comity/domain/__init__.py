"""The functional core: pure rules and values. No I/O, clock, randomness, database or web."""
