"""Use cases: the only code that changes state. Each writes its audit entry in the same
transaction; services flush, they never commit (the entry point owns the transaction)."""
