"""Server-side SVG charts: the geometry of a stacked bar chart, drawn by a template."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: str
    label: str
    value: int


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5 × 10^n that is at least value (a readable top of the axis)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def stacked_bars(buckets: list[tuple[str, dict[str, int]]], series: list[str], width: int = 640,
                 height: int = 200, left: int = 36, bottom: int = 22) -> dict:
    """Bars stacked by series for each (label, counts) bucket, in an SVG box of width × height."""
    top = nice_ceiling(max((sum(c.values()) for _, c in buckets), default=0))
    plot_w, plot_h = width - left - 4, height - bottom - 8
    slot = plot_w / max(len(buckets), 1)
    bar_w = max(slot * 0.72, 1)
    bars, labels = [], []
    every = max(1, math.ceil(len(buckets) / 8))
    for i, (label, counts) in enumerate(buckets):
        x = left + i * slot + (slot - bar_w) / 2
        base = 8 + plot_h
        for name in series:
            value = counts.get(name, 0)
            if not value:
                continue
            h = plot_h * value / top
            base -= h
            bars.append(Bar(round(x, 2), round(base, 2), round(bar_w, 2), round(h, 2), name, label,
                            value))
        if (len(buckets) - 1 - i) % every == 0:
            labels.append({"x": round(x + bar_w / 2, 2), "text": label})
    steps = (0, top // 2, top) if top % 2 == 0 else (0, top)
    ticks = [{"y": round(8 + plot_h - plot_h * v / top, 2), "text": str(v)} for v in steps]
    return {"width": width, "height": height, "bars": bars, "labels": labels, "ticks": ticks,
            "left": left, "baseline": 8 + plot_h, "series": series}
