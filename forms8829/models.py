"""Stored Form 8829 computations (filled in by the engine issue)."""
