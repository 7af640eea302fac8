"""The arithmetic of bench/common.py: interleaved pairs, their ratio, percentiles (no timing)."""

from bench.common import Pairs, interleave, percentile


def test_interleave_alternates_and_drops_the_warm_up():
    """A and B are called alternately, A first; the warm-up pair is not kept."""
    calls, values = [], iter(range(1, 100))

    def side(name):
        def run():
            calls.append(name)
            return float(next(values))
        return run

    pairs = interleave(side("a"), side("b"), pairs=3, warmup=1)
    assert calls == ["a", "b"] * 4
    assert pairs.a == [3.0, 5.0, 7.0] and pairs.b == [4.0, 6.0, 8.0]


def test_the_ratio_is_the_median_of_the_pairs_ratios():
    """Not the ratio of the medians: each pair shares the machine's load of its moment."""
    pairs = Pairs(a=[1.0, 10.0, 3.0], b=[4.0, 20.0, 3.0])
    assert pairs.ratios == [0.25, 0.5, 1.0]
    assert pairs.ratio == 0.5
    assert pairs.ratio != 3.0 / 4.0  # median(a) / median(b) would say 0.75
    assert Pairs(a=[2.0, 6.0], b=[1.0, 2.0]).ratio == 2.5  # even count: mean of the middle two


def test_summary_scales_the_medians_and_rounds():
    """Medians are scaled (seconds → ms) and named after the sides; the ratio is unscaled."""
    summary = Pairs(a=[0.0011, 0.0013, 0.0012], b=[0.0010, 0.0010, 0.0010]).summary(
        "app_ms", "bare_ms", scale=1000, digits=2)
    assert summary == {"app_ms_median": 1.2, "bare_ms_median": 1.0, "ratio": 1.2, "pairs": 3,
                       "pair_ratios": [1.1, 1.3, 1.2]}


def test_percentile_nearest_rank():
    """p50 and p95 use the nearest rank; an empty list gives 0."""
    values = list(range(1, 101))
    assert percentile(values, 50) == 50
    assert percentile(values, 95) == 95
    assert percentile([3.0], 95) == 3.0
    assert percentile([], 50) == 0.0
