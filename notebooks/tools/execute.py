"""Re-execute the analyst notebooks and store their outputs (``make notebooks-run``).

Each ``notebooks/NN_name.ipynb`` is first synced from its reviewed ``.py`` pair (jupytext), then run top to
bottom in a fresh ``python3`` kernel (nbclient, working directory ``notebooks/``) with plotly's renderer set to
``plotly_mimetype+png``: every figure is stored twice, as plotly JSON (interactive in JupyterLab) and as a PNG
drawn by kaleido (what GitHub shows; it needs Debian's chromium, as the rest of the suite does). The notebook's
metadata records the sha256 of its cells' sources, so ``tests/test_notebooks.py`` can tell that the stored
outputs come from the cells as they are now.

    .venv/bin/python notebooks/tools/execute.py [notebooks/01_tradeoff_tour.ipynb ...]
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parent.parent
#: the renderer the stored outputs are made with: interactive JSON for Jupyter, a PNG for GitHub
RENDERER = "plotly_mimetype+png"
TIMEOUT = 600


def sources_sha256(nb) -> str:
    """sha256 of every cell's type and source, in order (what the outputs were computed from)."""
    cells = [[c["cell_type"], c["source"] if isinstance(c["source"], str) else "".join(c["source"])]
             for c in nb["cells"]]
    return hashlib.sha256(json.dumps(cells, ensure_ascii=False).encode("utf-8")).hexdigest()


def execute(path: Path) -> float:
    import nbformat
    from nbclient import NotebookClient

    pair = path.with_suffix(".py")
    subprocess.run([str(Path(sys.executable).with_name("jupytext")), "--sync", "--quiet", str(pair)], check=True)
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    os.environ["PLOTLY_RENDERER"] = RENDERER  # the kernel inherits it
    start = time.perf_counter()
    NotebookClient(nb, kernel_name="python3", timeout=TIMEOUT, resources={"metadata": {"path": str(NOTEBOOKS)}}
                   ).execute()
    nb.metadata["privacylift"] = {"sources_sha256": sources_sha256(nb), "plotly_renderer": RENDERER}
    nbformat.write(nb, path)
    return time.perf_counter() - start


def main(argv: list[str]) -> int:
    paths = [Path(a).resolve() for a in argv] or sorted(NOTEBOOKS.glob("*.ipynb"))
    for path in paths:
        seconds = execute(path)
        print(f"{path.name}: executed in {seconds:.1f} s, outputs stored ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
