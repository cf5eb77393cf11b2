"""How a receipt is shown in the admin: its file name, its size in MB, and a preview (an image
inline, a PDF opened in the browser) from the owner-checked download (`interface.views`)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import format_html

INLINE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf")


def size_mb(size: int | None) -> str:
    if not size:
        return "—"
    return f"{size / 1_000_000:.2f} MB" if size >= 10_000 else "0.01 MB"


def receipt_inline_url(receipt) -> str:
    """The owner-checked URL that opens the file in the browser (images and PDFs)."""
    url = reverse("receipt-file", args=[receipt.file.name])
    return f"{url}?inline=1" if receipt.content_type in INLINE_TYPES else url


def receipt_preview(receipt) -> str:
    if receipt is None or not receipt.pk:
        return "—"
    url = receipt_inline_url(receipt)
    if receipt.content_type.startswith("image/"):
        return format_html(
            '<a href="{}" target="_blank">{}<br>'
            '<img class="receipt-preview" src="{}" alt="{}"></a>',
            url,
            receipt.original_name,
            url,
            receipt.original_name,
        )
    return format_html('<a href="{}" target="_blank">{} (open)</a>', url, receipt.original_name)
