"""Paths by position (lộ trình theo chức danh): which courses each roster position must complete.

Declared in `content/paths.yml` as a mapping of position code → list of course slugs. The
coverage reports count a person as "trained" against their position's path. Checked with the
rest of the content (`content check`, `content load`): every position of the roster has a path,
every course exists, counts toward the target and lists the position in its audience.
"""

from pathlib import Path

from lms.courses.sources import ContentError, CourseSpec, read_yaml
from lms.units.positions import POSITIONS

PATHS_FILE = "paths.yml"


def check_paths(root: Path, specs: list[CourseSpec], errors: list[ContentError]) -> dict:
    """Validate `root/paths.yml` against the checked courses; {position: [slug, …]}.

    An absent file declares no path (nothing is checked); a present one must be complete.
    """
    path = root / PATHS_FILE
    doc = read_yaml(path, errors)
    if doc is None:
        return {}
    if not isinstance(doc.data, dict):
        errors.append(ContentError(path, 1, "paths.yml must map position codes to lists of "
                                            "course slugs"))
        return {}
    courses = {spec.slug: spec for spec in specs}
    before = len(errors)
    for code, slugs in doc.data.items():
        if code not in POSITIONS:
            errors.append(ContentError(path, doc.key_line(code), (
                f"unknown position code {code!r} (allowed: {', '.join(POSITIONS)})")))
            continue
        if not isinstance(slugs, list) or not all(isinstance(s, str) for s in slugs):
            errors.append(ContentError(path, doc.line(code), f"the path of {code!r} must be a "
                                                             f"list of course slugs"))
            continue
        seen = set()
        for i, slug in enumerate(slugs):
            spec = courses.get(slug)
            where = doc.line(code, i)
            if slug in seen:
                errors.append(ContentError(path, where, f"{slug!r} is listed twice for {code!r}"))
            elif spec is None:
                errors.append(ContentError(path, where, f"course {slug!r} does not exist "
                                                        f"(courses: {', '.join(sorted(courses))})"))
            elif not spec.counts_toward_target:
                errors.append(ContentError(path, where, f"course {slug!r} does not count toward "
                                                        f"the target, so it cannot be required"))
            elif code not in spec.audience:
                errors.append(ContentError(path, where, f"course {slug!r} does not list {code!r} "
                                                        f"in its audience"))
            seen.add(slug)
    for code in POSITIONS:
        if code not in doc.data:
            errors.append(ContentError(path, None, f"position {code!r} has no path (give it a "
                                                   f"list, [] when it requires no course)"))
    if len(errors) > before:
        return {}
    return {code: list(slugs) for code, slugs in doc.data.items()}

