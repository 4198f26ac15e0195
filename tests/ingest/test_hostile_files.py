"""Hostile files and add requests: files that are not regular files, paths that were never uploaded,
and decompression bombs. Each is refused with one sentence, in bounded memory, without blocking,
and the collection is left as it was."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from qa.errors import DocumentError, ReviewQAError
from qa.ingest.files import parse_file, read_file
from qa.ingest.isolated import parse_isolated
from qa.ingest.pdf import parse_pdf
from qa.settings import ParseLimits
from testkit.documents import docx_bomb, pdf_bomb, raw_pdf, shrink_declared_size

MB = 2**20


def finishes(function, seconds: float = 10.0):
    """Run `function` in a thread; fail (instead of hanging the suite) if it blocks."""
    outcome: dict = {}

    def run():
        try:
            outcome["value"] = function()
        except BaseException as error:  # noqa: BLE001 - handed back to the test
            outcome["error"] = error

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"blocked for over {seconds} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


# --- files that are not regular files ------------------------------------------------------------------

def test_a_named_pipe_is_refused_without_blocking(tmp_path):
    pipe = tmp_path / "report.txt"
    os.mkfifo(pipe)
    with pytest.raises(DocumentError, match="'report.txt' is a named pipe, not a regular file"):
        finishes(lambda: read_file(pipe))


def test_a_device_is_refused_without_reading_it(tmp_path):
    device = tmp_path / "zero.pdf"
    try:
        os.mknod(device, 0o600 | 0o020000, os.makedev(1, 5))      # a character device: /dev/zero
    except PermissionError:
        pytest.skip("making a device node needs root")
    with pytest.raises(DocumentError, match="'zero.pdf' is a device, not a regular file"):
        finishes(lambda: read_file(device))


def test_symbolic_links_are_not_followed(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("The server's private notes.", encoding="utf-8")
    link = tmp_path / "report.txt"
    link.symlink_to(secret)
    with pytest.raises(DocumentError, match=r"'report.txt' is a symbolic link \(to .*secret.txt\)"):
        read_file(link)
    zero = tmp_path / "zero.txt"
    zero.symlink_to("/dev/zero")
    with pytest.raises(DocumentError, match="symbolic link"):
        finishes(lambda: read_file(zero))


def test_the_app_adds_only_files_uploaded_to_this_server(tmp_path, monkeypatch):
    from qa.web.uploads import add_uploads, check_uploaded, upload_folder

    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path / "uploads"))
    folder = upload_folder()
    (folder / "a1b2").mkdir(parents=True)
    uploaded = folder / "a1b2" / "report.txt"
    uploaded.write_text("An uploaded report.", encoding="utf-8")
    check_uploaded(str(uploaded), folder)                     # accepted

    outside = tmp_path / "private.txt"
    outside.write_text("Not uploaded.", encoding="utf-8")
    pipe = folder / "a1b2" / "pipe.txt"
    os.mkfifo(pipe)
    link = folder / "a1b2" / "link.txt"
    link.symlink_to(outside)
    sneaky = folder / "a1b2" / ".." / ".." / "private.txt"
    for path in (outside, pipe, link, sneaky, Path("/etc/hostname"), Path("/dev/zero")):
        with pytest.raises(ReviewQAError, match="was not uploaded to this server"):
            finishes(lambda path=path: check_uploaded(str(path), folder))
    # The whole add refuses before the service is touched.
    with pytest.raises(ReviewQAError, match="was not uploaded to this server"):
        add_uploads(object(), [str(outside)])


# --- bounded parsing ---------------------------------------------------------------------------------

def test_a_docx_that_inflates_past_the_limit_is_refused_from_its_directory(tmp_path):
    path = tmp_path / "bomb.docx"
    docx_bomb(path, inflated_mb=30)
    assert path.stat().st_size < MB
    with pytest.raises(DocumentError, match=r"'bomb.docx' is .* but its part word/document.xml inflates to 30.0 MB, "
                                            r"over the limit of 10.0 MB; it may be a decompression bomb"):
        parse_file(path, ParseLimits(max_xml_part_bytes=10 * MB), isolated=False)


def test_a_docx_part_that_lies_about_its_size_is_refused(tmp_path):
    path = tmp_path / "liar.docx"
    docx_bomb(path, inflated_mb=30)
    shrink_declared_size(path, "word/document.xml", 5000)
    with pytest.raises(DocumentError, match="'liar.docx' is not a valid Word .docx file"):
        parse_file(path, isolated=False)


def test_a_pdf_page_with_too_many_characters_is_refused():
    # 200 lines of 60 characters, each drawn at its own place on the page: 12,000 characters.
    content = b"".join(b"BT /F1 4 Tf 20 %d Td (%s) Tj ET\n" % (830 - 4 * row, b"A" * 60) for row in range(200))
    data = raw_pdf(content, filtered=False)
    assert parse_pdf(data, "fine.pdf").text.count("A") == 12_000
    with pytest.raises(DocumentError, match="Page 1 of 'dense.pdf' holds 12,[0-9]{3} characters, over the limit of "
                                            "5,000 for one page"):
        parse_pdf(data, "dense.pdf", ParseLimits(max_page_characters=5000))
    with pytest.raises(DocumentError, match="'long.pdf' has 1 pages, over the limit of 0"):
        parse_pdf(data, "long.pdf", ParseLimits(max_pages=0))


def test_a_pdf_bomb_is_refused_by_the_child_process_and_the_parent_stays_small():
    bomb = pdf_bomb(inflated_mb=300)
    assert len(bomb) < 2 * MB
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with pytest.raises(DocumentError, match=r"'bomb.pdf' could not be read within the limit of 256.0 MB of memory; "
                                            "it may be a decompression bomb"):
        parse_isolated(bomb, "bomb.pdf", ParseLimits(memory_bytes=256 * MB))
    assert time.perf_counter() - started < 60
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) * 1024
    assert grown < 50 * MB, f"the parent grew by {grown / MB:.0f} MB"


def test_a_parse_that_runs_too_long_is_stopped():
    with pytest.raises(DocumentError, match="'slow.txt' took longer than 0 s to read and was stopped"):
        parse_isolated(b"Some text.", "slow.txt", ParseLimits(seconds=0.001))


def test_a_file_parsed_in_the_child_matches_the_same_file_parsed_here(tmp_path):
    path = tmp_path / "report.md"
    path.write_text("# Findings\n\nThe health visitor was not told.\n\n## 2. Learning\n\nShare information.\n",
                    encoding="utf-8")
    assert parse_file(path) == parse_file(path, isolated=False)


# --- the whole add, as the CLI runs it under a memory cap -------------------------------------------------

@pytest.fixture(scope="module")
def bombs(tmp_path_factory) -> list[Path]:
    """The hostile files of the issue: a PDF whose content stream inflates to about 1 GB of text
    operators, a PDF of 1 GB of inflated spaces, and a DOCX whose document.xml inflates to 1.1 GB."""
    folder = tmp_path_factory.mktemp("bombs")
    (folder / "operators.pdf").write_bytes(pdf_bomb(1050))
    (folder / "spaces.pdf").write_bytes(pdf_bomb(1100, b" " * 1024))
    docx_bomb(folder / "document.docx", 1100)
    return [folder / "operators.pdf", folder / "spaces.pdf", folder / "document.docx"]


@pytest.mark.slow
def test_the_cli_refuses_every_bomb_under_a_memory_cap(settings, bombs):
    cap = int(1.5 * 2**30)
    before = settings.corpus_path.read_bytes()

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "qa.cli", "--root", str(settings.root), "--model", "fake-hash-64",
                           "add", *map(str, bombs), "--quiet"], capture_output=True, text=True, timeout=600,
                          preexec_fn=limit)
    elapsed = time.perf_counter() - started
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    for bomb in bombs:
        line = next(line for line in done.stderr.splitlines() if f"'{bomb.name}'" in line)
        assert "decompression bomb" in line, line
    assert "3 failed" in done.stdout
    assert settings.corpus_path.read_bytes() == before
    assert elapsed < 120, f"refusing three bombs took {elapsed:.0f} s"


@pytest.mark.parametrize("font", [b"/Symbol", b"/ZapfDingbats"])
def test_a_text_layer_that_does_not_read_as_words_is_refused_like_a_scan(font):
    """Fonts without a Unicode map give a text layer of gibberish (here a report set in Symbol and
    Dingbats): refused with the reason and the fix, instead of added with gibberish passages."""
    content = b"".join(b"BT /F1 11 Tf 40 %d Td (The health visitor saw the baby at home and shared the concern.) Tj "
                       b"ET\n" % (800 - 14 * row) for row in range(40))
    data = raw_pdf(content, filtered=False).replace(b"/BaseFont /Helvetica", b"/BaseFont " + font)
    with pytest.raises(DocumentError, match=r"'symbols.pdf' has a text layer that does not read as words on page 1 "
                                            r".*run OCR"):
        parse_pdf(data, "symbols.pdf")
    readable = raw_pdf(content, filtered=False)
    assert "health visitor" in parse_pdf(readable, "plain.pdf").text


def test_a_page_nested_too_deeply_is_refused_with_that_reason():
    from qa.ingest.html import parse_html

    data = ("<html><body>" + "<div>" * 200_000 + "<p>" + "A real sentence about the review. " * 20 + "</p>"
            + "</div>" * 200_000 + "</body></html>").encode()
    with pytest.raises(DocumentError, match="'deep.html' nests its elements more than 256 levels deep"):
        parse_html(data, "deep.html")
