"""資源開発 pages: the unmet-need page by role, the job form (errors kept, saved), slicing → accept → publish."""

from __future__ import annotations

import re

from tests.integration.api.conftest import TOWN, Api
from tests.integration.web.conftest import hidden, sign_in

A = f"/app/towns/{TOWN}"


def test_unmet_page_counts_only_for_community(api: Api) -> None:
    c = api.client
    sign_in(c, api.keys["community"])
    page = c.get(f"{A}/unmet")
    assert page.status_code == 200 and "足りない参加メニュー" in page.text
    assert "P-001" not in page.text and "非表示" in page.text
    pr = c.get(f"{A}/unmet/print")
    assert pr.status_code == 200 and "style-src 'unsafe-inline'" in pr.headers["content-security-policy"]
    assert c.get(f"{A}/unmet.csv").text.startswith("\ufeffsection")
    assert "メッシュ" in c.get(f"{A}/unmet/map").text
    assert "プチ勤務カタログ" in c.get(f"{A}/catalogue").text


def test_job_form_slice_accept_publish(api: Api) -> None:
    c = api.client
    csrf = sign_in(c, api.keys["coordinator"], "participation")
    page = c.get(f"{A}/jobs")
    assert page.status_code == 200 and "仕事を登録する" in page.text
    form = {
        "csrf": csrf, "id": "J-web", "title": "旅館の仕事", "host": "Employer:E-01",
        "t0_name": "客室清掃", "t0_minutes": "300", "t0_per_week": "1", "t0_days": ["tue"],
        "t0_opens": "10:00", "t0_closes": "12:00",
    }  # fmt: skip
    bad = c.post(f"{A}/jobs", data=form)
    assert bad.status_code == 422 and "収まりません" in bad.text and 'value="客室清掃"' in bad.text
    form |= {"t0_splittable": "1", "t0_min_piece_minutes": "60"}
    ok = c.post(f"{A}/jobs", data=form, follow_redirects=False)
    assert ok.status_code == 303, ok.text
    sl = c.post(f"{A}/jobs/J-web/slice", data={"csrf": csrf})
    assert sl.status_code == 200 and "プチ勤務の案" in sl.text and "2時間ずつ区切った場合" in sl.text
    payload = hidden(sl.text.replace('name="proposals"', 'name="token"'), "token")
    import html as h

    acc = c.post(f"{A}/jobs/J-web/accept", data={"csrf": csrf, "proposals": h.unescape(payload)},
                 follow_redirects=False)  # fmt: skip
    assert acc.status_code == 303, acc.text
    jobs = c.get(f"{A}/jobs")
    assert "下書きの参加メニュー" in jobs.text
    ids = re.findall(r'name="id" value="([^"]+)" checked', jobs.text)
    assert ids
    pub = c.post(f"{A}/drafts/publish", data={"csrf": csrf, "id": ids}, follow_redirects=False)
    assert pub.status_code == 303
    assert "公開しました" in c.get(pub.headers["location"]).text
