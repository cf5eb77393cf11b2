"""Authenticated receipt downloads: the only way a stored receipt file leaves the server."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from interface.receipt_views import INLINE_TYPES
from ledger.models import Receipt

# What a receipt's response may do in the browser: load nothing, run nothing, be framed by no
# page, submit nowhere. Every receipt is also a sandbox (an opaque origin: no cookies, no
# storage, no script) except a PDF opened inline: browsers' PDF viewers do not render in a
# sandboxed document (Firefox and Safari show a blank page, older Chrome a blocked one), and the
# viewer runs apart from the site's pages anyway. A PDF gets `object-src 'self'` for the
# browsers that show a PDF as a plugin in its own document.
RECEIPT_POLICY = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
SANDBOXED_POLICY = f"{RECEIPT_POLICY}; sandbox"
PDF_POLICY = f"{RECEIPT_POLICY}; object-src 'self'"


def receipt_response(receipt: Receipt, *, inline: bool = False) -> FileResponse:
    """The file with its checked content type and a safe name; never rendered inline as HTML.
    `inline`: an image or PDF (checked by content on upload) opens in the browser; any other
    type is an attachment, whatever was asked."""
    inline = inline and receipt.content_type in INLINE_TYPES
    response = FileResponse(
        receipt.file.open("rb"),
        as_attachment=not inline,
        filename=receipt.original_name,
        content_type=receipt.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    pdf = inline and receipt.content_type == "application/pdf"
    response["Content-Security-Policy"] = PDF_POLICY if pdf else SANDBOXED_POLICY
    return response


@login_required
@require_GET
def receipt_download(request, name: str):
    receipt = Receipt.objects.owned_by(request.user).filter(file=name).first()
    if receipt is None:
        raise Http404("No such receipt.")
    return receipt_response(receipt, inline=request.GET.get("inline") == "1")
