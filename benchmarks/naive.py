"""The baseline: the obvious folium site — one folium.GeoJson per layer, each with all geometry.

Same boundaries (geodata/countries.geojson) and the same validated records as the atlas; Leaflet is
copied locally (not from a CDN) so the page can be drawn offline and measured fairly. As folium does
by default, every GeoJson layer is shown (drawn) when the page opens.

    python benchmarks/naive.py SEEDS OUT_DIR
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path


def main(seeds: Path, out: Path) -> None:
    import folium

    from atlas import build, join
    from atlas.site import payload

    dataset, bounds, checked = build.validate(seeds)
    assert not checked.errors, checked.errors
    countries = {c.iso3: c for c in join.join(bounds, dataset)}
    out.mkdir(parents=True, exist_ok=True)
    for name, path in payload.leaflet_assets().items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(path.read_bytes())

    class LocalMap(folium.Map):
        default_js = [("leaflet", "assets/leaflet.js")]
        default_css = [("leaflet_css", "assets/leaflet.css")]

    m = LocalMap(location=[20, 20], zoom_start=2, tiles=None)
    for spec in dataset.layers:
        colors = {c.value: c.color for c in spec.classes}
        features = []
        for f in bounds.features:
            rec = countries[f["properties"]["iso3"]].layers.get(spec.id)
            props = {"name": f["properties"]["name"],
                     "value": None if rec is None else str(rec["value"])}
            features.append({"type": "Feature", "properties": props, "geometry": f["geometry"]})
        folium.GeoJson(
            {"type": "FeatureCollection", "features": features},
            name=spec.title,
            style_function=lambda f, colors=colors: {
                "fillColor": colors.get(f["properties"]["value"], "#dddddd"),
                "color": "#555", "weight": 0.6, "fillOpacity": 0.9},
            tooltip=folium.GeoJsonTooltip(fields=["name", "value"]),
        ).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    m.save(str(out / "index.html"))
    (out / "paths.json").write_text(json.dumps(len(bounds.features) * len(dataset.layers)))


if __name__ == "__main__":
    target = Path(sys.argv[2])
    shutil.rmtree(target, ignore_errors=True)
    main(Path(sys.argv[1]), target)
