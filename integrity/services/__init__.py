"""The integrity app's writes: draws, signals, revocation candidates, the city's settings."""
