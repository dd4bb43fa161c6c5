"""名寄せ (record linkage) of Japanese agency lists: one person and one household across lists that share no key.

A library beside :mod:`matching`: it needs no graph and no web framework. It takes list rows and returns
clusters of records (persons), households, and the pairs a person must review.

* Normalisers and comparators: :mod:`linkage.text` (NFKC, 異体字, kana), :mod:`linkage.names` (氏名 and
  ふりがな as one piece of evidence), :mod:`linkage.dates` (和暦/西暦 and known date errors),
  :mod:`linkage.address` (都道府県/市区町村/町字/番地 offline), :mod:`linkage.phone`.
* The model: :mod:`linkage.model` (Splink settings for any backend), :mod:`linkage.pipeline` (DuckDB run,
  baselines), :mod:`linkage.cluster` (strict clustering, whole-cluster checks, review queue).
* Benchmark data: :mod:`linkage.synth` (agency lists with known truth from the demo town's people).

>>> from linkage import compare_names, normalise_name
>>> compare_names(normalise_name("髙橋 和子"), normalise_name("高橋和子")).value
'exact'
"""

from __future__ import annotations

from linkage.address import Address, AddressLevel, compare_addresses, normalise_address
from linkage.cluster import Clustering, Edge, Member, ReviewItem, cluster_problems, cluster_records
from linkage.compare import COMPARISON_LABELS_JA, compare_records, same_household
from linkage.dates import BirthDate, DateLevel, DateParseError, compare_dates, parse_date
from linkage.features import map_headers, normalise_sex, record_features
from linkage.names import Name, NameLevel, compare_names, normalise_name
from linkage.phone import Phone, PhoneLevel, compare_phones, normalise_phone
from linkage.text import fold_kanji, kana_key, register_variants

__all__ = [
    "COMPARISON_LABELS_JA",
    "Address",
    "AddressLevel",
    "BirthDate",
    "Clustering",
    "DateLevel",
    "DateParseError",
    "Edge",
    "Member",
    "Name",
    "NameLevel",
    "Phone",
    "PhoneLevel",
    "ReviewItem",
    "cluster_problems",
    "cluster_records",
    "compare_addresses",
    "compare_dates",
    "compare_names",
    "compare_phones",
    "compare_records",
    "fold_kanji",
    "kana_key",
    "map_headers",
    "normalise_address",
    "normalise_name",
    "normalise_phone",
    "normalise_sex",
    "parse_date",
    "record_features",
    "register_variants",
    "same_household",
]
