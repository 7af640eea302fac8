"""Every breakdown in every output (page, JSON API, CSV, XLSX, PDF) against an independent
count made here from the tables in Python, not with the report's SQL."""

import csv
import io
import re
from datetime import date

import pytest

from tests.reports.conftest import FROM, TO

PERIOD = {"from": FROM.isoformat(), "to": TO.isoformat()}
DIMS = ("position", "gender", "ethnicity")


@pytest.fixture
def mixed(db, world, make_person):
    """The world plus spellings of one ethnicity ("Dao", "dao", " DAO "), a name off the list,
    and a person counted by a past roster period: in Hà Tu as trưởng thôn on `to`, in Cao Xanh
    only since 01/3/2026."""
    from lms.courses.services import record_completion
    from lms.units.models import RosterPeriod

    a, b = world["units"]["A"], world["units"]["B"]
    basic = world["courses"]["basic"]
    for i, (value, trained) in enumerate([("Dao", True), ("dao", False), (" DAO ", True),
                                          ("H'Mông", False), ("Sao Hỏa", True)]):
        person = make_person(staff_id=f"E{i}", commune=a if i % 2 else b, ethnicity=value,
                             gender="female" if i % 2 else "male")
        if trained:
            record_completion(person, basic, date(2025, 9, i + 1), "import")
    moved = make_person(staff_id="MV", commune=b, position="cong_an", in_target=False,
                        since=date(2026, 3, 1), ethnicity="Tày")
    db.session.add(RosterPeriod(person_id=moved.id, commune_id=a.id, position="truong_thon",
                                in_target=True, valid_from=None, valid_to=date(2026, 3, 1)))
    record_completion(moved, basic, date(2025, 10, 1), "import")
    db.session.commit()
    return world


def _ethnicity(value):
    from lms.units.ethnicities import parse_ethnicity

    if not (value or "").strip():
        return "unknown"
    return parse_ethnicity(value) or "other"


def person_rows(unit_code, paths=None, mode="cumulative"):
    """(commune id, position, gender, ethnicity, tgt, trn, times) of every roster person of the
    unit's communes on `to`, counted here from the tables, and the unit's communes by id.

    `paths` ({position: [course id]}) counts trained by the position's whole path (a position
    without one by any counting course); `mode` "period" counts only completions from `from`.
    """
    from lms.courses.models import Completion, Course
    from lms.extensions import db
    from lms.units.models import CURRENT, Person, RosterPeriod, Unit

    unit = db.session.query(Unit).filter_by(code=unit_code, system=CURRENT).one()
    communes = {u.id: u for u in db.session.query(Unit).filter_by(kind="commune",
                                                                  system=CURRENT)
                if u.path.startswith(unit.path)}
    counting = {c.id for c in db.session.query(Course) if c.counts_toward_target}
    states = []   # (person, commune_id, position, in_target, left_on) on `to`
    for p in db.session.query(Person):
        if p.since is None or p.since <= TO:
            states.append((p, p.commune_id, p.position, p.in_target, p.left_on))
    for rp in db.session.query(RosterPeriod):
        if rp.valid_to > TO and (rp.valid_from is None or rp.valid_from <= TO):
            p = db.session.get(Person, rp.person_id)
            states.append((p, rp.commune_id, rp.position, rp.in_target, rp.valid_to))
    completions = db.session.query(Completion).all()
    rows = []
    for p, commune_id, position, in_target, left_on in states:
        if commune_id not in communes:
            continue
        mine = [c for c in completions if c.person_id == p.id and c.completed_on <= TO]
        done = {c.course_id for c in mine if mode == "cumulative" or c.completed_on >= FROM}
        tgt = int(in_target and (left_on is None or left_on > TO))
        path = (paths or {}).get(position)
        trn = int(tgt and (set(path) <= done if path else bool(done & counting)))
        times = sum(1 for c in mine if c.completed_on >= FROM)
        rows.append((commune_id, position, p.gender or "unknown", _ethnicity(p.ethnicity),
                     tgt, trn, times))
    return rows, communes


def expected(unit_code, **rules):
    """The province's totals, commune rows and breakdowns, counted person by person here
    (`rules`: person_rows's paths and mode)."""
    rows, communes = person_rows(unit_code, **rules)
    groups = {dim: {} for dim in ("commune", *DIMS)}
    for commune_id, position, gender, ethnicity, tgt, trn, times in rows:
        keys = {"commune": commune_id, "position": position, "gender": gender,
                "ethnicity": ethnicity}
        for dim, key in keys.items():
            g = groups[dim].setdefault(key, [0, 0, 0, 0])
            for i, v in enumerate((tgt, trn, times, int(times > 0))):
                g[i] += v
    per_commune = [groups["commune"].get(cid, [0, 0, 0, 0]) for cid in communes]
    totals = [sum(g[i] for g in per_commune) for i in range(4)] + [
        len(communes), sum(1 for g in per_commune if g[3]),
        sum(1 for g in per_commune if g[0] and g[0] == g[1])]
    return {"totals": totals, "communes": {communes[k].code: v
                                           for k, v in groups["commune"].items()},
            **{dim: {k: v for k, v in groups[dim].items() if any(v)} for dim in DIMS}}


def _ratio(target, trained):
    return round(trained / target, 4) if target else None


def test_the_independent_count_is_not_trivial(mixed):
    """The spellings of Dao make one row, and the moved person counts in Hà Tu."""
    exp = expected("22")
    assert exp["ethnicity"]["Dao"] == [3, 2, 2, 2]
    assert exp["ethnicity"]["other"] == [1, 1, 1, 1] and "dao" not in exp["ethnicity"]
    assert exp["position"]["truong_thon"] == [3, 3, 4, 3]


def test_json_api(mixed, client, login_as):
    """The API document's totals, rows and breakdowns, every one."""
    login_as("admin")
    doc = client.get("/api/v1/coverage", query_string=PERIOD | {"unit": "22"}).get_json()
    exp = expected("22")
    t = doc["totals"]
    assert [t[k] for k in ("target", "trained", "person_times", "people", "units_total",
                           "units_reached", "units_at_target")] == exp["totals"]
    for row in doc["rows"]:
        target, trained, times, people = exp["communes"].get(row["code"], [0, 0, 0, 0])
        assert (row["target"], row["trained"], row["coverage"], row["person_times"],
                row["people"], row["units_reached"], row["units_at_target"]) == (
            target, trained, _ratio(target, trained), times, people, int(people > 0),
            int(target > 0 and trained == target))
    for dim in DIMS:
        got = {i[dim]: [i["target"], i["trained"], i["person_times"], i["people"]]
               for i in doc["by_" + dim] if any((i["target"], i["person_times"], i["people"]))}
        assert got == exp[dim], dim
        assert all(i["coverage"] == _ratio(i["target"], i["trained"]) for i in doc["by_" + dim])


def _labels(dim, key):
    from lms.reports.sheets import ethnicity_label
    from lms.units.positions import gender_label, position_label

    return {"position": position_label, "ethnicity": ethnicity_label,
            "gender": lambda g: gender_label(g) or "Chưa rõ"}[dim](key)


def _csv_sections(data: bytes) -> dict[str, list[list[str]]]:
    """The CSV's tables: the first under "", each other under its title line."""
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    sections, title, i = {"": []}, "", 0
    while i < len(lines):
        if not lines[i]:
            title = lines[i + 1][0]
            sections[title] = [lines[i + 2]]
            i += 3
            continue
        sections[title].append(lines[i])
        i += 1
    return sections


TITLES = {"position": "Theo chức danh", "gender": "Theo giới tính", "ethnicity": "Theo dân tộc"}


def _table_figures(rows, dim):
    """{key: [target, trained, person_times, people]} from breakdown rows (code first)."""
    got = {}
    for row in rows:
        code, label, target, trained, _coverage, times, people = row
        assert label == _labels(dim, code)
        figures = [int(target), int(trained), int(times), int(people)]
        if any(figures):
            got[code] = figures
    return got


def test_csv(mixed, client, login_as):
    """The CSV: commune rows with communes reached/at target, the totals, then one section per
    breakdown; ratios as decimals with a dot."""
    login_as("admin")
    sections = _csv_sections(client.get("/reports/coverage.csv",
                                        query_string=PERIOD | {"unit": "22"}).data)
    exp = expected("22")
    header, *rows = sections[""]
    assert header[-3:] == ["Số xã", "Xã có người tập huấn", "Xã đạt 100%"]
    for code, *_rest in rows[:-1]:
        target, trained, times, people = exp["communes"].get(code, [0, 0, 0, 0])
        row = next(r for r in rows if r[0] == code)
        assert row[2:] == [str(target), str(trained),
                           "" if not target else f"{trained / target:.4f}", str(times),
                           str(people), "1", str(int(people > 0)),
                           str(int(target > 0 and trained == target))]
    totals = sections["Tổng hợp"][1]
    assert [int(v) for i, v in enumerate(totals) if i != 2] == exp["totals"]
    assert re.fullmatch(r"0\.\d{4}", totals[2])
    for dim in DIMS:
        assert _table_figures(sections[TITLES[dim]][1:], dim) == exp[dim], dim


def test_xlsx(mixed, client, login_as):
    """The XLSX: one sheet each, counts as numbers formatted #,##0, ratios in percent."""
    from openpyxl import load_workbook

    login_as("admin")
    book = load_workbook(io.BytesIO(client.get("/reports/coverage.xlsx",
                                               query_string=PERIOD | {"unit": "22"}).data))
    assert book.sheetnames == ["Thành phố Quảng Ninh", "Tổng hợp", *TITLES.values()]
    exp = expected("22")
    units = list(book["Thành phố Quảng Ninh"].iter_rows(min_row=2, values_only=True))
    assert list(units[-1][2:]) == [exp["totals"][0], exp["totals"][1],
                                   _ratio(exp["totals"][0], exp["totals"][1]),
                                   *exp["totals"][2:]]
    assert book["Thành phố Quảng Ninh"]["C2"].number_format == "#,##0"
    totals = next(book["Tổng hợp"].iter_rows(min_row=2, values_only=True))
    assert [v for i, v in enumerate(totals) if i != 2] == exp["totals"]
    for dim in DIMS:
        sheet = book[TITLES[dim]]
        assert sheet.freeze_panes == "A2" and sheet["E2"].number_format == "0.0%"
        assert _table_figures(sheet.iter_rows(min_row=2, values_only=True), dim) == exp[dim]


def test_pdf(mixed, client, login_as):
    """The PDF prints the totals and every breakdown row with its figures, Vietnamese style."""
    from pypdf import PdfReader

    from lms.core.text import format_percent

    login_as("admin")
    data = client.get("/reports/coverage.pdf", query_string=PERIOD | {"unit": "22"}).data
    text = " ".join(" ".join(page.extract_text().split())
                    for page in PdfReader(io.BytesIO(data)).pages)
    exp = expected("22")
    target, trained, times, people, n, reached, at_target = exp["totals"]
    assert f"Lượt / số người {times} / {people}" in text
    assert f"Số xã {n} Xã có người tập huấn / đạt 100% {reached} / {at_target}" in text
    for dim in DIMS:
        assert TITLES[dim] in text
        for key, (target, trained, times, people) in exp[dim].items():
            with client.application.test_request_context():
                shown = format_percent(_ratio(target, trained))
            line = f"{key} {_labels(dim, key)} {target} {trained} {shown} {times} {people}"
            assert line in text, line


def test_page(mixed, client, login_as):
    """The page's breakdown tables, every row, and no other row with figures."""
    login_as("admin")
    html = client.get("/reports/coverage", query_string=PERIOD | {"unit": "22"}).get_data(
        as_text=True)
    html = re.sub(r">\s+<", "><", html).replace("&#39;", "'")
    exp = expected("22")
    for dim in DIMS:
        table = html.split(f"<caption>{TITLES[dim]}</caption>")[1].split("</table>")[0]
        rows = re.findall(r'<tr><td>([^<]*)</td><td class="num">(\d+)</td>'
                          r'<td class="num">(\d+)</td><td>.*?</td><td class="num">(\d+)</td>'
                          r'<td class="num">(\d+)</td></tr>', table)
        got = {label: [int(v) for v in figures] for label, *figures in rows if
               any(int(v) for v in figures)}
        assert got == {_labels(dim, k): v for k, v in exp[dim].items()}, dim
