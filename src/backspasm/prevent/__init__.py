"""Prevention: the exercise library, the personal 6-week program and the self-checks."""
