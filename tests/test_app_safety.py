"""The app shows no traceback and obeys no user text (issue 18).

- Bad URL values and odd controls (``?k=1``, ``k=0.00001``, ``seed=4294967296``, every feature role excluded,
  an unknown ``xcol``, a 200-character text, a guessed upload) end in a plain message, never an exception.
- User text (column, dataset, scenario names, the link's own text) is escaped before Streamlit renders it as
  Markdown, and made inert in charts (plotly would obey ``<a href>``).
- An upload opens only for its owner, or once shared, and not after it expired.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import plotly.graph_objects as go
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st_

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from dashboard.safe_text import MARKDOWN_SYNTAX, WORD_JOINER, md  # noqa: E402

APP = "../app.py"
HOSTILE = '![x](http://127.0.0.1:9/p.png) [click](http://evil.example) www.evil.example ana@x.org $x$ :red[r] <b>'


@pytest.fixture()
def open_app(demo_db, monkeypatch, tmp_path):
    monkeypatch.setenv("PRIVACYLIFT_DB", str(demo_db))
    from dashboard import uploads

    monkeypatch.setattr(uploads, "UPLOADS", tmp_path / "uploads")

    def run(page: str | None = "builder_page.py", **query) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=240)
        for k, v in query.items():
            at.query_params[k] = v
        at.run()
        messages = [w.value for w in at.warning]
        if page:
            at.switch_page(f"dashboard/{page}")
            at.run()
        assert not at.exception, [e.value for e in at.exception]
        at.first_messages = messages
        return at

    return run


@pytest.mark.parametrize("query, words", [
    ({"k": "1"}, "the 'k' parameter must be a number in the range [0.01, 1)"),
    ({"k": "0.00001"}, "the 'k' parameter must be a number in the range [0.01, 1)"),
    ({"seed": "4294967296"}, "'seed' parameter"),
    ({"xr": "quasi_identifier,sensitive,behavioral", "ev": "false"}, "no feature to learn from"),
    ({"xcol": '["nonexistent"]'}, "names unknown column 'nonexistent'"),
    ({"cp": "x" * 200}, "'consent_purpose' parameter"),
])
def test_odd_link_values_give_a_plain_message_never_a_traceback(open_app, query, words):
    at = open_app(**query)
    shown = " ".join(at.first_messages + [w.value for w in at.warning] + [e.value for e in at.error])
    assert words.replace("[", "\\[").replace("]", "\\]").replace(".", "\\.").replace("(", "\\(").replace(
        ")", "\\)").replace("'k'", "'k'") in shown or words in shown.replace("\\", ""), shown
    assert "Traceback" not in shown and "/work/" not in shown and ".py" not in shown


def test_a_200_character_name_and_a_hostile_name_are_handled_in_the_builder(open_app):
    at = open_app()
    at.text_input(key="b_save_name").input("n" * 200)
    at.button(key="b_save").click().run()
    assert not at.exception
    assert any("'name' parameter" in w.value and len(w.value) < 400 for w in at.warning), [w.value for w in at.warning]
    at.text_input(key="b_save_name").input("[click](http://evil.example)").run()
    at.button(key="b_save").click().run()
    assert not at.exception
    success = [s.value.replace(WORD_JOINER, "") for s in at.success]
    assert success and "\\[click\\]\\(http\\://evil\\.example\\)" in success[0]


def test_every_feature_excluded_in_the_controls_is_said_in_words(open_app):
    at = open_app()
    at.multiselect(key="b_exclude_roles").set_value(["sensitive", "behavioral", "quasi_identifier"]).run()
    at.toggle(key="b_use_events").set_value(False).run()
    assert not at.exception
    assert any("no feature to learn from" in w.value for w in at.warning), [w.value for w in at.warning]


def _upload(uploads, owner: str, *, shared: bool = False, hours: float = 24) -> str:
    """An upload made by another session (owner token ``owner``), as the Data page would leave it."""
    import shutil

    from conftest import ROOT  # noqa: F401  (test package path)

    uploads.UPLOADS.mkdir(parents=True, exist_ok=True)
    upload_id = "Z" * 23 + owner[0]
    now = datetime.now(timezone.utc)
    uploads._write_meta(upload_id, {"dataset": HOSTILE, "owner": owner, "shared": shared,
                                    "created": now.isoformat(), "expires": (now + timedelta(hours=hours)).isoformat()},
                        new=True)
    shutil.copyfile(_upload.db, uploads.upload_path(upload_id))
    return upload_id


def test_another_sessions_upload_opens_only_when_shared_and_never_after_it_expires(open_app, demo_db):
    from dashboard import uploads

    _upload.db = demo_db
    private = _upload(uploads, "a" * 64)
    at = open_app(page=None, db=f"uploads/{private}")
    assert any("not found among the uploads this browser may open" in w for w in at.first_messages)
    assert "active_db" not in at.session_state
    assert not at.sidebar.markdown or "Upload" not in " ".join(m.value for m in at.sidebar.markdown)
    by_name = open_app(page=None, db="uploads/fx")  # the dataset's name, or any guess, is no key
    assert any("not found" in w for w in by_name.first_messages)

    shared = _upload(uploads, "b" * 64, shared=True)
    at = open_app(page="data_page.py", db=f"uploads/{shared}")
    sidebar = " ".join(m.value for m in at.sidebar.markdown).replace(WORD_JOINER, "")
    assert "Upload\\:" in sidebar and "\\!\\[x\\]\\(http\\://127\\.0\\.0\\.1\\:9/p\\.png\\)" in sidebar  # escaped
    assert not [t for t in at.toggle if t.key == "d_share"]  # only the owner may share or stop sharing

    expired = _upload(uploads, "c" * 64, shared=True, hours=-1)
    at = open_app(page=None, db=f"uploads/{expired}")
    assert any("not found" in w for w in at.first_messages)
    uploads._last_purge[0] = 0.0
    uploads.purge_expired()
    assert not list(uploads.UPLOADS.glob(f"{expired}.*"))  # deleted with its metadata
    assert uploads.upload_path(shared).exists()


@given(st_.text(max_size=60))
def test_md_escapes_every_markdown_character(text):
    out = md(text).replace(WORD_JOINER, "")
    i = 0
    while i < len(out):
        if out[i] == "\\":
            i += 2
            continue
        assert out[i] not in MARKDOWN_SYNTAX, (text, out)
        i += 1


def test_charts_make_user_names_inert():
    from analysis.charts import risk_by_quasi_chart

    frame = pl.DataFrame({"quasi": ['<a href="http://evil.example">zip</a>', '<span style="x">age</span>'],
                          "drop_if_removed": [0.3, 0.1], "drop_if_generalized": [0.1, 0.05]})
    fig = risk_by_quasi_chart(frame)
    text = json.dumps(fig.to_dict())
    assert "<a href" not in text and "<span" not in text and "&lt;a href" in text
    assert isinstance(fig, go.Figure)
