"""Benchmark: the atlas against the naive one-GeoJson-per-layer folium site, in one run.

For each: bytes a browser loads for the map page (raw and gzipped, local assets included), cold
build wall time, no-op rebuild, rebuild after editing one record (its year; its class, which
redraws pictures), and time until every country is drawn in headless Chromium opening the page
from file://. The two sides take turns at every step, so a slow spell of these noisy machines
falls on both. Prints the figures and the ratios atlas/baseline.

It then times the atlas alone on synthetic datasets of 2,000 and 20,000 project rows (two
citations each; benchmarks/synthetic.py) next to the seeds, to show how it scales.

    python benchmarks/bench.py [--seeds seeds] [--repeat 3] [--no-browser] [--no-scale]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
#: Headless Chromium with the network closed by the browser itself (every http(s) request goes
#: to a proxy that is not there), so pages draw offline. Not Playwright's request routing: that
#: sends each file the page loads through the test process and back, a cost that grows with
#: the number of files and falls on the harness, not on the page a reader opens.
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run",
                "--proxy-server=socks5://127.0.0.1:9", "--proxy-bypass-list=<-loopback>"]


def page_files(site: Path) -> list[Path]:
    """index.html and every local script and stylesheet it loads."""
    html = (site / "index.html").read_text(encoding="utf-8")
    refs = re.findall(r'<script src="([^"]+)"', html)
    refs += re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    files = [site / "index.html"]
    for ref in refs:
        assert "://" not in ref, f"page refers to another host: {ref}"
        files.append(site / ref.split("?")[0])
    return files


def page_bytes(site: Path) -> tuple[int, int]:
    data = [p.read_bytes() for p in page_files(site)]
    return sum(len(d) for d in data), sum(len(gzip.compress(d, 6)) for d in data)


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def edit_one_record(seeds: Path, n: int, column: str = "year") -> None:
    """Edit the first record of mou.csv (a real, valid edit): its year, or with column
    "instrument" its class, which changes the map, the legend counts, the composite score and
    so the pictures of two layers. The new value always differs from the old one, so every
    timed edit rebuilds (the same seeds are edited for every side and size)."""
    import csv
    import io

    path = seeds / "mou.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = next(csv.reader([lines[0]]))
    cells = next(csv.reader([lines[1]]))
    i = header.index(column)
    if column == "year":
        cells[i] = str(2001 + (int(cells[i] or 2000) - 2000) % 20)
    else:
        choices = ("company_mou", "digital_economy_initiative")
        cells[i] = choices[1] if cells[i] == choices[0] else choices[0]
    row = io.StringIO()
    csv.writer(row, lineterminator="\n").writerow(cells)
    lines[1] = row.getvalue()
    path.write_text("".join(lines), encoding="utf-8")


def draw_time(index: Path, expected: int) -> tuple[float, float]:
    """Seconds from navigation start until `expected` country paths are in the page, and until
    the frame that shows them has been painted (the first task after that frame's rendering)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(index.as_uri(), wait_until="commit")
        page.wait_for_function(
            "n => document.querySelectorAll('.leaflet-overlay-pane path').length >= n",
            arg=expected, timeout=120_000, polling="raf")
        drawn = page.evaluate("performance.now()")
        painted = page.evaluate(
            "new Promise(done => requestAnimationFrame(() => setTimeout(() => "
            "done(performance.now()), 0)))")
        browser.close()
    return drawn / 1000, painted / 1000


def private_copy(seeds: Path, work: Path) -> Path:
    """Copy the seeds (the benchmark edits them), keeping relative document paths working."""
    import csv

    with (seeds / "sources.csv").open(encoding="utf-8-sig") as f:
        docs = [r["document"] for r in csv.DictReader(f) if r.get("document")]
    depth = max((d.count("../") for d in docs), default=0)
    copy = work.joinpath(*[f"d{i}" for i in range(depth)], "seeds")
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(seeds, copy)
    for doc in docs:
        original, target = (seeds / doc).resolve(), Path(os.path.normpath(copy / doc))
        if original.is_file() and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(original)
    return copy


def measure(sides: list[tuple[str, list[str], Path]], seeds: Path, repeat: int, browser: bool,
            features: int) -> list[dict]:
    """Time each side's builds (name, build command, site folder) on the same seeds.

    The sides take turns at every step (cold build, no-op, the same year edit, the same class
    edit), so a slow spell of a noisy machine falls on both rather than on one."""
    times = {name: {k: [] for k in ("cold", "noop", "edit", "edit_class", "draw", "paint")}
             for name, _cmd, _site in sides}

    def each(step: str) -> None:
        for name, cmd, _site in sides:
            times[name][step].append(timed(cmd))

    for i in range(repeat):
        for _name, _cmd, site in sides:
            shutil.rmtree(site, ignore_errors=True)
            shutil.rmtree(site.parent / ".atlas-cache", ignore_errors=True)
        each("cold")
        each("noop")
        edit_one_record(seeds, i + 1)
        each("edit")
        edit_one_record(seeds, i + 1, "instrument")
        each("edit_class")
    for _ in range(repeat if browser else 0):  # after the builds, so Chromium does not overlap them
        for name, _cmd, site in sides:
            expected = features
            if (site / "paths.json").is_file():  # the baseline draws every layer at once
                expected = json.loads((site / "paths.json").read_text())
            drawn, painted = draw_time(site / "index.html", expected)
            times[name]["draw"].append(drawn)
            times[name]["paint"].append(painted)
    results = []
    for name, _cmd, site in sides:
        t = times[name]
        raw, gz = page_bytes(site)
        keys = {"cold": "cold_build_s", "noop": "noop_rebuild_s", "edit": "edit_rebuild_s",
                "edit_class": "edit_class_rebuild_s", "draw": "drawn_s", "paint": "painted_s"}
        result = {"name": name, "page_bytes": raw, "page_bytes_gzip": gz, "runs": {}}
        for step, key in keys.items():
            if t[step]:
                result[key] = statistics.median(t[step])
                result["runs"][key] = t[step]
        results.append(result)
    return results


def serve_edit_time(seeds: Path, out: Path, repeat: int) -> float:
    """A one-record rebuild as `atlas serve` does it: in the running process (imports warm)."""
    from atlas import build

    build.run(seeds, out)
    times = []
    for i in range(repeat):
        edit_one_record(seeds, 100 + i)
        start = time.perf_counter()
        build.run(seeds, out)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def byte_compile() -> None:
    """Compile the atlas package's modules to bytecode, as `pip install` does for a regular
    install. An editable install under PYTHONDONTWRITEBYTECODE=1 (set on these machines) would
    otherwise recompile them in every timed process, about 20 ms each."""
    import compileall

    import atlas

    compileall.compile_dir(Path(atlas.__file__).parent, quiet=1)


def scale(seeds: Path, work: Path, repeat: int, browser: bool, features: int,
          sizes: tuple[int, ...] = (2_000, 20_000)) -> list[dict]:
    """The atlas on the seeds and on synthetic datasets of `sizes` project rows."""
    from benchmarks import synthetic

    py = sys.executable
    rows = []
    for size in (0, *sizes):
        folder = work / f"scale-{size}"
        data = seeds if not size else synthetic.make(seeds, folder / "seeds", size)
        cmd = [py, "-m", "atlas", "build", "--seeds", str(data), "--out", str(folder / "site")]
        [result] = measure([(f"{size:,} project rows" if size else "seeds", cmd,
                             folder / "site")], data, repeat, browser, features)
        result["rows"] = size
        rows.append(result)
    return rows


def run(seeds: Path, repeat: int = 3, browser: bool = True, work: Path | None = None,
        compiled: bool = True, with_scale: bool = True) -> dict:
    """Run both builds on a private copy of the seeds; return the figures and the ratios."""
    from atlas.world import boundaries

    if compiled:
        byte_compile()

    features = len(boundaries.load().properties)
    if work is None:
        with tempfile.TemporaryDirectory(prefix="atlas-bench-") as tmp:
            return run(seeds, repeat, browser, Path(tmp), compiled, with_scale)
    copy = private_copy(seeds, work)
    py = sys.executable
    script = Path(py).with_name("atlas")  # the command users run (pip installs it beside python)
    atlas = [str(script)] if script.is_file() else [py, "-m", "atlas"]
    atlas_cmd = [*atlas, "build", "--seeds", str(copy), "--out", str(work / "atlas")]
    naive_cmd = [py, str(HERE / "naive.py"), str(copy), str(work / "naive")]
    browser = browser and CHROMIUM.exists()
    base, ours = measure([("baseline (one folium.GeoJson per layer)", naive_cmd, work / "naive"),
                          ("atlas", atlas_cmd, work / "atlas")], copy, repeat, browser, features)
    ours["serve_edit_rebuild_s"] = serve_edit_time(copy, work / "served", repeat)
    single = work / "single"
    subprocess.run([py, "-m", "atlas", "build", "--seeds", str(copy), "--out", str(single),
                    "--single-file"], check=True, capture_output=True)
    standalone = (single / "atlas-standalone.html").read_bytes()
    ratios = {k: ours[k] / base[k] for k in ours if k not in ("name", "runs") and base.get(k)}
    # The best runs' ratio: what the code costs when the machine is quiet (these machines are
    # shared, and a slow spell lengthens some runs of either side).
    best = {k: min(ours["runs"][k]) / min(base["runs"][k]) for k in ours["runs"]}
    return {"baseline": base, "atlas": ours, "ratios": ratios, "best_ratios": best,
            "scale": scale(copy, work, repeat, browser, features) if with_scale else [],
            "single_file_bytes": len(standalone),
            "single_file_bytes_gzip": len(gzip.compress(standalone, 6)),
            "repeat": repeat, "features": features, "compiled": compiled}


def report(r: dict) -> str:
    rows = [("page bytes (raw)", "page_bytes", "{:,.0f}"),
            ("page bytes (gzip)", "page_bytes_gzip", "{:,.0f}"),
            ("cold build (s)", "cold_build_s", "{:.2f}"),
            ("no-op rebuild (s)", "noop_rebuild_s", "{:.2f}"),
            ("rebuild, one record's year (s)", "edit_rebuild_s", "{:.2f}"),
            ("rebuild, one record's class (s)", "edit_class_rebuild_s", "{:.2f}"),
            ("drawn in Chromium (s)", "drawn_s", "{:.2f}"),
            ("... and painted (s)", "painted_s", "{:.2f}")]
    out = [f"{'':32} {'baseline':>14} {'atlas':>14} {'ratio':>8} {'best':>8}"]
    for label, key, fmt in rows:
        if key in r["atlas"]:
            best = r["best_ratios"].get(key)
            out.append(f"{label:32} {fmt.format(r['baseline'][key]):>14} "
                       f"{fmt.format(r['atlas'][key]):>14} {r['ratios'][key]:>8.3f} "
                       + (f"{best:>8.3f}" if best is not None else f"{'':>8}"))
    a = r["atlas"]
    out.append(f"edit rebuild inside `atlas serve` (warm process): "
               f"{a['serve_edit_rebuild_s']:.2f} s")
    out.append(f"single file: {r['single_file_bytes']:,} bytes "
               f"({r['single_file_bytes_gzip']:,} gzipped)")
    out.append(f"median of {r['repeat']} run(s) (ratio: of the medians; best: of the fastest "
               f"runs); {r['features']} countries; atlas modules "
               + ("byte-compiled first, as a regular install has them" if r["compiled"] else
                  "not byte-compiled (--no-compile)"))
    if r["scale"]:
        out.append("")
        out.append(f"{'scale (atlas)':24} {'cold (s)':>9} {'edit (s)':>9} {'no-op (s)':>9} "
                   f"{'page gzip':>10} {'drawn (s)':>9}")
        for row in r["scale"]:
            drawn = f"{row['drawn_s']:.2f}" if "drawn_s" in row else "-"
            out.append(f"{row['name']:24} {row['cold_build_s']:>9.2f} "
                       f"{row['edit_class_rebuild_s']:>9.2f} {row['noop_rebuild_s']:>9.2f} "
                       f"{row['page_bytes_gzip']:>10,} {drawn:>9}")
        by = {row["rows"]: row for row in r["scale"]}
        if 2_000 in by and 20_000 in by:
            out.append(f"cold build, 20,000 rows / 2,000 rows: "
                       f"{by[20_000]['cold_build_s'] / by[2_000]['cold_build_s']:.2f}")
        if 0 in by and 20_000 in by and "drawn_s" in by[0]:
            out.append(f"drawn, 20,000 rows / seeds: "
                       f"{by[20_000]['drawn_s'] / by[0]['drawn_s']:.2f}")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, default=Path("seeds"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--no-compile", action="store_true",
                        help="do not byte-compile the atlas package first (see byte_compile)")
    parser.add_argument("--no-scale", action="store_true",
                        help="skip the synthetic datasets of 2,000 and 20,000 project rows")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    result = run(args.seeds.resolve(), args.repeat, not args.no_browser,
                 compiled=not args.no_compile, with_scale=not args.no_scale)
    print(report(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
