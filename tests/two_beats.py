"""The portal's Celery app with a beat schedule that sends the morning reminders every second
(for ``TWO_BEATS_DAY``), for the fault test that starts two beat processes by mistake."""

import os

from portal.celery import app

app.conf.beat_schedule = {
    "reports-daily-reminders": {
        "task": "reports.tasks.send_daily_reminders",
        "schedule": 1.0,
        "args": [os.environ.get("TWO_BEATS_DAY")],
    }
}
