"""The staff pages (/app/) in a real headless Chromium (Debian's ``chromium`` driven by Playwright for Python)
against a real uvicorn on loopback, on the 鷹栖 (takasu) demo town.

A coordinator signs in with a key from the key store, chooses the purpose, finds a demo person, reads the
reasons, records a proposal and finds it on the follow-up page; a community developer is refused a person page.
Screenshots of every page go to ``TSUNAGARI_SCREENSHOTS`` (default: the test's tmp dir).
Skipped with a reason when Chromium or Playwright is missing, except under CI (``CI`` set), where that fails.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
TOWN = "takasu"
CHROMIUM = os.environ.get("TSUNAGARI_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SECRET = "e2e-web-secret"


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: the browser test must run)")
    pytest.skip(reason)


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    keys: dict[str, str]
    persons: list[str]
    shots: Path


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        _missing(f"Chromium not found at {CHROMIUM} (apt-get install -y chromium fonts-noto-cjk)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright for Python is not installed (pip install playwright; no `playwright install`)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    from graphsvc.bootstrap import build
    from graphsvc.services.matching import MatchingService
    from loaders.demo import build_town, get_spec

    root = tmp_path_factory.mktemp("web")
    data = root / "data"
    c = build(data_dir=data, api_key_secret=SECRET)
    store = c.store(TOWN)
    build_town(store, get_spec(TOWN), seed=0)
    svc = MatchingService(store)
    # people with at least two placements left after the hard constraints (the README's person among them)
    persons = [p for p in svc.candidates() if len(svc.match(p, top=5, explain=0).ranked) >= 2][:3]
    assert len(persons) == 3
    system = c.system()
    keys = {
        "coordinator": system.keys.create(name="佐藤", role="coordinator", towns=[TOWN], persons=["*"])[0],
        "community": system.keys.create(name="地域づくり担当", role="community", towns=[TOWN])[0],
        "multiagency": system.keys.create(name="支援会議事務局", role="multiagency", towns=[TOWN])[0],
        "admin": system.keys.create(name="管理者", role="admin", towns=[TOWN])[0],
    }
    for pid in persons:
        system.consents.grant(TOWN, pid, purposes=["参加支援"], recipients=["*"], recorded_by="e2e")
    # a second grant of the third person, withdrawn in the browser by the withdrawal test
    system.consents.grant(
        TOWN,
        persons[2],
        purposes=["アウトリーチ"],
        recipients=["takasu-AG-x"],
        recorded_by="e2e",
        note="撤回用",
    )
    c.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TSUNAGARI_", "NEO4J_"))}
    env |= {"TSUNAGARI_DATA_DIR": str(data), "TSUNAGARI_API_KEY_SECRET": SECRET}
    port = _port()
    log = (root / "uvicorn.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "graphsvc.app:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError((root / "uvicorn.log").read_text())
            time.sleep(0.2)
        keep = os.environ.get("TSUNAGARI_SCREENSHOTS")
        shots = Path(keep) if keep else root / "screenshots"
        shots.mkdir(parents=True, exist_ok=True)
        yield Server(url, keys, persons, shots)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def _page(browser: Any, errors: list[str], requests: list[str]) -> Any:
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="ja-JP")
    page = ctx.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    return page


def _sign_in(page: Any, srv: Server, role: str, purpose: str | None = None) -> None:
    page.goto(f"{srv.url}/app/")
    assert "/app/signin" in page.url
    page.fill("#api_key", srv.keys[role])
    page.click("button[type=submit]")
    page.wait_for_url(f"{srv.url}/app/")
    if purpose:
        page.select_option("#purpose-select", purpose)
        page.click("form.purpose button")
        page.wait_for_load_state()
        assert page.locator("#purpose-select").input_value() == purpose


def _shot(page: Any, srv: Server, name: str, full: bool = True) -> None:
    page.screenshot(path=str(srv.shots / name), full_page=full)


def test_coordinator_finds_a_person_reads_reasons_and_records_a_proposal(
    browser: Any, server: Server
) -> None:
    srv = server
    errors: list[str] = []
    requests: list[str] = []
    page = _page(browser, errors, requests)
    page.goto(f"{srv.url}/app/signin")
    _shot(page, srv, "01-signin.png", full=False)
    _sign_in(page, srv, "coordinator", "参加支援")
    _shot(page, srv, "02-home.png", full=False)

    pid = srv.persons[0]
    page.goto(f"{srv.url}/app/towns/{TOWN}/persons")
    page.fill("#q", pid)
    page.click("form.search button")
    page.wait_for_load_state()
    _shot(page, srv, "03-persons.png", full=False)
    page.click(f"text={pid}")
    page.wait_for_selector("#match")
    assert page.locator("article.cand").count() > 0
    first = page.locator("article.cand").first
    assert first.locator("table.factors tbody tr").count() >= 3
    reasons = first.locator("table.factors").inner_text()
    assert "/" in reasons and "寄与 / 満点" in reasons
    assert page.locator("table.excl").count() == 1  # the excluded openings, each with its reasons
    _shot(page, srv, "04-person-top.png", full=False)
    _shot(page, srv, "05-person-full.png")

    title = first.locator("h3").inner_text()
    first.locator("button:has-text('提案を記録')").click()
    page.wait_for_url(f"**/app/towns/{TOWN}/placements/**")
    body = page.locator("main").inner_text()
    assert "提案" in body and "佐藤" in body
    _shot(page, srv, "06-placement.png")
    page.select_option("#status", "contacted")
    page.fill("#host_notes", "火曜の午前なら受け入れ可")
    page.click("main form button.primary")
    page.wait_for_url("**saved=1")
    assert "打診済み" in page.locator("dl.facts").inner_text()
    assert page.locator("table.history tbody tr").count() == 2

    page.goto(f"{srv.url}/app/towns/{TOWN}/placements")
    assert pid in page.locator("main").inner_text()
    assert title.split(" ")[0] in page.locator("main").inner_text()
    _shot(page, srv, "07-placements.png", full=False)

    page.goto(f"{srv.url}/app/towns/{TOWN}/map")
    frame = page.frame_locator("iframe.map")
    frame.locator(".leaflet-control-layers").first.wait_for()
    assert frame.locator(".leaflet-marker-icon").count() > 0
    _shot(page, srv, "08-map.png", full=False)

    page.goto(f"{srv.url}/app/towns/{TOWN}/gaps")
    assert "集計" in page.locator("h1").inner_text()
    _shot(page, srv, "09-gaps-coordinator.png", full=False)
    page.goto(f"{srv.url}/app/towns/{TOWN}/resources")
    _shot(page, srv, "10-resources.png", full=False)

    assert errors == []
    assert [u for u in requests if not u.startswith((srv.url, "data:", "about:"))] == []


def test_profile_form_keeps_what_was_typed(browser: Any, server: Server) -> None:
    srv = server
    page = _page(browser, [], [])
    _sign_in(page, srv, "coordinator", "参加支援")
    page.goto(f"{srv.url}/app/towns/{TOWN}/persons/{srv.persons[1]}#profile")
    page.fill("#f-max_hours_per_session", "3時間くらい")
    page.fill("input[name=tw_opens_0]", "9:00")
    page.fill("input[name=tw_closes_0]", "08:00")
    page.select_option("select[name=tw_weekday_0]", "tue")
    page.click("#profile button.primary")
    page.wait_for_load_state()
    assert page.locator("#err-max_hours_per_session").inner_text() == "数値で指定してください"
    assert "より後です" in page.locator("#err-tw_0").inner_text()
    assert page.locator("#f-max_hours_per_session").input_value() == "3時間くらい"
    page.locator("#profile").scroll_into_view_if_needed()
    _shot(page, srv, "11-profile-errors.png", full=False)


def test_admin_resource_form_and_multiagency_report(browser: Any, server: Server) -> None:
    srv = server
    page = _page(browser, [], [])
    _sign_in(page, srv, "admin")
    page.goto(f"{srv.url}/app/towns/{TOWN}/resources/new?type=opportunity")
    page.fill("#f-id", "takasu-O-new")
    page.fill("#f-title", "農産物の袋詰め (プチ勤務)")
    page.select_option("select[name=sl_weekday_0]", "wed")
    page.fill("input[name=sl_opens_0]", "10:00")
    page.fill("input[name=sl_closes_0]", "9:00")
    page.fill("#f-cap_maximum", "2")
    page.fill("#f-cap_available", "3")
    page.click("main button.primary")
    page.wait_for_load_state()
    assert "空き(3)が定員(2)を超えています" in page.locator("#err-cap_available").inner_text()
    assert page.locator("#f-title").input_value() == "農産物の袋詰め (プチ勤務)"
    _shot(page, srv, "12-resource-errors.png")

    page2 = _page(browser, [], [])
    _sign_in(page2, srv, "multiagency", "支援会議")
    page2.goto(f"{srv.url}/app/towns/{TOWN}/gaps")
    assert page2.locator("section.gap").count() >= 3
    _shot(page2, srv, "13-gaps-meeting.png", full=False)
    page2.locator("section.gap table.list a").first.click()
    page2.wait_for_url("**/households/**")
    assert "根拠" in page2.locator("h1").inner_text()
    _shot(page2, srv, "14-household.png", full=False)


def test_community_is_refused_a_person_page(browser: Any, server: Server) -> None:
    srv = server
    page = _page(browser, [], [])
    _sign_in(page, srv, "community")
    resp = page.goto(f"{srv.url}/app/towns/{TOWN}/persons/{srv.persons[0]}")
    assert resp is not None and resp.status == 403
    assert "権限" in page.locator("main").inner_text()
    _shot(page, srv, "15-community-refused.png", full=False)
    page.goto(f"{srv.url}/app/towns/{TOWN}/gaps")
    text = page.locator("main").inner_text()
    assert "takasu-H" not in text and "takasu-P" not in text
    _shot(page, srv, "16-gaps-community.png", full=False)


def test_withdraw_consent_page_through_lists_and_delete_a_venue(browser: Any, server: Server) -> None:
    """No JavaScript: the withdrawal's confirmation is a <details> and a required checkbox; the lists page with
    links; a resource is deleted after its confirmation page, and one still referenced is not."""
    srv = server
    errors: list[str] = []
    requests: list[str] = []
    page = _page(browser, errors, requests)
    _sign_in(page, srv, "coordinator", "参加支援")
    pid = srv.persons[2]
    page.goto(f"{srv.url}/app/towns/{TOWN}/persons/{pid}#consents")
    row = page.locator("#consents tr", has_text="アウトリーチ")
    assert "有効" in row.inner_text()
    row.locator("summary").click()
    assert "撤回は取り消せません" in row.inner_text()
    _shot(page, srv, "17-consent-withdraw.png", full=False)
    row.locator("button.danger").click()  # the checkbox is required: the browser does not send the form
    assert "withdrawn=1" not in page.url and "有効" in row.inner_text()
    row.locator("input[name=confirm]").check()
    row.locator("button.danger").click()
    page.wait_for_url(re.compile(r"withdrawn=1"))
    assert "同意を撤回しました" in page.locator("#consents").inner_text()
    assert "撤回済み" in page.locator("#consents tr", has_text="アウトリーチ").inner_text()
    assert "有効" in page.locator("#consents tr", has_text="参加支援").inner_text()  # the other grant stays
    _shot(page, srv, "18-consent-withdrawn.png", full=False)

    page.goto(f"{srv.url}/app/towns/{TOWN}/resources?per_page=5")
    venues = page.locator("h2#venues + div.pager")
    assert "19件中 1–5件" in venues.inner_text()
    venues.locator("a[rel=next]").click()
    page.wait_for_url(re.compile(r"vpage=2"))
    assert "19件中 6–10件" in page.locator("h2#venues + div.pager").inner_text()
    assert "8件中 1–5件" in page.locator("h2#opportunities + div.pager").inner_text()
    _shot(page, srv, "19-resources-paged.png")
    resp = page.goto(f"{srv.url}/app/towns/{TOWN}/resources?vpage=x")
    assert resp is not None and resp.status == 422
    assert "整数で指定してください" in page.locator("main").inner_text()

    admin = _page(browser, errors, requests)
    _sign_in(admin, srv, "admin")
    admin.goto(f"{srv.url}/app/towns/{TOWN}/resources/new?type=venue")
    admin.fill("#f-id", "takasu-V-e2e")
    admin.fill("#f-name", "試しの居場所")
    admin.click("main button.primary")
    admin.wait_for_url("**saved=takasu-V-e2e")
    admin.goto(f"{srv.url}/app/towns/{TOWN}/resources/venue/takasu-V-e2e/edit")
    admin.click("text=削除へ進む…")
    admin.wait_for_url("**/takasu-V-e2e/delete")
    assert "元に戻せません" in admin.locator("main").inner_text()
    _shot(admin, srv, "20-resource-delete-confirm.png", full=False)
    admin.click("main button.danger")
    admin.wait_for_url("**deleted=takasu-V-e2e")
    assert "削除しました" in admin.locator("main").inner_text()
    href = admin.locator("a[href*='/resources/opportunity/']").first.get_attribute("href")
    assert href is not None
    admin.goto(srv.url + href.replace("/edit", "/delete"))
    assert "参照されているため削除できません" in admin.locator("main").inner_text()
    assert admin.locator("main button.danger").count() == 0
    _shot(admin, srv, "21-resource-delete-refused.png", full=False)

    assert errors == []
    assert [u for u in requests if not u.startswith((srv.url, "data:", "about:"))] == []


def test_development_pages_unmet_jobs_slicing_and_catalogue(browser: Any, server: Server) -> None:
    """資源開発 in the browser: the community developer's counts-only page, a coordinator's job form, the
    proposals with their reasons, accepting them as drafts, publishing, the printable report and catalogue."""
    srv = server
    errors: list[str] = []
    requests: list[str] = []
    com = _page(browser, errors, requests)
    _sign_in(com, srv, "community")
    com.goto(f"{srv.url}/app/towns/{TOWN}/unmet")
    text = com.locator("main").inner_text()
    assert "足りない参加メニュー" in text and "集計だけ" in text
    assert not any(p in text for p in srv.persons)
    _shot(com, srv, "30-unmet-community.png")

    page = _page(browser, errors, requests)
    _sign_in(page, srv, "coordinator", "参加支援")
    page.goto(f"{srv.url}/app/towns/{TOWN}/unmet")
    assert "よく合うメニューがない人 (担当者用)" in page.locator("main").inner_text()
    _shot(page, srv, "31-unmet-coordinator.png")
    page.goto(f"{srv.url}/app/towns/{TOWN}/jobs")
    page.fill("input[name=id]", "takasu-J-farm")
    page.fill("input[name=title]", "農家の畑の仕事")
    page.select_option("select[name=host]", "Employer:takasu-E-farm_co")
    page.fill("input[name=weekly_hours]", "6")
    rows = [
        ("選別・袋詰め", "120", "tue", "13:00", "17:00", True),
        ("草取り", "240", "thu", "08:00", "16:00", True),
    ]
    for i, (name, mins, day, a, b, split) in enumerate(rows):
        page.fill(f"input[name=t{i}_name]", name)
        page.fill(f"input[name=t{i}_minutes]", mins)
        page.check(f"input[name=t{i}_days][value={day}]")
        page.fill(f"input[name=t{i}_opens]", a)
        page.fill(f"input[name=t{i}_closes]", b)
        if split:
            page.check(f"input[name=t{i}_splittable]")
    page.click("form[action$='/jobs'] button[type=submit]")
    page.wait_for_url("**saved=takasu-J-farm")
    _shot(page, srv, "32-jobs.png")
    page.click("form[action$='/takasu-J-farm/slice'] button")
    page.wait_for_load_state()
    main = page.locator("main").inner_text()
    assert "プチ勤務の案" in main and "2時間ずつ区切った場合" in main and "来られる人が" in main
    assert "最適化の結果: " in main and "全部の仕事を同時に最適化しても超えられない上限" in main
    _shot(page, srv, "33-slicing-proposals.png")
    page.click("text=選んだ案を下書きとして登録する")
    page.wait_for_url("**/jobs?saved=*")
    assert "下書きの参加メニュー" in page.locator("main").inner_text()
    page.click("text=選んだ下書きを公開する")
    page.wait_for_url("**published=*")
    assert "公開しました" in page.locator("main").inner_text()
    page.goto(f"{srv.url}/app/towns/{TOWN}/unmet/print")
    assert "足りない参加メニュー" in page.locator("body").inner_text()
    _shot(page, srv, "34-unmet-print.png")
    page.goto(f"{srv.url}/app/towns/{TOWN}/catalogue")
    assert "選別・袋詰め" in page.locator("body").inner_text()
    _shot(page, srv, "35-catalogue.png")
    assert errors == []
    assert [u for u in requests if not u.startswith((srv.url, "data:", "about:"))] == []
