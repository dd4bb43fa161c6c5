"""Households on top of persons."""

from __future__ import annotations

from linkage.pipeline import household_clusters


def test_persons_at_one_dwelling_form_a_household() -> None:
    person = {"a1": "A", "a2": "A", "b1": "B", "c1": "C", "d1": "D"}
    dwelling = {"a1": "t|1-2", "a2": "t|1-2", "b1": "t|1-2", "c1": "t|1-2#101", "d1": "t|1-2#202"}
    hh = household_clusters(person, dwelling)
    assert hh["a1"] == hh["a2"] == hh["b1"]
    assert len({hh["a1"], hh["c1"], hh["d1"]}) == 3  # flats in one building are different households


def test_a_moved_person_lives_at_the_address_most_records_give() -> None:
    person = {"p1": "P", "p2": "P", "p3": "P", "q1": "Q"}
    dwelling = {"p1": "t|9", "p2": "t|1", "p3": "t|1", "q1": "t|1"}
    hh = household_clusters(person, dwelling)
    assert hh["p1"] == hh["q1"]


def test_room_known_in_one_list_is_used() -> None:
    person = {"p1": "P", "p2": "P", "q1": "Q"}
    dwelling = {"p1": "t|1-2", "p2": "t|1-2#101", "q1": "t|1-2#101"}
    hh = household_clusters(person, dwelling)
    assert hh["p1"] == hh["q1"]


def test_no_address_joins_by_phone_when_unambiguous() -> None:
    person = {"a": "A", "b": "B", "c": "C", "d": "D", "e": "E"}
    dwelling = {"a": "t|1", "b": None, "c": None, "d": "t|2", "e": "t|3"}
    phone = {"a": "0599251234", "b": "0599251234", "c": "09011112222", "d": "09011112222", "e": "09011112222"}
    hh = household_clusters(person, dwelling, phone)
    assert hh["b"] == hh["a"]
    assert hh["c"] not in (hh["d"], hh["e"])  # the phone points at two households: alone
