"""Administrative units (đơn vị hành chính) and the staff roster (danh sách nhân sự)."""

from lms.core.timeutil import utcnow
from lms.extensions import db

CURRENT = "current"   # the two-level units in force since 01/7/2025
LEGACY = "legacy"     # the pre-2025 three-level units, for old records


class Unit(db.Model):
    """An administrative unit (đơn vị hành chính): the country, a province, a commune, …

    `path` holds the ids from the root down ("/1/23/456/"), so a subtree is one LIKE query.
    Codes are zero-padded statistics-office codes, unique within a `system`.
    """

    __tablename__ = "units"
    __table_args__ = (db.UniqueConstraint("system", "code"),)

    id = db.Column(db.Integer, primary_key=True)
    system = db.Column(db.String(20), nullable=False, default=CURRENT)
    code = db.Column(db.String(20), nullable=False)
    name = db.Column(db.String(200), nullable=False)
    kind = db.Column(db.String(30), nullable=False, index=True)
    division = db.Column(db.String(60), nullable=True)
    parent_id = db.Column(db.Integer, db.ForeignKey("units.id"), nullable=True, index=True)
    path = db.Column(db.String(255), nullable=False, default="/", index=True)

    parent = db.relationship("Unit", remote_side=[id],
                             backref=db.backref("children", lazy="dynamic"))

    def __repr__(self) -> str:
        return f"<Unit {self.system}:{self.code} {self.name}>"

    @property
    def depth(self) -> int:
        """0 for the root."""
        return self.path.count("/") - 2

    def is_within(self, other: "Unit") -> bool:
        """True when this unit is `other` or lies below it."""
        return self.path.startswith(other.path)


class Person(db.Model):
    """One human on the roster of a commune (người trong danh sách nhân sự)."""

    __tablename__ = "persons"

    id = db.Column(db.Integer, primary_key=True)
    staff_id = db.Column(db.String(50), nullable=False, unique=True)
    full_name = db.Column(db.String(200), nullable=False)
    name_search = db.Column(db.String(200), nullable=False, index=True)
    gender = db.Column(db.String(10), nullable=True)
    birth_year = db.Column(db.Integer, nullable=True)
    position = db.Column(db.String(30), nullable=False, index=True)
    commune_id = db.Column(db.Integer, db.ForeignKey("units.id"), nullable=False, index=True)
    phone = db.Column(db.String(30), nullable=True)
    ethnicity = db.Column(db.String(60), nullable=True)
    in_target = db.Column(db.Boolean, nullable=False, default=True)
    left_on = db.Column(db.Date, nullable=True)
    # The day the current commune, position and target status took effect; None: since the
    # start of records (RECORDS_START). Earlier states are RosterPeriod rows.
    since = db.Column(db.Date, nullable=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    commune = db.relationship("Unit")

    def __repr__(self) -> str:
        return f"<Person {self.staff_id} {self.full_name}>"


class RosterPeriod(db.Model):
    """A past state of one person on the roster (giai đoạn trong danh sách): their commune,
    position and target status from `valid_from` (None: the start of records) up to the day
    before `valid_to`. The state in force now is the person's row itself, from `Person.since`
    to `Person.left_on`; an import that changes it (or clears a leaving date) closes it here.
    """

    __tablename__ = "roster_periods"
    __table_args__ = (db.Index("ix_roster_periods_person_to", "person_id", "valid_to"),)

    id = db.Column(db.Integer, primary_key=True)
    person_id = db.Column(db.Integer, db.ForeignKey("persons.id", ondelete="CASCADE"),
                          nullable=False)
    commune_id = db.Column(db.Integer, db.ForeignKey("units.id"), nullable=False, index=True)
    position = db.Column(db.String(30), nullable=False)
    in_target = db.Column(db.Boolean, nullable=False)
    valid_from = db.Column(db.Date, nullable=True)
    valid_to = db.Column(db.Date, nullable=False)

    def __repr__(self) -> str:
        return f"<RosterPeriod {self.person_id} {self.valid_from}–{self.valid_to}>"


class PositionAlias(db.Model):
    """Another name for a position, added by an admin (tên gọi khác của chức danh).

    `key` is the matching form (folded, letters and digits only), unique across aliases;
    `label` keeps the name as the admin typed it.
    """

    __tablename__ = "position_aliases"

    id = db.Column(db.Integer, primary_key=True)
    key = db.Column(db.String(200), nullable=False, unique=True)
    label = db.Column(db.String(200), nullable=False)
    position = db.Column(db.String(30), nullable=False)
    created_by_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="SET NULL"),
                              nullable=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    def __repr__(self) -> str:
        return f"<PositionAlias {self.label} → {self.position}>"


class ImportJob(db.Model):
    """An uploaded roster file and what its background import did (lượt nhập danh sách).

    A preview job (`dry_run`) checks the file and stores what would change; confirming it
    queues a second job with the same bytes that writes. `done` of `total` rows are checked
    (updated while the job runs, for the progress bar); `result` holds the counts and the
    preview's lists, `errors` the row errors of a refused file. The bytes are dropped once a
    writing job has finished.
    """

    __tablename__ = "import_jobs"

    id = db.Column(db.Integer, primary_key=True)
    status = db.Column(db.String(10), nullable=False, default="queued")  # → running, done, failed
    filename = db.Column(db.String(255), nullable=False)
    data = db.deferred(db.Column(db.LargeBinary, nullable=True))   # not loaded by the page
    options = db.Column(db.JSON, nullable=False, default=dict)
    total = db.Column(db.Integer, nullable=True)
    done = db.Column(db.Integer, nullable=False, default=0)
    result = db.Column(db.JSON, nullable=True)
    errors = db.Column(db.JSON, nullable=True)
    created_by_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"),
                              nullable=False, index=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    finished_at = db.Column(db.DateTime, nullable=True)

    def __repr__(self) -> str:
        return f"<ImportJob {self.id} {self.filename} {self.status}>"
