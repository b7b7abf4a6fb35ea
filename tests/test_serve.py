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


def test_the_watcher_survives_any_error_and_rebuilds_after_the_next_edit(
        seeds: Path, tmp_path: Path, monkeypatch) -> None:
    """An error that is not the atlas's own (here: one the build did not expect) is said, the
    old site stays, and the next edit is built."""
    from atlas import build

    out = tmp_path / "site"
    messages: list[str] = []
    assert serve.rebuild(seeds, out, messages.append)
    real_run = build.run
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("something unexpected")
        return real_run(*args, **kwargs)

    monkeypatch.setattr(build, "run", flaky)
    stop = threading.Event()
    watcher = threading.Thread(target=serve.watch, args=(seeds, out, 0.1, messages.append, stop),
                               daemon=True)
    watcher.start()
    mou = seeds / "mou.csv"
    mou.write_text(mou.read_text().replace("Laos,2017,high", "Laos,2015,high"))

    def edited(check) -> bool:
        """An edit (the watcher may not have looked yet), then `check`."""
        mou.touch()
        return check()

    try:
        wait_for(lambda: edited(lambda: any("RuntimeError: something unexpected" in m
                                            for m in messages)))
        assert watcher.is_alive()
        wait_for(lambda: edited(lambda: '"year":2015' in (out / "data" / "atlas-data.js")
                                .read_text()))
    finally:
        stop.set()
        watcher.join(timeout=10)


def test_a_seeds_folder_that_cannot_be_read_is_said_once(seeds: Path, tmp_path: Path,
                                                          monkeypatch) -> None:
    """While the folder cannot be read the watcher says so once, not at every look."""
    def unreadable(_seeds: Path) -> tuple:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(serve, "snapshot", unreadable)
    messages: list[str] = []
    stop = threading.Event()
    watcher = threading.Thread(target=serve.watch, daemon=True, args=(
        seeds, tmp_path / "site", 0.01, messages.append, stop))
    watcher.start()
    time.sleep(0.3)  # some thirty looks
    stop.set()
    watcher.join(timeout=10)
    assert messages == [f"cannot read {seeds}: Permission denied; watching for it to come back"]


def test_bad_paths_and_clients_that_leave_print_no_traceback(built_site: Path, capfd) -> None:
    import socket

    server = serve.make_server(built_site, "127.0.0.1", 0)
    port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        for raw in (b"GET /%00 HTTP/1.0\r\n\r\n", b"GET /a%00b/index.html HTTP/1.0\r\n\r\n",
                    b"GET /%ff%fe HTTP/1.0\r\n\r\n", b"GET /index.html HTTP/1.0\r\n\r\n"):
            with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
                s.sendall(raw)
                if raw.startswith(b"GET /index.html"):
                    s.close()  # leaves before the answer
                    continue
                answer = s.recv(100)
            assert answer.split(b" ")[1] in (b"400", b"404"), answer
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(b"GET /data/atlas-data.js HTTP/1.0\r\n\r\n")
            s.recv(10)  # reads a little and leaves
        assert "AtlasSite.init" in fetch(port, "index.html")
    finally:
        server.shutdown()
        server.server_close()
    assert "Traceback" not in capfd.readouterr().err


def test_serving_beyond_this_computer_warns(seeds: Path, tmp_path: Path, monkeypatch) -> None:
    messages: list[str] = []

    def stop_at_once(self) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(serve._Server, "serve_forever", stop_at_once)
    serve.run(seeds, tmp_path / "site", "0.0.0.0", 0, 0.5, echo=messages.append)
    assert any(m.startswith("warning: serving on 0.0.0.0") for m in messages)
    messages.clear()
    serve.run(seeds, tmp_path / "site", "127.0.0.1", 0, 0.5, echo=messages.append)
    assert not any("warning" in m for m in messages)
