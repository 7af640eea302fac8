"""The roster-import speed-ups keep behaviour: same cleaning, full progress, timestamps set."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, text

from lms.core.tabular import clean_text
from lms.core.text import clean
from lms.units import services
from lms.units.models import Person

PIECES = [*" \t\n\r\x0b\x0c\x1c\x85\xa0\u2003\u3000", *"aĐđ", "e\u0301", "o\u0302\u0303",
          "\u1ec5", "A\u030a"]
TRICKY = st.lists(st.sampled_from(PIECES)).map("".join)


@given(st.one_of(st.text(), TRICKY))
def test_clean_text_equals_clean(value):
    """The fast cell cleaner gives exactly `clean`'s result (NFC, collapsed white space)."""
    assert clean_text(value) == clean(value)


def _csv(rows: int) -> bytes:
    lines = ["ma_nhan_su,ho_ten,chuc_danh,ma_xa"]
    lines += [f"S{n:05d},Nguyễn  Thi\u0323 Hương {n},cong_an,6652" for n in range(rows)]
    return "\n".join(lines).encode("utf-8")


def test_progress_reports_every_row_in_batches(db, units):
    """The progress callback is called in batches whose sum is the number of rows."""
    calls = []
    services.import_roster(_csv(1234), "p.csv", dry_run=True, progress=calls.append)
    assert sum(calls) == 1234
    assert len(calls) < 1234
    assert max(calls) == services.PROGRESS_STEP


def test_import_sets_timestamps_and_normalises(db, units):
    """Inserted rows get created/updated times; names are NFC with spaces collapsed."""
    services.import_roster(_csv(3), "p.csv")
    db.session.commit()
    person = db.session.scalar(select(Person).where(Person.staff_id == "S00001"))
    assert person.full_name == "Nguyễn Thị Hương 1"
    assert person.name_search == "nguyen thi huong 1"
    assert person.created_at is not None and person.updated_at == person.created_at


def test_big_import_refreshes_postgresql_statistics(db, units, monkeypatch):
    """On PostgreSQL a large import runs ANALYZE, so the planner knows the new rows at once."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only (LMS_TEST_DATABASE_URL)")
    monkeypatch.setattr(services, "ANALYZE_AFTER", 50)
    services.import_roster(_csv(60), "p.csv")
    db.session.commit()
    reltuples = db.session.execute(text(
        "SELECT reltuples FROM pg_class WHERE relname = 'persons'")).scalar()
    assert reltuples == 60
