"""Links built once per shape (portal.links) are the addresses reverse() gives, under any
script prefix the portal is served at."""

import pytest
from django.urls import clear_script_prefix, reverse, set_script_prefix

from portal.links import page_url, row_url


@pytest.mark.parametrize("prefix", ["/", "/anquan/"])
def test_links_are_the_addresses_reverse_gives(prefix):
    set_script_prefix(prefix)
    try:
        for name in ("enterprises:detail", "reviews:detail", "enforcement:case_detail"):
            for pk in (1, 7, 918273645, 2**40):
                assert row_url(name, pk) == reverse(name, args=[pk])
        for name in ("enterprises:list", "reports:dashboard", "portal:todo"):
            assert page_url(name) == reverse(name)
        assert row_url("enterprises:detail", 5).startswith(prefix)
    finally:
        clear_script_prefix()


def test_an_id_that_is_not_a_number_is_refused():
    with pytest.raises(ValueError):
        row_url("enterprises:detail", "5/../../admin")
