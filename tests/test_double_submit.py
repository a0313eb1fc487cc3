"""Double submit on PostgreSQL: three clicks at once create one row, answer a redirect each,
and the two late ones are told why; the job says what really happened."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from enterprises.models import CreationListEntry, Enterprise
from portal.http import current_year
from portal.models import Job
from tests.enterprises.conftest import row, xlsx_bytes
from tests.machines import on_postgresql

pytestmark = [on_postgresql, pytest.mark.django_db(transaction=True)]


def clicks(user: Any, url: str, data: dict, times: int = 3) -> list[tuple[int, list[str]]]:
    """``times`` posts of ``data`` at once, each on its own connection: (status, messages)."""
    clients = []
    for _ in range(times):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        clients.append(client)
    barrier, results = threading.Barrier(times), []

    def click(client: Client) -> None:
        try:
            barrier.wait()
            response = client.post(url, data)
            said = [str(m) for m in get_messages(response.wsgi_request)]
            results.append((response.status_code, said))
        finally:
            connection.close()

    pool = [threading.Thread(target=click, args=(client,)) for client in clients]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return results


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_three_confirms_of_one_import_write_it_once(media, county_user):
    from enterprises import services

    upload = SimpleUploadedFile("名录.xlsx", xlsx_bytes([row(n) for n in range(1, 6)]))
    job = services.import_upload(actor=county_user, upload=upload)
    results = clicks(county_user, reverse("enterprises:import_confirm", args=[job.pk]), {})
    assert sorted(status for status, _ in results) == [302, 302, 302]
    assert all(said for _, said in results), results  # each click is told something
    assert Enterprise.objects.count() == 5
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, (job.status, job.message)


def test_three_adds_of_one_firm_to_the_creation_list_put_it_on_once(county_user, firm):
    year = current_year()
    url = reverse("enterprises:creation_list_add") + f"?year={year}"
    data = {"credit_code": firm.credit_code, "target_date": f"{year}-12-31"}
    results = clicks(county_user, url, data)
    assert sorted(status for status, _ in results) == [302, 302, 302]
    assert CreationListEntry.objects.filter(enterprise=firm, year=year).count() == 1
    refused = [said for _, said in results if any("已在" in m for m in said)]
    assert len(refused) == 2, results
