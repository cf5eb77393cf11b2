"""Private storage for receipt files, outside any public media path.

Files are written under `settings.RECEIPTS_ROOT` (read at use, so tests can move it). Their URL
is the authenticated download view (`interface.views.receipt_download`), which checks the owner.
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible
class ReceiptStorage(FileSystemStorage):
    @property
    def base_location(self):
        return str(settings.RECEIPTS_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None

    def url(self, name):
        from django.urls import reverse

        return reverse("receipt-file", args=[name])


receipt_storage = ReceiptStorage()
