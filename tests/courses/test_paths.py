"""Paths by position (content/paths.yml): declared, complete and consistent with the courses."""

import pytest

from lms.courses.loader import ContentInvalid, check_content
from lms.courses.paths import check_paths
from lms.units.positions import POSITIONS, parse_position, position_label
from tests.courses.conftest import write_course
from tests.courses.test_cli import REPO_CONTENT


def _paths_yml(**override):
    """A complete paths.yml requiring the fixture course of its two audience positions."""
    paths = {code: [] for code in POSITIONS} | {"can_bo_xa": ["khoa-thu"],
                                                "cong_an": ["khoa-thu"]} | override
    return "".join(f"{code}: [{', '.join(slugs)}]\n" for code, slugs in paths.items())


def _errors(content_dir):
    with pytest.raises(ContentInvalid) as exc:
        check_content(content_dir)
    return [str(e) for e in exc.value.errors]


def test_new_positions_are_on_the_roster():
    """Health station staff and the coast guard are positions, found by code or label."""
    assert parse_position("Nhân viên trạm y tế") == "y_te"
    assert parse_position("canh sat bien") == "canh_sat_bien"
    assert position_label("canh_sat_bien") == "Cảnh sát biển"


def test_complete_paths_pass(app, content_dir):
    """A path for every position, each course in its audience, passes and is returned."""
    write_course(content_dir)
    (content_dir / "paths.yml").write_text(_paths_yml(), encoding="utf-8")
    specs = check_content(content_dir)
    paths = check_paths(content_dir, specs, [])
    assert paths["can_bo_xa"] == ["khoa-thu"] and paths["khac"] == []
    assert set(paths) == set(POSITIONS)


def test_no_paths_file_declares_nothing(app, content_dir):
    """Without paths.yml nothing is required and nothing fails."""
    write_course(content_dir)
    assert check_paths(content_dir, check_content(content_dir), []) == {}


@pytest.mark.parametrize(("override", "reason"), [
    ({"kiem_lam": []}, "paths.yml:12: unknown position code 'kiem_lam'"),
    ({"cong_an": ["khoa-khong-co"]}, "paths.yml:2: course 'khoa-khong-co' does not exist"),
    ({"truong_thon": ["khoa-thu"]}, "paths.yml:3: course 'khoa-thu' does not list "
                                    "'truong_thon' in its audience"),
    ({"cong_an": ["khoa-thu", "khoa-thu"]}, "paths.yml:2: 'khoa-thu' is listed twice"),
])
def test_wrong_paths_are_errors_with_line(app, content_dir, override, reason):
    """Unknown position, unknown course, course outside its audience, duplicates: file:line."""
    write_course(content_dir)
    (content_dir / "paths.yml").write_text(_paths_yml(**override), encoding="utf-8")
    assert any(reason in error for error in _errors(content_dir)), _errors(content_dir)


def test_missing_position_and_course_outside_target_are_errors(app, content_dir):
    """Every position needs a path; a course that does not count toward the target is refused."""
    folder = write_course(content_dir)
    text = (folder / "course.yml").read_text().replace("counts_toward_target: true",
                                                        "counts_toward_target: false")
    (folder / "course.yml").write_text(text)
    paths = _paths_yml().replace("khac: []\n", "")
    (content_dir / "paths.yml").write_text(paths, encoding="utf-8")
    errors = _errors(content_dir)
    assert any("position 'khac' has no path" in e for e in errors)
    assert any("'khoa-thu' does not count toward the target" in e for e in errors)


def test_wrong_paths_block_loading(db, content_dir):
    """`content load` refuses everything while paths.yml is wrong."""
    from lms.courses.loader import load_content

    write_course(content_dir)
    (content_dir / "paths.yml").write_text(_paths_yml(cong_an=["khoa-x"]), encoding="utf-8")
    with pytest.raises(ContentInvalid):
        load_content(content_dir)


def test_repository_paths_cover_every_position(app):
    """The shipped paths name a course for every position and each position has its basics."""
    paths = check_paths(REPO_CONTENT, check_content(REPO_CONTENT), [])
    assert set(paths) == set(POSITIONS)
    assert all("nhan-dien-mua-ban-nguoi" in slugs for slugs in paths.values())
    assert "tiep-nhan-nguoi-tro-ve-nhiem-vu-cap-xa" in paths["can_bo_xa"]
    assert "lua-dao-truc-tuyen-cuong-buc-pham-toi" in paths["canh_sat_bien"]
