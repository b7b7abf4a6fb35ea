"""How an imported row is read: whether it is an ICT project, its kind, its status."""

from __future__ import annotations

import re

#: The columns an import writes, as a hand-written projects.csv has them.
RECORD_COLUMNS = ("id", "country", "kind", "name", "companies", "year", "status",
                  "status_date", "precision", "place", "city", "lon", "lat", "start_year",
                  "completion_year", "amount_usd", "funding", "implementing", "source_status",
                  "review", "confidence", "confidence_reason", "derivation", "note")
#: Words that make a row of another sector a possible ICT project (a person reviews each:
#: computer donations sit under GOVERNMENT AND CIVIL SOCIETY, ICT training under EDUCATION).
ICT_WORDS = ("telecommunication", "telecom", "fibre", "fiber", "optical cable", "broadband",
             "data centre", "data center", "ICT", "4G", "5G", "LTE", "mobile network",
             "e-government", "safe city", "video surveillance", "CCTV", "surveillance camera",
             "satellite", "internet", "computers", "Huawei", "ZTE")
_WORDS = [(w, re.compile(rf"(?<![\w-]){re.escape(w)}(?![\w-])",
                         0 if w.isupper() and len(w) <= 3 else re.IGNORECASE))
          for w in ICT_WORDS]
#: A project's kind from the words of its title and description, the first rule that matches.
KIND_RULES = (
    ("data_centre", r"data\s*cent(?:er|re)"),
    ("smart_city", r"safe\s*city|surveillance|cctv|video[- ]?protection|smart\s*city"),
    ("e_government", r"e-?gov|government (?:network|information)"),
    ("satellite", r"satellite|ground station"),
    ("mobile", r"\b[2-5]G\b|\bLTE\b|\bGSM\b|mobile|cellular"),
    ("cable", r"fib(?:re|er)|optic|cable|backbone|broadband|transmission"),
    ("port", r"\bport\b"),
    ("training", r"training"),
)
#: AidData's Status → the atlas's statuses (anything else: unknown).
STATUSES = {"completion": "operating", "implementation": "under_construction",
            "pipeline: commitment": "agreed", "pipeline: pledge": "announced",
            "suspended": "suspended", "cancelled": "cancelled", "canceled": "cancelled"}


def why_ict(sector: str, title: str, description: str = "") -> str:
    """"sector" for a COMMUNICATIONS row; for another, the keyword that matched (to review);
    "" for a row that is not ICT."""
    if sector.strip().upper() == "COMMUNICATIONS":
        return "sector"
    text = f"{title} {description}"
    for word, pattern in _WORDS:
        if pattern.search(text):
            return f"matched by the keyword {word!r}, sector {sector.strip() or 'not given'}"
    return ""


def kind_of(text: str, kinds: tuple[str, ...] = ()) -> str:
    """The kind the words say, else "other" (also for a kind the layer does not have)."""
    for kind, pattern in KIND_RULES:
        if re.search(pattern, text, re.IGNORECASE) and (not kinds or kind in kinds):
            return kind
    return "other"


def status_of(text: str) -> str:
    return STATUSES.get(" ".join(text.split()).casefold(), "unknown")
