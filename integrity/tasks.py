"""Nightly integrity work (thin: the services do it)."""

from portal.celery import app


@app.task(name="integrity.tasks.nightly", ignore_result=True)
def nightly() -> dict:
    """Every night: the integrity signals, then the accidents' revocation candidates."""
    from .services.candidates import candidates_sweep
    from .services.signals import signals_compute

    result = signals_compute()
    result["candidates"] = candidates_sweep()
    return result
