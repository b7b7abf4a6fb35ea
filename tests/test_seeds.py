"""The starter dataset in seeds/: complete with respect to the founding documents, and cited."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from atlas import evidence
from atlas.evidence import model
from atlas.world import boundaries, countries

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
DOCS = REPO.parent / "shared" / "seed-docs"
BRIEF = DOCS / "002_a97fe318e22be548.txt"
KEYS = boundaries.load().keys

needs_docs = pytest.mark.skipif(
    not BRIEF.is_file(), reason=f"the founding documents are not at {DOCS} (shared/ beside repo)"
)


@pytest.fixture(scope="module")
def loaded() -> tuple[model.Dataset, list]:
    return evidence.load(SEEDS, documents=DOCS)


def brief_line(n: int) -> str:
    return BRIEF.read_text(encoding="utf-8").splitlines()[n - 1]


def names_in_list(text: str) -> list[str]:
    """'A, B, the C, and D.' → ['A', 'B', 'C', 'D']"""
    text = re.sub(r"\.$", "", text.strip())
    parts = re.split(r",\s*(?:and\s+)?|\s+and\s+", text)
    return [re.sub(r"^the\s+", "", p.strip()) for p in parts if p.strip()]


def key_of(name: str) -> str:
    name = {"Democratic Republic of Congo": "DR Congo"}.get(name, name)
    res = countries.resolve(name, KEYS)
    assert res.key, (name, res.message)
    return res.key


@needs_docs
def test_every_record_validates_and_every_quote_is_found(loaded) -> None:
    dataset, problems = loaded
    errors = [str(p) for p in problems if not p.warning]
    assert errors == []
    assert not [p for p in problems if "not found; its quotes were not checked" in p.message]


def test_every_record_has_a_source_a_reader_can_follow(loaded) -> None:
    """Every record has a supporting citation with a locator and what the source says; every
    source has an https address (as its publisher gives it) or, with no address, a local copy, a
    kind, and is cited; every company named is in the vocabulary, by its canonical name."""
    dataset, problems = loaded
    total = 0
    for recs in dataset.records.values():
        for rec in recs.values():
            assert any(c.stance == "supports" for c in rec.citations), rec
            for c in rec.citations:
                assert c.source in dataset.sources and c.locator and (c.quote or c.evidence)
            for field in ("providers", "vendors", "companies"):
                for name in rec.values.get(field) or []:
                    assert name in dataset.companies, name
            total += 1
    assert total > 150
    for src in dataset.sources.values():
        assert src.url.startswith("https://") or (not src.url and src.document), src.id
        assert src.kind in dataset.config.confidence.kinds
    assert not [p for p in problems if "is not cited" in p.message]


def cites(rec: model.Record, source: str, locator: str) -> bool:
    return any(c.source == source and c.locator == locator for c in rec.citations)


@needs_docs
def test_group_of_friends_is_entered_completely(loaded) -> None:
    dataset, _ = loaded
    listed = brief_line(387).split("Members include", 1)[1]
    members = [key_of(n) for n in names_in_list(listed) if n != "China"]
    assert len(members) == 27
    forum = dataset.records["forum"]
    missing = [k for k in members if k not in forum or not cites(forum[k], "thibaut2026", "L387")]
    assert missing == []
    assert forum["ZMB"].values["alignment"] == "high"  # co-founder with the PRC


@needs_docs
def test_2017_digital_economy_initiative_signatories(loaded) -> None:
    dataset, _ = loaded
    listed = brief_line(150).split("when China,", 1)[1].split(" jointly signed")[0]
    signatories = [key_of(n) for n in names_in_list(listed)]
    assert sorted(signatories) == ["ARE", "LAO", "SAU", "SRB", "THA", "TUR"]
    mou = dataset.records["mou"]
    for key in signatories:
        rec = mou[key]
        kinds = [rec.values["instrument"], *(rec.values["others"] or [])]
        assert "digital_economy_initiative" in kinds
        assert cites(rec, "thibaut2026", "L150")


@needs_docs
def test_huawei_safe_city_list_is_a_vendor_claim(loaded) -> None:
    dataset, _ = loaded
    listed = brief_line(295).split("including", 1)[1].split(".”")[0]
    named = [key_of(n) for n in names_in_list(listed)]
    assert len(named) == 7
    safe = dataset.records["safe_city"]
    for key in named:
        assert cites(safe[key], "thibaut2026", "L295")
        others = [c for c in safe[key].citations if c.stance == "supports"
                  and (c.source, c.locator) != ("thibaut2026", "L295")]
        if not others:  # only Huawei's own list names it: a claim, whatever the list says
            assert safe[key].values["status"] == "vendor_claim", key


def test_shares_keep_what_they_measure(loaded) -> None:
    dataset, _ = loaded
    measures = {rec.values["share_measure"] for rec in dataset.records["cloud"].values()
                if rec.values["share_pct"] is not None}
    assert any("data-centre" in m or "data center" in m for m in measures)
    assert any("cloud cluster" in m for m in measures)


def test_disagreements_are_kept_not_averaged(loaded) -> None:
    dataset, _ = loaded
    exim = [a for a in dataset.aggregates if "341.6" in a["figure"] or "309" in a["figure"]]
    assert len(exim) >= 2


def test_readers_see_source_labels_not_ids(tmp_path: Path) -> None:
    """Source ids are for the files; the pages a reader opens show each source's title or its
    short label (`Thibaut 2026`) instead, in the records' notes too."""
    from atlas import build

    build.run(SEEDS, tmp_path / "site", pictures=False)
    dataset, _ = evidence.load(SEEDS, check_quotes=False)
    ids = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, dataset.sources)) + r")(?![\w-])")
    site = tmp_path / "site"
    pages = [site / "about.html", site / "changes.html", *sorted((site / "country").glob("*"))]
    for page in pages:
        text = re.sub(r"<[^>]*>", " ", page.read_text(encoding="utf-8"))  # what is shown
        assert not ids.search(text), (page.name, ids.search(text))
    assert "Thibaut 2026 L" in (site / "country" / "SAU.html").read_text(encoding="utf-8")


def _year_sentences(text: str) -> list[str]:
    """The sentences of a note or derivation that explain a record's year."""
    import re

    return [s.strip() for s in re.split(r"(?<=\.)\s+", text or "")
            if s.strip().startswith(("Year", "Start year"))]


def test_no_record_shows_a_year_its_own_explanation_denies(loaded) -> None:
    """Where a note or derivation explains the year ("Year: … → 2016", "… → empty"), the year
    the panel, the pages and the downloads show is the one it concludes."""
    import re

    dataset, _ = loaded
    wrong = []
    for lid, recs in dataset.records.items():
        for key, rec in recs.items():
            for sentence in _year_sentences(rec.derivation) + _year_sentences(rec.note):
                said = sentence.rsplit("→", 1)[-1]
                empty = re.search(r"\bempty\b|left empty", said)
                years = set(re.findall(r"\b(?:19[89]\d|20[0-3]\d)\b", said))
                if rec.year is not None and empty or rec.year is None and "→" in sentence \
                        and years and not empty \
                        or rec.year is not None and "→" in sentence and years \
                        and str(rec.year) not in years:
                    wrong.append(f"{lid} {key} (year {rec.year}): {sentence}")
    assert wrong == []


def test_the_year_check_can_fail() -> None:
    assert _year_sentences("A note. Year: the passage gives none → empty. More.") == [
        "Year: the passage gives none → empty."]
