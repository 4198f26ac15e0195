"""One entry point for a user's file: `parse_file(path)` checks it, hands it to the parser for its
format (in a child process with bounded memory and time, qa/ingest/isolated.py), and adds what the
document says about itself (qa/ingest/guess/: title, year, area, name, nation, kind, children).

Every problem with a file is a DocumentError whose message names the file and says what to do.
The file is read once, as bytes, and parsers work on those bytes: nothing is passed to a shell or
another program, so any file name (spaces, quotes, a leading dash, any script) is safe. Only
regular files are read: a symbolic link, a named pipe or a device is refused without being opened
for reading (a pipe would block, /dev/zero would never end).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from ..errors import DocumentError
from ..settings import ParseLimits
from ..text import megabytes
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
    from .formats import parse_data

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
