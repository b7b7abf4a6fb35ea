"""Static pages beside the map: about / methodology, and one page per country with data.

Everything from the data is escaped with html.escape; links are http(s) only and open with
rel="noopener noreferrer". The pages carry the same Content-Security-Policy as the map.
"""

from __future__ import annotations

import hashlib
import html
import re
from typing import Any

from atlas.evidence.model import Dataset
from atlas.evidence.schema import LayerSpec
from atlas.join import Country
from atlas.join import readable as readable_texts
from atlas.text import is_url

CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; base-uri 'none'; form-action 'none'")
#: A "Copy link" control (assets/page.js shows and runs it; without scripts it stays hidden).
COPY_LINK = ('<p class="atlas-copy"><button type="button" id="atlas-copy-link" hidden>Copy link'
             '</button> <span id="atlas-status" role="status"></span></p>')

#: What a citation's stance says before it on a country page (atlas-panel.js: stanceLabel).
STANCE_LABELS = {"contradicts": "<strong>Against:</strong> ", "context": "<strong>Context:</strong> "}
BOUNDARY_POLICY = """
<p>The map draws <strong>Natural Earth</strong> 1:10m admin-0 boundaries (version 5.1.1, German point of
view). Natural Earth draws <em>de facto</em> boundaries — the line of control, not a judgement on
sovereignty claims. In particular:</p>
<ul>
<li><strong>Taiwan</strong> is drawn as its own polygon (TWN); records for it are records for the
territory administered from Taipei.</li>
<li><strong>Kashmir</strong> is divided along the lines of control as this edition of Natural Earth draws
them; no record is attached to a disputed area separately.</li>
<li><strong>Western Sahara</strong> is its own polygon (ESH), not part of Morocco.</li>
<li><strong>Crimea</strong> is drawn as this edition of Natural Earth draws it; a record for Ukraine or
Russia does not say anything about Crimea's status.</li>
<li><strong>South China Sea</strong>: the Spratly Islands (PGA) and Scarborough Reef (SCR) are separate,
"indeterminate" polygons that no country record colours.</li>
<li>In this edition <strong>Northern Cyprus</strong> is part of Cyprus and <strong>Somaliland</strong>
part of Somalia; Kosovo has the key XKX.</li>
</ul>
"""


def rule_id(*parts: str) -> str:
    """The id of a class's row in the codebook: `rule-<layer>-<value>`, with '+' spelt `plus` and
    any other character but letters, digits, '-' and '_' as '-' (the map's links do the same)."""
    text = "-".join(("rule", *parts)).replace("+", "plus")
    return re.sub(r"[^A-Za-z0-9_-]", "-", text)


def e(value: Any) -> str:
    """Escape any value for HTML text or a quoted attribute."""
    return html.escape("" if value is None else str(value), quote=True)


def link(url: object, text: str) -> str:
    """`text` linked to `url` if it is a link by the one rule of the validator and the map
    (atlas.text.is_url: HTTPS:// too), else as plain text."""
    if is_url(url):
        return f'<a href="{e(url)}" rel="noopener noreferrer" target="_blank">{e(text)}</a>'
    return e(text)


def page(title: str, body: str, root: str = "", description: str = "") -> str:
    described = (f'<meta name="description" content="{e(description)}">\n'
                 if description else "")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{e(title)}</title>\n{described}"
        f'<link rel="icon" href="{root}assets/favicon.svg" type="image/svg+xml">\n'
        f'<link rel="stylesheet" href="{root}assets/atlas.css">\n</head>\n'
        f'<body class="atlas-page">\n<main>\n{body}\n{COPY_LINK}\n</main>\n'
        f'<script src="{root}assets/page.js"></script>\n</body>\n</html>\n'
    )


def source_line(dataset: Dataset, sid: str) -> str:
    src = dataset.sources[sid]
    who = ", ".join(x for x in (src.author, src.publisher, src.date) if x)
    return link(src.url, src.title) + (f" — {e(who)}" if who else "")


def summary(dataset: Dataset) -> str:
    """What the data rests on, in one plain sentence: records, countries and sources by kind."""
    from collections import Counter

    records = sum(len(dataset.records[s.id]) for s in dataset.layers)
    countries = {rec.key for s in dataset.layers for rec in dataset.records[s.id].values()}
    kinds = Counter(s.kind for s in dataset.sources.values())
    parts = ", ".join(f"{n} {e(k.replace('_', ' '))}" for k, n in kinds.most_common())
    return (f"In short: {records} records for {len(countries)} countries, each resting on "
            f"cited sources — {len(dataset.sources)} in all, by kind: {parts}. Every value "
            "links to its sources and to the rule that decided it.")


PRECISION_TEXT = {
    "exact": "a site whose coordinates a source states, or inside a precise shape",
    "approximate": "near the place, within a shape the source draws only roughly",
    "city": "the city's point (GeoNames), where the sources name the city only",
    "admin": "a point of the district or province the sources name",
    "country": "the sources name no place: drawn at a point inside the country",
}


def _vocabularies(spec: LayerSpec) -> str:
    """A located layer's points on the map: the colours, marks and precision they show, and
    the definition of every kind and status."""
    if not spec.located:
        return ""
    parts = [f"<h4>On the map: one mark per {e(spec.id.rstrip('s'))}</h4><p>Each is drawn where "
             f"its sources place it, coloured by its <em>{e(spec.point_color)}</em> and marked by "
             f"its <em>{e(spec.point_mark)}</em>; a filled mark is an exact place, a hollow one "
             "a place known only approximately or coarser:</p><ul>"
             + "".join(f"<li><code>{e(k)}</code>: {e(v)}</li>" for k, v in PRECISION_TEXT.items())
             + "</ul>"]
    for f in spec.fields:
        if not f.classes:
            continue
        rows = "".join(
            f'<tr id="{rule_id(spec.id, f.name, c.value)}"><td><code>{e(c.value)}</code>'
            f'</td><td><svg class="swatch" width="12" height="12" aria-hidden="true"><rect '
            f'width="12" height="12" fill="{e(c.color)}" stroke="#555"/></svg> '
            f"{e(c.symbol + ' ' if c.symbol else '')}{e(c.label)}</td><td>{e(c.rule)}</td></tr>"
            for c in f.classes)
        parts.append(f"<h4>{e(f.name.replace('_', ' ').capitalize())}</h4><table "
                     'class="atlas-table atlas-codebook"><thead><tr><th>value</th><th>on the '
                     f"map</th><th>definition</th></tr></thead><tbody>{rows}</tbody></table>")
    return "".join(parts)


def _thresholds(spec: LayerSpec) -> str:
    """The written rule between every two neighbouring classes (layers.toml, `thresholds`)."""
    if not spec.thresholds:
        return ""
    rows = "".join(
        f'<tr id="{rule_id("threshold", spec.id, *((t.field,) if t.field else ()), *t.between)}">'
        f"<td>{e(t.field or spec.value)}</td><td><code>{e(t.between[0])}</code> / "
        f"<code>{e(t.between[1])}</code></td><td>{e(t.rule)}</td></tr>" for t in spec.thresholds)
    return ("<h4>Between neighbouring classes</h4><p>What separates each class from the next one "
            "down: a record takes the stronger class only when its sources meet the rule.</p>"
            '<table class="atlas-table atlas-codebook atlas-thresholds"><thead><tr><th>field</th>'
            f"<th>classes</th><th>threshold</th></tr></thead><tbody>{rows}</tbody></table>")


#: How the databases that records can be imported from are cited, and their licences.
IMPORTED = {
    "aiddata": "AidData. 2023. Global Chinese Development Finance Dataset, Version 3.0. AidData at "
               "William &amp; Mary (ODC-By 1.0). Points derived from its shapes come from "
               "OpenStreetMap: © OpenStreetMap contributors, ODbL 1.0; they are published in "
               "<code>data/aiddata-projects.geojson</code> under that licence, not in the atlas's "
               "own downloads.",
}


def _imported(dataset: Dataset) -> str:
    """Where imported records come from, with their attribution."""
    counts: dict[str, int] = {}
    for recs in dataset.records.values():
        for rec in recs.values():
            if rec.origin:
                counts[rec.origin] = counts.get(rec.origin, 0) + 1
    if not counts:
        return ""
    items = "".join(f"<li>{n} records from <strong>{e(origin)}</strong>: "
                    f"{IMPORTED.get(origin, 'see seeds/imported/' + e(origin) + '/import.json')}"
                    "</li>" for origin, n in sorted(counts.items()))
    return (f'<h2 id="imported">Imported records</h2><p>Records brought in with '
            f"<code>atlas import</code>, each citing its record in the database:</p><ul>{items}"
            "</ul>")


def _releases(meta: dict[str, Any]) -> str:
    """How often the data is released and when it last was; how to report a problem."""
    last = meta.get("last_release") or {}
    cadence = e(meta.get("release_cadence", ""))
    said = (f"The data is released {cadence}; " if cadence else "")
    said += (f"the last release is {e(last['version'])}, of {e(last['date'])}."
             if last else "no release has been made yet.")
    report = ""
    if meta.get("report_url"):
        report = (" Each value on a country page has a link to report a problem with it; "
                  "reports are read before the next release.")
    return f'<p id="releases">{said[0].upper() + said[1:]}{report}</p>'


def about(dataset: Dataset, meta: dict[str, Any]) -> str:
    """The about / methodology page."""
    title = meta.get("title", "DSR Atlas")
    layers = []
    for spec in dataset.layers:
        rows = "".join(
            f'<tr id="{rule_id(spec.id, c.value)}"><td><code>{e(c.value)}</code></td>'
            f"<td>{e(c.label)}</td><td>{e(c.rule)}</td><td>{e(c.example)}</td></tr>"
            for c in spec.classes)
        classes = ("<table class=\"atlas-table atlas-codebook\"><thead><tr><th>value</th>"
                   "<th>legend</th><th>rule: what a source must say</th><th>example</th></tr>"
                   f"</thead><tbody>{rows}</tbody></table>")
        layers.append(f'<section id="layer-{e(spec.id)}"><h3>{e(spec.title)}</h3>'
                      f"<p>{e(spec.description)}</p>{classes}"
                      "<p>No record = <em>no data</em> (hatched grey); the class <code>none</code> "
                      f"means a source says there is none.</p>{_thresholds(spec)}"
                      f"{_vocabularies(spec)}</section>")
    for comp in dataset.composites:
        parts = "".join(
            f"<li>{e(c.layer)} — weight {e(c.weight)}; scores: "
            + ", ".join(f"{e(k)} = {e(v)}" for k, v in c.scores.items()) + "</li>"
            for c in comp.components)
        layers.append(f'<section id="layer-{e(comp.id)}"><h3>{e(comp.title)}</h3>'
                      f"<p>{e(comp.description)}</p><p>Formula: score = Σ(weight × component "
                      f"score) / Σ(weight), over the components with data; at least "
                      f"{e(comp.min_components)} are required. Components:</p><ul>{parts}</ul>"
                      "</section>")
    readable = readable_texts(dataset)
    aggregates = "".join(
        f"<tr><td>{e(a['figure'])}</td><td>{e(a['what'])}</td>"
        f"<td>{source_line(dataset, a['source'])}, {e(a['locator'])}: “{e(a['quote'])}”</td>"
        f"<td>{e(readable(a.get('note', '')))}</td></tr>"
        for a in dataset.aggregates)
    bibliography = "".join(
        f'<li id="source-{e(s.id)}">{source_line(dataset, s.id)} ({e(s.kind.replace("_", " "))})'
        f"{'. ' + e(readable(s.note)) if s.note else ''}</li>"
        for s in sorted(dataset.sources.values(), key=lambda s: (s.title.casefold(), s.id)))
    cfg = dataset.config
    general = "".join(f"<li>{e(r)}</li>" for r in (cfg.rules if cfg else ()))
    kinds = "".join(
        f"<tr><td>{e(k.replace('_', ' '))}</td><td>{e(cfg.confidence.help.get(k, ''))}</td>"
        f"<td>{e(v)}</td></tr>" for k, v in cfg.confidence.kinds.items()) if cfg else ""
    pictures = "" if not meta.get("pictures") else (
        "<h2>Pictures for reports</h2><p>Each layer as a picture with its title, legend and "
        "source line, to paste into a report: PNG (1600 pixels wide) or SVG (vector).</p><ul>"
        + "".join(f"<li>{e(t)}: <a href=\"pictures/{e(i)}.png\">PNG</a> · "
                  f"<a href=\"pictures/{e(i)}.svg\">SVG</a></li>"
                  for i, t in [(s.id, s.title) for s in dataset.layers]
                  + [(c.id, c.title) for c in dataset.composites]) + "</ul>")
    version = e(meta.get("data_version", ""))
    date = e(meta.get("data_date", ""))
    where = f", {e(meta['base_url'])}" if meta.get("base_url") else ""
    release = (f"release <span id=\"release\">{e(meta['release'])}</span>, "
               if meta.get("release") else "")
    cite = (f"{e(meta.get('publisher', 'DSR Atlas contributors'))}, <cite>{e(title)}</cite>"
            f"{where}, {release}data version {version} ({date}).")
    changed = ("" if meta.get("release") else " These records include changes made since the "
               "last release (see what changed).")
    body = f"""
<p><a href="index.html">← Back to the map</a></p>
<h1>About {e(title)}</h1>
<p id="summary">{summary(dataset)}</p>
<p>Data version <code id="data-version">{version}</code>, data dated {date}; built by dsr-atlas
{e(meta.get('atlas_version', ''))}{', on ' + e(meta['build_date']) if meta.get('build_date') else ''}. {e(meta.get('licence', ''))}</p>
<p><strong>Cite this atlas:</strong> <span id="cite">{cite}</span> Each data version is one state
of the records: the data version (a hash of them) names it exactly, a release by its number.{changed}
<a href="changes.html">What changed between releases</a>.</p>
{_releases(meta)}
<h2>What each layer means and how values are coded</h2>
<p>Every value comes from a record with at least one citation: a source a reader can open, a
locator (section, paragraph, table row, or line of a text copy), and what the source says, in the
atlas's own words or as a short verbatim quote. The codebook below decides each value.</p>
<h3 id="codebook">Codebook: rules for every layer</h3>
<ul>{general}</ul>
<h3 id="confidence">Confidence</h3>
<p>Computed, not typed: the best supporting source's kind gives the level below; sources from more
than one publisher raise it one step. Publishers are counted once per story: an article that
republishes another's story (a wire copy, a relayed report) counts with the story it repeats.
A record may state another level only with its reason.</p>
{'<p id="confidence-cap"><strong>Cap:</strong> ' + e(cfg.confidence.cap_rule) + '</p>'
 if cfg and cfg.confidence.cap_rule else ''}
<table class="atlas-table"><thead><tr><th>source kind</th><th>what it is</th><th>level alone</th></tr>
</thead><tbody>{kinds}</tbody></table>
{''.join(layers)}
<h2>Figures that are not country-level</h2>
<p>These figures from the sources are not spread over countries. Where sources disagree, each figure
is listed with its own source.</p>
<table class="atlas-table"><thead><tr><th>figure</th><th>what</th><th>source</th><th>note</th></tr>
</thead><tbody>{aggregates}</tbody></table>
{pictures}{_imported(dataset)}<h2>Bibliography</h2>
<ol>{bibliography}</ol>
<h2>Boundaries</h2>
{BOUNDARY_POLICY}
"""
    plain = html.unescape(re.sub(r"<[^>]+>", "", summary(dataset)))
    return page(f"About — {title}", body, description=f"How {title} is made: {plain}")


def _place(loc: dict[str, Any]) -> str:
    """Where a record is, and how precisely that is known."""
    where = loc.get("place") or loc.get("city") or ""
    point = (f" ({loc['lat']:.4f}, {loc['lon']:.4f})" if "lon" in loc and
             loc["precision"] != "country" else "")
    said = "no place named: drawn inside the country" if loc["precision"] == "country" \
        else f"precision: {loc['precision']}"
    return f"{e(where)}{e(point)}{'; ' if where or point else ''}{e(said)}"


def report_link(meta: dict[str, Any], layer: str, c: Country, value: str) -> str:
    """"Report a problem with this value", from layers.toml's report_url (none if unset)."""
    from urllib.parse import quote

    template = meta.get("report_url", "")
    if not template:
        return ""
    fields = {"layer": layer, "country": c.name, "iso3": c.iso3, "value": value,
              "data_version": meta.get("data_version", "")}
    url = re.sub(r"\{(\w+)\}", lambda m: quote(fields.get(m.group(1), ""), safe=""), template)
    return (f'<a class="report-problem" href="{e(url)}" rel="noopener noreferrer">Report a problem '
            f"with this value</a>")


def _step_labels(spec: LayerSpec, rec: dict[str, Any]) -> tuple[dict[str, str], Any, Any]:
    """The labels of the classes a record's steps take, its own class and its year: the
    layer's, or a project's status (the field its points are coloured by)."""
    field = spec.field(spec.point_color) if spec.many and spec.point_color else None
    if field is None:
        return {k.value: k.label for k in spec.classes}, rec["value"], rec["year"]
    return ({k.value: k.label for k in field.classes}, rec["fields"].get(field.name),
            rec["year"])


def _steps(dataset: Dataset, steps: list[dict[str, Any]], labels: dict[str, str],
           value: Any, year: Any) -> str:
    """A record's earlier classes (steps.csv), oldest first, each with its sources, then its own
    (`value` from `year`); "" if it has none."""
    if not steps:
        return ""
    items = "".join(
        f'<li data-year="{e(s["year"])}"><strong>{e(labels.get(s["value"], s["value"]))}</strong>'
        f' from {e(s["year"])} (confidence {e(s["confidence"])})<ul>' + "".join(
            f"<li>{source_line(dataset, x['source'])}, {e(x['locator'])}"
            f"{'<p>' + e(x['evidence']) + '</p>' if x['evidence'] else ''}</li>"
            for x in s["citations"]) + "</ul></li>" for s in steps)
    items += (f'<li data-year="{e(year)}"><strong>{e(labels.get(value, value))}</strong> from '
              f'{e(year)} (this record, sources above)</li>')
    return f'<p>Steps in time:</p><ol class="atlas-steps">{items}</ol>'


def country(dataset: Dataset, c: Country, meta: dict[str, Any]) -> str:
    """One country's page: every layer's value, details and numbered sources."""
    parts = []
    for spec in dataset.layers:
        rec = c.layers.get(spec.id)
        if rec is None:
            parts.append(f"<h2>{e(spec.title)}</h2><p><em>No data.</em></p>")
            continue
        labels = {k.value: k.label for k in spec.classes}
        records = rec["items"] if spec.many else [rec]
        head = (f"{e(rec['count'])} project(s) named" if spec.many
                else f'<a href="../about.html#{rule_id(spec.id, str(rec["value"]))}">'
                     f'{e(labels.get(rec["value"], rec["value"]))}</a>')
        problem = report_link(meta, spec.id, c, str(rec["value"]))
        parts.append(f"<h2>{e(spec.title)}</h2><p><strong>{head}</strong>"
                     f"{' · ' + problem if problem else ''}</p>")
        for r in records:
            fields = "".join(
                f"<dt>{e(k.replace('_', ' '))}</dt><dd>{e('; '.join(v) if isinstance(v, list) else v)}</dd>"
                for k, v in r["fields"].items() if v not in (None, [], ""))
            if r.get("id"):
                fields = f'<dt>id</dt><dd id="{e(r["id"])}"><code>{e(r["id"])}</code></dd>' + fields
            if r.get("location"):
                fields += f"<dt>place</dt><dd>{_place(r['location'])}</dd>"
            if r.get("origin"):
                fields += f"<dt>imported from</dt><dd>{e(r['origin'])}</dd>"
            meta_rows = "".join(
                f"<dt>{label}</dt><dd>{e(r[key])}</dd>"
                for key, label in (("year", "year"), ("confidence", "confidence"),
                                   ("confidence_reason", "why"), ("derived", "from the data"),
                                   ("derivation", "judgement"),
                                   ("note", "note")) if r.get(key) not in (None, ""))
            cites = "".join(
                f"<li>{STANCE_LABELS.get(x['stance'], '')}"
                f"{source_line(dataset, x['source'])}, {e(x['locator'])}"
                f"{'<p>' + e(x['evidence']) + '</p>' if x['evidence'] else ''}"
                f"{'<blockquote>“' + e(x['quote']) + '”</blockquote>' if x['quote'] else ''}</li>"
                for x in r["citations"])
            parts.append(f"<dl>{fields}{meta_rows}</dl><ol>{cites}</ol>"
                         + _steps(dataset, r.get("steps", []), *_step_labels(spec, r)))
    for comp in dataset.composites:
        rec = c.layers.get(comp.id)
        parts.append(f"<h2>{e(comp.title)}</h2>" + (
            f"<p><strong>Score {rec['score']:.2f}</strong>; missing (not counted): "
            f"{e(', '.join(rec['missing']) or 'none')}</p>" if rec else "<p><em>No score.</em></p>"))
    title = f"{c.name} — {meta.get('title', 'DSR Atlas')}"
    if len(e(title)) > 70:  # what a search result shows of a title (checkers count it escaped)
        title = f"{c.name} — DSR Atlas"
    content = "".join(parts)
    # The page's own version (a hash of what it shows), not the whole dataset's: it changes only
    # when this page does, so a citation of it stays exact across edits to other countries.
    shown = f"{title}\0{c.name_zh}\0{c.iso3}\0{content}"
    version = hashlib.sha256(shown.encode()).hexdigest()[:12]
    where = (f", {e(meta['base_url'])}country/{e(c.iso3)}.html" if meta.get("base_url")
             else "")
    cite = (f"{e(meta.get('publisher', 'DSR Atlas contributors'))}, <cite>{e(title)}</cite>"
            f"{where}, page version {version} (data dated {e(meta.get('data_date', ''))}).")
    body = (f'<p><a href="../index.html#country={e(c.iso3)}">← This country on the map</a> · '
            f'<a href="../about.html">About</a></p><h1>{e(c.name)}</h1>'
            f'<p>{e(c.name_zh)} · {e(c.iso3)} · page version <code id="page-version">{version}'
            f'</code></p>{content}<p><strong>Cite this page:</strong> <span id="cite">{cite}'
            "</span></p>")
    shown_layers = sum(1 for spec in dataset.layers if spec.id in c.layers)
    return page(title, body, root="../", description=(
        f"{c.name}: {shown_layers} layer(s) of China's Digital Silk Road footprint, every value "
        "with its sources."))


def files(dataset: Dataset, countries: tuple[Country, ...], meta: dict[str, Any]) -> dict[str, str]:
    """about.html and country/<ISO3>.html for every country with any data."""
    out = {"about.html": about(dataset, meta)}
    for c in countries:
        if c.layers:
            out[f"country/{c.iso3}.html"] = country(dataset, c, meta)
    return out
