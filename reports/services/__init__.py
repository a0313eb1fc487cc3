"""Writes of the reports app, one module per subject: ``submissions`` (deadlines and the
counties' documents), ``targets`` (the counties' yearly targets), ``evaluation`` (the weights
of the yearly evaluation), ``progress`` (the weekly snapshot) and ``reminders`` (the morning
job). Keyword-only, take the acting user, validate, own the transaction, record the history."""
