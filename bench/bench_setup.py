"""The set-up figures the README quotes, measured on this machine, with the machine stated.

- ``make run``'s first start, as a new user has it: a fresh venv with ``requirements.txt`` installed (pip's cache
  as it is), then the app on a copy of the code with no demo database yet: server start → healthy → the
  Overview's frontier chart drawn in headless Chromium (the demo CRM of 50,000 customers is built and the nine
  presets are measured during that wait);
- ``make test``'s suite: ``python -m pytest -n 2`` in the repository, its wall time and the CPU time of every
  process it ran (``getrusage(RUSAGE_CHILDREN)``: pytest, its xdist workers, the Streamlit servers and browsers
  they started); the one test that checks the README's timing block is left out (this run writes that block);
- the machine: CPU model and cores, memory, Python, OS, and the load average before and after each part (the
  machine is shared: a load above the number of cores means the figures are upper bounds).

Run: ``.venv/bin/python bench/bench_setup.py [--skip-venv] [--skip-app] [--skip-suite] [--readme]``
(``make bench-setup``). ``--readme`` writes the figures into README.md between the ``bench_setup`` markers.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

#: what a copy of the app needs (no data/demo, no uploads: a cold start)
APP_FILES = ("app.py", "dashboard", "analysis", ".streamlit", "data/bank.csv", "data/bank_marketing.toml",
             "data/assumptions.example.toml")
START, END = "<!-- bench_setup:start -->", "<!-- bench_setup:end -->"


def machine() -> dict:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor() or "unknown CPU")
    memory = next((int(line.split()[1]) / 1024 ** 2 for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), float("nan"))
    release = Path("/etc/os-release")
    pretty = next((line.split("=", 1)[1].strip('"') for line in release.read_text().splitlines()
                   if line.startswith("PRETTY_NAME")), platform.platform()) if release.exists() else platform.platform()
    return {"cpu": model, "cores": len(os.sched_getaffinity(0)), "memory_gb": memory, "os": pretty,
            "python": platform.python_version()}


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bench_venv(work: Path) -> dict:
    before, cpu = load(), children_cpu()
    start = time.perf_counter()
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "-r", str(ROOT / "requirements.txt")], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return {"venv_seconds": time.perf_counter() - start, "venv_cpu": children_cpu() - cpu, "venv_load": before}


def _process_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # utime + stime of the process (all its threads) and of the children it has waited for
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def bench_app(work: Path) -> dict:
    from _browser import first_overview
    from test_browser import free_port, wait_healthy

    copy = work / "app"
    for name in APP_FILES:
        source, target = ROOT / name, copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target)
    assert not (copy / "data" / "demo").exists()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "PRIVACYLIFT_DB"}
    before = load()
    start = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)],
                              cwd=copy, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_healthy(port, server, timeout=300)
        healthy = time.perf_counter() - start
        overview = first_overview(port, start, width=1440, height=1600, timeout=1_800_000)
        cpu = _process_cpu(server.pid)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    return {"app_healthy": healthy, "app_overview": overview, "app_cpu": cpu, "app_load": before}


#: the one test left out of the timed run: it checks the README's timing block, which this run is writing
SELF_CHECK = "tests/test_readme.py::test_timings_come_from_the_bench_command_and_state_the_machine"


def bench_suite(args: list[str]) -> dict:
    before, cpu = load(), children_cpu()
    start = time.perf_counter()
    # pyproject's addopts already has -q: a second -q would drop pytest's summary line, which is read below
    done = subprocess.run([sys.executable, "-m", "pytest", "-n", "2", "-p", "no:cacheprovider",
                           "--deselect", SELF_CHECK, *args],
                          cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wall = time.perf_counter() - start
    summary = next((line for line in reversed(done.stdout.splitlines()) if re.search(r"\d+ (passed|failed)", line)),
                   f"no summary line; exit code {done.returncode}")
    return {"suite_seconds": wall, "suite_cpu": children_cpu() - cpu, "suite_load": before, "suite_rc": done.returncode,
            "suite_summary": summary.strip("= ")}


def minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min" if seconds >= 90 else f"{seconds:.0f} s"


def table(m: dict, r: dict) -> str:
    rows = [f"Measured {r['date']} with `.venv/bin/python bench/bench_setup.py` on {m['cores']} cores "
            f"({m['cpu']}), {m['memory_gb']:.0f} GB, {m['os']}, Python {m['python']}. The machine is shared: "
            "load average (1/5/15 min) at the start of each part is given; with a load above the number of cores "
            "the times are upper bounds.", "",
            "| what | wall time | CPU time | load at start |", "|---|---|---|---|"]
    if "venv_seconds" in r:
        rows.append(f"| fresh venv + `pip install -r requirements.txt` (pip cache warm) | "
                    f"{minutes(r['venv_seconds'])} | {minutes(r['venv_cpu'])} | {r['venv_load']} |")
    if "app_overview" in r:
        rows.append(f"| `streamlit run app.py`, cold: server healthy | {minutes(r['app_healthy'])} | | "
                    f"{r['app_load']} |")
        rows.append(f"| … first Overview drawn (builds the 50,000-customer demo, measures the 9 presets) | "
                    f"{minutes(r['app_overview'])} | {minutes(r['app_cpu'])} (server) | {r['app_load']} |")
    if "suite_seconds" in r:
        rows.append(f"| `python -m pytest -n 2` (what `make test` runs; {r['suite_summary']}) | "
                    f"{minutes(r['suite_seconds'])} | {minutes(r['suite_cpu'])} | {r['suite_load']} |")
    rows.append(f"\nLoad average at the end: {r['end_load']}.")
    return "\n".join(rows)


def write_readme(text: str) -> None:
    readme = ROOT / "README.md"
    body = readme.read_text(encoding="utf-8")
    if START not in body or END not in body:
        raise SystemExit(f"README.md has no {START} … {END} block to write into.")
    head, rest = body.split(START, 1)
    _, tail = rest.split(END, 1)
    readme.write_text(f"{head}{START}\n{text}\n{END}{tail}", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-venv", action="store_true")
    parser.add_argument("--skip-app", action="store_true")
    parser.add_argument("--skip-suite", action="store_true")
    parser.add_argument("--pytest-args", default="", help="extra pytest arguments, e.g. \"-m 'not browser'\"")
    parser.add_argument("--readme", action="store_true", help="write the table into README.md")
    args = parser.parse_args()
    m = machine()
    results: dict = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d")}
    with tempfile.TemporaryDirectory(prefix="privacylift-bench-setup-") as tmp:
        work = Path(tmp)
        if not args.skip_venv:
            results |= bench_venv(work)
            print(f"venv: {results['venv_seconds']:.0f} s", file=sys.stderr, flush=True)
        if not args.skip_app:
            results |= bench_app(work)
            print(f"app: Overview after {results['app_overview']:.0f} s", file=sys.stderr, flush=True)
    if not args.skip_suite:
        import shlex

        results |= bench_suite(shlex.split(args.pytest_args))
        print(f"suite: {results['suite_seconds']:.0f} s ({results['suite_summary']})", file=sys.stderr, flush=True)
    results["end_load"] = load()
    text = table(m, results)
    print(text)
    if args.readme:
        write_readme(text)
    return int(results.get("suite_rc", 0) != 0)


if __name__ == "__main__":
    sys.exit(main())
