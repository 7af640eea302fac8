"""The sign-in sheet's session time and the trainer's confirmation, read back from the PDF."""

import io
from datetime import date

from pypdf import PdfReader

from lms.cohorts import services
from lms.cohorts.pdf import signin_sheet
from lms.core.models import set_setting


def _text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages)


def _session(db, make_cohort, fill, **times):
    cohort = make_cohort(starts_on=date(2026, 12, 14), ends_on=date(2026, 12, 16))
    fill(cohort, 3)
    session = services.save_session(cohort, by=cohort.trainers[0], day="14/12/2026",
                                    topic="Nhận diện", **times)
    db.session.commit()
    return cohort, session


def test_sheet_gives_weekday_date_and_time(db, make_cohort, fill):
    """Ngày: Thứ Hai, 14/12/2026; Thời gian: từ 08:00 đến 11:30."""
    cohort, session = _session(db, make_cohort, fill, start="08:00", end="11:30")
    text = _text(signin_sheet(session, [m.person for m in cohort.members]))
    assert "Ngày: Thứ Hai, 14/12/2026" in text
    assert "Thời gian: từ 08:00 đến 11:30" in text


def test_untimed_session_leaves_the_hours_to_fill(db, make_cohort, fill):
    """Without times the sheet leaves dots for the hours, written on the day."""
    cohort, session = _session(db, make_cohort, fill)
    text = _text(signin_sheet(session, [m.person for m in cohort.members]))
    assert "Thời gian: từ ……giờ…… đến ……giờ……" in text


def test_trainer_confirms_the_sheet(db, make_cohort, fill, make_user):
    """Totals with present/absent to fill, the place/date line of the session's day, the
    trainer's confirmation with "(Ký, ghi rõ họ tên)" and the trainer's name."""
    set_setting("issuer", {"agency": "Sở Y tế", "place": "Hạ Long"})
    db.session.commit()
    trainer = make_user("trainer", unit="22", full_name="Phạm Minh Châu")
    cohort = make_cohort(trainer=trainer, starts_on=date(2026, 12, 14),
                         ends_on=date(2026, 12, 16))
    fill(cohort, 2)
    session = services.save_session(cohort, by=trainer, day="14/12/2026", start="13:30")
    db.session.commit()
    text = _text(signin_sheet(session, [m.person for m in cohort.members]))
    for part in ("Tổng số: 2 người. Có mặt: …… người. Vắng: …… người.",
                 "Hạ Long, ngày 14 tháng 12 năm 2026", "XÁC NHẬN CỦA GIẢNG VIÊN",
                 "Tôi xác nhận danh sách trên đúng với số người dự buổi 14/12/2026.",
                 "(Ký, ghi rõ họ tên)", "Phạm Minh Châu", "từ 13:30 đến ……giờ……"):
        assert part in text, part
    assert text.index("Phạm Minh Châu") > text.index("XÁC NHẬN CỦA GIẢNG VIÊN")
