"""`flask lms report coverage`: formats, defaults and exit codes."""

import io
import json

from tests.reports.conftest import FROM, TO

PERIOD = ["--from", FROM.isoformat(), "--to", TO.isoformat()]


def test_json_to_stdout(world, runner):
    """JSON on standard output is the service's document."""
    result = runner.invoke(args=["lms", "report", "coverage", "--unit", "22", *PERIOD,
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["totals"]["trained"] == 6 and doc["unit"]["code"] == "22"


def test_country_is_the_default_unit(world, runner):
    """Without --unit the report covers the whole country."""
    result = runner.invoke(args=["lms", "report", "coverage", *PERIOD, "--format", "json"])
    assert json.loads(result.stdout)["unit"]["code"] == "VN"


def test_to_defaults_to_today_and_from_to_january(world, runner):
    """--to defaults to today, --from to 1 January of --to's year."""
    from lms.core.timeutil import today

    result = runner.invoke(args=["lms", "report", "coverage", "--to", "2025-06-30",
                                 "--format", "json"])
    assert json.loads(result.stdout)["period"]["from"] == "2025-01-01"
    result = runner.invoke(args=["lms", "report", "coverage", "--format", "json"])
    assert json.loads(result.stdout)["period"]["to"] == today().isoformat()


def test_binary_formats_to_files_and_stdout(world, runner, tmp_path):
    """CSV, XLSX and PDF are written to -o or, as bytes, to standard output."""
    from openpyxl import load_workbook

    out = tmp_path / "r.xlsx"
    result = runner.invoke(args=["lms", "report", "coverage", "--unit", "22", *PERIOD,
                                 "--format", "xlsx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert load_workbook(out).active.freeze_panes == "A2"
    result = runner.invoke(args=["lms", "report", "coverage", "--unit", "22", *PERIOD,
                                 "--format", "pdf"])
    assert result.exit_code == 0 and result.stdout_bytes.startswith(b"%PDF")
    result = runner.invoke(args=["lms", "report", "coverage", "--unit", "06652", *PERIOD,
                                 "--format", "csv", "--mode", "period"])
    assert result.stdout_bytes.startswith(b"\xef\xbb\xbf")
    assert "Nguyễn Thị Hường" in io.BytesIO(result.stdout_bytes).read().decode("utf-8-sig")


def test_bad_input_exits_non_zero(world, runner):
    """Unknown unit or course, a bad date, from after to, or a bad format fail clearly."""
    cases = [(["--unit", "99999"], "unknown unit"), (["--course", "nope"], "unknown course"),
             (["--from", "2025-13-01"], "not a date"),
             (["--from", "2025-12-31", "--to", "2025-01-01"], "sau ngày kết thúc")]
    for extra, message in cases:
        result = runner.invoke(args=["lms", "report", "coverage", *extra, "--format", "json"])
        assert result.exit_code != 0 and message in result.output, (extra, result.output)
    result = runner.invoke(args=["lms", "report", "coverage", "--format", "doc"])
    assert result.exit_code == 2


def test_unpadded_commune_code(world, runner):
    """--unit 6652 means commune 06652, whose rows are empty."""
    result = runner.invoke(args=["lms", "report", "coverage", "--unit", "6652", *PERIOD,
                                 "--format", "json"])
    doc = json.loads(result.stdout)
    assert doc["unit"]["code"] == "06652" and doc["rows"] == []
    assert doc["totals"]["units_total"] == 1
