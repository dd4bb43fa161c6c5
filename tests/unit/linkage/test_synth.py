"""The synthetic agency lists: deterministic, each list with its own conventions, errors at their rates."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from pathlib import Path

import pytest

from linkage.synth import LIST_KEYS, PROFILES, SynthLists, generate_lists


@pytest.fixture(scope="module")
def lists() -> SynthLists:
    return generate_lists("toba", seed=7, households=1500)


def test_deterministic_per_seed(lists: SynthLists) -> None:
    assert generate_lists("toba", seed=7, households=1500).digest() == lists.digest()
    assert generate_lists("toba", seed=8, households=1500).digest() != lists.digest()


def test_every_list_has_its_own_ids_and_headers(lists: SynthLists) -> None:
    assert set(lists.rows) == set(LIST_KEYS)
    assert 5 <= len(LIST_KEYS) <= 7
    for key, rows in lists.rows.items():
        assert rows, key
        prof = PROFILES[key]
        assert next(iter(rows[0])) == prof.headers["case_id"]
        ids = [r[prof.headers["case_id"]] for r in rows]
        assert len(set(ids)) == len(ids)
    assert re.fullmatch(r"24\d{8}", lists.rows["shougai"][0]["受給者証番号"])
    assert lists.rows["hogo"][0]["ケース番号"].startswith("B-")


def test_truth_covers_every_row(lists: SynthLists) -> None:
    assert len(lists.truth) == lists.n_records
    per_person = Counter(t["person_id"] for t in lists.truth)
    assert max(per_person.values()) >= 3  # people on several lists: what linkage is for


def test_conventions_and_error_rates(lists: SynthLists) -> None:
    hogo = lists.rows["hogo"]
    kana_only = sum(1 for r in hogo if re.fullmatch(r"[ｦ-ﾟ ]+", r["氏名"])) / len(hogo)
    assert 0.01 <= kana_only <= 0.12  # PROFILES["hogo"].kana_only = 5 %
    assert all(re.fullmatch(r"[ｦ-ﾟ ]*", r["カナ氏名"]) for r in hogo)
    houkatsu = lists.rows["houkatsu"]
    wareki = sum(1 for r in houkatsu if re.match(r"^(明治|大正|昭和|平成|令和|[MTSHR]\d)", r["生年月日"]))
    assert wareki / sum(1 for r in houkatsu if r["生年月日"]) > 0.95
    minsei = lists.rows["minsei"]
    no_birth = sum(1 for r in minsei if not r["生年月日"]) / len(minsei)
    assert 0.3 <= no_birth <= 0.6  # age only 35 % + missing 10 %
    shougai = lists.rows["shougai"]
    assert all(r["住所"].startswith("三重県鳥羽市") for r in shougai if r["住所"])
    assert {r["性別"] for r in shougai} <= {"1", "2", ""}


def test_hazards_are_present() -> None:
    from linkage.synth import town_people

    hhs, _ = town_people("toba", seed=7, households=1500)
    twins = sum(
        1
        for h in hhs
        for i, a in enumerate(h.members)
        for b in h.members[i + 1 :]
        if a.role == b.role == "子" and a.birth == b.birth
    )
    juniors = sum(
        1
        for h in hhs
        for a in h.members
        for b in h.members
        if a.role == "子"
        and not a.female
        and not b.female
        and b.role in ("世帯主", "親")
        and a.given[0] == b.given[0]
    )
    maiden = sum(1 for h in hhs for m in h.members if m.maiden)
    registered = sum(1 for h in hhs for m in h.members if m.registered_surname != m.surname)
    assert twins > 0 and juniors > 0 and maiden > 0 and registered > 0


def test_files_in_their_encodings(lists: SynthLists, tmp_path: Path) -> None:
    paths = lists.write(tmp_path)
    for key in LIST_KEYS:
        raw = paths[key].read_bytes()
        text = raw.decode(PROFILES[key].encoding)
        rows = list(csv.DictReader(io.StringIO(text)))
        assert rows == lists.rows[key]
    truth = list(csv.DictReader(paths["truth"].open(encoding="utf-8")))
    assert len(truth) == lists.n_records


def test_broad_inclusion_for_scale_runs() -> None:
    s = generate_lists("takasu", seed=1, households=300, lists=("houkatsu", "shougai"), broad=0.5)
    assert 0.35 <= len(s.rows["shougai"]) / s.persons <= 0.65
    with pytest.raises(KeyError):
        generate_lists("takasu", households=10, lists=("nope",))
