"""The pager of every list: the few page numbers shown, and a count of a large list kept for a
minute per filter (said so on the page), computed exactly for small lists."""

from django.core.paginator import Paginator
from django.template import RequestContext, Template
from django.test import RequestFactory
from django.urls import reverse

from portal import paging
from portal.templatetags.paging import page_numbers


def test_a_long_list_shows_five_numbers_around_the_page_and_its_ends():
    page = Paginator(range(200_000), 50).page(2000)
    assert page_numbers(page) == [1, None, 1998, 1999, 2000, 2001, 2002, None, 4000]


def test_the_first_page_shows_its_neighbours_and_the_last():
    assert page_numbers(Paginator(range(1000), 50).page(1)) == [1, 2, 3, None, 20]


def test_the_pager_template_prints_only_the_shown_numbers():
    request = RequestFactory().get("/?page=2000")
    page = Paginator(range(200_000), 50).page(2000)
    html = Template('{% include "components/pagination.html" %}').render(
        RequestContext(request, {"page_obj": page})
    )
    assert html.count('class="page-link" href=') == 4 + 6  # 首页 上一页 下一页 末页, 1 + 4 + 4000
    assert "共 200000 条" in html


def test_a_small_list_is_counted_on_every_request(rf, make_enterprise, city_user):
    from enterprises.models import Enterprise

    make_enterprise()
    first = paging.paginate(rf.get("/"), Enterprise.objects.all(), 50)
    make_enterprise()
    second = paging.paginate(rf.get("/"), Enterprise.objects.all(), 50)
    assert (first.paginator.count, second.paginator.count) == (1, 2)
    assert not second.paginator.count_lags


def test_a_large_lists_count_is_kept_a_minute_and_the_page_says_so(
    client, city_user, make_enterprise, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(paging, "CACHED_COUNT_FROM", 2)
    make_enterprise(), make_enterprise()
    client.force_login(city_user)
    url = reverse("enterprises:list")
    assert "共 2 条，" in client.get(url).content.decode()
    make_enterprise()
    page = client.get(url).content.decode()
    assert "共 2 条（总数每分钟更新）" in page  # the kept count, said to lag
    other = client.get(url, {"size": "small"}).content.decode()  # another filter counts anew
    assert "（总数每分钟更新）" not in other


def test_a_list_filtered_by_no_id_counts_nothing_without_a_query(rf, db, django_assert_num_queries):
    from enterprises.models import Enterprise

    with django_assert_num_queries(0):
        page = paging.paginate(rf.get("/"), Enterprise.objects.none(), 50)
        assert page.paginator.count == 0


def test_a_deep_page_reads_its_ids_first_and_shows_the_same_rows_in_the_same_order(
    rf, make_enterprise, monkeypatch, django_assert_num_queries
):
    from enterprises.models import Enterprise

    for n in range(7):
        make_enterprise(name=f"烟台第{7 - n}号机械有限公司")
    qs = Enterprise.objects.select_related("county").order_by("name", "pk")
    expected = [f.pk for f in qs][4:6]
    monkeypatch.setattr(paging, "DEFERRED_JOIN_FROM", 4)
    with django_assert_num_queries(3):  # the count, the page's ids, its rows with the county
        page = paging.paginate(rf.get("/?page=3"), qs.all(), 2)
        assert [f.pk for f in page] == expected
        assert all(f.county.name for f in page)
    shallow = paging.paginate(rf.get("/?page=2"), qs.all(), 2)  # above the threshold: one read
    assert [f.pk for f in shallow] == [f.pk for f in qs][2:4]


def test_any_page_of_a_list_of_thousands_reads_its_ids_first(
    rf, make_enterprise, monkeypatch, django_assert_num_queries
):
    """A sort no index serves (a search by part of a Chinese name) sorts ids, not joined rows."""
    from enterprises.models import Enterprise

    for n in range(5):
        make_enterprise(name=f"烟台第{5 - n}号机械有限公司")
    qs = Enterprise.objects.select_related("county").order_by("name", "pk")
    expected = [f.pk for f in qs][:2]
    monkeypatch.setattr(paging, "CACHED_COUNT_FROM", 5)
    with django_assert_num_queries(3):  # the count, the first page's ids, its rows
        page = paging.paginate(rf.get("/"), qs.all(), 2)
        assert [f.pk for f in page] == expected
        assert all(f.county.name for f in page)
