"""Large-type A5 lesson handouts: key points and referral numbers, from the route and the CLI."""

from io import BytesIO

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A5

from lms.courses.loader import check_content, load_content
from lms.courses.pdf import HandoutLabels, key_points, lesson_handout
from tests.conftest import post_form
from tests.courses.conftest import write_course
from tests.courses.test_cli import REPO_CONTENT

BODY = """\
## Tình huống

Một câu chuyện có danh sách phụ:

- không phải điểm chính

## Nên làm

- Báo **công an** xã ngay.
- Gọi 111.

## Ghi nhớ

- Một dấu hiệu chính là đủ để báo tin.
- Người bị lừa *không có lỗi*.
"""
LABELS = HandoutLabels("Ghi nhớ", "Nên làm", "Khi cần giúp đỡ, báo tin",
                       ("Tổng đài 111: miễn phí, 24/7",), "Tập Huấn")


def _text(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(BytesIO(data))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def test_key_points_come_from_the_ghi_nho_section():
    """Key points are the 'Ghi nhớ' list, marks dropped; 'Nên làm' is the to-do list."""
    points, to_do = key_points(BODY)
    assert points == ["Một dấu hiệu chính là đủ để báo tin.", "Người bị lừa không có lỗi."]
    assert to_do == ["Báo công an xã ngay.", "Gọi 111."]


def test_key_points_fall_back_to_diem_chinh_then_the_first_list():
    """'Điểm chính' stands for 'Ghi nhớ'; without either, the first list of the lesson."""
    assert key_points("## Điểm chính\n\n- Một\n- Hai\n")[0] == ["Một", "Hai"]
    assert key_points("Mở đầu.\n\n- Đầu tiên\n\n## Khác\n\n- Sau\n")[0] == ["Đầu tiên"]
    assert key_points("Chỉ có một đoạn văn.\n") == ([], [])


def test_handout_is_a5_with_title_points_and_numbers(app):
    """The PDF is A5 and its text holds the titles, the key points and the 111 line."""
    reader, text = _text(lesson_handout("Khóa thử", "Bài một: dấu hiệu", BODY, LABELS))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == tuple(round(v) for v in A5)
    for expected in ("Khóa thử", "Bài một: dấu hiệu", "Ghi nhớ", "không có lỗi", "Nên làm",
                     "Tổng đài 111: miễn phí, 24/7"):
        assert expected in text.replace("\n", " "), expected
    assert "không phải điểm chính" not in text


def _load_with_points(db, content_dir):
    folder = write_course(content_dir, quiz=False)
    (folder / "lessons" / "01-mot.md").write_text(
        '---\ntitle: "Bài một"\nminutes: 10\n---\n' + BODY, encoding="utf-8")
    load_content(content_dir)
    db.session.commit()


def test_route_serves_the_handout_to_enrolled_learners_only(client, db, content_dir, login_as,
                                                            trainee):
    """Not enrolled: back to the course page; enrolled: the PDF, linked from the lesson."""
    _load_with_points(db, content_dir)
    login_as(user=trainee)
    url = "/courses/khoa-thu/lessons/mot/handout.pdf"
    assert client.get(url).status_code == 302
    post_form(client, "/courses/khoa-thu/enrol", page="/courses/khoa-thu")
    assert url in client.get("/courses/khoa-thu/lessons/mot").get_data(as_text=True)
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    _reader, text = _text(response.data)
    assert "Bài một" in text and "Một dấu hiệu chính là đủ để báo tin." in text
    assert "111" in text
    assert client.get("/courses/khoa-thu/lessons/khong-co/handout.pdf").status_code == 404


def test_anonymous_visitor_gets_no_handout(client, db, content_dir):
    """Without logging in the handout route sends to the login page."""
    _load_with_points(db, content_dir)
    response = client.get("/courses/khoa-thu/lessons/mot/handout.pdf")
    assert response.status_code == 302 and "/accounts/login" in response.location


def test_cli_writes_one_pdf_per_lesson(runner, content_dir, tmp_path):
    """`content handouts OUT` writes OUT/<course>/<NN-lesson>.pdf; an unknown course exits 1."""
    write_course(content_dir)
    out = tmp_path / "out"
    result = runner.invoke(args=["lms", "content", "handouts", str(out), "--content",
                                 str(content_dir)])
    assert result.exit_code == 0, result.output
    assert "3 handout(s) written" in result.output
    assert sorted(p.name for p in (out / "khoa-thu").iterdir()) == [
        "01-mot.pdf", "02-hai.pdf", "03-ba.pdf"]
    assert "Bài hai" in _text((out / "khoa-thu" / "02-hai.pdf").read_bytes())[1]
    result = runner.invoke(args=["lms", "content", "handouts", str(out), "--content",
                                 str(content_dir), "--course", "khong-co"])
    assert result.exit_code == 1 and "no course 'khong-co'" in result.output


@pytest.mark.parametrize("spec", check_content(REPO_CONTENT) if REPO_CONTENT.is_dir() else [],
                         ids=lambda spec: spec.slug)
def test_every_shipped_lesson_has_key_points(spec):
    """Each lesson of the shipped courses gives its handout at least two key points."""
    for lesson in spec.lessons:
        points, _to_do = key_points(lesson.body_md)
        assert len(points) >= 2, lesson.path
