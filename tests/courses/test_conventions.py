"""Glossary and minutes warnings of `content check`: reported with file and line, never fatal."""

from lms.courses.conventions import content_warnings, load_glossary
from lms.courses.loader import check_content
from tests.courses.conftest import write_course

GLOSSARY = """\
- term: "giả mạo là nạn nhân"
  deprecated: ["giả làm nạn nhân", "giả danh nạn nhân"]
  definition: "Tự nhận là nạn nhân khi không phải."
  source: "Luật 53/2024/QH15, Điều 3"
- term: "chuyển tuyến"
  deprecated: []
  definition: "Đưa người đến đúng dịch vụ."
  source: "OSCE/ODIHR"
"""


def _warnings(content_dir):
    errors = []
    terms = load_glossary(content_dir, errors)
    assert errors == []
    return [str(w) for w in content_warnings(check_content(content_dir), terms)]


def test_deprecated_variant_is_a_warning_with_file_and_line(app, content_dir):
    """A deprecated variant in a lesson and in a question is reported where it is."""
    folder = write_course(content_dir)
    (content_dir / "glossary.yml").write_text(GLOSSARY, encoding="utf-8")
    lesson = folder / "lessons" / "01-mot.md"
    lesson.write_text(lesson.read_text() + "\nKhông được Giả làm nạn nhân.\n", encoding="utf-8")
    questions = folder / "questions.yml"
    questions.write_text(questions.read_text().replace('"Câu hỏi một?"',
                                                       '"Ai giả danh nạn nhân?"'))
    warnings = _warnings(content_dir)
    assert f"{lesson}:9: warning: 'Giả làm nạn nhân' — the glossary term is " \
           f"'giả mạo là nạn nhân'" in warnings
    assert any(w.startswith(f"{questions}:4: warning: 'giả danh nạn nhân'") for w in warnings)


def test_quoted_variant_is_a_mention_not_a_use(app, content_dir):
    """A variant inside quotation marks is not reported."""
    folder = write_course(content_dir)
    (content_dir / "glossary.yml").write_text(GLOSSARY, encoding="utf-8")
    lesson = folder / "lessons" / "01-mot.md"
    lesson.write_text(lesson.read_text() + '\nTài liệu cũ viết "giả làm nạn nhân" và '
                                           '“giả danh nạn nhân”.\n', encoding="utf-8")
    assert [w for w in _warnings(content_dir) if "glossary" in w] == []


def test_minutes_far_from_hours_is_a_warning(app, content_dir):
    """Three 10-minute lessons for a 2-hour course are reported on the hours line."""
    folder = write_course(content_dir)
    assert [w for w in _warnings(content_dir) if "minutes" in w] == [
        f"{folder / 'course.yml'}:4: warning: the lessons add up to 30 minutes but 'hours' says "
        f"2 (120 minutes); make them agree within 25%"]
    text = (folder / "course.yml").read_text().replace("hours: 2", "hours: 0.5")
    (folder / "course.yml").write_text(text)
    assert _warnings(content_dir) == []


def test_bad_glossary_is_an_error(app, content_dir):
    """A glossary entry without a source, or a term listed twice, is an error with its line."""
    (content_dir / "glossary.yml").write_text(
        GLOSSARY + '- term: "chuyển tuyến"\n  definition: "Lặp."\n', encoding="utf-8")
    errors = []
    load_glossary(content_dir, errors)
    reasons = [str(e) for e in errors]
    assert any(":9: 'source' is required" in r for r in reasons)
    assert any("'chuyển tuyến' is already in the glossary (line 5)" in r for r in reasons)


def test_cli_prints_warnings_and_still_passes(runner, content_dir):
    """`content check` prints warnings but exits 0; a broken glossary exits 1."""
    write_course(content_dir)
    result = runner.invoke(args=["lms", "content", "check", str(content_dir)])
    assert result.exit_code == 0 and "1 warning(s) — OK" in result.output
    (content_dir / "glossary.yml").write_text("- term: 3\n", encoding="utf-8")
    result = runner.invoke(args=["lms", "content", "check", str(content_dir)])
    assert result.exit_code == 1 and "glossary.yml:1:" in result.output
