"""Nothing raw slips in through a second dataset (issue 18): customers keyed by ``email`` as a direct identifier,
and an events file declaring the same ``email`` key with role ``other``, once stored thousands of raw addresses and
a join that matched nobody (every event feature silently 0). Now a direct identifier in one dataset is one in
every dataset, a join key is treated the same on both sides, and a join matching (almost) nobody is an error."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from analysis.dictionary import joint_problems, parse_dictionary
from analysis.store import IngestError, Store, ingest

SECRET = b"joint-secret-0123456789"
N = 300

CUSTOMERS = """
[dataset]
name = "customers"
key = "email"
[columns.email]
role = "direct_identifier"
category = "contact"
[columns.age]
role = "quasi_identifier"
type = "integer"
bounds = [18, 100]
[columns.arm]
role = "treatment"
control = "control"
[columns.bought]
role = "outcome"
type = "boolean"
"""

EVENTS = """
[dataset]
name = "events"
entity = "events"
key = "email"
[columns.email]
role = "{role}"
[columns.at]
role = "timestamp"
type = "timestamp"
[columns.kind]
role = "behavioral"
type = "category"
"""


def files(tmp_path):
    rng = np.random.default_rng(2)
    emails = [f"person{i:04d}.{rng.integers(1 << 40):x}@example.org" for i in range(N)]
    customers = tmp_path / "customers.csv"
    pl.DataFrame({"email": emails, "age": rng.integers(18, 90, N), "arm": np.where(np.arange(N) % 2, "mail", "control"),
                  "bought": rng.random(N) < 0.2}).write_csv(customers)
    events = tmp_path / "events.csv"
    pl.DataFrame({"email": [emails[i % N] for i in range(3 * N)],
                  "at": [f"2024-01-{1 + i % 28:02d} 10:00:00" for i in range(3 * N)],
                  "kind": ["visit", "purchase", "visit"] * N}).write_csv(events)
    return emails, customers, events


def test_events_declaring_a_direct_identifier_other_are_refused_and_nothing_raw_is_stored(tmp_path):
    emails, customers, events = files(tmp_path)
    db = tmp_path / "crm.duckdb"
    ingest(db, parse_dictionary(CUSTOMERS), [customers], secret=SECRET)
    before = db.read_bytes()
    with pytest.raises(IngestError) as info:
        ingest(db, parse_dictionary(EVENTS.format(role="other")), [events], secret=SECRET)
    message = str(info.value)
    assert "column 'email' is a direct identifier in dataset 'customers'" in message
    assert "would be stored as is, but key 'email' of dataset 'customers' is stored pseudonym" in message
    assert not [e for e in emails if e in message]
    assert db.read_bytes() == before and not [e for e in emails if e.encode() in before]


def test_declared_the_same_way_the_join_matches_everyone(tmp_path):
    _, customers, events = files(tmp_path)
    db = tmp_path / "crm.duckdb"
    ingest(db, parse_dictionary(CUSTOMERS), [customers], secret=SECRET)
    ingest(db, parse_dictionary(EVENTS.format(role="direct_identifier")), [events], secret=SECRET)
    features = Store(db).event_features()
    assert features.height == N and (features["events"] == 3).all()  # every customer's three events


def test_a_join_that_matches_nobody_is_an_error_whichever_dataset_comes_first(tmp_path):
    _, customers, events = files(tmp_path)
    db = tmp_path / "crm.duckdb"
    # the events come first; then a customers file whose addresses are all other people's
    ingest(db, parse_dictionary(EVENTS.format(role="direct_identifier")), [events], secret=SECRET)
    shifted = tmp_path / "shifted.csv"
    pl.read_csv(customers).with_columns(pl.col("email").str.replace("@", ".x@")).write_csv(shifted)
    with pytest.raises(IngestError, match=r"matches 0 of the 300 keys .* \(almost\) nobody"):
        ingest(db, parse_dictionary(CUSTOMERS), [shifted], secret=SECRET)


def test_joint_rules_by_hand():
    a = parse_dictionary('[dataset]\nname = "a"\nkey = "id"\n[columns.id]\nrole = "other"\ntype = "integer"\n'
                         '[columns.Phone]\nrole = "direct_identifier"')
    same = parse_dictionary('[dataset]\nname = "b"\nkey = "id"\n[columns.id]\nrole = "other"\ntype = "integer"\n'
                            '[columns.phone]\nrole = "direct_identifier"')
    text_key = parse_dictionary('[dataset]\nname = "c"\nkey = "id"\n[columns.id]\nrole = "other"\ntype = "text"')
    loose = parse_dictionary('[dataset]\nname = "d"\n[columns.phone]\nrole = "quasi_identifier"')
    assert joint_problems(same, [a]) == []
    assert joint_problems(text_key, [a]) == ["key 'id' is a text but key 'id' of dataset 'a' is a number: declare "
                                             "both keys with the same type"]
    assert joint_problems(loose, [a])[0].startswith("column 'phone' is a direct identifier in dataset 'a'")
    assert "a direct identifier is one in every dataset" in joint_problems(a, [loose])[0]
