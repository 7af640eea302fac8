"""A streaming merger of small reportlab PDFs into one PDF, chunk by chunk.

reportlab keeps every page of a canvas until `save()`, so a long batch is drawn as several small,
complete PDFs (a few dozen pages each). `StreamMerger` turns them into one valid PDF as they come:
each chunk's objects are renumbered (indirect references `N G R` are rewritten only outside stream
data, which is copied byte for byte using its /Length), the chunk's Catalog is dropped, its Pages
node is hung under one new root Pages object, and byte offsets are counted as the bytes are
handed out; `finish()` writes the root Pages, the Catalog, the cross-reference table and the
trailer. Only the first chunk's Info dictionary is kept.

The parser expects what reportlab writes: a classic `xref` table (no object streams, no
incremental updates) and direct /Length values. Anything else raises `ValueError`.
"""

import hashlib
import re
from array import array
from collections.abc import Iterator

HEADER = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
ROOT_PAGES, CATALOG = 1, 2  # reserved numbers, written last

_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_XREF_ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([nf])")
_OBJ_HEADER = re.compile(rb"(\d+) (\d+) obj\s")
_REF = re.compile(rb"(?<![\d.])(\d+) (\d+) R(?![A-Za-z])")
_STREAM = re.compile(rb">>\s*stream\r?\n")
_LENGTH = re.compile(rb"/Length\s+(\d+)(?![\d.\s]*\s+\d+\s+R)(?=[\s/>\]])")
_SUBSET_TAG = re.compile(rb"/([A-Z]{6})\+")


def _ref_value(trailer: bytes, key: bytes) -> int | None:
    """The object number of an indirect `/key N 0 R` in a dictionary's text (None if absent)."""
    match = re.search(rb"/" + key + rb"\s+(\d+)\s+\d+\s+R", trailer)
    return int(match.group(1)) if match else None


def _objects(data: bytes) -> tuple[list[tuple[int, int]], bytes, int]:
    """((number, offset) of the in-use objects sorted by offset, trailer text, xref offset)."""
    match = _STARTXREF.search(data[-64:])
    if not match:
        raise ValueError("no startxref at the end of the PDF")
    xref_at = int(match.group(1))
    if not data.startswith(b"xref", xref_at):
        raise ValueError("not a classic xref table (object streams are not supported)")
    trailer_at = data.index(b"trailer", xref_at)
    lines = data[xref_at + 4:trailer_at].split(b"\n")
    objects, number = [], 0
    for line in lines:
        line = line.strip()
        if not line:
            continue
        entry = _XREF_ENTRY.match(line)
        if entry:
            if entry.group(3) == b"n":
                objects.append((number, int(entry.group(1))))
            number += 1
        else:  # a subsection header "first count"
            first, _count = line.split()
            number = int(first)
    if b"/Prev" in data[trailer_at:]:
        raise ValueError("incremental updates are not supported")
    objects.sort(key=lambda item: item[1])
    return objects, data[trailer_at:], xref_at


def _tag(original: bytes, shift: int) -> bytes:
    """A font subset tag moved by `shift` (six capital letters, base 26), unique per chunk."""
    value = 0
    for letter in original:
        value = value * 26 + letter - 65
    value = (value + shift) % 26 ** 6
    letters = []
    for _ in range(6):
        value, rest = divmod(value, 26)
        letters.append(65 + rest)
    return bytes(reversed(letters))


class StreamMerger:
    """Merge complete PDFs (as bytes, one at a time) into one PDF, returning bytes as it goes.

    Usage: `yield merger.header()`, then `yield merger.add(chunk)` for each chunk, then
    `yield merger.finish()`. Memory holds one chunk plus an array of object offsets (8 bytes
    an object).
    """

    def __init__(self):
        self.position = 0
        self.offsets = array("Q", [0, 0])  # by object number - 1; numbers come in order
        self.next_number = CATALOG + 1
        self.kids: list[int] = []
        self.count = 0
        self.info: int | None = None
        self.chunks = 0
        self.digest = hashlib.md5(usedforsecurity=False)
        self.started = False

    def _out(self, data: bytes) -> bytes:
        self.position += len(data)
        self.digest.update(data)
        return data

    def header(self) -> bytes:
        """The file header (call once, first)."""
        if self.started:
            raise ValueError("header already written")
        self.started = True
        return self._out(HEADER)

    def add(self, data: bytes) -> bytes:
        """Append every page of the PDF `data`; returns the bytes to send for it."""
        if not self.started:
            raise ValueError("header() must come first")
        objects, trailer, xref_at = _objects(data)
        root = _ref_value(trailer, b"Root")
        info = _ref_value(trailer, b"Info")
        ends = [offset for _, offset in objects[1:]] + [xref_at]
        bodies = {number: data[offset:end] for (number, offset), end in zip(objects, ends,
                                                                            strict=True)}
        if root not in bodies:
            raise ValueError("the Catalog is missing")
        pages = _ref_value(bodies[root], b"Pages")
        if pages not in bodies:
            raise ValueError("the Pages node is missing")
        keep_info = self.info is None and info in bodies
        mapping = {}
        for number, _offset in objects:
            if number == root or (number == info and not keep_info):
                continue
            mapping[number] = self.next_number
            self.next_number += 1
        if keep_info:
            self.info = mapping[info]
        shift = 1000 * self.chunks
        self.chunks += 1

        def text(fragment: bytes) -> bytes:
            def renumber(match: re.Match) -> bytes:
                old = int(match.group(1))
                if old not in mapping:
                    raise ValueError(f"reference to object {old}, which is not kept")
                return b"%d 0 R" % mapping[old]  # every merged object is generation 0

            fragment = _REF.sub(renumber, fragment)
            if shift:
                fragment = _SUBSET_TAG.sub(lambda m: b"/" + _tag(m.group(1), shift) + b"+",
                                           fragment)
            return fragment

        parts = []
        for number, _offset in objects:
            if number not in mapping:
                continue
            body = bodies[number]
            head = _OBJ_HEADER.match(body)
            if not head or int(head.group(1)) != number:
                raise ValueError(f"object {number} is not where the xref says")
            rest = body[head.end():]
            stream = _STREAM.search(rest)
            if stream:
                dictionary = rest[:stream.start() + 2]
                length = _LENGTH.search(dictionary)
                if not length:
                    raise ValueError(f"object {number}: stream without a direct /Length")
                start = stream.end()
                payload = rest[start:start + int(length.group(1))]
                if not rest[start + len(payload):].lstrip().startswith(b"endstream"):
                    raise ValueError(f"object {number}: /Length does not end at endstream")
                tail = b"stream\n" + payload + b"\nendstream\nendobj\n"
            else:
                end = rest.rfind(b"endobj")
                if end < 0:
                    raise ValueError(f"object {number} has no endobj")
                dictionary, tail = rest[:end].rstrip(), b"\nendobj\n"
            dictionary = text(dictionary.strip())
            if number == pages:
                if b"/Parent" in dictionary or not dictionary.startswith(b"<<"):
                    raise ValueError("the chunk's Pages node is not a root")
                count = re.search(rb"/Count\s+(\d+)", dictionary)
                if not count:
                    raise ValueError("the chunk's Pages node has no /Count")
                self.count += int(count.group(1))
                self.kids.append(mapping[number])
                dictionary = b"<< /Parent %d 0 R " % ROOT_PAGES + dictionary[2:]
            new = mapping[number]
            if new != len(self.offsets) + 1:
                raise ValueError("objects out of order")
            self.offsets.append(self.position + sum(len(p) for p in parts))
            parts.append(b"%d 0 obj\n" % new + dictionary + b"\n" + tail)
        return self._out(b"".join(parts))

    def finish(self) -> bytes:
        """The root Pages, the Catalog, the xref table and the trailer (call once, last)."""
        if not self.kids:
            raise ValueError("no pages were added")
        parts = []

        def put(number: int, body: bytes) -> None:
            self.offsets[number - 1] = self.position + sum(len(p) for p in parts)
            parts.append(b"%d 0 obj\n%s\nendobj\n" % (number, body))

        kids = b" ".join(b"%d 0 R" % kid for kid in self.kids)
        put(ROOT_PAGES, b"<< /Type /Pages /Kids [ %s ] /Count %d >>" % (kids, self.count))
        put(CATALOG, b"<< /Type /Catalog /Pages %d 0 R /PageMode /UseNone >>" % ROOT_PAGES)
        xref_at = self.position + sum(len(p) for p in parts)
        size = self.next_number
        lines = [b"xref\n0 %d\n" % size, b"0000000000 65535 f \n"]
        lines.extend(b"%010d 00000 n \n" % offset for offset in self.offsets)
        parts.append(b"".join(lines))
        ident = self.digest.hexdigest().encode()
        info = b"/Info %d 0 R " % self.info if self.info else b""
        parts.append(b"trailer\n<< /Size %d /Root %d 0 R %s/ID [ <%s> <%s> ] >>\n"
                     b"startxref\n%d\n%%%%EOF\n" % (size, CATALOG, info, ident, ident, xref_at))
        return self._out(b"".join(parts))


def merge(chunks) -> Iterator[bytes]:
    """One PDF from an iterable of complete PDFs, as a stream of byte parts (one per chunk)."""
    merger = StreamMerger()
    yield merger.header()
    for chunk in chunks:
        yield merger.add(chunk)
    yield merger.finish()
