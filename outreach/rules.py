"""The notice's rules for outreach and dispatch, each in one named place."""

# A dispatch item is reminded to its owner county 3 days before its due date, on the day, and
# then weekly while overdue (the reminder job's usual steps).
DISPATCH_DAYS_BEFORE = (3, 0)
