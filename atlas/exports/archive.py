"""`data/atlas-data.zip`: every download and the Data Package that describes them, in one file
that validates on its own (`frictionless validate datapackage.json` inside the unpacked folder).

The archive is reproducible: its members in name order, each stamped with one fixed time, so the
same downloads give the same bytes.
"""

from __future__ import annotations

import io
import json
import zipfile

NAME = "atlas-data.zip"
_STAMP = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip can hold: the archive has no clock


def archive(data: dict[str, bytes]) -> bytes:
    """The zip of datapackage.json and every file it lists ({name in data/: bytes})."""
    package = json.loads(data["datapackage.json"])
    names = ["datapackage.json", *sorted(r["path"] for r in package["resources"])]
    buf = io.BytesIO()
    # The fastest level: a tenth larger than the default, a third of its time on every build.
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=_STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data[name], compresslevel=1)
    return buf.getvalue()
