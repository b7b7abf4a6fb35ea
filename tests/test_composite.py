"""The composite score the map page computes equals Python's (CompositeSpec.score) for every
country: the page's own rule (AtlasSite.compositeScore) on each country's records, the score
the page shows at the latest data, and the one it recomputes as of every year — in Chromium."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from atlas import build
from atlas.evidence import codebook
from atlas.evidence.schema import Config
from tests.conftest import FIXTURE_SEEDS, REPO

pytestmark = pytest.mark.browser

#: What the page computes, per composite and country: its rule on the records as they are, what
#: it shows at the latest data (Python's, from the site data), and what it shows as of each
#: year (recomputed in the page, through the year control's own setter).
PAGE_SCORES = """ids => {
  const A = window.AtlasSite, site = window.atlasSite, D = A.data, keys = Object.keys(D.countries);
  const each = f => Object.fromEntries(keys.map(k => [k,
    Object.fromEntries(ids.map(id => [id, f(k, id)]))]));
  const out = { rule: each((k, id) => A.compositeScore(A.layersById[id], D.countries[k].layers)),
                latest: each((k, id) => site.record(k, id)), asOf: {} };
  site.years.forEach(y => { site.setYear(y); out.asOf[y] = each((k, id) => site.record(k, id)); });
  site.setYear(null);
  return out;
}"""


@pytest.fixture(scope="module", params=["fixture", "real"])
def seeds_site(request: pytest.FixtureRequest,
               tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, Path]:
    seeds = FIXTURE_SEEDS if request.param == "fixture" else REPO / "seeds"
    out = tmp_path_factory.mktemp(f"composite-{request.param}") / "site"
    build.run(seeds, out, pictures=False)
    return request.param, seeds, out


def site_data(site: Path) -> dict:
    text = (site / "data" / "atlas-data.js").read_text(encoding="utf-8")
    return json.loads(text[len("window.ATLAS_DATA="):-2])


def values_as_of(cfg: Config, layers: dict[str, Any], year: int | None) -> dict[str, Any]:
    """A country's {layer: class value} as of `year` (None: the latest data), by the rule the
    legend states: a record dated after `year` shows its latest step at or before `year`, or is
    left out; one without a year always counts; and a many-rows layer's class is that of the
    number of its records left."""
    out = {}
    for spec in cfg.layers:
        rec = layers.get(spec.id)
        if rec is None:
            continue
        if year is None:
            out[spec.id] = rec["value"]
        elif spec.many:  # an item dated later counts from its first step (steps.csv)
            steps = rec.get("step_years") or [[] for _ in rec["years"]]
            kept = [y for y, earlier in zip(rec["years"], steps, strict=True)
                    if y is None or y <= year or any(s <= year for s in earlier)]
            if kept:
                out[spec.id] = spec.class_for_count(len(kept))
        elif not isinstance(rec.get("year"), int) or rec["year"] <= year:
            out[spec.id] = rec["value"]
        else:  # dated later: the latest earlier step in force then, if any (steps.csv)
            earlier = [s for s in rec.get("steps", []) if s["year"] <= year]
            if earlier:
                out[spec.id] = earlier[-1]["value"]
    return out


def without_steps(layers: dict[str, Any]) -> dict[str, Any]:
    """A country's records as if none had earlier steps."""
    return {lid: {k: v for k, v in rec.items() if k not in ("steps", "step_years")}
            for lid, rec in layers.items()}


def unrounded(scored: dict[str, Any]) -> float:
    """The weighted mean a score was rounded from (the same sum, in the same order)."""
    present = [p for p in scored["components"] if p["score"] is not None]
    return sum(p["weight"] * p["score"] for p in present) / sum(p["weight"] for p in present)


def test_the_page_computes_python_s_composite_score_for_every_country(
        offline_page, seeds_site: tuple[str, Path, Path]) -> None:
    name, seeds, site = seeds_site
    cfg = codebook.load_all(seeds)
    data = site_data(site)
    ids = [comp.id for comp in cfg.composites]
    assert ids, "the seeds define no composite"
    page = offline_page.open(site / "index.html")
    got = page.evaluate(PAGE_SCORES, ids)
    assert offline_page.errors == []

    years = sorted({int(y) for y in got["asOf"]})
    assert years  # the page offers years to look at
    wrong: list[str] = []
    # "half up": a score that rounding half up (Math.round) would put on the other side.
    kinds = {"scored": 0, "missing": 0, "too few": 0, "half up": 0, "step": 0}
    for iso3, country in sorted(data["countries"].items()):
        for comp in cfg.composites:
            latest = values_as_of(cfg, country["layers"], None)
            assert country["layers"].get(comp.id) == comp.score(latest)  # the site data's
            cases = [("rule", got["rule"][iso3][comp.id], latest),
                     ("latest", got["latest"][iso3][comp.id], latest)]
            cases += [(f"as of {y}", got["asOf"][str(y)][iso3][comp.id],
                       values_as_of(cfg, country["layers"], y)) for y in years]
            for label, js, values in cases:
                py = comp.score(values)
                if js != py:
                    wrong.append(f"{iso3} {comp.id} {label}: page {js}, Python {py}")
                if py is None:
                    kinds["too few"] += any(c.layer in values for c in comp.components)
                    continue
                kinds["scored"] += 1
                kinds["missing"] += bool(py["missing"])
                half_up = math.floor(unrounded(py) * 1000 + 0.5) / 1000
                kinds["half up"] += half_up != py["score"]
                # a score that an earlier step (steps.csv) changes from "leave it out"
                kinds["step"] += label.startswith("as of") and py != comp.score(
                    values_as_of(cfg, without_steps(country["layers"]), int(label[6:])))
    assert not wrong, "\n".join(wrong)
    # The comparison reaches the cases where another rule would give another score: countries
    # below min_components, scores with a component missing (not counted as zero), and means
    # that rounding half up (Math.round) would put on the other side of the third decimal.
    assert kinds["too few"] > 0, kinds
    if name == "real":
        assert kinds["scored"] > 100 and kinds["missing"] > 0 and kinds["half up"] > 0, kinds
        assert kinds["step"] > 0, kinds
