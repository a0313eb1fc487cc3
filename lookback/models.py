"""Models of the lookback app."""
