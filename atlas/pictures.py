"""Static pictures of each layer for reports: PNG and SVG with title, legend and source line.

Run by `atlas build --pictures` (geopandas + matplotlib). Off by default: importing them alone
takes longer than the rest of a build.
"""

from __future__ import annotations

import io
from typing import Any

from atlas.boundaries import Boundaries
from atlas.join import Country

NO_DATA = "#F0F0F0"
ROBINSON = "ESRI:54030"


def render(boundaries: Boundaries, countries: tuple[Country, ...], layers: list[dict[str, Any]],
           meta: dict[str, str]) -> dict[str, bytes]:
    """{"pictures/<layer>.png": bytes, "pictures/<layer>.svg": bytes} for every layer."""
    import geopandas as gpd
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["svg.hashsalt"] = "dsr-atlas"  # stable ids: identical builds
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    frame = gpd.GeoDataFrame.from_features(list(boundaries.features), crs=4326)
    frame = frame[frame["continent"] != "Antarctica"].to_crs(ROBINSON)
    by_key = {c.iso3: c for c in countries}
    out: dict[str, bytes] = {}
    for layer in layers:
        colors = {c["value"]: c["color"] for c in layer["classes"]}
        values = [by_key[k].layers.get(layer["id"]) for k in frame["iso3"]]
        fills = [colors.get(str(v["value"]), "#000000") if v else NO_DATA for v in values]
        hatches = ["" if v else "////" for v in values]
        fig, ax = plt.subplots(figsize=(10, 5.6), dpi=150)
        for hatch in ("", "////"):
            mask = [h == hatch for h in hatches]
            if not any(mask):
                continue
            frame[mask].plot(ax=ax, color=[f for f, m in zip(fills, mask, strict=True) if m],
                             edgecolor="#777777", linewidth=0.2, hatch=hatch or None)
        ax.set_axis_off()
        ax.set_title(layer["title"], fontsize=13, loc="left")
        handles = [Patch(facecolor=c["color"], edgecolor="#555555", label=c["label"])
                   for c in layer["classes"]]
        handles.append(Patch(facecolor=NO_DATA, edgecolor="#555555", hatch="////",
                             label="No data"))
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=2,
                  fontsize=7, frameon=False)
        fig.text(0.01, 0.01,
                 f"Source: {meta.get('title', 'DSR Atlas')}, data version "
                 f"{meta.get('data_version', '')} ({meta.get('data_date', '')}); sources per "
                 "record in the atlas. Boundaries: Natural Earth (de facto).",
                 fontsize=6, color="#333333")
        fig.tight_layout()
        for fmt in ("png", "svg"):
            buf = io.BytesIO()
            stamp = {"Date": None} if fmt == "svg" else {"Software": None}
            fig.savefig(buf, format=fmt, metadata=stamp)
            out[f"pictures/{layer['id']}.{fmt}"] = buf.getvalue()
        plt.close(fig)
    return out
