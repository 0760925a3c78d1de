"""The set-up files a new user meets: the Streamlit server's production settings, an icon that needs no network,
the notebook requirements and the make targets the README documents."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import streamlit

ROOT = Path(__file__).resolve().parent.parent


def test_streamlit_production_settings():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["fileWatcherType"] == "none"  # no watcher over the whole repository
    assert config["server"]["runOnSave"] is False
    assert config["server"]["headless"] is True
    assert config["client"]["showErrorDetails"] == "none"  # messages could quote data: they go to the log only
    assert config["browser"]["gatherUsageStats"] is False


def test_the_tab_icon_is_not_fetched_from_the_internet():
    """Streamlit turns a ``:material/…:`` page icon into a favicon URL on fonts.gstatic.com (it fails offline),
    while an emoji becomes an inline SVG and the page icons use the Material Symbols font it serves itself."""
    calls = [node for node in ast.walk(ast.parse((ROOT / "app.py").read_text(encoding="utf-8")))
             if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "set_page_config"]
    [call] = calls
    icon = next(k.value.value for k in call.keywords if k.arg == "page_icon")
    assert not icon.startswith(":material") and "://" not in icon
    static = Path(streamlit.__file__).parent / "static" / "static"
    bundle = "\n".join(p.read_text(encoding="utf-8", errors="ignore") for p in (static / "js").glob("index.*.js"))
    assert "fonts.gstatic.com/s/i/short-term/release/materialsymbolsrounded/" in bundle  # why not a material icon
    assert list((static / "media").glob("MaterialSymbols-Rounded*.woff2"))  # the page icons' font is local


def _pins(name: str) -> dict[str, str]:
    pins = {}
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-\[\]]+)==([^\s#]+)", line)
        if match:
            pins[match.group(1).lower()] = match.group(2)
    return pins


def test_notebook_requirements_pin_jupyterlab_and_nbconvert_and_agree_with_the_others():
    notebooks = _pins("requirements-notebooks.txt")
    assert notebooks["jupyterlab"] == "4.6.6" and notebooks["nbconvert"] == "7.17.2"
    assert "-r requirements.txt" in (ROOT / "requirements-notebooks.txt").read_text()
    others = _pins("requirements.txt") | _pins("requirements-test.txt")
    assert {k: v for k, v in notebooks.items() if k in others} == {k: others[k] for k in notebooks if k in others}


def test_the_make_targets_the_docs_use_exist():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([\w-]+):", makefile, re.M))
    documented = set()
    for doc in ("README.md", "notebooks/README.md", "bench/README.md"):
        documented |= set(re.findall(r"`make ([\w-]+)`", (ROOT / doc).read_text(encoding="utf-8")))
        documented |= set(re.findall(r"^make ([\w-]+)", (ROOT / doc).read_text(encoding="utf-8"), re.M))
    assert documented >= {"run", "test", "notebooks", "notebooks-run", "bench-setup"}
    assert documented <= targets, documented - targets
    assert "notebooks/tools/execute.py" in makefile and "requirements-notebooks.txt" in makefile
