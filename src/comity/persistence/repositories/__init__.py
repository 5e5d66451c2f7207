"""Queries only: each module reads the tables of one subject; services do the writing."""
