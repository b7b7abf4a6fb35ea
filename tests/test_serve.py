"""`atlas serve`: serves on localhost, rebuilds on edits, keeps the last good build on errors."""

from __future__ import annotations

import threading
import time
import urllib.request
from pathlib import Path

from atlas import serve


def fetch(port: int, path: str) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/{path}", timeout=10) as r:
        assert r.headers["Cache-Control"] == "no-store"
        return r.read().decode("utf-8")


def wait_for(predicate, seconds: float = 30) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_serve_rebuilds_on_edit_and_survives_a_broken_edit(seeds: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    messages: list[str] = []
    assert serve.rebuild(seeds, out, messages.append)
    server = serve.make_server(out, "127.0.0.1", 0)
    port = server.server_address[1]
    stop = threading.Event()
    threads = [threading.Thread(target=server.serve_forever, daemon=True),
               threading.Thread(target=serve.watch, args=(seeds, out, 0.1, messages.append, stop),
                                daemon=True)]
    for t in threads:
        t.start()
    try:
        assert "AtlasSite.init" in fetch(port, "index.html")
        assert '"LAO"' in fetch(port, "data/atlas-data.js")

        mou = seeds / "mou.csv"
        mou.write_text(mou.read_text().replace("Laos,2017,high", "Laos,2015,high"))
        wait_for(lambda: '"year":2015' in fetch(port, "data/atlas-data.js"))

        good = fetch(port, "data/atlas-data.js")
        mou.write_text(mou.read_text().replace("Laos,2015", "Atlantis,2015"))
        wait_for(lambda: any("build failed" in m for m in messages))
        assert any("unknown country 'Atlantis'" in m for m in messages)
        assert fetch(port, "data/atlas-data.js") == good
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
