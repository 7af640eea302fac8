"""Page weight of a lesson: HTML + CSS + JS, gzip-compressed as nginx sends them (level 5,
docs/deployment.md).

Run `python -m bench.page_weight`: builds the app on a temporary SQLite database, loads the
real content/ (or a generated fixture course when content/ has no course), logs in a trainee
and measures the largest lesson page. Prints the figures and writes
bench/results/page_weight.json. Budget: 60 KB excluding images.
"""

import gzip
import json
import random
import re
import sys
import tempfile
from pathlib import Path

BUDGET_BYTES = 60 * 1024
ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results" / "page_weight.json"
_ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src)="(/assets/[^"]+\.(?:css|js))"')

VOCABULARY = ("người bị mua bán cần được tiếp nhận an toàn, tôn trọng và bảo mật thông tin; "
              "cán bộ xã ghi nhận dấu hiệu, hỏi ý kiến nạn nhân và chuyển tuyến đúng nơi")
WORDS = VOCABULARY.split()


def fixture_lesson(words: int = 900) -> str:
    """A Markdown lesson of about `words` words with headings, a list and a table."""
    rng = random.Random(900)  # varied but reproducible text compresses like real prose
    out, n = [], 0
    while n < words:
        sentence = " ".join(rng.choice(WORDS) for _ in range(60))
        block = (f"## Phần {len(out) + 1}\n\n{sentence.capitalize()}.\n\n"
                 "- Việc nên làm: lắng nghe.\n- Việc không được làm: đổ lỗi.\n\n"
                 "| Dấu hiệu | Việc cần làm |\n|---|---|\n| Bị giữ giấy tờ | Báo tin |\n")
        out.append(block)
        n += len(block.split())
    return "\n".join(out)


def write_fixture_course(root: Path, slug: str = "khoa-do-trong-luong") -> Path:
    """A one-lesson course (no quiz) with a ~900-word lesson."""
    folder = root / slug
    (folder / "lessons").mkdir(parents=True)
    (folder / "course.yml").write_text(
        'title: "Khóa đo trọng lượng trang"\nsummary: "Khóa mẫu."\naudience: [can_bo_xa]\n'
        'hours: 1\ncounts_toward_target: false\npass_mark: 70\nversion: "1"\n'
        'sources: ["Tài liệu mẫu"]\n', encoding="utf-8")
    (folder / "lessons" / "01-bai-dai.md").write_text(
        '---\ntitle: "Bài dài"\nminutes: 30\n---\n' + fixture_lesson(), encoding="utf-8")
    return folder


def page_weight(client, url: str) -> dict:
    """Gzip-compressed bytes of a page and of the CSS/JS it links (all fetched from `client`)."""
    page = client.get(url)
    if page.status_code != 200:
        raise RuntimeError(f"{url}: HTTP {page.status_code}")
    html = page.get_data()
    assets = {}
    for href in _ASSET.findall(html.decode()):
        with client.get(href) as response:  # a file response: closed when read
            assets[href] = _gzipped(response.get_data())
    html_gzip = _gzipped(html)
    return {"url": url, "html_gzip": html_gzip, "html_raw": len(html),
            "assets_gzip": assets, "total_gzip": html_gzip + sum(assets.values())}


def _gzipped(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=5, mtime=0))


def valid_courses(content: Path, into: Path) -> int:
    """Link the course folders of `content` that pass the check into `into`; how many."""
    from lms.courses.loader import check_course, course_folders

    into.mkdir(parents=True, exist_ok=True)
    if not content.is_dir():
        return 0
    n = 0
    for folder in course_folders(content):
        errors = []
        if check_course(folder, errors) is not None:
            (into / folder.name).symlink_to(folder, target_is_directory=True)
            n += 1
        else:
            print(f"skipped {folder.name}: {len(errors)} content error(s)")
    return n


def main(argv: list[str] | None = None) -> int:
    """Measure the largest lesson page (of the content folder given, or content/) and write the
    result file."""
    from sqlalchemy import func, select

    from lms import create_app
    from lms.courses.loader import load_content
    from lms.courses.models import Course, Lesson
    from lms.extensions import db
    from lms.units.models import Person, Unit

    tmp = Path(tempfile.mkdtemp(prefix="page-weight-"))
    real = Path(argv[0]).resolve() if argv else ROOT / "content"
    content = tmp / "content"
    count = valid_courses(real, content)
    source = f"{real} ({count} valid course(s))"
    if not count:
        write_fixture_course(content)
        source = "generated fixture (~900 words)"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.db'}",
                      "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "CONTENT_DIR": str(content)})
    with app.app_context():
        db.create_all()
        load_content(content)
        commune = Unit(system="current", code="00001", name="Xã Thử", kind="commune", path="/")
        person = Person(staff_id="B1", full_name="Học viên", name_search="hoc vien",
                        position="can_bo_xa", commune=commune)
        db.session.add_all([commune, person])
        from lms.accounts.services import create_user

        user = create_user("bench-trainee", "trainee", "bench-password-1", person=person)
        db.session.commit()
        course_slug, lesson_slug = db.session.execute(
            select(Course.slug, Lesson.slug).join(Lesson, Lesson.course_id == Course.id)
            .where(Lesson.active.is_(True)).order_by(func.length(Lesson.body_html).desc())
            .limit(1)).one()
        from lms.courses.services import enrol, get_course

        enrol(person, get_course(course_slug), by=user)
        db.session.commit()
    client = app.test_client()
    client.post("/accounts/login", data={"username": "bench-trainee",
                                         "password": "bench-password-1"})
    result = page_weight(client, f"/courses/{course_slug}/lessons/{lesson_slug}")
    result.update({"content": source, "budget_bytes": BUDGET_BYTES,
                   "within_budget": result["total_gzip"] <= BUDGET_BYTES})
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"largest lesson page: {result['url']} ({source})")
    print(f"  HTML: {result['html_raw']} bytes raw, {result['html_gzip']} bytes gzip")
    for href, size in result["assets_gzip"].items():
        print(f"  {href}: {size} bytes gzip")
    print(f"  total: {result['total_gzip']} bytes gzip "
          f"({result['total_gzip'] / 1024:.1f} KB; budget {BUDGET_BYTES // 1024} KB)")
    print(f"written {RESULTS.relative_to(ROOT)}")
    return 0 if result["within_budget"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
