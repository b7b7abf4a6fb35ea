"""The record model: sources, citations, companies, records and the dataset they make, and the
files and limits of the seeds folder.

"No data" (no record for a country) and "none" (a record whose value is the class `none`)
stay different: the first is absent from a dataset, the second present.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from atlas.evidence.locations import Location
from atlas.evidence.schema import Config, LayerSpec

SOURCES_FILE = "sources.csv"
CITATIONS_FILE = "citations.csv"
COMPANIES_FILE = "companies.csv"
STEPS_FILE = "steps.csv"
SOURCE_COLUMNS = ("id", "title", "author", "publisher", "date", "url", "kind", "document", "note",
                  "relays")
CITATION_COLUMNS = ("layer", "country", "source", "locator", "quote", "evidence", "stance")
COMPANY_COLUMNS = ("name", "aliases", "parent", "kind", "note")
COMPANY_KINDS = ("vendor", "cloud_provider", "telecom", "state_bank", "state_enterprise",
                 "platform", "other")
STEP_COLUMNS = ("layer", "country", "value", "year", "source", "locator", "quote", "evidence")
#: supports: the source states the value; contradicts: it speaks against it (counter-evidence);
#: context: it states another part of the record (a value in `others`, a detail, a later phase)
#: but not the value: shown with the sources, not counted for the confidence.
STANCES = ("supports", "contradicts", "context")
#: `relays = unknown`: a republication whose original is not identified; it never counts as
#: one more publisher (it may repeat any of the record's other sources).
UNKNOWN_ORIGIN = "unknown"
#: A quote is a phrase that pins the value, an evidence statement a sentence or two.
MAX_QUOTE, MAX_EVIDENCE = 300, 400
AGGREGATES_FILE = "aggregates.csv"
AGGREGATE_COLUMNS = ("id", "figure", "what", "source", "locator", "quote", "note")
#: A records file is country-level: more rows than this is a mistake, answered at once.
#: Limits that keep a file's reading within memory: AidData-sized datasets (some 20,000 projects,
#: with two or three citations each) fit with room to spare.
MAX_ROWS = 250_000
#: After this many errors in one records file the rest of it is not checked (it is not the
#: file the user meant, or the same mistake repeats).
MAX_PROBLEMS = 200
MAX_BYTES = 100_000_000
EARLIEST_YEAR = 1990
#: In a layer's refused rows (see load_layer): a row whose country was not understood.
UNRESOLVED = "\0unresolved"
#: In a layer's refused rows: the file itself could not be read (its problem says why).
UNREAD = "\0unread"


class Source(NamedTuple):
    """A bibliography entry."""

    id: str
    title: str
    author: str
    publisher: str
    date: str
    url: str
    document: str
    note: str
    kind: str = ""
    relays: str = ""  # the source (its id) or outlet this one republishes: not independent of it

    @property
    def label(self) -> str:
        """A short name for readers: the first author's surname, else the publisher (without
        its parenthesis), else the title; and the year of its date."""
        if self.author:
            who = self.author.split(";")[0].split(",")[0].split(" (")[0].split()[-1]
        else:
            who = (self.publisher or self.title).split(" (")[0].split(",")[0].strip()
        year = re.search(r"\b(19|20)[0-9][0-9]\b", self.date)
        return f"{who} {year.group(0)}" if year else who


class Citation(NamedTuple):
    """One piece of evidence for a record: a source, where in it, what it says (`evidence`, in
    the atlas's words, and/or a verbatim `quote`), and whether it supports the value,
    contradicts it (counter-evidence, kept beside the value) or gives context only."""

    source: str
    locator: str
    quote: str
    evidence: str = ""
    stance: str = "supports"


class Company(NamedTuple):
    """A company of the controlled vocabulary (companies.csv)."""

    name: str
    aliases: tuple[str, ...]
    parent: str
    kind: str
    note: str


class Step(NamedTuple):
    """An earlier class of a record (steps.csv): the value in force from `year` until the next
    step or the record's own year, with the citations that state it."""

    value: str
    year: int
    citations: tuple[Citation, ...]
    confidence: str = ""  # computed from its citations by the confidence rule
    line: int = 0  # its first row in steps.csv


class Record(NamedTuple):
    """One country's record in one layer."""

    key: str  # the country
    written: str
    line: int
    values: dict[str, Any]
    year: int | None
    confidence: str
    confidence_reason: str
    derivation: str
    note: str
    citations: list[Citation]  # filled in from citations.csv
    id: str = ""  # in layers with several records per country
    location: Location | None = None  # in layers with located = true
    origin: str = ""  # "" for a hand-written record, else the import's name (aiddata)
    #: the derivation's generated part: rule, year's citation, confidence (atlas.evidence.derive)
    derived: str = ""
    steps: tuple[Step, ...] = ()  # earlier classes, oldest first (steps.csv)

    @property
    def ref(self) -> str:
        """How citations.csv refers to this record: the country key, or the row id."""
        return self.id or self.key


class Dataset(NamedTuple):
    """Everything validated: records by layer and country key, and the bibliography."""

    layers: tuple[LayerSpec, ...]
    records: dict[str, dict[str, Record]]
    sources: dict[str, Source]
    aggregates: list[dict[str, str]]
    composites: tuple  # layers computed from the others (layers.toml): CompositeSpec
    meta: dict[str, str]  # layers.toml's [atlas] table
    config: Config | None = None
    companies: dict[str, Company] | None = None  # by canonical name


def outlet(source: Source, sources: dict[str, Source]) -> str:
    """Who a source's story comes from: its own publisher, or, for a republication, the
    publisher of the story it relays (followed through relays of relays). Sources of one
    outlet are one publisher to the confidence rule."""
    seen = {source.id}
    while source.relays:
        original = sources.get(source.relays)
        if original is None or original.id in seen:
            return source.relays.casefold()
        seen.add(original.id)
        source = original
    return (source.publisher or source.id).casefold()
