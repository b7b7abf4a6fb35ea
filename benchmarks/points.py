"""Benchmark: project points, side by side on the same points in one run.

Three sites draw the same N synthetic projects (benchmarks/synthetic.py): the atlas (countries and
clustered points), folium's `MarkerCluster` with a popup per point, and folium's
`FastMarkerCluster` (the points as one array, markers made in the browser). Both folium sites read
the projects from the same CSV, as a notebook would, and load Leaflet and Leaflet.markercluster from
local files (not a CDN), so all three are drawn offline and measured alike. A fourth row is the
atlas without points (the same seeds with no projects), the floor the points add to. For each:
build time (its whole process), peak memory of the build, page bytes (gzipped: the page and every
file it loads when it opens), time to a drawn map in headless Chromium (the first frame painted
with countries and clusters; folium: clusters; the atlas without points: countries), and the time
one zoom step takes (zoom 2 → 3, clusters redrawn).

It also times `atlas import aiddata` plus `atlas build` on synthetic GCDF tables of 2,000 and
20,000 ICT rows (invented ids, a square shape for every other row), to show how they grow.

    python benchmarks/points.py [--points 20000] [--repeat 3] [--json FILE]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from benchmarks.bench import BROWSER_ARGS, CHROMIUM  # noqa: E402  (after the path is set)

NO_POINTS = "atlas without points (no projects)"

FOLIUM = r'''
import csv, sys
from pathlib import Path
import folium
from folium.plugins import FastMarkerCluster, MarkerCluster

seeds, out, kind = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
folium.Map.default_js = [("leaflet", "assets/leaflet.js"), ("jquery", "assets/jquery.min.js")]
folium.Map.default_css = [("leaflet_css", "assets/leaflet.css")]
for cls in (MarkerCluster, FastMarkerCluster):
    cls.default_js = [("markerclusterjs", "assets/leaflet.markercluster.js")]
    cls.default_css = [("markerclustercss", "assets/MarkerCluster.css"),
                       ("markerclusterdefault", "assets/MarkerCluster.Default.css")]
with (seeds / "projects.csv").open(encoding="utf-8") as f:
    rows = [r for r in csv.DictReader(f) if r["lon"] and r["lat"]]
m = folium.Map(location=[20, 20], zoom_start=2, tiles=None)
# Without a tile layer the map has no maxZoom, and Leaflet.markercluster refuses to start ("Map
# has no maxZoom specified"): give it the atlas's (6), so all three cluster over the same zooms.
m.options["maxZoom"] = 6
if kind == "marker":
    cluster = MarkerCluster().add_to(m)
    for r in rows:
        folium.Marker([float(r["lat"]), float(r["lon"])],
                      popup=folium.Popup(f"{r['name']} ({r['kind']}, {r['status']})")
                      ).add_to(cluster)
else:
    # folium's default callback draws each marker with Leaflet.awesome-markers, which this
    # offline page does not load (L.AwesomeMarkers is undefined): plain Leaflet markers instead.
    FastMarkerCluster([[float(r["lat"]), float(r["lon"])] for r in rows],
                      callback="function (row) { return L.marker(new L.LatLng(row[0], row[1])); }"
                      ).add_to(m)
m.save(str(out / "index.html"))
'''


def jquery() -> dict[str, Path]:
    """jQuery from its wheel (xstatic-jquery, a test dependency): folium's popups need it."""
    from atlas.files import package_dir

    return {"assets/jquery.min.js": package_dir("xstatic.pkg.jquery", "pip install "
                                                "xstatic-jquery") / "data" / "jquery.min.js"}


def markercluster() -> dict[str, Path]:
    """Leaflet.markercluster from its wheel (xstatic-leaflet-markercluster, a test dependency):
    folium's clusters need it (the atlas clusters its points itself)."""
    from atlas.files import package_dir

    base = package_dir("xstatic.pkg.leaflet_markercluster",
                       "pip install xstatic-leaflet-markercluster") / "data"
    return {f"assets/{name}": base / name for name in
            ("leaflet.markercluster.js", "MarkerCluster.css", "MarkerCluster.Default.css")}


def folium_site(data: Path, folder: Path, kind: str) -> list[str]:
    """A folium side's site in `folder`: Leaflet, Leaflet.markercluster and jQuery copied from
    their wheels, and index.html of the points in `data` ("marker": MarkerCluster with a popup
    per point, "fast": FastMarkerCluster). Returns the command that writes the page."""
    from atlas.site import payload

    folder.mkdir(parents=True, exist_ok=True)
    for rel, src in {**payload.leaflet_assets(), **markercluster(), **jquery()}.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src, folder / rel)
    return [sys.executable, "-c", FOLIUM, str(data), str(folder), kind]


def page_files(site: Path, extra: tuple[str, ...] = ()) -> list[Path]:
    """index.html, every local script and stylesheet it names, and `extra` (files its scripts
    load when it opens)."""
    import re

    html = (site / "index.html").read_text(encoding="utf-8")
    refs = re.findall(r'<script src="([^"]+)"', html)
    refs += re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    files = [site / "index.html"]
    for ref in [*refs, *extra]:
        assert "://" not in ref, f"page refers to another host: {ref}"
        if (site / ref).is_file() and site / ref not in files:
            files.append(site / ref)
    return files


def gzip_bytes(files: list[Path]) -> int:
    return sum(len(gzip.compress(p.read_bytes(), 6)) for p in files)


def timed(cmd: list[str]) -> tuple[float, int]:
    """Wall time of a command and its peak memory (bytes), measured from a process that runs
    only it."""
    probe = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
             "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, "
             "stderr=subprocess.DEVNULL); print(time.perf_counter() - t, "
             "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    done = subprocess.run([sys.executable, "-c", probe, *cmd], check=True, capture_output=True,
                          text=True)
    seconds, kib = done.stdout.split()
    return float(seconds), int(kib) * 1024


def browse(index: Path, atlas: bool, points: bool = True) -> tuple[float, float]:
    """Seconds to a drawn map, and to one zoom step (2 → 3) with its clusters redrawn. The
    atlas's map is drawn with its countries on screen, and its marks (`points`) too.

    Drawn is timed in the page: in the first animation frame in which the map's elements are
    all there, a message is posted to the page itself; it runs once that frame has been laid
    out and painted, and takes the time. Read from here instead, the time would also hold a
    round trip to this process and whatever the page does meanwhile."""
    from playwright.sync_api import sync_playwright

    marks = "document.querySelectorAll('.marker-cluster, .atlas-cluster, .atlas-point').length > 0"
    countries = "document.querySelectorAll('.leaflet-overlay-pane path').length > 100"
    there = " && ".join(([marks] if points else []) + ([countries] if atlas else []))
    drawn = ("() => { if (window.__drawnAt) return window.__drawnAt;"
             f" if (!window.__asked && ({there})) {{ window.__asked = true;"
             " const c = new MessageChannel();"
             " c.port1.onmessage = () => { window.__drawnAt = performance.now(); };"
             " c.port2.postMessage(0); } return false; }")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(index.as_uri(), wait_until="commit")
        drawn_s = page.wait_for_function(drawn, timeout=180_000, polling="raf").json_value() / 1000
        step = page.evaluate("""() => new Promise(done => {
            const map = Object.values(window).find(v => v instanceof L.Map);
            map.setView([20, 20], 2, {animate: false});
            requestAnimationFrame(() => requestAnimationFrame(() => {
              const t = performance.now();
              map.once('zoomend', () => requestAnimationFrame(() => requestAnimationFrame(
                () => done(performance.now() - t))));
              map.setZoom(3, {animate: false});
            }));
          })""")
        browser.close()
    return drawn_s, step / 1000


def gcdf_table(path: Path, rows: int, shapes: Path) -> None:
    """A synthetic GCDF geocoding table of `rows` COMMUNICATIONS rows (invented ids over the
    countries), and a combined GeoJSON with a small square inside the country for every other
    row."""
    from atlas.evidence import locations
    from atlas.world import boundaries

    bounds = boundaries.load()
    keys = sorted(bounds.keys)
    inside = locations.Shapes(bounds.geometry_json)
    points = {k: inside.representative(k) for k in keys}
    keys = [k for k in keys if points[k]]
    header = ["Level.of.precision", "AidData.Record.ID", "Title", "Status", "Sector.Name",
              "Recipient.ISO-3", "Commitment.Year", "Implementation.Start.Year",
              "Completion.Year", "Amount.(Constant.USD.2021)"]
    features = []
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for n in range(rows):
            key = keys[n % len(keys)]
            writer.writerow(["PRECISE", 800000 + n, f"Synthetic fibre network {n}",
                             ("Completion", "Implementation", "Pipeline: Commitment")[n % 3],
                             "COMMUNICATIONS", key, 2005 + n % 17, "", "", f"{n * 1000.0}"])
            if n % 2 == 0:
                lon, lat = points[key]
                s = 0.001
                ring = [[lon, lat], [lon + s, lat], [lon + s, lat + s], [lon, lat + s],
                        [lon, lat]]
                features.append({"type": "Feature", "properties": {"id": 800000 + n},
                                 "geometry": {"type": "MultiPolygon", "coordinates": [[ring]]}})
    shapes.write_text(json.dumps({"type": "FeatureCollection", "features": features}),
                      encoding="utf-8")


def run(seeds: Path, n: int, repeat: int, work: Path) -> dict:
    from benchmarks import synthetic

    data = synthetic.make(seeds, work / "seeds", n)
    empty = synthetic.make(seeds, work / "seeds-none", 0)
    py = sys.executable
    sides = {
        "atlas": [py, "-m", "atlas", "build", "--seeds", str(data), "--out",
                  str(work / "atlas"), "--force", "--no-pictures"],
        "folium MarkerCluster (popup per point)": folium_site(data, work / "marker", "marker"),
        "folium FastMarkerCluster": folium_site(data, work / "fast", "fast"),
        NO_POINTS: [py, "-m", "atlas", "build", "--seeds", str(empty), "--out",
                    str(work / "atlas-none"), "--force", "--no-pictures"],
    }
    folders = {"atlas": work / "atlas", "folium MarkerCluster (popup per point)": work / "marker",
               "folium FastMarkerCluster": work / "fast", NO_POINTS: work / "atlas-none"}
    figures: dict[str, dict[str, list[float]]] = {k: {"build_s": [], "peak_bytes": [],
                                                      "drawn_s": [], "zoom_step_s": []}
                                                  for k in sides}
    for _ in range(repeat):
        for name, cmd in sides.items():  # the sides take turns: a slow spell falls on all
            seconds, peak = timed(cmd)
            figures[name]["build_s"].append(seconds)
            figures[name]["peak_bytes"].append(peak)
    if CHROMIUM.exists():
        for _ in range(repeat):
            for name, folder in folders.items():
                drawn, step = browse(folder / "index.html", name in ("atlas", NO_POINTS),
                                     name != NO_POINTS)
                figures[name]["drawn_s"].append(drawn)
                figures[name]["zoom_step_s"].append(step)
    out: dict = {"points": n, "repeat": repeat, "sides": {}}
    for name, folder in folders.items():
        extra = ("data/atlas-data.js", "data/points.js", "data/geometry-world.js") \
            if name in ("atlas", NO_POINTS) else ()
        row = {k: statistics.median(v) for k, v in figures[name].items() if v}
        row["page_bytes_gzip"] = gzip_bytes(page_files(folder, extra))
        out["sides"][name] = row
    out["import"] = {}
    for rows in (2_000, 20_000):
        table, shapes = work / f"gcdf-{rows}.csv", work / f"shapes-{rows}.geojson"
        gcdf_table(table, rows, shapes)
        target = work / f"imported-{rows}"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(seeds, target)
        start = time.perf_counter()
        subprocess.run([py, "-m", "atlas", "import", "aiddata", str(table), "--geometry",
                        str(shapes), "--seeds", str(target)], check=True, capture_output=True)
        build_s, peak = timed([py, "-m", "atlas", "build", "--seeds", str(target), "--out",
                               str(work / f"site-{rows}"), "--force", "--no-pictures"])
        out["import"][rows] = {"import_and_build_s": time.perf_counter() - start,
                               "build_peak_bytes": peak}
    return out


def report(r: dict) -> str:
    atlas = r["sides"]["atlas"]
    lines = [f"{r['points']:,} project points, median of {r['repeat']} run(s)", "",
             f"{'':40} {'build (s)':>10} {'peak MB':>8} {'page gzip':>11} {'drawn (s)':>10} "
             f"{'zoom step (s)':>14}"]
    for name, row in r["sides"].items():
        drawn = f"{row['drawn_s']:.2f}" if "drawn_s" in row else "-"
        step = f"{row['zoom_step_s']:.3f}" if "zoom_step_s" in row else "-"
        lines.append(f"{name:40} {row['build_s']:>10.2f} {row['peak_bytes'] / 1e6:>8.0f} "
                     f"{row['page_bytes_gzip']:>11,} {drawn:>10} {step:>14}")
    lines.append("")
    for name, row in r["sides"].items():
        if name == "atlas":
            continue
        ratios = [f"{k} {atlas[k] / row[k]:.3f}" for k in ("build_s", "page_bytes_gzip",
                                                           "drawn_s", "zoom_step_s")
                  if k in atlas and row.get(k)]
        lines.append(f"atlas / {name}: " + ", ".join(ratios))
    imp = r["import"]
    lines.append("")
    for rows, row in imp.items():
        lines.append(f"import + build, {int(rows):,} GCDF rows: {row['import_and_build_s']:.2f} s "
                     f"(build peak {row['build_peak_bytes'] / 1e6:.0f} MB)")
    keys = sorted(imp, key=int)
    if len(keys) == 2:
        a, b = (imp[k]["import_and_build_s"] for k in keys)
        lines.append(f"import + build, {int(keys[1]):,} / {int(keys[0]):,} rows: {b / a:.2f} "
                     f"(linear: {int(keys[1]) / int(keys[0]):.0f})")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, default=Path("seeds"))
    parser.add_argument("--points", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="atlas-points-") as tmp:
        result = run(args.seeds.resolve(), args.points, args.repeat, Path(tmp))
    print(report(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
