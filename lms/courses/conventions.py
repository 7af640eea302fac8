"""Content conventions that `content check` reports as warnings, not errors.

- The glossary (`content/glossary.yml`): one preferred term per thing; a deprecated variant used
  in a lesson, a question or a course summary is reported with the term to use instead. A variant
  inside quotation marks ("…" or “…”) is a mention (quoting a wrong practice, an old title), not a
  use, and is not reported.
- Lesson minutes against the course's stated hours: a course whose lessons add up to far less or
  far more than its hours misleads trainers planning a session and the hours on certificates.
"""

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from lms.courses.sources import Checker, ContentError, CourseSpec, Doc, read_text, read_yaml

GLOSSARY_FILE = "glossary.yml"
GLOSSARY_KEYS = {"term", "deprecated", "definition", "source"}
# Lesson minutes may differ from hours × 60 by this share (tests and discussion take time too).
MINUTES_TOLERANCE = 0.25
_QUOTED = re.compile(r"“[^”]*”|\"[^\"\n]*\"")


@dataclass(frozen=True)
class Term:
    """A glossary entry: the preferred term, its deprecated variants, definition and source."""

    term: str
    deprecated: tuple[str, ...]
    definition: str
    source: str
    line: int

    @property
    def pattern(self) -> re.Pattern | None:
        """A case-insensitive whole-word pattern matching any deprecated variant."""
        if not self.deprecated:
            return None
        words = sorted(self.deprecated, key=len, reverse=True)
        return re.compile(r"(?<!\w)(" + "|".join(map(re.escape, words)) + r")(?!\w)",
                          re.IGNORECASE)


def load_glossary(root: Path, errors: list[ContentError]) -> list[Term]:
    """Read and validate `root/glossary.yml` (absent: no glossary); format errors are errors."""
    path = root / GLOSSARY_FILE
    doc = read_yaml(path, errors)
    if doc is None:
        return []
    if not isinstance(doc.data, list):
        errors.append(ContentError(path, 1, "glossary.yml must be a list of entries "
                                            "(each starting with '- term: …')"))
        return []
    check = Checker(doc, errors)
    terms, owner = [], {}
    for i, item in enumerate(doc.data):
        if not isinstance(item, dict):
            check.error((i,), "each entry must be a mapping (term, deprecated, definition, "
                              "source)")
            continue
        before = len(errors)
        check.unknown(item, (i,), GLOSSARY_KEYS)
        term = check.text(item, (i,), "term")
        definition = check.text(item, (i,), "definition")
        source = check.text(item, (i,), "source")
        deprecated = item.get("deprecated", [])
        if not isinstance(deprecated, list) or not all(
                isinstance(v, str) and v.strip() for v in deprecated):
            check.error((i, "deprecated"), "'deprecated' must be a list of texts (may be empty)")
            continue
        variants = tuple(unicodedata.normalize("NFC", v.strip()) for v in deprecated)
        for key in (term, *variants):
            if key is None:
                continue
            folded = key.casefold()
            if folded in owner:
                check.error((i,), f"{key!r} is already in the glossary (line {owner[folded]})")
            owner[folded] = doc.line(i)
        if term and any(v.casefold() == term.casefold() for v in variants):
            check.error((i, "deprecated"), "a term cannot be its own deprecated variant")
        if len(errors) == before:
            terms.append(Term(term, variants, definition, source, doc.line(i)))
    return terms


def _unquoted(text: str) -> str:
    """The text with quoted passages blanked out (same length, so columns stay true)."""
    return _QUOTED.sub(lambda m: " " * len(m.group()), text)


def _scan(text: str, terms: list[Term], path: Path, line: int,
          out: list[ContentError]) -> None:
    for offset, row in enumerate(text.splitlines()):
        plain = _unquoted(row)
        for term in terms:
            pattern = term.pattern
            if pattern is None:
                continue
            for match in pattern.finditer(plain):
                out.append(ContentError(path, line + offset,
                                        f"warning: {match.group()!r} — the glossary term is "
                                        f"{term.term!r}"))


def glossary_warnings(specs: list[CourseSpec], terms: list[Term]) -> list[ContentError]:
    """Every use of a deprecated variant in summaries, lessons and questions."""
    out: list[ContentError] = []
    if not terms:
        return out
    for spec in specs:
        course_file = spec.path / "course.yml"
        doc = Doc(read_text(course_file, []) or "", course_file, [])
        for name in ("title", "summary"):
            _scan(getattr(spec, name), terms, course_file, doc.line(name), out)
        for lesson in spec.lessons:
            # The body starts after the front matter; scan the file itself for true line numbers.
            text = read_text(lesson.path, []) or ""
            _scan(unicodedata.normalize("NFC", text), terms, lesson.path, 1, out)
        path = spec.path / "questions.yml"
        if spec.questions:
            doc = Doc(read_text(path, []) or "", path, [])
            for i, item in enumerate(doc.data or []):
                if not isinstance(item, dict):
                    continue
                for name in ("text", "explanation"):
                    _scan(unicodedata.normalize("NFC", str(item.get(name, ""))), terms, path,
                          doc.line(i, name), out)
                for key, option in (item.get("options") or {}).items():
                    _scan(unicodedata.normalize("NFC", str(option)), terms, path,
                          doc.line(i, "options", key), out)
    return out


def minutes_warnings(specs: list[CourseSpec]) -> list[ContentError]:
    """Courses whose lesson minutes are far from the stated hours."""
    out = []
    for spec in specs:
        minutes = sum(lesson.minutes for lesson in spec.lessons)
        stated = spec.hours * 60
        if abs(minutes - stated) > MINUTES_TOLERANCE * stated:
            course_file = spec.path / "course.yml"
            doc = Doc(read_text(course_file, []) or "", course_file, [])
            out.append(ContentError(course_file, doc.line("hours"),
                                    f"warning: the lessons add up to {minutes} minutes but "
                                    f"'hours' says {spec.hours:g} ({stated:g} minutes); make "
                                    f"them agree within {MINUTES_TOLERANCE:.0%}"))
    return out


def content_warnings(specs: list[CourseSpec], terms: list[Term]) -> list[ContentError]:
    """All warnings for checked content, in file order."""
    found = glossary_warnings(specs, terms) + minutes_warnings(specs)
    return sorted(found, key=lambda w: (str(w.path), w.line or 0))
