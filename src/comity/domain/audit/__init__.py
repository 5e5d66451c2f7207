"""The verifiable log's pure core: RFC 6962 Merkle hashing, proofs, leaves and checkpoints."""
