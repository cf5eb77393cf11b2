"""Private storage for receipt files, outside any public media path: a local folder by default,
an S3 bucket (django-storages) when `settings.RECEIPTS_S3_BUCKET` is set, so that several app
servers share the files.

`receipt_storage` hands every call to the backend the settings name at the time of the call
(tests move `RECEIPTS_ROOT` per test; the model's field keeps one storage object, and the
migrations name it as `ledger.storage.ReceiptStorage()` whatever the backend). Its URL is the
authenticated download view (`interface.views.receipt_download`), which checks the owner: never
the bucket's. Names are kept as given (`<owner>/<sha[:2]>/<sha>`); an existing name is never
overwritten (the backend picks a free one), as on the local disk.

Every file saved is noted for `ledger.receipt_files` (files follow their rows), which removes
the files of a write that rolled back.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage
from django.utils.deconstruct import deconstructible

_backends: dict[tuple, Storage] = {}


def _backend_key() -> tuple:
    bucket = getattr(settings, "RECEIPTS_S3_BUCKET", "")
    if bucket:
        return (
            "s3",
            bucket,
            settings.RECEIPTS_S3_ENDPOINT_URL,
            settings.RECEIPTS_S3_REGION,
            settings.RECEIPTS_S3_PREFIX,
        )
    return ("local", str(settings.RECEIPTS_ROOT))


def _make_backend(key: tuple) -> Storage:
    if key[0] == "local":
        return FileSystemStorage(location=key[1], base_url=None)
    from storages.backends.s3 import S3Storage  # boto3 is loaded only where a bucket is used

    _, bucket, endpoint, region, prefix = key
    return S3Storage(
        bucket_name=bucket,
        endpoint_url=endpoint or None,
        region_name=region or None,
        location=prefix,
        file_overwrite=False,  # as the local folder: a new file never replaces one
        default_acl=None,  # private, as the bucket is
        querystring_auth=True,
        addressing_style="path" if endpoint else None,
    )


def receipt_backend() -> Storage:
    key = _backend_key()
    backend = _backends.get(key)
    if backend is None:
        backend = _backends[key] = _make_backend(key)
    return backend


@deconstructible
class ReceiptStorage(Storage):
    """The receipts' storage: each call goes to `receipt_backend()`."""

    def open(self, name, mode="rb"):
        return receipt_backend().open(name, mode)

    def save(self, name, content, max_length=None):
        from ledger.receipt_files import receipt_file_written

        name = receipt_backend().save(name, content, max_length=max_length)
        receipt_file_written(name)
        return name

    def delete(self, name):
        receipt_backend().delete(name)

    def exists(self, name):
        return receipt_backend().exists(name)

    def listdir(self, path):
        return receipt_backend().listdir(path)

    def size(self, name):
        return receipt_backend().size(name)

    def get_modified_time(self, name):
        return receipt_backend().get_modified_time(name)

    def get_available_name(self, name, max_length=None):
        return receipt_backend().get_available_name(name, max_length=max_length)

    def generate_filename(self, filename):
        return receipt_backend().generate_filename(filename)

    def path(self, name):
        return receipt_backend().path(name)

    def url(self, name):
        from django.urls import reverse

        return reverse("receipt-file", args=[name])


receipt_storage = ReceiptStorage()
