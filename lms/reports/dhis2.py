"""Upward reporting: aggregate coverage as a DHIS2 data value set (JSON or CSV).

One data value per commune of U, period, data element and category option combination
(position × gender), identified by codes (DHIS2 imports them with `idScheme=CODE`):

- data elements: `TH_TARGET` (people in target at the end of the period), `TH_TRAINED` (of
  them, trained by the end of the period: the cumulative figure of the coverage report),
  `TH_PERSON_TIMES` (completions within the period, lượt) and `TH_PEOPLE` (distinct people
  behind them);
- org unit: the official unit code of the commune (5 digits); DHIS2 adds communes up to
  provinces itself;
- period: a DHIS2 period, `2026` (year), `2026Q4` (quarter) or `202611` (month);
- category option combination: `TH_<POSITION>_<GENDER>` from the roster's codes
  (`TH_CAN_BO_XA_FEMALE`).

Only combinations with roster people appear (every data element for each, zeros included: a
zero trained is a figure, not missing data). The figures come from the coverage report's own
per-person table, so they add up to its totals.
"""

import json
import re
from datetime import date

from flask import current_app
from flask_babel import gettext as _

from lms.core.tabular import write_csv
from lms.reports import services

DATA_ELEMENTS = ("TH_TARGET", "TH_TRAINED", "TH_PERSON_TIMES", "TH_PEOPLE")
CSV_HEADERS = ["dataelement", "period", "orgunit", "categoryoptioncombo",
               "attributeoptioncombo", "value", "storedby", "lastupdated", "comment",
               "followup"]
FORMATS = ("json", "csv")

_PERIOD = re.compile(r"(\d{4})(?:Q([1-4])|(0[1-9]|1[0-2]))?")

_GROUPS_SQL = """
SELECT u.code, pp.position, COALESCE(pp.gender, 'unknown'), SUM(pp.tgt), SUM(pp.tgt * pp.trn),
       SUM(pp.times), SUM(CASE WHEN pp.times > 0 THEN 1 ELSE 0 END)
FROM ({persons}) pp JOIN units u ON u.id = pp.commune_id AND u.system = :system
GROUP BY u.code, pp.position, COALESCE(pp.gender, 'unknown')
ORDER BY u.code, pp.position, COALESCE(pp.gender, 'unknown')
"""


def parse_period(text: str) -> tuple[date, date]:
    """The first and last day of a DHIS2 period (`2026`, `2026Q4`, `202611`), or ReportError."""
    match = _PERIOD.fullmatch((text or "").strip())
    if not match:
        raise services.ReportError(_(
            "kỳ báo cáo '%(p)s' không hợp lệ: dùng năm (2026), quý (2026Q4) hoặc tháng (202611)",
            p=text or ""))
    year = int(match.group(1))
    if match.group(2):
        first_month, months = 3 * int(match.group(2)) - 2, 3
    elif match.group(3):
        first_month, months = int(match.group(3)), 1
    else:
        first_month, months = 1, 12
    start = date(year, first_month, 1)
    after = first_month + months
    end = date(year + (after > 12), (after - 1) % 12 + 1, 1)
    return start, date.fromordinal(end.toordinal() - 1)


def option_combo(position: str, gender: str) -> str:
    """The category option combination code of a position and a gender."""
    return f"TH_{position}_{gender}".upper()


def data_values(unit, period: str, course=None, rule: str = "any") -> list[dict]:
    """The data values of U's communes for `period` (see the module docstring); `rule` as in
    the coverage report (`path`: TH_TRAINED counts whole position paths)."""
    start, end = parse_period(period)
    params = services.check_params(unit, start, end, "cumulative", course, rule=rule)
    stmt = _GROUPS_SQL.format(persons=services.persons_sql(params))
    values = []
    for code, position, gender, *figures in services.fetch(stmt, params):
        combo = option_combo(position, gender)
        for element, value in zip(DATA_ELEMENTS, figures, strict=True):
            values.append({"dataElement": element, "period": period, "orgUnit": code,
                           "categoryOptionCombo": combo, "value": str(int(value))})
    return values


def data_value_set(unit, period: str, course=None, rule: str = "any") -> dict:
    """The DHIS2 dataValueSets document (`dataSet` when LMS_DHIS2_DATA_SET is set)."""
    doc = {}
    if current_app.config.get("DHIS2_DATA_SET"):
        doc["dataSet"] = current_app.config["DHIS2_DATA_SET"]
    doc["period"] = period
    doc["dataValues"] = data_values(unit, period, course, rule)
    return doc


def export(fmt: str, unit, period: str, course=None, rule: str = "any") -> tuple[bytes, str]:
    """(file bytes, file name) of the data value set as DHIS2 JSON or CSV (UTF-8, no BOM:
    a machine format; every cell is a code or a number)."""
    if fmt not in FORMATS:
        raise services.ReportError(_("định dạng '%(f)s' không hợp lệ", f=fmt))
    doc = data_value_set(unit, period, course, rule)
    name = f"dhis2-{unit.code}-{period}.{fmt}"
    if fmt == "json":
        return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8"), name
    rows = ([v["dataElement"], v["period"], v["orgUnit"], v["categoryOptionCombo"], "",
             v["value"], "", "", "", ""] for v in doc["dataValues"])
    return write_csv(CSV_HEADERS, rows, bom=False), name

