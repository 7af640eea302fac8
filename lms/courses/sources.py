"""Reading course sources: errors with file and line, YAML with node marks, and the specs that
the loader, the conventions, the position paths and the quality checks share."""

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml


@dataclass(frozen=True)
class ContentError:
    """One problem in the sources: file, line (1-based, when known) and reason."""

    path: Path
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        return f"{where}: {self.reason}"


class ContentInvalid(Exception):
    """The content has errors; nothing was (or will be) loaded."""

    def __init__(self, errors: list[ContentError]):
        super().__init__(f"{len(errors)} content error(s)")
        self.errors = errors


@dataclass
class LessonSpec:
    """A validated lesson file."""

    slug: str
    position: int
    title: str
    minutes: int
    body_md: str
    path: Path


@dataclass
class QuestionSpec:
    """A validated question of the bank, in the stored shape."""

    key: str
    lesson_slug: str
    type: str
    text: str
    options: list[dict]
    answer: list
    explanation: str
    difficulty: str = "medium"
    form: str | None = None
    kind: str | None = None
    line: int = 0


@dataclass
class CourseSpec:
    """A validated course folder."""

    slug: str
    path: Path
    title: str
    summary: str
    audience: list[str]
    hours: float
    counts_toward_target: bool
    pass_mark: int
    version: str
    sources: list[str]
    validity_months: int | None
    settings: dict
    content_hash: str
    lessons: list[LessonSpec] = field(default_factory=list)
    questions: list[QuestionSpec] = field(default_factory=list)


def nfc(value):
    """NFC-normalise every string inside `value` (lists and dicts walked)."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [nfc(v) for v in value]
    if isinstance(value, dict):
        return {nfc(k): nfc(v) for k, v in value.items()}
    return value


class Doc:
    """A parsed YAML document with the node tree kept to report line numbers."""

    def __init__(self, text: str, path: Path, errors: list[ContentError], line_offset: int = 0):
        self.path, self.offset = path, line_offset
        self.node = self.data = None
        self.ok = True
        try:
            self.node = yaml.compose(text, Loader=yaml.SafeLoader)
            self.data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            line = mark.line + 1 + line_offset if mark else None
            problem = getattr(exc, "problem", None) or str(exc)
            errors.append(ContentError(path, line, f"invalid YAML: {problem}"))
            self.ok = False

    def _find(self, keys: tuple) -> tuple[yaml.Node | None, bool]:
        """The deepest node on the `keys` path; True when the whole path exists."""
        node = self.node
        for key in keys:
            child = None
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if key_node.value == str(key):
                        child = value_node
                        break
            elif (isinstance(node, yaml.SequenceNode) and isinstance(key, int)
                  and 0 <= key < len(node.value)):
                child = node.value[key]
            if child is None:
                return node, False
            node = child
        return node, True

    def line(self, *keys) -> int:
        """The 1-based line of the value at `keys` (or of its closest existing parent)."""
        node, _found = self._find(keys)
        if node is None:
            return 1 + self.offset
        return node.start_mark.line + 1 + self.offset

    def key_line(self, *keys) -> int:
        """The line of the key itself (for the last element of `keys`)."""
        parent, found = self._find(keys[:-1])
        if found and isinstance(parent, yaml.MappingNode):
            for key_node, _value in parent.value:
                if key_node.value == str(keys[-1]):
                    return key_node.start_mark.line + 1 + self.offset
        return self.line(*keys)


class Checker:
    """Collects errors for one file."""

    def __init__(self, doc: Doc, errors: list[ContentError]):
        self.doc, self.errors = doc, errors

    def error(self, keys: tuple, reason: str) -> None:
        self.errors.append(ContentError(self.doc.path, self.doc.line(*keys), reason))

    def text(self, data: dict, keys: tuple, name: str, required: bool = True) -> str | None:
        value = data.get(name)
        if value is None:
            if required:
                self.error(keys, f"'{name}' is required")
            return None
        if not isinstance(value, str) or not value.strip():
            self.error(keys + (name,), f"'{name}' must be non-empty text")
            return None
        return unicodedata.normalize("NFC", value.strip())

    def integer(self, data: dict, keys: tuple, name: str, low: int | None = 1,
                high: int | None = None, required: bool = True) -> int | None:
        value = data.get(name)
        if value is None:
            if required:
                self.error(keys, f"'{name}' is required")
            return None
        bad = isinstance(value, bool) or not isinstance(value, int)
        if not bad and ((low is not None and value < low) or (high is not None and value > high)):
            bad = True
        if bad:
            bounds = f"from {low}" + (f" to {high}" if high is not None else "")
            self.error(keys + (name,), f"'{name}' must be a whole number {bounds}, "
                                       f"not {value!r}")
            return None
        return value

    def boolean(self, data: dict, keys: tuple, name: str, default: bool | None = None):
        value = data.get(name, default)
        if not isinstance(value, bool):
            self.error(keys + (name,) if name in data else keys,
                       f"'{name}' must be true or false" + ("" if name in data else
                                                            " (it is missing)"))
            return None
        return value

    def unknown(self, data: dict, keys: tuple, allowed: set) -> None:
        for name in data:
            if name not in allowed:
                self.errors.append(ContentError(self.doc.path, self.doc.key_line(*keys, name),
                                                f"unknown key '{name}' (allowed: "
                                                f"{', '.join(sorted(allowed))})"))


# --- reading a course folder -----------------------------------------------------------------

def read_text(path: Path, errors: list[ContentError]) -> str | None:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        errors.append(ContentError(path, None, f"not UTF-8 text ({exc.reason})"))
    except OSError as exc:
        errors.append(ContentError(path, None, f"cannot read: {exc.strerror}"))
    return None


def read_yaml(path: Path, errors: list[ContentError]) -> "Doc | None":
    """The parsed YAML file with its line numbers; None when absent or unreadable (reported)."""
    if not path.is_file():
        return None
    text = read_text(path, errors)
    if text is None:
        return None
    doc = Doc(text, path, errors)
    return doc if doc.ok else None
