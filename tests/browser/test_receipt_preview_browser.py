"""Receipt previews in a real browser (issue 13): from a bill's page, a PDF receipt opens in
Chromium's PDF viewer (not a download, not a blocked page) and a PNG receipt opens as an image,
both through the owner-checked download with its restrictive headers.

Debian's Chromium through Playwright (tests/browser/test_review_browser.py's fixture); skipped
locally without chromium, required in CI (REQUIRE_BROWSER)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from PIL import Image
from reportlab.pdfgen import canvas

from ledger.services import receipt_create
from tests.browser.test_review_browser import (  # noqa: F401 (browser_page: a fixture)
    OUTPUT,
    PASSWORD,
    browser_page,
    loaded_image_width,
)
from tests.factories import BillFactory, HomeFactory, UserFactory

pytestmark = pytest.mark.browser

# Chromium's built-in PDF viewer: a PDF it renders is shown by this extension's page.
PDF_VIEWER = "chrome-extension://mhjfbmdgcfjbbpaeojofohoefgiehjai/"
# The viewer's page counter once the document is loaded (a blocked or failed PDF has none).
PAGES_LOADED = """() => {
    const toolbar = document.querySelector('pdf-viewer')?.shadowRoot
        ?.querySelector('viewer-toolbar');
    const pages = toolbar?.shadowRoot?.querySelector('viewer-page-selector');
    return pages && pages.docLength === 1;
}"""


def pdf_bytes() -> bytes:
    buffer = io.BytesIO()
    drawing = canvas.Canvas(buffer)
    drawing.drawString(100, 700, "Elm Power - January")
    drawing.save()
    return buffer.getvalue()


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (240, 160), "orange").save(buffer, format="PNG")
    return buffer.getvalue()


def is_pdf(response) -> bool:
    return "/receipts/" in response.url and response.headers.get("content-type") == (
        "application/pdf"
    )


def test_pdf_and_image_receipts_open_inline(transactional_db, live_server, request):
    page = request.getfixturevalue("browser_page")  # tests/browser/test_review_browser.py's
    try:
        receipts_open_inline(live_server.url, page)
    finally:
        connections.close_all()


def receipts_open_inline(url, page):
    user = UserFactory(username="robin")
    bill = BillFactory(home=HomeFactory(owner=user), payee="Elm Power")
    for name, data, content_type in [
        ("power-jan.pdf", pdf_bytes(), "application/pdf"),
        ("power-jan.png", png_bytes(), "image/png"),
    ]:
        receipt_create(bill=bill, file=SimpleUploadedFile(name, data, content_type))
    downloads = []

    def note_download(download):
        downloads.append(download.suggested_filename)

    context = page.context
    page.on("download", note_download)
    context.on("page", lambda opened: opened.on("download", note_download))
    page.goto(f"{url}/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{url}/admin/")
    page.goto(f"{url}/admin/ledger/bill/{bill.pk}/change/")

    # The image's preview on the bill page is drawn.
    assert loaded_image_width(page, "img.receipt-preview") == 240

    # The PDF opens in a new tab, in the browser's PDF viewer, which loads its one page.
    with context.expect_page() as opened, context.expect_event("response", is_pdf) as answered:
        page.click("a:has-text('power-jan.pdf (open)')")
    # (Chromium keeps only frame-ancestors of a PDF's own policy; the headers as sent are
    # pinned in tests/interface/test_receipt_pages.py.)
    assert answered.value.headers["content-disposition"].startswith("inline")
    pdf = opened.value
    pdf.wait_for_load_state()
    viewer = None
    for _ in range(40):
        viewer = next((f for f in pdf.frames if f.url.startswith(PDF_VIEWER)), None)
        if viewer is not None:
            break
        pdf.wait_for_timeout(250)
    assert viewer is not None, f"no PDF viewer: {pdf.url} {pdf.content()[:300]}"
    viewer.wait_for_function(PAGES_LOADED)
    OUTPUT.mkdir(exist_ok=True)
    pdf.screenshot(path=str(OUTPUT / "receipt-pdf-preview.png"))

    # The image opens in a new tab as an image (and stays sandboxed).
    with context.expect_page() as opened:
        page.click("a:has-text('power-jan.png')")
    image = opened.value
    image.wait_for_load_state()
    assert image.evaluate("document.images.length && document.images[0].naturalWidth") == 240
    assert downloads == []
