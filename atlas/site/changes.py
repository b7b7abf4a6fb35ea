"""`changes.html`: per release, newest first, the records added, removed and changed (old →
new, with their sources), after the unreleased changes (the data: atlas.history.changes)."""

from __future__ import annotations

import re
from typing import Any

from atlas.history.changes import KINDS, show, values_text
from atlas.site.pages import e, link, page

#: Records listed per section of the page; changes.json and `atlas diff` list every one.
MAX_ROWS = 300


def _source_list(refs: list[str], sources: dict[str, dict[str, str]]) -> str:
    items = []
    for ref in refs:
        sid, _, locator = ref.partition(" ")
        s = sources.get(sid, {})
        items.append(f"<li>{link(s.get('url', ''), s.get('title', sid))} "
                     f"{e(locator)}</li>")
    return f"<ol>{''.join(items)}</ol>" if items else ""


def _changed_sources(old: list[str], new: list[str], sources: dict[str, dict[str, str]]) -> str:
    """The citations a change removed and added, by their sources' titles (readers never see
    source ids)."""
    parts = [f"{label}: {_source_list(refs, sources)}" for label, refs in (
        ("citations removed", [r for r in old if r not in new]),
        ("citations added", [r for r in new if r not in old])) if refs]
    return f"<li>{'; '.join(parts) or 'citations reordered'}</li>"


def _table(d: dict[str, Any], sources: dict[str, dict[str, str]]) -> str:
    if not any(d[k] for k in KINDS):
        return "<p>No records added, removed or changed.</p>"
    rows = []
    shown = [(kind, x) for kind in KINDS for x in d[kind]]
    for kind, x in shown[:MAX_ROWS]:
        country = (f'<a href="index.html#layer={e(x["layer"])}&amp;country={e(x["country"])}">'
                   f"{e(x['name'])}</a> <code>{e(x['country'])}</code>")
        key = f"<br><code>{e(x['key'])}</code>" if x["key"] != x["country"] else ""
        if kind == "changed":
            what = "<ul>" + "".join(
                _changed_sources(a, b, sources) if k == "sources" else
                f"<li>{e(k)}: <del>{e(show(a))}</del> → <ins>{e(show(b))}</ins></li>"
                for k, (a, b) in x["changes"].items()) + "</ul>"
        else:
            what = e(values_text(x["values"]))
        rows.append(f'<tr class="change-{kind}"><td>{kind}</td><td>{e(x["layer"])}</td>'
                    f"<td>{country}{key}</td><td>{what}</td>"
                    f"<td>{_source_list(x['sources'], sources)}</td></tr>")
    more = (f"<p>… and {len(shown) - MAX_ROWS} more: every record is in "
            '<a href="data/changes.json">data/changes.json</a> and <code>atlas diff</code>.</p>'
            if len(shown) > MAX_ROWS else "")
    return ('<table class="atlas-table atlas-changes"><thead><tr><th>change</th><th>layer</th>'
            "<th>country</th><th>values (old → new)</th><th>sources</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>{more}")


def _counts(d: dict[str, Any]) -> str:
    return ", ".join(f"{d['counts'][k]} {k}" for k in KINDS)


def html(hist: dict[str, Any], title: str) -> str:
    """changes.html: the unreleased changes first, then each release, newest first."""
    un = hist["unreleased"]
    since = f"since release {e(un['since'])}" if un["since"] else "(no release yet)"
    parts = [f'<section id="unreleased"><h2>Unreleased changes {since}</h2>'
             f"<p>{_counts(un)}.</p>{_table(un, hist['sources'])}</section>"]
    for r in hist["releases"]:
        prev = f"since {e(r['previous'])}" if r["previous"] else "(the first release)"
        anchor = re.sub(r"[^A-Za-z0-9_-]", "-", r["version"])  # an id of letters, digits, - _
        parts.append(f'<section id="release-{anchor}"><h2>Release {e(r["version"])}, '
                     f"{e(r['date'])}</h2><p>{prev}: {_counts(r)}; data version "
                     f"<code>{e(r['data_version'])}</code>.</p>"
                     f"{_table(r, hist['sources'])}</section>")
    body = (f'<p><a href="index.html">← Back to the map</a> · <a href="about.html">About</a></p>'
            f"<h1>What changed in {e(title)}</h1><p>Each release is a snapshot of every value "
            "and its sources (<code>seeds/releases/</code>); below, the records each release "
            "added, removed or changed, old value → new value. The same list is in "
            '<a href="data/changes.json">data/changes.json</a>.</p>' + "".join(parts))
    return page(f"Changes — {title}", body, description=(
        f"What each release of {title} added, removed and changed, record by record."))
