"""Input digests kept between builds by stat: never stale, and the build sees every edit."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from atlas import build, digests
from atlas.digests import FileDigests


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def rewrite_keeping_stat_times(path: Path, old: str, new: str) -> None:
    """Edit a file in place, same size, and put its mtime back (as `cp -p` or a careless tool
    might): only the ctime (and the content) tells that it changed."""
    assert len(old) == len(new)
    before = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    assert path.stat().st_mtime_ns == before.st_mtime_ns


def test_digest_is_the_content_hash_and_none_for_no_file(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_bytes(b"country,year\n")
    d = FileDigests()
    assert d.of(tmp_path / "a.csv") == sha(b"country,year\n")
    assert d.of(tmp_path / "missing.csv") is None
    assert d.of(tmp_path) is None


def test_a_file_changed_just_now_is_not_kept(tmp_path: Path) -> None:
    """Two writes within one timestamp tick could share a stat: such an entry is never kept."""
    (tmp_path / "a.csv").write_bytes(b"x")
    d = FileDigests()
    d.of(tmp_path / "a.csv")
    assert d.kept == {}


def test_a_kept_digest_is_used_only_while_the_stat_is_unchanged(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(digests, "SETTLED_NS", -10**12)  # keep every entry, however new
    path = tmp_path / "a.csv"
    path.write_text("mou,2019\n", encoding="utf-8")
    first = FileDigests()
    first.of(path)
    kept = json.loads(json.dumps(first.kept))  # as stored in the cache between builds
    # Unchanged stat: the file is not read again (a planted digest shows it).
    planted = {k: [*v[:4], "planted"] for k, v in kept.items()}
    assert FileDigests(planted).of(path) == "planted"
    # Same size, same mtime, other content: the ctime gives it away.
    rewrite_keeping_stat_times(path, "2019", "2020")
    assert FileDigests(planted).of(path) == sha(b"mou,2020\n")


def test_builds_see_edits_that_keep_size_and_mtime(
        seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With every digest kept (and layers.toml kept parsed), a rebuild still sees an edit to the
    configuration and to a record that changes neither size nor mtime."""
    monkeypatch.setattr(digests, "SETTLED_NS", -10**12)
    out = tmp_path / "site"
    build.run(seeds, out)
    rewrite_keeping_stat_times(seeds / "layers.toml", 'title = "Chinese cloud',
                               'title = "CHINESE CLOUD')
    rewrite_keeping_stat_times(seeds / "cloud.csv", ",market_share,,25,", ",market_share,,35,")
    assert not build.run(seeds, out).up_to_date
    data = (out / "data" / "atlas-data.js").read_text(encoding="utf-8")
    assert '"title":"CHINESE CLOUD' in data and '"title":"Chinese cloud' not in data
    brazil = next(f["properties"] for f in json.loads(
        (out / "data" / "cloud.geojson").read_text(encoding="utf-8"))["features"]
        if f["properties"]["iso3"] == "BRA")
    assert brazil["cloud_share_pct"] == 35


def test_a_toml_date_in_the_configuration_builds_every_time(seeds: Path, tmp_path: Path) -> None:
    """An unquoted TOML date is not JSON, so layers.toml cannot be kept parsed: still builds."""
    config = seeds / "layers.toml"
    text = config.read_text(encoding="utf-8")
    assert '\ndata_date = "' in text
    config.write_text(text.replace('\ndata_date = "2026-11-23"', "\ndata_date = 2026-11-23"),
                      encoding="utf-8")
    out = tmp_path / "site"
    for _ in range(2):
        build.run(seeds, out, force=True)
        assert "2026-11-23" in (out / "about.html").read_text(encoding="utf-8")
