"""Data dictionaries: what every column of a CRM dataset is.

A dictionary is a TOML file, one per dataset (see the README, "Data dictionary").
It is parsed into frozen dataclasses; every problem found is collected and raised
together in one :class:`DictionaryError` that names the file, the column and the field.

The parts: the vocabulary and the dataclasses (:mod:`.spec`), reading and checking one dictionary
(:mod:`.parse`), writing one from plain mappings (:mod:`.write`) and checking a new dictionary against the
datasets stored beside it (:mod:`.joint`).
Every public name is importable from ``analysis.dictionary``.

Example
-------
>>> d = parse_dictionary('''
... [dataset]
... name = "demo"
... entity = "customers"
... key = "id"
... [columns.id]
... role = "other"
... [columns.age]
... role = "quasi_identifier"
... type = "integer"
... bounds = [17, 100]
... ''')
>>> d.columns_with_role("quasi_identifier")
('age',)
"""

from analysis.dictionary.joint import joint_problems
from analysis.dictionary.parse import load_dictionary, parse_dictionary
from analysis.dictionary.spec import (
    CATEGORIES,
    ENTITIES,
    ROLES,
    TYPES,
    ColumnSpec,
    Dictionary,
    DictionaryError,
)
from analysis.dictionary.write import dictionary_toml

# importable from here as before the split, outside __all__ ("X as X" marks an explicit re-export): minimize,
# the store and fairness read NUMERIC_TYPES; the scenario spec reads GENERALIZATIONS
from analysis.dictionary.parse import IMPLIED_ERASED as IMPLIED_ERASED
from analysis.dictionary.parse import IMPLIED_KEY as IMPLIED_KEY
from analysis.dictionary.parse import MAX_NAME as MAX_NAME
from analysis.dictionary.spec import NUMERIC_TYPES as NUMERIC_TYPES
from analysis.generalization import GENERALIZATIONS as GENERALIZATIONS

__all__ = [
    "ROLES",
    "CATEGORIES",
    "TYPES",
    "ENTITIES",
    "ColumnSpec",
    "Dictionary",
    "DictionaryError",
    "parse_dictionary",
    "load_dictionary",
    "dictionary_toml",
    "joint_problems",
]
