"""The records as one table: every column of the downloads, in order, with the layer or
composite that makes it (the one schema the CSV, GeoJSON, GeoPackage and Data Package share)."""

from __future__ import annotations

from atlas.evidence.schema import BASE_COLUMNS, CompositeSpec, LayerSpec


def output_columns(layers: tuple[LayerSpec, ...], composites: tuple[CompositeSpec, ...] = ()
                   ) -> list[tuple[str, str]]:
    """Every column of the downloads, in their order (atlas.export.columns), with the layer or
    composite that makes it: two makers of one column would overwrite each other."""
    cols = [(c, "") for c in BASE_COLUMNS]
    for spec in layers:
        own = ["", "_year", "_count", "_items", "_sources"] if spec.many else \
            ["", "_year", "_confidence", "_sources",
             *(f"_{f.name}" for f in spec.fields if f.name != spec.value)]
        cols += [(spec.id + suffix, spec.id) for suffix in own]
    for comp in composites:
        cols += [(comp.id + suffix, comp.id) for suffix in ("", "_score", "_missing")]
    return cols
