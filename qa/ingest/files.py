"""One entry point for a user's file: `parse_file(path)` checks it, hands it to the parser for its
format (in a child process with bounded memory and time, qa/ingest/isolated.py), and adds the title,
year and area guessed from its first lines.

Every problem with a file is a DocumentError whose message names the file and says what to do.
The file is read once, as bytes, and parsers work on those bytes: nothing is passed to a shell or
another program, so any file name (spaces, quotes, a leading dash, any script) is safe. Only
regular files are read: a symbolic link, a named pipe or a device is refused without being opened
for reading (a pipe would block, /dev/zero would never end).
"""

from __future__ import annotations

import datetime
import errno
import os
import re
import stat
from dataclasses import replace
from pathlib import Path

from ..errors import DocumentError
from .limits import ParseLimits, megabytes
from .parsed import ParsedFile

SUPPORTED = {".pdf", ".docx", ".html", ".htm", ".txt", ".md"}


def parse_file(path: Path, limits: ParseLimits | None = None, *, isolated: bool = True) -> ParsedFile:
    """Read and parse a user's file; `isolated` parses in a child process under the limits' memory
    and time (the default everywhere a file comes from outside)."""
    path = Path(path)
    limits = limits or ParseLimits()
    data = read_file(path, max_bytes=limits.max_file_bytes)
    if isolated:
        from .isolated import parse_isolated

        return parse_isolated(data, path.name or str(path), limits)
    return parse_data(data, path, limits)


def read_file(path: Path, *, max_bytes: int = ParseLimits.max_file_bytes) -> bytes:
    """A file's bytes, after the checks every format shares: a supported type, a regular file (not
    a link, pipe, device or folder), not empty, not too big. Never blocks on a special file."""
    path = Path(path)
    name = path.name or str(path)
    suffix = path.suffix.lower()
    if path.is_dir() and not path.is_symlink():
        raise DocumentError(f"'{name}' is a folder, not a file; choose the file inside it.")
    if suffix not in SUPPORTED:
        kind = f"a {suffix} file" if suffix else "a file without an extension"
        raise DocumentError(f"'{name}' is {kind}, which cannot be added; save it as one of "
                            f"{', '.join(sorted(SUPPORTED))} and add that.")
    with open_regular(path, name) as handle:
        size = os.fstat(handle.fileno()).st_size
        if size == 0:
            raise DocumentError(f"'{name}' is empty (0 bytes); check that it was saved or downloaded completely.")
        if size > max_bytes:
            raise DocumentError(f"'{name}' is {megabytes(size)}, over the limit of {megabytes(max_bytes)}; "
                                "split it into smaller files or raise the limit.")
        try:
            data = handle.read(max_bytes + 1)
        except OSError as error:
            raise DocumentError(f"'{name}' cannot be read ({error.strerror}); check that it is readable.") from None
    if len(data) > max_bytes:      # it grew while being read
        raise DocumentError(f"'{name}' is over the limit of {megabytes(max_bytes)}; split it into smaller files.")
    return data


_SPECIAL = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"),
            (stat.S_ISSOCK, "a socket"))


def open_regular(path: Path, name: str | None = None):
    """Open a regular file for reading, refusing anything else before a byte is read: a symbolic
    link (O_NOFOLLOW), a folder, a named pipe or a device (O_NONBLOCK keeps the open of a pipe with no
    writer from waiting). Returns a binary file object."""
    path = Path(path)
    name = name or path.name or str(path)
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise DocumentError(f"'{name}' does not exist; check the file name and folder ({path}).") from None
    except OSError as error:
        if error.errno == errno.ELOOP:
            target = os.path.realpath(path)
            raise DocumentError(f"'{name}' is a symbolic link (to {target}); links are not followed, so add the "
                                "file itself.") from None
        raise DocumentError(f"'{name}' cannot be opened ({error.strerror}); check that it is readable.") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise DocumentError(f"'{name}' is a folder, not a file; choose the file inside it.")
        if not stat.S_ISREG(mode):
            what = next((label for test, label in _SPECIAL if test(mode)), "not a regular file")
            raise DocumentError(f"'{name}' is {what}, not a regular file; only saved files can be added.")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def parse_data(data: bytes, path: Path, limits: ParseLimits | None = None) -> ParsedFile:
    """Parse bytes read from `path` in this process (its name and extension choose the parser and
    name it in messages)."""
    path = Path(path)
    limits = limits or ParseLimits()
    name = path.name or str(path)
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        from .pdf import parse_pdf
        parsed = parse_pdf(data, name, limits)
    elif suffix == ".docx":
        from .docx import parse_docx
        parsed = parse_docx(data, name, limits)
    elif suffix in (".html", ".htm"):
        from .html import parse_html
        parsed = parse_html(data, name)
    else:
        from .text import parse_text
        parsed = parse_text(data, name, markdown=suffix == ".md")
    if len(parsed.text) > limits.max_characters:
        raise DocumentError(f"'{name}' holds {len(parsed.text):,} characters of text, over the limit of "
                            f"{limits.max_characters:,}; split it into smaller files.")
    title, year, area = guess_metadata(parsed.text)
    return replace(parsed, title=parsed.title or title, year=parsed.year or year, area=parsed.area or area)


# --- metadata guesses ----------------------------------------------------------------------------------

HEAD_CHARS = 3000        # "the first lines": about a cover page
AREA_CHARS = 20000       # the area is also often named first in the introduction

_MONTH_NAMES = ("january|february|march|april|may|june|july|august|september|october|november|december|"
                "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")
_YEAR = re.compile(r"(?<!\d)(20[0-3]\d)(?!\d)")
_PUBLISHED = re.compile(r"\b(?:published|publication|date[d]?|issued|approved|final|version|updated|revised)\b|©|"
                        r"\bcopyright\b", re.IGNORECASE)
_DATED = re.compile(rf"\b(?:{_MONTH_NAMES})\.?,?\s+(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s+)?20[0-3]\d\b|"
                    r"\b\d{1,2}[/.-]\d{1,2}[/.-]20[0-3]\d\b", re.IGNORECASE)
# Not titles: protective markings, page furniture, links.
_NOT_TITLE = re.compile(r"^(?:official(?:[- ]sensitive)?|confidential|sensitive|draft|restricted|protect|"
                        r"not protectively marked|private|final|final report|page \d+.*|contents)\W*$", re.IGNORECASE)

# A numbered section heading ("1. Summary") is the start of the body, not the document's title.
_SECTION_NUMBER = re.compile(r"^\d{1,2}(?:\.\d{1,2})*\.?\s")
_AREA_KIND = re.compile(
    r"(?<![\w-])(?:(?:Local|Regional)\s+)?(?:Safeguarding\s+(?:Children(?:['’]s)?\s+|Adults?\s+)?|"
    r"Children(?:['’]s)?\s+Safeguarding\s+)(?:Partnership|Board)\b|"
    r"(?<![\w-])(?:Child|Children(?:['’]s)?|Public)\s+Protection\s+Committee\b", re.IGNORECASE)
_AREA_FOR = re.compile(r"\bSafeguarding\s+Board\s+for\s+(?:the\s+)?([A-Z][\w'’-]*(?:[ \t]+[A-Z][\w'’-]*){0,3})",
                       re.IGNORECASE)
_AREA_WORD = re.compile(r"[\w'’.&-]+")
_CONNECTORS = {"and", "&", "of", "upon", "on", "the", "with", "in"}
# Words that precede an area's name without being part of it ("Independent Chair of the ...").
_NOT_AREA = {"chair", "chairman", "chairperson", "independent", "report", "review", "manager", "member",
             "members", "business", "unit", "author", "behalf", "commissioned", "published", "annual", "practice",
             "child", "children", "safeguarding", "partnership", "board", "panel", "serious", "case", "executive",
             "summary", "overview", "learning", "rapid", "local", "regional", "by", "for", "from", "to", "a", "an"}
_AREA_TRAILING = {"borough", "county", "metropolitan", "district", "city", "council"}

def guess_metadata(text: str) -> tuple[str | None, int | None, str | None]:
    """(title, year, area) from a document's first lines; None where nothing plausible is found."""
    head = text[:HEAD_CHARS]
    return _guess_title(head), _guess_year(head), _guess_area(head) or _guess_area(text[:AREA_CHARS])


def _guess_title(head: str) -> str | None:
    """The first substantial line; a short line under a generic one completes it
    ("Child Safeguarding Practice Review" + "Child Q")."""
    lines = [" ".join(line.split()) for line in head.split("\n") if line.strip()]
    for i, line in enumerate(lines[:12]):
        if len(line) > 200:
            return None      # the text starts with prose: there is no title line
        letters = sum(ch.isalpha() for ch in line)
        if letters < 4 or _NOT_TITLE.match(line) or re.match(r"(?:https?://|www\.)", line, re.IGNORECASE) \
                or _YEAR.fullmatch(line) or _DATED.fullmatch(line) or _SECTION_NUMBER.match(line):
            continue
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if len(line.split()) <= 8 and not line.endswith((".", ":")) and following and len(following) <= 40 \
                and len(following.split()) <= 4 and following[:1].isupper() and not re.search(r"[\d:.]", following) \
                and not _AREA_KIND.search(following):
            return f"{line}: {following}"
        return line
    return None


def _guess_year(head: str) -> int | None:
    """A publication year 2000-2035 near the top. A year on a line saying "published", "date" and the
    like wins; then a year written with a month; then any year on the title page. Among equals the
    latest wins: reports are published after the events they describe."""
    latest = min(2035, datetime.date.today().year + 1)
    ranked: dict[int, list[int]] = {2: [], 1: [], 0: []}
    for line in head.split("\n"):
        years = [int(y) for y in _YEAR.findall(line) if 2000 <= int(y) <= latest]
        if not years:
            continue
        if _PUBLISHED.search(line):
            ranked[2].extend(years)
        dated = [int(m.group(0)[-4:]) for m in _DATED.finditer(line)]
        ranked[1].extend(y for y in dated if 2000 <= y <= latest)
        ranked[0].extend(years)
    for rank in (2, 1, 0):
        if ranked[rank]:
            return max(ranked[rank])
    return None


def _guess_area(text: str) -> str | None:
    """X in "X Safeguarding Children Partnership", "X Local Safeguarding Children Board",
    "X Child Protection Committee", "Safeguarding Board for X": the first one named."""
    candidates = []
    for kind in _AREA_KIND.finditer(text):
        line_start = text.rfind("\n", 0, kind.start()) + 1
        name = _name_before(text[line_start:kind.start()])
        if name:
            candidates.append((kind.start(), name))
    match = _AREA_FOR.search(text)
    if match:
        candidates.append((match.start(), match.group(1)))
    if not candidates:
        return None
    area = min(candidates)[1]
    if area.isupper():
        area = " ".join(w.lower() if w.lower() in _CONNECTORS else w.capitalize() for w in area.split())
    return area


def _name_before(before: str) -> str | None:
    """The capitalised words (and joining words such as "and", "upon") just before an area kind."""
    words = _AREA_WORD.findall(before)
    name: list[str] = []
    for word in reversed(words[-8:]):
        lower = word.lower()
        if lower in _NOT_AREA or not (word[0].isupper() or lower in _CONNECTORS):
            break
        name.insert(0, word)
    while name and (name[0].lower() in _CONNECTORS):
        name.pop(0)
    while name and name[-1].lower() in _AREA_TRAILING | _CONNECTORS:
        name.pop()
    return " ".join(name).strip(" ,.-") or None
