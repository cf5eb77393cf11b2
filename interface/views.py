"""Authenticated receipt downloads: the only way a stored receipt file leaves the server."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from interface.receipt_views import INLINE_TYPES
from ledger.models import Receipt


def receipt_response(receipt: Receipt, *, inline: bool = False) -> FileResponse:
    """The file with its checked content type and a safe name; never rendered inline as HTML.
    `inline`: an image or PDF (checked by content on upload) opens in the browser."""
    inline = inline and receipt.content_type in INLINE_TYPES
    response = FileResponse(
        receipt.file.open("rb"),
        as_attachment=not inline,
        filename=receipt.original_name,
        content_type=receipt.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_GET
def receipt_download(request, name: str):
    receipt = Receipt.objects.owned_by(request.user).filter(file=name).first()
    if receipt is None:
        raise Http404("No such receipt.")
    return receipt_response(receipt, inline=request.GET.get("inline") == "1")
