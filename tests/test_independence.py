"""Independent sources are counted once: a republication (`relays` in sources.csv) is folded
into the story it repeats, and two cited sources that look like one story printed twice are
reported."""

from __future__ import annotations

from pathlib import Path

from atlas import evidence


def add(seeds: Path, sources: list[str], citations: list[str]) -> None:
    text = (seeds / "sources.csv").read_text(encoding="utf-8")
    header, *rows = text.splitlines()
    (seeds / "sources.csv").write_text("\n".join([header + ",relays", *(r + "," for r in rows),
                                                  *sources]) + "\n", encoding="utf-8")
    with (seeds / "citations.csv").open("a", encoding="utf-8") as f:
        f.write("".join(c + "\n" for c in citations))


def reason(seeds: Path, layer: str = "mou", key: str = "TUR") -> str:
    dataset, problems = evidence.load(seeds)
    assert not problems.errors, problems.errors
    return dataset.records[layer][key].confidence_reason


NEWS = ("wire,Pact signed,,Wire Agency,2024,https://example.org/wire,news,,,{}",
        "daily,Pact signed in the capital,,The Daily,2024,https://example.org/daily,news,,,{}")
CITES = ("mou,TUR,wire,para 1,Turkey", "mou,TUR,daily,para 1,Turkey")


def test_a_relayed_story_is_one_publisher(seeds: Path) -> None:
    add(seeds, [NEWS[0].format(""), NEWS[1].format("wire")], list(CITES))
    assert "2 independent publishers" in reason(seeds)  # the brief and the wire, not three


def test_two_outlets_of_their_own_are_two_publishers(seeds: Path) -> None:
    add(seeds, [NEWS[0].format(""), NEWS[1].format("")], list(CITES))
    assert "3 independent publishers" in reason(seeds)


def test_one_story_printed_twice_without_relays_is_reported(seeds: Path) -> None:
    same = NEWS[1].replace("Pact signed in the capital", "Pact signed")
    add(seeds, [NEWS[0].format(""), same.format("")], list(CITES))
    _dataset, problems = evidence.load(seeds)
    said = [str(p) for p in problems.warnings if p.field == "sources"]
    assert len(said) == 1 and "'wire' and 'daily', which share a title" in said[0]
    assert "relays = wire" in said[0]


def test_the_report_counts_a_relayed_story_once(seeds: Path) -> None:
    from atlas.evidence import report

    def share(lines: list[str]) -> str:
        line = next(x for x in lines if x.strip().startswith("mou ") and "publisher" in x)
        return line.split("one independent publisher ", 1)[1].split(";", 1)[0]

    dataset, problems = evidence.load(seeds)
    before = share(report.coverage_lines(dataset, problems))
    add(seeds, [NEWS[0].format("thibaut2026"), NEWS[1].format("thibaut2026")], list(CITES))
    dataset, problems = evidence.load(seeds)
    assert share(report.coverage_lines(dataset, problems)) == before  # relays of the brief


def test_a_republication_of_an_unnamed_story_adds_no_publisher(seeds: Path) -> None:
    add(seeds, [NEWS[0].format(""), NEWS[1].format("unknown")], list(CITES))
    assert "2 independent publishers" in reason(seeds)  # the brief and the wire only


def test_a_source_that_gives_context_only_adds_no_publisher(seeds: Path, tmp_path: Path) -> None:
    """A citation that states another part of the record (stance `context`) is shown with the
    sources but does not lift the confidence the way a second supporting publisher does."""
    from atlas import build

    text = (seeds / "citations.csv").read_text(encoding="utf-8")
    header, *rows = text.splitlines()
    (seeds / "citations.csv").write_text("\n".join([header + ",evidence,stance",
                                                  *(r + ",," for r in rows)]) + "\n",
                                         encoding="utf-8")
    add(seeds, [NEWS[0].format(""), NEWS[1].format("")],
        [CITES[0] + ",,supports", CITES[1] + ",,context"])
    assert "2 independent publishers" in reason(seeds)  # the brief and the wire, not the daily
    build.run(seeds, tmp_path / "site", pictures=False)
    page = (tmp_path / "site" / "country" / "TUR.html").read_text(encoding="utf-8")
    assert "<strong>Context:</strong> " in page
