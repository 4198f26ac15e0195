"""Makers of realistic input files for the ingest tests and benchmark: a case review report printed
to PDF by headless Chromium, a scanned-looking PDF, a DOCX, a web page wrapped in site chrome.
Nothing here is a committed binary fixture: every file is made fresh in a temporary folder.

    make_report_pdf(path, pages=60)   # a text PDF of exactly `pages` pages (the benchmark uses it)
"""

from __future__ import annotations

import base64
import random
import shutil
import struct
import zlib
from dataclasses import dataclass
from html import escape
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
# Root, headless, and no background connections (the machine's network is closed).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


def launch_chromium(playwright):
    """Debian's Chromium driven by Playwright (its own browser downloads are not used)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

RUNNING_HEADER = "Child Safeguarding Practice Review: Child Q"
# Sentences known to sit on a given page: the first comes straight after the cover's page break
# (page 2); the last follows a forced page break at the very end (the last page).
MARKER_PAGE_2 = "The review panel first met in a borrowed room above the Northbridge library on a wet Tuesday."
MARKER_LAST_PAGE = "This closing sentence about the kettle in the family kitchen stands alone on the final page."
AREA = "Northbridge"
PUBLISHED_YEAR = 2024

_SENTENCES = [
    "The health visitor recorded that the home conditions had deteriorated and that the baby was sleeping in a "
    "car seat because there was no cot.",
    "Practitioners described the mother as warm and engaged, yet appointments were repeatedly missed and the "
    "safeguarding concerns were not escalated.",
    "The school noticed that the child arrived hungry most mornings and that her uniform was unwashed, but this "
    "information was not shared with children's social care.",
    "A multi-agency strategy discussion was not convened, although the threshold for a section 47 enquiry had "
    "arguably been met.",
    "The general practitioner was unaware of the previous referrals because the electronic records systems of "
    "the agencies involved were not interoperable.",
    "Professionals accepted the parents' explanations at face value, a pattern often described as disguised "
    "compliance in the literature on neglect.",
    "The unannounced visit in November found the accommodation cold, with dog faeces on the floor and very little "
    "food in the kitchen cupboards.",
    "Co-sleeping after alcohol use was discussed with the father, but the advice was not revisited when the family "
    "moved to temporary accommodation.",
    "The paediatrician's assessment concluded that the bruising was unexplained and recommended a skeletal survey, "
    "which was never arranged.",
    "Responsibilities for coordinating the early help plan were unclear, and no lead professional was identified "
    "for several months.",
    "The child's voice is largely absent from the records; she was seldom seen alone and her wishes and feelings "
    "were not explored.",
    "Communication between adult mental health services and children's services was intermittent and relied on "
    "individual practitioners' goodwill.",
    "The neighbourhood policing team attended the address on four occasions in response to reports of shouting, "
    "and each time the incident was recorded as verbal only.",
    "Supervision offered the social worker little opportunity for reflection on the cumulative impact of neglect "
    "on the children's development.",
    "Comprehensive chronologies were prepared by each agency and the review panel considered them alongside "
    "conversations with the practitioners involved.",
    "The family's circumstances were complicated by unemployment, debt and the father's deteriorating physical "
    "health, which increased the pressure on the mother.",
    "Concerns about the older sibling's school attendance were treated as an education matter rather than as a "
    "possible indicator of neglect in the household.",
    "Interpreters were not consistently used, so important conversations with the mother took place in a language "
    "she did not fully understand.",
    "Unsubstantiated allegations made by a neighbour were closed without the information being added to the "
    "children's records.",
    "The learning from this review echoes national findings about the difficulty of recognising chronic neglect "
    "when no single incident appears serious.",
]

_SUBSECTIONS = [
    "Early help", "Information sharing", "The voice of the child", "Neglect and home conditions",
    "Parental mental health", "Professional curiosity", "Housing and temporary accommodation", "Supervision",
    "Escalation and challenge", "Health services", "Education", "Policing", "Working with fathers",
    "Language and culture", "Record keeping", "Thresholds",
]


def soft_hyphenate(text: str) -> str:
    """Soft hyphens inside long words, so Chromium can break them across lines with a visible hyphen
    (its own `hyphens: auto` needs dictionaries that a headless build does not ship)."""
    def word(w: str) -> str:
        letters = w.strip(".,;:'’()")
        if len(letters) < 9 or not letters.isalpha():
            return escape(w)
        cut = [i for i in range(4, len(w) - 4, 3)]
        pieces, last = [], 0
        for i in cut:
            pieces.append(escape(w[last:i]))
            last = i
        pieces.append(escape(w[last:]))
        return "&shy;".join(pieces)
    return " ".join(word(w) for w in text.split(" "))


def _paragraph(rng: random.Random, sentences: int = 5) -> str:
    return " ".join(rng.choice(_SENTENCES) for _ in range(sentences))


_CSS = """
  @page { size: A4; margin: 28mm 22mm 24mm 22mm; }
  body { font-family: 'DejaVu Serif', serif; font-size: 11pt; line-height: 1.45; hyphens: manual; }
  h1 { font-size: 22pt; margin-top: 40mm; }
  h2 { font-size: 15pt; margin: 18pt 0 6pt; }
  h3 { font-size: 12.5pt; margin: 12pt 0 4pt; }
  p { margin: 0 0 9pt; text-align: justify; }
  .cover p { text-align: left; font-size: 13pt; }
  .break { break-before: page; }
  table { border-collapse: collapse; margin: 6pt 0 12pt; }
  td, th { border: 1px solid #888; padding: 3pt 6pt; font-size: 10pt; }
"""


def report_html(sections: int = 4, paragraphs_per_subsection: int = 3, seed: int = 7) -> str:
    """A case review report: cover page, numbered sections and subsections of justified paragraphs
    (some numbered, as reviews often are), a chronology table, bullet-point recommendations, and the
    two marker sentences on known pages."""
    rng = random.Random(seed)
    subsection_titles = iter(_SUBSECTIONS * 20)
    parts = [
        '<div class="cover">',
        "<h1>Child Safeguarding Practice Review</h1>",
        "<p><strong>Child Q</strong></p>",
        f"<p>{AREA} Safeguarding Children Partnership</p>",
        "<p>Independent reviewer: Dr A. Reviewer</p>",
        f"<p>Published: March {PUBLISHED_YEAR}</p>",
        "</div>",
        '<h2 class="break">1. Introduction</h2>',
        f"<p>{escape(MARKER_PAGE_2)} {soft_hyphenate(_paragraph(rng, 4))}</p>",
        "<h3>1.1 Why this review was undertaken</h3>",
        f"<p>Child Q died in December 2021 aged two. {soft_hyphenate(_paragraph(rng, 6))}</p>",
        f"<p>{soft_hyphenate(_paragraph(rng, 5))}</p>",
        "<h2>2. Background</h2>",
        f"<p>2.1 In January 2020 the family moved into the area. {soft_hyphenate(_paragraph(rng, 5))}</p>",
        f"<p>2.2 {soft_hyphenate(_paragraph(rng, 6))}</p>",
        "<table><tr><th>Date</th><th>Event</th></tr>"
        "<tr><td>January 2020</td><td>Family moves into the area</td></tr>"
        "<tr><td>June 2021</td><td>Referral from the school</td></tr>"
        "<tr><td>December 2021</td><td>Child Q admitted to hospital</td></tr></table>",
        "<h2>3. Findings</h2>",
    ]
    for number in range(1, sections + 1):
        parts.append(f"<h3>3.{number} {escape(next(subsection_titles))}</h3>")
        for _ in range(paragraphs_per_subsection):
            parts.append(f"<p>{soft_hyphenate(_paragraph(rng, rng.randint(4, 8)))}</p>")
    parts += [
        "<h2>4. Recommendations</h2>",
        "<p>The partnership should seek assurance that:</p>",
        "<ul>",
        *(f"<li>{soft_hyphenate(rng.choice(_SENTENCES))}</li>" for _ in range(4)),
        "</ul>",
        f'<p class="break">{escape(MARKER_LAST_PAGE)}</p>',
    ]
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{RUNNING_HEADER}</title>'
            f"<style>{_CSS}</style></head><body>{''.join(parts)}</body></html>")


HEADER_TEMPLATE = (f'<div style="font-size:9px; width:100%; text-align:center; color:#444;">'
                   f"{escape(RUNNING_HEADER)}</div>")
FOOTER_TEMPLATE = ('<div style="font-size:9px; width:100%; text-align:center; color:#444;">'
                   'Page <span class="pageNumber"></span> of <span class="totalPages"></span></div>')


# Another house style: an en dash in the header, a bare page number in the footer.
DASH_HEADER = "Child Safeguarding Practice Review – Child Q"
DASH_HEADER_TEMPLATE = (f'<div style="font-size:9px; width:100%; text-align:right; margin-right:20mm;">'
                        f"{escape(DASH_HEADER)}</div>")
NUMBER_FOOTER_TEMPLATE = ('<div style="font-size:10px; width:100%; text-align:center;">'
                          '<span class="pageNumber"></span></div>')


@dataclass(frozen=True)
class PdfJob:
    html: str
    path: Path
    header_footer: bool = True
    header_template: str = HEADER_TEMPLATE
    footer_template: str = FOOTER_TEMPLATE


def chromium_available() -> bool:
    return Path(CHROMIUM).exists() and shutil.which(CHROMIUM) is not None


def print_pdfs(jobs: list[PdfJob]) -> None:
    """Print each HTML page to its PDF with one headless Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page()
            for job in jobs:
                print_pdf(page, job)
        finally:
            browser.close()


def print_pdf(page, job: PdfJob) -> None:
    """Print one job with an open Playwright page (for callers that print several rounds with one
    browser, as testkit/render.py does)."""
    page.set_content(job.html, wait_until="load")
    options = dict(path=str(job.path), format="A4", prefer_css_page_size=True, print_background=True)
    if job.header_footer:
        options.update(display_header_footer=True, header_template=job.header_template,
                       footer_template=job.footer_template)
    page.pdf(**options)


def pdf_page_count(path: Path) -> int:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(path)
    try:
        return len(pdf)
    finally:
        pdf.close()


def make_report_pdf(path: Path, pages: int = 60) -> int:
    """A text PDF of a case review (cover, numbered sections, running header, "Page N of M" footer) of
    `pages` pages, for benchmarks. The amount of text is calibrated over a few prints; returns the page
    count reached (the layout has a floor of about five pages)."""
    path = Path(path)
    sections = max(1, pages - 3)          # about one findings subsection per page, after three of setup
    count = 0
    for _ in range(6):
        print_pdfs([PdfJob(report_html(sections=sections), path)])
        count = pdf_page_count(path)
        if count == pages:
            break
        per_page = sections / max(count - 3, 1)
        step = round((pages - count) * per_page) or (1 if count < pages else -1)
        if sections == 1 and step < 0:
            break
        sections = max(1, sections + step)
    return count


def png_bytes(width: int = 400, height: int = 300) -> bytes:
    """A small grey PNG with a dark band, made without any imaging library (a 'scanned' page)."""
    rows = []
    for y in range(height):
        shade = 40 if height // 3 < y < height // 3 + 20 else 225
        rows.append(b"\x00" + bytes([shade]) * width)
    raw = zlib.compress(b"".join(rows))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def scanned_html(pages: int = 2) -> str:
    """Pages that hold only an image: what a scanner without OCR produces."""
    data = base64.b64encode(png_bytes()).decode()
    images = "".join(f'<div style="break-after: page"><img src="data:image/png;base64,{data}" width="600"></div>'
                     for _ in range(pages))
    return f'<!doctype html><html><body style="margin:0">{images}</body></html>'


def mixed_html() -> str:
    """Three pages: text, an image only (a scanned page slipped in), text."""
    data = base64.b64encode(png_bytes()).decode()
    return ('<!doctype html><html lang="en"><body>'
            "<h2>1. Summary</h2><p>The first page of this short report carries ordinary text about the review "
            "of the care given to the family over two years.</p>"
            f'<div style="break-before: page"><img src="data:image/png;base64,{data}" width="600"></div>'
            '<div style="break-before: page"><h2>2. Learning</h2><p>The third page carries text again, with the '
            "learning the partnership drew from the review.</p></div></body></html>")


# --- other formats --------------------------------------------------------------------------------

def make_docx(path: Path) -> None:
    """A Word report: title, headings, paragraphs, a bullet list and a table."""
    import docx

    document = docx.Document()
    document.add_heading("Rapid Review: Child M", level=0)
    document.add_paragraph(f"{AREA} Safeguarding Children Partnership")
    document.add_paragraph("Date: 14 February 2023")
    document.add_heading("1. Introduction", level=1)
    document.add_paragraph("This rapid review considers the circumstances in which Child M, aged seven months, "
                           "was admitted to hospital with a fractured femur in January 2023.")
    document.add_heading("2. Key practice episodes", level=1)
    document.add_paragraph("The health visitor saw the baby at home on three occasions. Co-sleeping was "
                           "discussed at each visit but the safe sleep advice was not recorded.")
    document.add_paragraph("Information was shared late between the midwife and the GP.", style="List Bullet")
    document.add_paragraph("The father was not invited to any appointment.", style="List Bullet")
    document.add_heading("2.1 Chronology", level=2)
    table = document.add_table(rows=3, cols=2)
    for row, (when, what) in zip(table.rows, [("Date", "Event"), ("3 January 2023", "GP appointment"),
                                              ("17 January 2023", "Admitted to hospital")]):
        row.cells[0].text, row.cells[1].text = when, what
    document.add_paragraph("The review found no evidence that the injury could have been predicted.")
    document.save(str(path))


NAV_LINKS = ["Home", "About us", "Our work", "Case reviews", "Training", "News", "Contact us", "Jobs", "Donate"]


def wrapped_article_html() -> str:
    """An article page inside a real site's chrome: header with menu, cookie banner, breadcrumbs,
    sidebar, footer of many links, and scripts whose text must never reach the document."""
    links = "".join(f'<li><a href="/{i}">{name}</a></li>' for i, name in enumerate(NAV_LINKS))
    footer_links = "".join(f'<li><a href="/f{i}">Footer link number {i} about policies</a></li>' for i in range(30))
    body = "".join(f"<p>{escape(' '.join(_SENTENCES[i:i + 3]))}</p>" for i in range(0, 15, 3))
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Learning from case reviews: neglect | Example Safeguarding Partnership</title>
<script>var trackingSecret = "SCRIPT-TEXT-MUST-NOT-APPEAR"; window.dataLayer = [];</script>
<style>.cookie {{ position: fixed; }}</style></head>
<body>
<div class="cookie-banner" id="cookie-consent"><p>We use cookies to improve your experience on our website.
Accept all cookies or manage your cookie preferences.</p><button>Accept cookies</button></div>
<header><a href="/">Example Safeguarding Partnership</a><nav><ul>{links}</ul></nav></header>
<nav class="breadcrumbs"><a href="/">Home</a> &gt; <a href="/reviews">Case reviews</a> &gt; Neglect</nav>
<main><article>
<h1>Learning from case reviews: neglect</h1>
<p>Published 3 May 2022 by the {AREA} Safeguarding Children Partnership.</p>
<h2>What the reviews found</h2>
{body}
<h2>What practitioners should do</h2>
<p>Practitioners should keep the child&rsquo;s lived experience at the centre of every assessment &amp; plan,
and should escalate concerns when neglect persists despite support.</p>
<script>document.write("SCRIPT-IN-ARTICLE-MUST-NOT-APPEAR");</script>
</article></main>
<aside><h3>Related pages</h3><ul>{links}</ul></aside>
<footer><ul>{footer_links}</ul><p>&copy; 2024 Example Safeguarding Partnership. All rights reserved.</p></footer>
</body></html>"""


def navigation_only_html() -> str:
    links = "".join(f'<li><a href="/{i}">{name}</a></li>' for i, name in enumerate(NAV_LINKS * 3))
    return f"""<!doctype html><html><head><title>Site map</title><script>var x = 1;</script></head><body>
<header><nav><ul>{links}</ul></nav></header>
<div class="cookie-banner"><p>We use cookies.</p><button>Accept</button></div>
<footer><ul>{links}</ul><p>&copy; 2024 Example</p></footer></body></html>"""


def welsh_neglect_guide(page_text: str) -> str:
    """The All Wales practice guide on neglect, as it appears near the end of the saved NSPCC page:
    from its title line to the end of its footnotes (the 'Accessibility statement' link that follows)."""
    lines = page_text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "Safeguarding children from neglect")
    end = next(i for i in range(start, len(lines)) if "Accessibility statement" in lines[i])
    return "\n".join(lines[start:end]).strip() + "\n"


def welsh_guide_markdown(guide: str) -> str:
    """The same guide as Markdown: its short stand-alone lines (no final full stop) become headings."""
    out = []
    for block in guide.split("\n\n"):
        line = block.strip()
        if "\n" not in line and len(line.split()) <= 8 and not line.endswith(".") and not line.startswith("•") \
                and not line[:1].isdigit():
            out.append(f"## {line}")
        else:
            out.append(block)
    return "\n\n".join(out) + "\n"


# --- hostile files: decompression bombs ---------------------------------------------------------------

def deflated_repeats(block: bytes, times: int) -> bytes:
    """zlib data that inflates to `block` repeated `times` times, made without holding the inflated
    whole: a gigabyte of repeated text compresses to a few MB."""
    compressor = zlib.compressobj(9)
    parts = [compressor.compress(block) for _ in range(times)]
    parts.append(compressor.flush())
    return b"".join(parts)


def raw_pdf(content: bytes, *, filtered: bool = True) -> bytes:
    """A one-page PDF (Helvetica) whose page content stream is `content` (zlib data when `filtered`),
    written by hand with a correct cross-reference table."""
    stream_dict = f"<< /Length {len(content)}{' /Filter /FlateDecode' if filtered else ''} >>".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        stream_dict + b"\nstream\n" + content + b"\nendstream",
    ]
    return pdf_file(objects)


def lines_pdf(pages: list[list[str]], *, size: int = 11, leading: int = 16, left: int = 72, top: int = 760) -> bytes:
    """A text PDF (Helvetica, A4) made by hand in milliseconds, no browser: each page's lines from
    `top` down, `leading` points apart, starting at x = `left`; the line i of a page has its baseline
    at y = top - i * leading (PDF points, from the bottom). For fast tests of where text is drawn."""
    def literal(text: str) -> bytes:
        return text.encode("latin-1").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")

    count = len(pages)
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>",
                            ("<< /Type /Pages /Kids [" + " ".join(f"{4 + 2 * i} 0 R" for i in range(count))
                             + f"] /Count {count} >>").encode(),
                            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"]
    for i, lines in enumerate(pages):
        content = b"".join(b"BT /F1 %d Tf %d %d Td (%s) Tj ET\n" % (size, left, top - n * leading, literal(line))
                           for n, line in enumerate(lines))
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> "
                       f">> /Contents {5 + 2 * i} 0 R >>".encode())
        objects.append(f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream")
    return pdf_file(objects)


def pdf_file(objects: list[bytes]) -> bytes:
    """A PDF file of these numbered objects (1 the catalog), with its cross-reference table and trailer."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


TEXT_OPERATORS = b"BT /F1 12 Tf 72 700 Td (" + b"A" * 60 + b") Tj ET\n"


def pdf_bomb(inflated_mb: int, block: bytes = TEXT_OPERATORS) -> bytes:
    """A small PDF whose content stream inflates to about `inflated_mb` MB of `block` (text operators
    by default; spaces make the other kind)."""
    per_mb = block * (2**20 // len(block))
    return raw_pdf(deflated_repeats(per_mb, inflated_mb))


def docx_bomb(path: Path, inflated_mb: int) -> None:
    """A valid DOCX whose word/document.xml inflates to about `inflated_mb` MB (an XML comment of
    spaces), written part by part without holding the inflated XML."""
    import io
    import zipfile

    import docx

    buffer = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("A short report whose main part hides a very large comment.")
    document.save(buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename != "word/document.xml":
                target.writestr(item, data)
                continue
            declaration, _, rest = data.partition(b"?>")
            info = zipfile.ZipInfo(item.filename, date_time=item.date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            with target.open(info, "w", force_zip64=inflated_mb >= 2000) as out:
                out.write(declaration + b"?><!--")
                spaces = b" " * 2**20
                for _ in range(inflated_mb):
                    out.write(spaces)
                out.write(b"-->" + rest)


def shrink_declared_size(path: Path, member: str, declared: int) -> None:
    """Make a zip's central directory claim that `member` inflates to `declared` bytes (a lie)."""
    data = bytearray(Path(path).read_bytes())
    name = member.encode()
    at = 0
    while True:
        at = data.index(b"PK\x01\x02", at)
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46:at + 46 + name_length] == name:
            struct.pack_into("<I", data, at + 24, declared)
            break
        at += 4
    Path(path).write_bytes(bytes(data))
