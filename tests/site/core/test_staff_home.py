"""The staff home's shared pieces: the month in Tokyo time and the panel."""

import datetime
import zoneinfo

from django.test import RequestFactory

from ouendan.core.staff_home import MONTH, TODO, StaffHomeItem, StaffHomePanel, this_month

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


def test_this_month_is_the_tokyo_calendar_month():
    # 31 January 15:30 UTC is already 1 February in Tokyo.
    month = this_month(datetime.datetime(2027, 1, 31, 15, 30, tzinfo=datetime.UTC))
    assert (month.first_day, month.last_day) == (
        datetime.date(2027, 2, 1),
        datetime.date(2027, 2, 28),
    )
    assert month.start == datetime.datetime(2027, 2, 1, tzinfo=TOKYO)
    assert month.end == datetime.datetime(2027, 3, 1, tzinfo=TOKYO)
    december = this_month(datetime.datetime(2026, 12, 15, tzinfo=TOKYO))
    assert december.end == datetime.datetime(2027, 1, 1, tzinfo=TOKYO)
    assert december.last_day == datetime.date(2026, 12, 31)


def test_the_panel_shows_counts_yen_and_links():
    items = [
        StaffHomeItem(section=TODO, name="a", label="Nothing", count=0, url="/a/"),
        StaffHomeItem(
            section=MONTH, name="b", label="Gifts", count=1234, url="/b/?x=1", amount_yen=56789
        ),
    ]
    panel = StaffHomePanel(name="p", heading="H", items=items, order=1)
    html = panel.render_html({"request": RequestFactory().get("/")})
    assert 'href="/a/"' in html and "staff-home__item--quiet" in html
    assert ">1,234<" in html and "¥56,789" in html
    empty = StaffHomePanel(name="q", heading="H", items=[], order=1, empty="Nothing today")
    assert "Nothing today" in empty.render_html({"request": RequestFactory().get("/")})
