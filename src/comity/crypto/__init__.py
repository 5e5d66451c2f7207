"""Adapters over `cryptography`: sealing, keys, signatures. Randomness lives here."""
