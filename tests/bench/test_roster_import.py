"""bench/roster_import.py at a small size: the five runs do what their names say."""

import pytest

from bench import roster_import


@pytest.mark.slow
def test_roster_bench_runs_small(tmp_path):
    """300 rows: paired with the bare insert; then all new, all unchanged, one row in ten changed
    (dry run and real), one person in ten moved (a roster period each)."""
    figures = roster_import.run(f"sqlite:///{tmp_path}/b.db", 300, str(tmp_path), pairs=2)
    runs = figures["runs"]
    assert figures["communes"] == 3321
    assert (runs["first_import"]["new"], runs["first_import"]["unchanged"]) == (300, 0)
    assert runs["reimport_unchanged"]["unchanged"] == 300
    assert runs["dry_run"]["updated"] == 30
    assert runs["reimport_10pct_changed"]["updated"] == 30
    # the phones are those of the run before; row 0 has left, so it is not moved
    assert runs["reimport_10pct_moved"]["updated"] == figures["roster_periods"] == 29
    assert all(run["rows_per_second"] > 0 for run in runs.values())
    pair = figures["first_import_vs_bare_insert"]
    assert pair["pairs"] == 2 and len(pair["pair_ratios"]) == 2 and pair["ratio"] > 0


def test_generated_roster_is_deterministic_and_valid_csv():
    """The same seed gives the same file; every row names one of the given communes."""
    first = roster_import.roster_csv(["06652", "00004"], 50)
    assert first == roster_import.roster_csv(["06652", "00004"], 50)
    lines = first.decode("utf-8").splitlines()
    assert lines[0].startswith("ma_nhan_su,ho_ten")
    assert len(lines) == 51
    assert all(line.split(",")[5] in {"06652", "00004"} for line in lines[1:])
