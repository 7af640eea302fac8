"""Coverage against the 100% target (độ bao phủ tập huấn): the figures, all computed in SQL.

Definitions (docs/reports.md and the report page show the same text):

- target: people on the roster of communes within U, marked in-target, still in post at `to`.
- trained: those target people with at least one completion of a course that counts toward the
  target, dated on or before `to` (mode cumulative) or within [from, to] (mode period).
- coverage: trained / target, 4 decimals; None when target is 0.
- person_times (lượt): completions of any course within [from, to] by people of U's communes.
- people: distinct people behind those person-times.
- units_total / units_reached / units_at_target: communes within U; with people ≥ 1; with
  target > 0 and trained = target.
- A course filter narrows trained, person_times and people to that course.

One statement computes a per-person table once (a CTE), then every breakdown as a GROUP BY
over it, glued with UNION ALL: the cost does not depend on the number of units. How the
per-person table is built depends on the engine and, on PostgreSQL, on whether U is the country
(completions grouped per person before the join) or a unit below it (see _PERSONS_PG).
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import Date, Integer, String, bindparam, select, text

from lms.accounts import audit
from lms.core.timeutil import today
from lms.courses.models import Course, PositionCourse
from lms.extensions import db
from lms.reports import charts, exports, sheets
from lms.reports.pdf import coverage_pdf
from lms.units.ethnicities import parse_ethnicity
from lms.units.models import CURRENT, Unit
from lms.units.positions import POSITIONS
from lms.units.services import ROOT_CODE, lookup_unit

MODES = ("cumulative", "period")
RULES = ("any", "path")  # trained by any counting course, or by the position's whole path
GENDERS = ("male", "female", "other", "unknown")
MAX_TREND_QUARTERS = 12


class ReportError(ValueError):
    """Bad report parameters (unknown unit or course, from after to, bad mode)."""


@dataclass(frozen=True)
class Params:
    """Checked report parameters."""

    unit: Unit
    date_from: date
    date_to: date
    mode: str
    course: Course | None
    position: str | None
    rule: str = "any"


def root_unit() -> Unit | None:
    """The country (code VN)."""
    return db.session.scalar(select(Unit).where(Unit.system == CURRENT, Unit.code == ROOT_CODE))


def find_unit(code: str | None) -> Unit | None:
    """A current unit by code, with or without zero-padding (the country for an empty code)."""
    if not code:
        return root_unit()
    return lookup_unit(code)


def find_course(slug: str | None) -> Course | None:
    """A course by slug (None for an empty slug)."""
    if not slug:
        return None
    return db.session.scalar(select(Course).where(Course.slug == slug))


def check_params(unit: Unit | None, date_from: date, date_to: date, mode: str,
                 course: Course | None = None, position: str | None = None,
                 rule: str = "any") -> Params:
    """Validate report parameters into a Params, or raise ReportError with a clear message.

    :param unit: the unit U (None: the country)
    :param date_from: first day of the period (inclusive)
    :param date_to: last day of the period (inclusive)
    :param mode: `cumulative` or `period`
    :param course: restrict trained/person_times/people to this course
    :param position: restrict to roster people of this position code
    :param rule: `any` (a counting course) or `path` (every course of the person's position
        path, content/paths.yml)
    """
    if unit is None:
        unit = root_unit()
        if unit is None:
            raise ReportError(_("chưa nạp đơn vị hành chính (flask lms units load)"))
    if mode not in MODES:
        raise ReportError(_("chế độ '%(m)s' không hợp lệ (cumulative hoặc period)", m=mode))
    if date_from > date_to:
        raise ReportError(_("ngày bắt đầu %(a)s sau ngày kết thúc %(b)s",
                            a=date_from.isoformat(), b=date_to.isoformat()))
    if position and position not in POSITIONS:
        raise ReportError(_("chức danh '%(p)s' không có trong danh mục", p=position))
    if rule not in RULES:
        raise ReportError(_("cách tính '%(r)s' không hợp lệ (any hoặc path)", r=rule))
    if rule == "path":
        if course is not None:
            raise ReportError(_("lọc theo một khóa học không dùng được với cách tính theo lộ "
                                "trình: chọn một trong hai"))
        if db.session.scalar(select(PositionCourse.position).limit(1)) is None:
            raise ReportError(_("chưa nạp lộ trình theo chức danh (content/paths.yml, "
                                "flask lms content load)"))
    return Params(unit, date_from, date_to, mode, course, position or None, rule)


def ratio(trained: int, target: int) -> float | None:
    """trained / target rounded to 4 decimals, but never up to 1 when trained < target
    (19,999 / 20,000 is 0.9999); None when target is 0."""
    if not target:
        return None
    value = round(int(trained) / int(target), 4)
    return 0.9999 if value >= 1 and trained < target else value


# The per-person table: one row per roster person of U's communes, with
#   tgt   1 when in target and still in post at :date_to
#   trn   1 when a counting course (optionally the filtered one) was completed in the window
#   times completions within [from, to] (optionally of the filtered course)
# Three equivalent forms, each the fastest in its case. On PostgreSQL the table is aggregated
# by commune, position and gender in one pass (GROUPING SETS); a unit below the country joins
# its people to their completions through the indexes and groups by person (_PERSONS_PG), while
# the country, which reads every completion, first folds the completions into one row per
# person in one ordered pass over the (person_id, course_id, completed_on) index and only then
# joins the people (_PERSONS_PG_COUNTRY: no grouping of the joined rows per person). SQLite
# (no grouping sets) probes that index per person, starting from U's communes (an IN list
# pushed into both halves of _ROSTER_AT), materialises the table once and groups it three
# times. Either way the cost grows with the number of people, not of units.
#
# Below the country, U's units are looked up first, as an array computed once: the planner then
# reaches their people through the commune_id index. Joined to units instead, it scanned every
# person (a province report ran 1.7 to 2 times slower; the estimates are right, the costs
# assume disk reads).
# The roster as it stood on :date_to: people whose current state had begun by then, and the
# past periods (lms/units/models.RosterPeriod) in force that day. The two parts never overlap
# (a person's periods all end by `since`), and each reaches its rows through a commune index.
_ROSTER_AT = """
    SELECT p.id, p.commune_id, p.position, p.in_target, p.left_on, p.gender, p.ethnicity,
           p.staff_id, p.full_name
    FROM persons p WHERE p.since IS NULL OR p.since <= :date_to
    UNION ALL
    SELECT p.id, rp.commune_id, rp.position, rp.in_target, rp.valid_to, p.gender, p.ethnicity,
           p.staff_id, p.full_name
    FROM roster_periods rp JOIN persons p ON p.id = rp.person_id
    WHERE rp.valid_to > :date_to AND (rp.valid_from IS NULL OR rp.valid_from <= :date_to)"""

_PERSONS_PG = """
  SELECT p.id AS person_id, p.commune_id, p.position, p.gender, p.ethnicity,
         CASE WHEN p.in_target = :true AND (p.left_on IS NULL OR p.left_on > :date_to)
              THEN 1 ELSE 0 END AS tgt,
         MAX(CASE WHEN k.counts_toward_target = :true AND c.completed_on >= :trained_from
                  THEN 1 ELSE 0 END) AS trn,
         SUM(CASE WHEN c.completed_on >= :date_from THEN 1 ELSE 0 END) AS times
  FROM ({roster_at}) p
  LEFT JOIN completions c ON c.person_id = p.id AND c.completed_on <= :date_to {course_filter}
  LEFT JOIN courses k ON k.id = c.course_id
  WHERE p.commune_id = ANY(ARRAY(SELECT id FROM units WHERE path LIKE :prefix)) {position_filter}
  GROUP BY p.id, p.commune_id, p.position, p.gender, p.ethnicity, p.in_target, p.left_on
"""

# ORDER BY makes the planner group while reading the index in person order; left to itself it
# hashed all the completions instead, a slower plan. The counting courses are a hashed sub-plan
# rather than a join, which would sit between the index scan and the grouping.
_PERSONS_PG_COUNTRY = """
  SELECT p.id AS person_id, p.commune_id, p.position, p.gender, p.ethnicity,
         CASE WHEN p.in_target = :true AND (p.left_on IS NULL OR p.left_on > :date_to)
              THEN 1 ELSE 0 END AS tgt,
         COALESCE(pc.trn, 0) AS trn, COALESCE(pc.times, 0) AS times
  FROM units cu
  JOIN ({roster_at}) p ON p.commune_id = cu.id
  LEFT JOIN (
    SELECT c.person_id,
           MAX(CASE WHEN c.course_id IN (SELECT id FROM courses
                                         WHERE counts_toward_target = :true)
                     AND c.completed_on >= :trained_from THEN 1 ELSE 0 END) AS trn,
           COUNT(*) FILTER (WHERE c.completed_on >= :date_from) AS times
    FROM completions c
    WHERE c.completed_on <= :date_to {course_filter}
    GROUP BY c.person_id
    ORDER BY c.person_id
  ) pc ON pc.person_id = p.id
  WHERE cu.path LIKE :prefix {position_filter}
"""

_PERSONS_SQLITE = """
  SELECT p.id AS person_id, p.commune_id, p.position, p.gender, p.ethnicity,
         CASE WHEN p.in_target = :true AND (p.left_on IS NULL OR p.left_on > :date_to)
              THEN 1 ELSE 0 END AS tgt,
         CASE WHEN EXISTS (
                SELECT 1 FROM completions c JOIN courses k ON k.id = c.course_id
                WHERE c.person_id = p.id AND k.counts_toward_target = :true
                  AND c.completed_on >= :trained_from AND c.completed_on <= :date_to
                  {course_filter})
              THEN 1 ELSE 0 END AS trn,
         (SELECT COUNT(*) FROM completions c
          WHERE c.person_id = p.id AND c.completed_on >= :date_from
            AND c.completed_on <= :date_to {course_filter}) AS times
  FROM ({roster_at}) p
  WHERE p.commune_id IN (SELECT id FROM units WHERE path LIKE :prefix) {position_filter}
"""

# Per-commune, per-position, per-gender and per-ethnicity sums, as rows of `agg`
# (dim, k, target, trained, times, people), dim being 'c' for communes.
_AGG_PG = """
agg AS MATERIALIZED (
  SELECT CASE WHEN GROUPING(pp.commune_id) = 0 THEN 'c'
              WHEN GROUPING(pp.position) = 0 THEN 'position'
              WHEN GROUPING(COALESCE(pp.gender, 'unknown')) = 0 THEN 'gender'
              ELSE 'ethnicity' END AS dim,
         CASE WHEN GROUPING(pp.commune_id) = 0 THEN CAST(pp.commune_id AS VARCHAR)
              WHEN GROUPING(pp.position) = 0 THEN pp.position
              WHEN GROUPING(COALESCE(pp.gender, 'unknown')) = 0
                   THEN COALESCE(pp.gender, 'unknown')
              ELSE COALESCE(pp.ethnicity, '') END AS k,
         SUM(tgt) AS target, SUM(tgt * trn) AS trained, SUM(times) AS times,
         SUM(CASE WHEN times > 0 THEN 1 ELSE 0 END) AS people
  FROM ({persons}) pp
  GROUP BY GROUPING SETS ((pp.commune_id), (pp.position), (COALESCE(pp.gender, 'unknown')),
                          (COALESCE(pp.ethnicity, '')))
)"""

_AGG_SQLITE = """
pp AS MATERIALIZED ({persons}),
agg AS (
  SELECT 'c' AS dim, CAST(commune_id AS VARCHAR) AS k, SUM(tgt) AS target,
         SUM(tgt * trn) AS trained, SUM(times) AS times,
         SUM(CASE WHEN times > 0 THEN 1 ELSE 0 END) AS people
  FROM pp GROUP BY commune_id
  UNION ALL
  SELECT 'position', position, SUM(tgt), SUM(tgt * trn), SUM(times),
         SUM(CASE WHEN times > 0 THEN 1 ELSE 0 END)
  FROM pp GROUP BY position
  UNION ALL
  SELECT 'gender', COALESCE(gender, 'unknown'), SUM(tgt), SUM(tgt * trn), SUM(times),
         SUM(CASE WHEN times > 0 THEN 1 ELSE 0 END)
  FROM pp GROUP BY COALESCE(gender, 'unknown')
  UNION ALL
  SELECT 'ethnicity', COALESCE(ethnicity, ''), SUM(tgt), SUM(tgt * trn), SUM(times),
         SUM(CASE WHEN times > 0 THEN 1 ELSE 0 END)
  FROM pp GROUP BY COALESCE(ethnicity, '')
)"""

_COVERAGE_SQL = """
WITH {agg},
cm AS (
  SELECT u.id, substr(u.path, 1, :plen + {strpos}(substr(u.path, :plen + 1), '/')) AS child,
         COALESCE(cs.target, 0) AS target, COALESCE(cs.trained, 0) AS trained,
         COALESCE(cs.times, 0) AS times, COALESCE(cs.people, 0) AS people
  FROM units u LEFT JOIN agg cs ON cs.dim = 'c' AND cs.k = CAST(u.id AS VARCHAR)
  WHERE u.system = :system AND u.kind = 'commune' AND u.path LIKE :prefix
)
SELECT 'total' AS dim, '' AS k, '' AS name, '' AS kind,
       COALESCE(SUM(target), 0), COALESCE(SUM(trained), 0), COALESCE(SUM(times), 0),
       COALESCE(SUM(people), 0), COUNT(*),
       COALESCE(SUM(CASE WHEN people > 0 THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN target > 0 AND trained = target THEN 1 ELSE 0 END), 0)
FROM cm
UNION ALL
SELECT 'row', ch.code, ch.name, ch.kind,
       COALESCE(SUM(cm.target), 0), COALESCE(SUM(cm.trained), 0), COALESCE(SUM(cm.times), 0),
       COALESCE(SUM(cm.people), 0), COUNT(cm.id),
       COALESCE(SUM(CASE WHEN cm.people > 0 THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN cm.target > 0 AND cm.trained = cm.target THEN 1 ELSE 0 END), 0)
FROM units ch LEFT JOIN cm ON cm.child = ch.path
WHERE ch.parent_id = :unit_id AND ch.system = :system
GROUP BY ch.id, ch.code, ch.name, ch.kind
UNION ALL
SELECT dim, k, '', '', target, trained, times, people, 0, 0, 0
FROM agg WHERE dim <> 'c'
ORDER BY 1, 2
"""


def _filters(params: Params) -> dict:
    return {"course_filter": "AND c.course_id = :course_id" if params.course else "",
            "position_filter": "AND p.position = :position" if params.position else "",
            "roster_at": _ROSTER_AT}


# The path rule: a person whose position has a path is trained when every course of it has a
# completion in the window; a position with an empty path keeps the "any course" flag.
_PATH_TRAINED = """
  CASE WHEN NOT EXISTS (SELECT 1 FROM position_courses r WHERE r.position = {q}.position)
       THEN {q}.trn
       WHEN NOT EXISTS (
         SELECT 1 FROM position_courses r WHERE r.position = {q}.position AND NOT EXISTS (
           SELECT 1 FROM completions c WHERE c.person_id = {q}.{id} AND c.course_id = r.course_id
             AND c.completed_on >= :trained_from AND c.completed_on <= :date_to))
       THEN 1 ELSE 0 END"""

_PERSONS_BY_PATH = """
SELECT q.person_id, q.commune_id, q.position, q.gender, q.ethnicity, q.tgt, {trained} AS trn,
       q.times
FROM ({persons}) q"""

_PEOPLE_BY_PATH = """
SELECT q.id, q.commune_id, q.staff_id, q.full_name, q.position, q.gender, q.ethnicity,
       q.in_target, q.left_on, q.tgt, {trained} AS trn, q.last_on, q.times
FROM ({people}) q"""

_PEOPLE_BY_NAME = "SELECT * FROM ({people}) x ORDER BY x.full_name, x.staff_id"


def persons_sql(params: Params) -> str:
    """The per-person table (person_id, commune_id, position, gender, ethnicity, tgt, trn,
    times) for the session's engine, SQL text for `fetch`; under the path rule its
    `trn` is the path's."""
    if _dialect() == "postgresql":
        persons = _PERSONS_PG_COUNTRY if params.unit.parent_id is None else _PERSONS_PG
    else:
        persons = _PERSONS_SQLITE
    sql = persons.format(**_filters(params))
    if params.rule != "path":
        return sql
    return _PERSONS_BY_PATH.format(trained=_PATH_TRAINED.format(q="q", id="person_id"),
                                   persons=sql)


def _coverage_sql(params: Params) -> str:
    """The report statement for the session's engine."""
    if _dialect() == "postgresql":
        return _COVERAGE_SQL.format(agg=_AGG_PG.format(persons=persons_sql(params)),
                                    strpos="strpos")
    return _COVERAGE_SQL.format(agg=_AGG_SQLITE.format(persons=persons_sql(params)),
                                strpos="instr")


def _dialect() -> str:
    return db.session.get_bind().dialect.name


# Settings for the report's transaction on PostgreSQL, set in one round trip. psycopg prepares a
# statement after a few runs and the server may then switch to a generic plan, blind to the
# unit's path prefix and the dates (twenty times slower here): custom plans are forced. The
# national report hashes one row per person (150,000 people: about 11 MB), which spilled to disk
# within the default 4 MB work_mem.
_PG_SETTINGS = text("SELECT set_config('plan_cache_mode', 'force_custom_plan', true), "
                    "set_config('work_mem', '32MB', true)")


def fetch(sql: str, params: Params, **extra) -> list:
    """The rows of report statement `sql` with the parameters bound (`_bind`), on PostgreSQL
    with _PG_SETTINGS for this transaction."""
    if _dialect() == "postgresql":
        db.session.execute(_PG_SETTINGS)
    return db.session.execute(_bind(sql, params, **extra)).all()


def _bind(stmt, params: Params, **extra):
    """Bind the common parameters with their SQL types (dates as dates on SQLite too)."""
    trained_from = params.date_from if params.mode == "period" else date.min.replace(year=1)
    values = {"date_from": params.date_from, "date_to": params.date_to,
              "trained_from": trained_from, "prefix": params.unit.path + "%",
              "plen": len(params.unit.path),
              "true": True, "system": CURRENT, "unit_id": params.unit.id}
    if params.course:
        values["course_id"] = params.course.id
    if params.position:
        values["position"] = params.position
    values.update(extra)
    binds = [bindparam(k, v, type_=Date) if isinstance(v, date) else
             bindparam(k, v, type_=Integer) if isinstance(v, int) and not isinstance(v, bool)
             else bindparam(k, v, type_=String) if isinstance(v, str) else bindparam(k, v)
             for k, v in values.items() if f":{k}" in str(stmt)]
    return text(stmt).bindparams(*binds)


def _figures(target: int, trained: int) -> dict:
    return {"target": int(target), "trained": int(trained), "coverage": ratio(trained, target)}


def _breakdown(target: int, trained: int, times: int, people: int) -> dict:
    return _figures(target, trained) | {"person_times": int(times), "people": int(people)}


def ethnicity_key(value: str | None) -> str:
    """The breakdown row of a roster ethnicity: its official name (lms/units/ethnicities.py,
    so "dao" and "Dao" are one row), `unknown` when empty, `other` when not on the list."""
    if not value or not value.strip():
        return "unknown"
    return parse_ethnicity(value) or "other"


def _by_ethnicity(groups: list[tuple]) -> list[dict]:
    """Merge the SQL groups of raw ethnicity values into official rows: the official ones by
    target (then name), then `other` and `unknown`."""
    sums: dict[str, list[int]] = {}
    for key, *figures in groups:
        total = sums.setdefault(ethnicity_key(key), [0, 0, 0, 0])
        for i, value in enumerate(figures):
            total[i] += int(value)
    last = {"other": 1, "unknown": 2}
    order = sorted(sums, key=lambda k: (last.get(k, 0), -sums[k][0], k))
    return [{"ethnicity": k, **_breakdown(*sums[k])} for k in order]


def coverage(unit: Unit | None = None, date_from: date | None = None,
             date_to: date | None = None, mode: str = "cumulative", course: Course | None = None,
             position: str | None = None, rule: str = "any") -> dict:
    """The coverage document of unit U for [date_from, date_to] (see the module docstring).

    :param unit: U (None: the country)
    :param date_from: first day (inclusive); default 1 January of `date_to`'s year
    :param date_to: last day (inclusive); default today
    :param mode: `cumulative` (trained by `date_to`) or `period` (trained within the period)
    :param course: narrow trained, person_times and people to this course
    :param position: narrow everything to roster people of this position
    :param rule: `any` or `path` (see check_params)
    :raises ReportError: on bad parameters
    """
    date_to = date_to or today()
    date_from = date_from or date(date_to.year, 1, 1)
    params = check_params(unit, date_from, date_to, mode, course, position, rule)
    result = fetch(_coverage_sql(params), params)

    totals, rows, positions, genders, ethnicities = {}, [], {}, {}, []
    for dim, key, name, kind, target, trained, times, people, n, reached, at_target in result:
        if dim == "total":
            totals = _figures(target, trained) | {
                "person_times": int(times), "people": int(people), "units_total": int(n),
                "units_reached": int(reached), "units_at_target": int(at_target)}
        elif dim == "row":
            rows.append({"code": key, "name": name, "kind": kind,
                         **_breakdown(target, trained, times, people), "units_total": int(n),
                         "units_reached": int(reached), "units_at_target": int(at_target)})
        elif dim == "position":
            positions[key] = _breakdown(target, trained, times, people)
        elif dim == "gender":
            genders[key] = _breakdown(target, trained, times, people)
        else:
            ethnicities.append((key, target, trained, times, people))
    zero = _breakdown(0, 0, 0, 0)
    codes = list(POSITIONS) + sorted(set(positions) - set(POSITIONS))
    unit = params.unit
    doc = {
        "unit": {"code": unit.code, "name": unit.name, "kind": unit.kind},
        "period": {"from": date_from.isoformat(), "to": date_to.isoformat(), "mode": mode,
                   "rule": rule},
        "totals": totals,
        "rows": rows,
        "by_position": [{"position": c, **positions.get(c, zero)} for c in codes],
        "by_gender": [{"gender": g, **genders.get(g, zero)} for g in GENDERS],
        "by_ethnicity": _by_ethnicity(ethnicities),
    }
    return doc


def quarters(date_from: date, date_to: date) -> list[tuple[date, date]]:
    """The calendar quarters overlapping [date_from, date_to] (at most the last 12)."""
    result = []
    year, q = date_from.year, (date_from.month - 1) // 3
    while date(year, 3 * q + 1, 1) <= date_to:
        start = date(year, 3 * q + 1, 1)
        end = date(year + (q == 3), (3 * q + 3) % 12 + 1, 1).toordinal() - 1
        result.append((start, date.fromordinal(end)))
        year, q = (year + 1, 0) if q == 3 else (year, q + 1)
    return result[-MAX_TREND_QUARTERS:]


# Every state of U's people with the days it holds (`vf` to the day before `vt`; empty: open):
# the current one from `since`, the past periods; a quarter's end picks the one in force. Each
# half reaches its rows through a commune index, so a province reads its own people only.
_ROSTER_STATES = """
    SELECT p.id, p.commune_id, p.position, p.in_target, p.left_on, p.since AS vf,
           CAST(NULL AS DATE) AS vt
    FROM persons p WHERE p.commune_id {in_units}
    UNION ALL
    SELECT rp.person_id, rp.commune_id, rp.position, rp.in_target, rp.valid_to, rp.valid_from,
           rp.valid_to
    FROM roster_periods rp WHERE rp.commune_id {in_units}"""

# The trend from one per-person aggregate, like the coverage: U's roster states first (`st`),
# then those people's completions folded once into one row per person (`pc`: the first
# counting completion and the completions of each quarter, t0 … tN), then one pass over the
# states summing, for each quarter, the target, the trained and the person-times of the states
# in force at its end (columns g, r and m of quarter i; one row, no join with the quarters).
_TREND_SQL = """
WITH st AS (
  SELECT p.id, p.in_target, p.left_on, p.vf, p.vt FROM ({states}) p
  WHERE 1 = 1 {position_filter}
),
pc AS (
  SELECT c.person_id,
         MIN(CASE WHEN k.counts_toward_target = :true THEN c.completed_on END) AS first_on,
         {quarter_sums}
  FROM completions c JOIN courses k ON k.id = c.course_id
  WHERE c.person_id IN (SELECT id FROM st) {course_filter}
  GROUP BY c.person_id
)
SELECT {quarter_figures}
FROM st LEFT JOIN pc ON pc.person_id = st.id
"""

_QUARTER_FIGURES = """
  COALESCE(SUM(CASE WHEN {in_force} AND {in_target} THEN 1 ELSE 0 END), 0) AS g{i},
  COALESCE(SUM(CASE WHEN {in_force} AND {in_target} AND pc.first_on <= :qe{i}
                    THEN 1 ELSE 0 END), 0) AS r{i},
  COALESCE(SUM(CASE WHEN {in_force} THEN pc.t{i} ELSE 0 END), 0) AS m{i}"""


def _quarter_figures(i: int) -> str:
    """The three sums of quarter i in _TREND_SQL."""
    return _QUARTER_FIGURES.format(
        i=i, in_force=f"(st.vf IS NULL OR st.vf <= :qe{i}) AND (st.vt IS NULL OR st.vt > :qe{i})",
        in_target=f"st.in_target = :true AND (st.left_on IS NULL OR st.left_on > :qe{i})")


def trend(unit: Unit | None = None, date_from: date | None = None,
          date_to: date | None = None, course: Course | None = None,
          position: str | None = None) -> list[dict]:
    """Per calendar quarter of the period: cumulative coverage at the quarter's end and the
    person-times within the quarter (the quarter's end capped at `date_to`), each on the roster
    as it stood at the quarter's end.

    :param unit: U (None: the country)
    :param course: narrow to this course
    :param position: narrow to this position
    """
    date_to = date_to or today()
    date_from = date_from or date(date_to.year, 1, 1)
    params = check_params(unit, date_from, date_to, "cumulative", course, position)
    spans = [(max(s, date_from), min(e, date_to)) for s, e in quarters(date_from, date_to)]
    n = range(len(spans))
    sums = ", ".join(f"SUM(CASE WHEN c.completed_on >= :qs{i} AND c.completed_on <= :qe{i} "
                     f"THEN 1 ELSE 0 END) AS t{i}" for i in n)
    in_units = ("= ANY(ARRAY(SELECT id FROM units WHERE path LIKE :prefix))"
                if _dialect() == "postgresql" else
                "IN (SELECT id FROM units WHERE path LIKE :prefix)")
    filters = _filters(params)
    sql = _TREND_SQL.format(quarter_sums=sums,
                            quarter_figures=",".join(_quarter_figures(i) for i in n),
                            states=_ROSTER_STATES.format(in_units=in_units),
                            course_filter=filters["course_filter"],
                            position_filter=filters["position_filter"])
    extra = {f"qs{i}": s for i, (s, _e) in enumerate(spans)}
    extra |= {f"qe{i}": e for i, (_s, e) in enumerate(spans)}
    figures = fetch(sql, params, **extra)[0]
    points = []
    for i, (start, end) in enumerate(spans):
        target, trained, times = figures[3 * i:3 * i + 3]
        points.append({"quarter": f"Q{(start.month - 1) // 3 + 1}/{start.year}",
                       "from": start.isoformat(), "to": end.isoformat(),
                       **_figures(target, trained), "person_times": int(times)})
    return points


def _as_date(value) -> date | None:
    """Dates from raw SQL: SQLite returns them as ISO text."""
    return date.fromisoformat(value) if isinstance(value, str) else value


_PEOPLE_SQL = """
SELECT p.id, p.commune_id, p.staff_id, p.full_name, p.position, p.gender, p.ethnicity,
       p.in_target, p.left_on,
       CASE WHEN p.in_target = :true AND (p.left_on IS NULL OR p.left_on > :date_to)
            THEN 1 ELSE 0 END AS tgt,
       COALESCE(MAX(CASE WHEN k.counts_toward_target = :true AND c.completed_on >= :trained_from
                         {course_filter} THEN 1 ELSE 0 END), 0) AS trn,
       MAX(c.completed_on) AS last_on,
       SUM(CASE WHEN c.completed_on >= :date_from {course_filter} THEN 1 ELSE 0 END) AS times
FROM ({roster_at}) p
LEFT JOIN completions c ON c.person_id = p.id AND c.completed_on <= :date_to
LEFT JOIN courses k ON k.id = c.course_id
WHERE {where} {position_filter}
GROUP BY p.id, p.commune_id, p.staff_id, p.full_name, p.position, p.gender, p.ethnicity,
         p.in_target, p.left_on
"""

# The untrained of every commune within U, for the list sent to each commune.
_UNTRAINED_SQL = """
SELECT u.code AS commune_code, u.name AS commune_name, x.*
FROM ({people}) x JOIN units u ON u.id = x.commune_id
WHERE x.tgt = 1 AND x.trn = 0
ORDER BY u.code, x.full_name, x.staff_id
"""


def commune_people(commune: Unit, date_from: date, date_to: date, mode: str = "cumulative",
                   course: Course | None = None, position: str | None = None,
                   rule: str = "any") -> list[dict]:
    """Everyone on a commune's roster on `date_to` with their target and trained flags and last
    completion (of any course, on or before `date_to`), for follow-up. Personal data: callers
    audit exports.

    :param commune: a commune
    :param mode: as in `coverage`
    :param course: narrow trained and person_times to this course
    :param position: only this position
    """
    params = check_params(commune, date_from, date_to, mode, course, position, rule)
    sql = _PEOPLE_BY_NAME.format(people=_people_sql(params, "p.commune_id = :unit_id"))
    return [_person(row._mapping) for row in fetch(sql, params)]


def _people_sql(params: Params, where: str) -> str:
    """One row per roster person matching `where`, with tgt and trn (under the params' rule)."""
    sql = _PEOPLE_SQL.format(
        course_filter="AND c.course_id = :course_id" if params.course else "",
        position_filter="AND p.position = :position" if params.position else "",
        roster_at=_ROSTER_AT, where=where)
    if params.rule != "path":
        return sql
    return _PEOPLE_BY_PATH.format(trained=_PATH_TRAINED.format(q="q", id="id"), people=sql)


def _person(row) -> dict:
    return {"staff_id": row["staff_id"], "full_name": row["full_name"],
            "position": row["position"], "gender": row["gender"] or "unknown",
            "ethnicity": row["ethnicity"], "in_target": bool(row["tgt"]),
            "trained": bool(row["trn"]), "last_completed_on": _as_date(row["last_on"]),
            "person_times": int(row["times"] or 0), "left_on": _as_date(row["left_on"])}


def untrained_by_commune(unit: Unit, date_to: date, course: Course | None = None,
                         position: str | None = None, rule: str = "any") -> list[dict]:
    """The target people not yet trained on `date_to` (cumulative: no counting completion, of
    `course` when given, on or before that day), commune by commune: one dict per commune with
    people, in code order; communes with nobody left out. Personal data: callers audit exports.

    :param unit: a province or a commune (the country is too large a list to send)
    :param position: only this position
    :param rule: `any` or `path` (not yet through the whole path of their position)
    """
    params = check_params(unit, date(date_to.year, 1, 1), date_to, "cumulative", course,
                          position, rule)
    # as in _PERSONS_PG: on PostgreSQL an array of U's units reaches people by their index
    units = "SELECT id FROM units WHERE path LIKE :prefix"
    where = (f"p.commune_id = ANY(ARRAY({units}))" if _dialect() == "postgresql"
             else f"p.commune_id IN ({units})")
    sql = _UNTRAINED_SQL.format(people=_people_sql(params, where))
    communes: dict[str, dict] = {}
    for row in (r._mapping for r in fetch(sql, params)):
        entry = communes.setdefault(row["commune_code"], {
            "code": row["commune_code"], "name": row["commune_name"], "people": []})
        entry["people"].append(_person(row))
    return list(communes.values())


def definitions() -> list[tuple[str, str]]:
    """The report's definitions as (term, explanation), shown on the page and in the PDF."""
    return [
        (_("Mục tiêu (target)"), _(
            "người trong danh sách nhân sự của các xã thuộc đơn vị, được đánh dấu thuộc mục "
            "tiêu, còn công tác đến ngày kết thúc (không có ngày nghỉ, hoặc ngày nghỉ sau ngày "
            "kết thúc).")),
        (_("Đã tập huấn (trained)"), _(
            "những người thuộc mục tiêu có ít nhất một lần hoàn thành khóa học được tính vào "
            "mục tiêu, vào hoặc trước ngày kết thúc (chế độ lũy kế, mặc định) hoặc trong kỳ "
            "[từ ngày, đến ngày] (chế độ trong kỳ).")),
        (_("Độ bao phủ (coverage)"), _(
            "đã tập huấn / mục tiêu, làm tròn 4 chữ số thập phân; để trống (—) khi mục tiêu "
            "bằng 0.")),
        (_("Lượt (person_times)"), _(
            "số lần hoàn thành khóa học bất kỳ trong kỳ của người thuộc các xã của đơn vị, "
            "dù có thuộc mục tiêu hay không; một người hoàn thành hai lần tính hai lượt.")),
        (_("Số người (people)"), _("số người khác nhau đứng sau các lượt đó.")),
        (_("Số xã"), _(
            "units_total: số xã thuộc đơn vị; units_reached: số xã có ít nhất 1 người được "
            "tập huấn trong kỳ; units_at_target: số xã có mục tiêu > 0 và đã tập huấn = mục "
            "tiêu.")),
        (_("Theo lộ trình (rule=path)"), _(
            "đã tập huấn khi người đó đã hoàn thành mọi khóa học mà chức danh của họ phải học "
            "(content/paths.yml), mỗi khóa vào hoặc trước ngày kết thúc (lũy kế) hoặc trong kỳ "
            "(trong kỳ); chức danh không có khóa bắt buộc nào tính như cách mặc định (một khóa "
            "bất kỳ được tính vào mục tiêu).")),
        (_("Lọc theo khóa học"), _(
            "chỉ tính đã tập huấn, lượt và số người cho khóa học đó.")),
        (_("Ngày"), _(
            "các ngày tính cả hai đầu. Lần hoàn thành đến từ khóa học trực tuyến, lớp tập huấn "
            "đã đóng và hồ sơ cũ được nhập.")),
    ]


def export(fmt: str, unit, date_from, date_to, mode: str = "cumulative", course=None,
          position=None, *, by=None, rule: str = "any") -> tuple[bytes, str]:
    """Compute the report of `unit` and render it as `fmt`; returns (bytes, file name).

    A commune's CSV/XLSX/PDF lists its people by name: personal data, so it is audited.

    :param fmt: json, csv, xlsx or pdf
    :param by: the acting user (None from the command line)
    """
    doc = coverage(unit, date_from, date_to, mode, course, position, rule)
    name = f"coverage-{doc['unit']['code']}-{doc['period']['from']}-{doc['period']['to']}.{fmt}"
    if fmt == "json":
        return exports.to_json(doc), name
    start, end = (date.fromisoformat(doc["period"][k]) for k in ("from", "to"))
    people = None
    if doc["unit"]["kind"] == "commune":
        people = commune_people(unit, start, end, mode, course, position, rule)
        audit.record("report.export", actor=by, target=doc["unit"]["code"], format=fmt,
                     rows=len(people), period=doc["period"])
    tables = sheets.sheets_for(doc, people)
    if fmt == "csv":
        return exports.to_csv(tables), name
    title = _("Báo cáo độ bao phủ tập huấn")
    if fmt == "xlsx":
        return exports.to_xlsx(tables), name
    # on paper the lagging units come first, units without a target last
    ranked = sorted(doc["rows"], key=lambda r: (r["coverage"] is None, r["coverage"] or 0,
                                                r["code"]))
    bar = charts.coverage_chart(ranked, *exports.chart_texts(doc)) if ranked else None
    points = trend(unit, start, end, course, position)
    trend_chart = charts.trend_chart(points, *exports.trend_texts(doc, points))
    if people is not None and unit.parent is not None:
        # commune names repeat across provinces: a paper report names the province too
        doc = doc | {"unit": doc["unit"] | {"name": f"{unit.name}, {unit.parent.name}"}}
    return coverage_pdf(doc, tables[0], tables[2:], definitions(), bar, trend_chart,
                        title), name
