"""The stacked bar chart's geometry."""

from __future__ import annotations

from core.charts import nice_ceiling, stacked_bars


def test_the_axis_top_is_a_readable_number():
    assert [nice_ceiling(v) for v in (0, 1, 2, 3, 6, 11, 21, 51, 100, 101)] == [
        1, 1, 2, 5, 10, 20, 50, 100, 100, 200]


def test_bars_stack_in_series_order_and_scale_to_the_axis():
    chart = stacked_bars([("a", {"ok": 3, "bad": 1}), ("b", {}), ("c", {"bad": 2})], ["ok", "bad"],
                         width=340, height=130, left=36, bottom=22)
    # plot 300 × 100 from (36, 8); top of the axis 5; three slots of 100, bars 72 wide
    assert [(b.series, b.label, b.value, b.x, b.y, b.width, b.height) for b in chart["bars"]] == [
        ("ok", "a", 3, 50.0, 48.0, 72.0, 60.0), ("bad", "a", 1, 50.0, 28.0, 72.0, 20.0),
        ("bad", "c", 2, 250.0, 68.0, 72.0, 40.0)]
    assert chart["ticks"] == [{"y": 108.0, "text": "0"}, {"y": 8.0, "text": "5"}]
    assert [label["text"] for label in chart["labels"]] == ["a", "b", "c"]


def test_labels_thin_out_but_the_last_bucket_keeps_its_label():
    chart = stacked_bars([(str(i), {}) for i in range(24)], ["ok"])
    assert [label["text"] for label in chart["labels"]] == ["2", "5", "8", "11", "14", "17", "20", "23"]
    assert chart["ticks"] == [{"y": 178.0, "text": "0"}, {"y": 8.0, "text": "1"}]
