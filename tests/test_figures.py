"""Static chart export through kaleido and Debian's Chromium."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import plotly.graph_objects as go
import pytest

from healthcheck.errors import RenderError
from healthcheck.files import atomic_write_bytes as atomic_write
from healthcheck.publish import figures
from healthcheck.publish.figures import ChartExporter, find_chromium

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
def test_browser_shared_and_stopped() -> None:
    with ChartExporter() as outer:
        outer.to_bytes(go.Figure(), "svg")
        with ChartExporter() as inner:  # joins the running browser ...
            inner.to_bytes(go.Figure(), "svg")
            assert inner._browser is outer._browser
        assert figures.browser_running()  # ... and leaves it to the last exporter
    assert not figures.browser_running()


def bars(n: int) -> go.Figure:
    return go.Figure(go.Bar(x=["a", "b", "c"], y=[n, 1, 2]), layout={"width": 400, "height": 300})


@pytest.mark.slow
@needs_chromium
def test_one_call_per_batch_and_identical_images_drawn_once(tmp_path: Path) -> None:
    with ChartExporter() as exporter:
        kaleido = exporter._browser.kaleido
        drawn = []
        real = kaleido.calc_fig

        async def counting(fig, opts=None, **kwargs):
            drawn.append(opts["format"])
            return await real(fig, opts, **kwargs)

        kaleido.calc_fig = counting
        jobs = [(bars(i), tmp_path / f"c{i}.{fmt}") for i in range(3) for fmt in ("png", "svg")]
        jobs.append((bars(0), tmp_path / "again.png"))  # the same image as c0.png
        written = exporter.export_many(jobs)
        assert written == [path for _, path in jobs]
        assert len(exporter.calls) == 1 and exporter.calls[0][0] == 7  # one call to the browser
        assert sorted(drawn) == ["png"] * 3 + ["svg"] * 3  # the repeated image was drawn once
        assert (tmp_path / "again.png").read_bytes() == (tmp_path / "c0.png").read_bytes()
        assert png_size(tmp_path / "c1.png") == (800, 600)
        assert ET.parse(tmp_path / "c2.svg").getroot().tag.endswith("svg")
        assert exporter.render_many([]) == [] and len(exporter.calls) == 1  # nothing to draw: no call


@pytest.mark.slow
@needs_chromium
def test_page_reloaded_every_n_images_and_images_unchanged() -> None:
    with ChartExporter(reload_every=3) as exporter:
        first = exporter.to_bytes(bars(5), "png")  # drawn on a freshly loaded page
        for i in range(5):
            exporter.to_bytes(bars(i), "png")
        assert exporter.reloads == 2  # after the 3rd and the 6th image, not after every one
        # drawn on a page used four times since its last reload: byte for byte the same PNG
        exporter.to_bytes(bars(7), "png")
        assert exporter.to_bytes(bars(5), "png") == first


@pytest.mark.slow
@needs_chromium
def test_dead_browser_fails_fast_then_restarts() -> None:
    with ChartExporter() as exporter:
        exporter.to_bytes(bars(1), "svg")
        exporter._browser.kaleido.subprocess.kill()
        exporter._browser.kaleido.subprocess.wait(10)
        # the exporter notices the dead browser and starts a new one
        assert exporter.to_bytes(bars(1), "svg").lstrip().startswith(b"<svg")
    assert not figures.browser_running()


def test_unknown_image_format(tmp_path: Path) -> None:
    with pytest.raises(RenderError, match=r"must end in \.png or \.svg"):
        ChartExporter().export_many([(bars(1), tmp_path / "chart.jpg")])  # refused before any browser starts
    with pytest.raises(RenderError, match="choose png or svg"):
        ChartExporter().to_bytes(bars(1), "jpeg")
    assert not figures.browser_running()


def test_launcher_adds_offline_flags(tmp_path: Path) -> None:
    script = figures._launcher("/usr/bin/chromium", tmp_path)
    assert script.read_text() == (
        '#!/bin/sh\nexec /usr/bin/chromium "$@" '
        "--disable-background-networking --disable-default-apps --disable-domain-reliability\n"
    )
    assert script.stat().st_mode & 0o111


def test_browser_that_will_not_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(figures, "find_chromium", lambda: "/bin/false")  # exits at once
    with pytest.raises(RenderError, match="could not start.*apt-get install chromium"):
        ChartExporter().start()
    assert not figures.browser_running()


def test_a_tab_that_took_the_blank_page_context_is_reloaded(monkeypatch):
    """kaleido can take the blank page's JavaScript context on a busy machine: reload until it sees the script."""
    import asyncio

    from kaleido._kaleido_tab import _devtools_utils

    class FakeTab:
        def __init__(self, bad: int) -> None:
            self.tab, self._current_js_id, self.bad, self.reloads = object(), 1, bad, 0

        async def reload(self) -> None:
            self.reloads += 1
            self._current_js_id += 1

    async def exec_js_fn(tab, js_id, fn, *args):
        loaded = js_id > current.bad
        return {"result": {"result": {"type": "string", "value": "object" if loaded else "undefined"}}}

    monkeypatch.setattr(_devtools_utils, "exec_js_fn", exec_js_fn)
    current = FakeTab(bad=2)  # the first two contexts are the blank page's
    asyncio.run(figures._until_loaded(current))
    assert current.reloads == 2
    current = FakeTab(bad=0)
    asyncio.run(figures._until_loaded(current))
    assert current.reloads == 0
    current = FakeTab(bad=99)  # never loads: a clear error, not an endless wait
    with pytest.raises(RenderError, match="did not load kaleido's script"):
        asyncio.run(figures._until_loaded(current))
    assert current.reloads == figures.READY_ATTEMPTS
