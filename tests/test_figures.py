"""Static chart export through kaleido and Debian's Chromium."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import plotly.graph_objects as go
import pytest

from healthcheck import figures
from healthcheck.errors import RenderError
from healthcheck.figures import ChartExporter, find_chromium
from healthcheck.files import atomic_write_bytes as atomic_write

needs_chromium = pytest.mark.skipif(find_chromium() is None, reason="no Chromium (apt-get install chromium)")


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def test_missing_chromium_names_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(figures, "find_chromium", lambda: None)
    with pytest.raises(RenderError, match="apt-get install chromium"):
        ChartExporter().start()


def test_atomic_write(tmp_path: Path) -> None:
    target = atomic_write(tmp_path / "sub" / "a.bin", b"abc")
    assert target.read_bytes() == b"abc"
    assert [p.name for p in target.parent.iterdir()] == ["a.bin"]
    assert oct(target.stat().st_mode & 0o777) == "0o644"


@pytest.mark.slow
@needs_chromium
def test_export_png_and_svg(tmp_path: Path) -> None:
    sized = go.Figure(go.Bar(x=["a", "b", "c"], y=[3, 1, 2]), layout={"title": "Sized", "width": 600, "height": 300})
    unsized = go.Figure(go.Scatter(x=[1, 2, 3], y=[2, 1, 3]), layout={"title": "Default size"})
    with ChartExporter(width=900, height=500, scale=2.0) as exporter:
        exporter.export(sized, png=tmp_path / "sized.png", svg=tmp_path / "sized.svg")
        exporter.export(unsized.to_dict(), png=tmp_path / "unsized.png")  # a figure dict works too
        for _ in range(3):  # warm: time the steady state
            exporter.export(sized, png=tmp_path / "again.png")
        timings = list(exporter.timings)
    # the figure's own size wins; the exporter's applies otherwise; PNGs at scale 2
    assert png_size(tmp_path / "sized.png") == (1200, 600)
    assert png_size(tmp_path / "unsized.png") == (1800, 1000)
    root = ET.parse(tmp_path / "sized.svg").getroot()
    assert root.tag.endswith("svg")
    assert (root.get("width"), root.get("height")) == ("600", "300")
    assert "Sized" in (tmp_path / "sized.svg").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again.png", "sized.png", "sized.svg", "unsized.png"]
    assert len(timings) == 6
    steady = sum(timings[3:]) / 3
    print(f"\nchart export: first {timings[0]:.2f} s (browser start), then {steady:.3f} s per image")
    assert steady < 3.0  # about 0.2 s here; generous for a loaded CI machine


@pytest.mark.slow
@needs_chromium
def test_server_shared_and_stopped() -> None:
    import kaleido

    with ChartExporter() as outer:
        outer.to_bytes(go.Figure(), "svg")
        with ChartExporter() as inner:  # joins the running server ...
            inner.to_bytes(go.Figure(), "svg")
        assert kaleido._global_server.is_running()  # ... and leaves it to its owner
    assert not kaleido._global_server.is_running()


def test_launcher_adds_offline_flags(tmp_path: Path) -> None:
    script = figures._launcher("/usr/bin/chromium", tmp_path)
    assert script.read_text() == (
        '#!/bin/sh\nexec /usr/bin/chromium "$@" '
        "--disable-background-networking --disable-default-apps --disable-domain-reliability\n"
    )
    assert script.stat().st_mode & 0o111
