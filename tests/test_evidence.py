"""The evidence model: confidence computed from the sources, companies as a vocabulary, sources a
reader can open, evidence and counter-evidence, local copies reported once."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from atlas import evidence
from atlas.evidence import model
from atlas.world import boundaries

KEYS = boundaries.load().keys
SOURCES = """\
gov,A ministry's page,,Ministry of Things,2024,https://example.org/gov,government,,
news1,A report,,Paper A,2024,https://example.org/a,news,,
news2,Another report,,Paper B,2024,https://example.org/b,news,,
vendor,The vendor's page,,Huawei,2024,https://example.org/v,company,,
"""
CLOUD = """\
country,year,confidence,confidence_reason,derivation,note,presence,providers,share_pct,share_measure
PAK,2020,,,,,region,Aliyun,,
IND,2020,,,,,region,,,
KEN,2020,,,,,services,,,
EGY,2020,,,,,services,,,
GHA,2020,high,the provider's own list is what decides a region,,,services,,,
"""
CITES = [("PAK", "news1", "supports"), ("IND", "news1", "supports"), ("IND", "news2", "supports"),
         ("KEN", "vendor", "supports"), ("EGY", "vendor", "supports"),
         ("EGY", "gov", "contradicts"), ("GHA", "vendor", "supports")]


def setup(seeds: Path, cloud: str = CLOUD, extra_sources: str = "",
          cites: list[tuple[str, str, str]] = CITES, evidence: str = "The page says so.") -> None:
    (seeds / "cloud.csv").write_text(cloud, encoding="utf-8")
    with (seeds / "sources.csv").open("a", encoding="utf-8") as f:
        f.write(SOURCES + extra_sources)
    old = list(csv.reader(io.StringIO((seeds / "citations.csv").read_text(encoding="utf-8"))))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["layer", "country", "source", "locator", "quote", "evidence", "stance"])
    for row in old[1:]:
        if row[0] != "cloud":
            writer.writerow([*row, "", "supports"])
    for country, source, stance in cites:
        writer.writerow(["cloud", country, source, "para 2", "", evidence, stance])
    (seeds / "citations.csv").write_text(out.getvalue(), encoding="utf-8")
    (seeds / "companies.csv").write_text(
        "name,aliases,parent,kind,note\nAlibaba Cloud,Aliyun,,cloud_provider,\n"
        "Huawei,,,vendor,\n",
        encoding="utf-8")


def load(seeds: Path) -> tuple[model.Dataset, list[str]]:
    dataset, problems = evidence.load(seeds)
    return dataset, [str(p) for p in problems if not p.warning]


def test_confidence_follows_the_kinds_of_the_supporting_sources(seeds: Path) -> None:
    setup(seeds)
    dataset, errors = load(seeds)
    assert errors == []
    cloud = dataset.records["cloud"]
    assert cloud["PAK"].confidence == "medium"  # one news report
    assert cloud["IND"].confidence == "high"  # two publishers: one step up
    assert "2 independent publishers" in cloud["IND"].confidence_reason
    assert cloud["KEN"].confidence == "low"  # a company's own statement alone
    assert cloud["EGY"].confidence == "low"  # counter-evidence raises nothing
    assert cloud["GHA"].confidence == "high"  # an override, with its reason shown
    assert "the provider's own list" in cloud["GHA"].confidence_reason
    assert "the rule alone gives" in cloud["GHA"].confidence_reason


def test_a_typed_confidence_against_the_rule_needs_a_reason(seeds: Path) -> None:
    setup(seeds, CLOUD.replace("KEN,2020,,,", "KEN,2020,high,,"))
    _, errors = load(seeds)
    assert any("cloud.csv:4: confidence: 'high' differs from the rule's 'low'" in e
               for e in errors)


def test_companies_are_checked_and_aliases_normalised(seeds: Path) -> None:
    setup(seeds)
    dataset, _ = load(seeds)
    assert dataset.records["cloud"]["PAK"].values["providers"] == ["Alibaba Cloud"]
    setup(seeds, CLOUD.replace("region,Aliyun", "region,Alibaba Clod"))
    _, errors = load(seeds)
    assert any("cloud.csv:2: providers: unknown company 'Alibaba Clod'" in e
               and "did you mean 'Alibaba Cloud'?" in e for e in errors)


def test_a_source_needs_a_known_kind_and_an_address(seeds: Path) -> None:
    setup(seeds, extra_sources="odd,Odd,,,,https://example.org/o,blog,,\nbare,Bare,,,,,news,,\n")
    _, errors = load(seeds)
    assert any("kind: unknown source kind 'blog'" in e for e in errors)
    assert any("url: a source needs a url" in e for e in errors)


def test_evidence_is_required_and_bounded(seeds: Path) -> None:
    setup(seeds, evidence="")
    _, errors = load(seeds)
    assert any("evidence: no evidence and no quote" in e for e in errors)
    setup(seeds, evidence="x" * (model.MAX_EVIDENCE + 1))
    _, errors = load(seeds)
    assert any(f"evidence: {model.MAX_EVIDENCE + 1} characters; at most" in e for e in errors)


def test_a_value_with_only_counter_evidence_is_refused(seeds: Path) -> None:
    setup(seeds, cites=[c for c in CITES if c[0] != "EGY"] + [("EGY", "gov", "contradicts")])
    _, errors = load(seeds)
    assert any("'EGY' has no citation that supports its value" in e for e in errors)


def test_missing_local_copies_are_reported_once(seeds: Path) -> None:
    (seeds / "doc.txt").unlink()
    _, problems = evidence.load(seeds)
    lines = [str(p) for p in problems if "local copies" in p.message]
    assert len(lines) == 1 and "their quotes were not checked" in lines[0]


def test_source_ids_in_notes_become_labels_only_where_they_stand_alone() -> None:
    """A note's source ids are shown as labels wherever they stand as words (before a locator,
    a full stop, a dotted id), never inside another word or id."""
    from atlas.join import labeller

    readable = labeller({"thibaut2026": "Thibaut 2026", "un.a-78": "UN A/78", "l150": "X"})
    assert readable("thibaut2026 L150; (thibaut2026).") == "Thibaut 2026 L150; (Thibaut 2026)."
    assert readable("see un.a-78.") == "see UN A/78."
    assert readable("thibaut2026.un.a-78") == "Thibaut 2026.UN A/78"
    assert readable("thibaut2026x, x-thibaut2026, thibaut2026_2, Xl150") == \
        "thibaut2026x, x-thibaut2026, thibaut2026_2, Xl150"
    assert readable("") == ""
