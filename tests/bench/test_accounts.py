"""bench/accounts.py at a small size: every person gets an account, the figures are there."""

from bench import accounts


def test_small_run_reports_every_figure(tmp_path):
    """40 people: 40 accounts on 4 slip pages, a ratio against the hashing alone, memory."""
    figures = accounts.run(40, str(tmp_path), pairs=1)
    assert figures["people"] == 40 and figures["slip_pages"] == 4
    assert figures["run_vs_hashing"]["ratio"] > 0 and figures["run_vs_hashing"]["pairs"] == 1
    assert figures["slips_pdf_pages_per_second"] > 0
    assert set(figures["memory"]) == {"pdf_per_commune_zip", "one_pdf"}
    for mode in figures["memory"].values():
        assert set(mode) == {"peak_mib_2_people", "peak_mib_10_people", "ratio_5x_people"}
