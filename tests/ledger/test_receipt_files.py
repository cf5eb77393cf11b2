"""Receipt files follow their rows: deleted once the deleting transaction commits (a bill, a
receipt, a bulk delete, a replace-import), kept while another receipt shares the file, removed
when the write that saved them rolls back; `receipts_check` finds orphans and missing files."""

import os
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from rest_framework.test import APIClient

from forms8829 import filing
from forms8829.filing import ledger_archive_restore, ledger_file_import, ledger_write
from ledger.ledger_archive import ledger_archive_export
from ledger.models import Bill, Receipt
from ledger.services import receipt_create
from tests.api.conftest import pdf_bytes, png_bytes
from tests.factories import BillFactory, HomeFactory, TaxYearFactory, UserFactory

pytestmark = pytest.mark.django_db


def stored() -> set[str]:
    root = Path(settings.RECEIPTS_ROOT)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def owner():
    return UserFactory(username="alice")


@pytest.fixture
def bill(owner):
    return BillFactory(home=HomeFactory(owner=owner))


def upload(bill, content=None, name="r.pdf"):
    with ledger_write(owner=bill.owner):
        return receipt_create(bill=bill, file=ContentFile(content or pdf_bytes(name), name=name))


@pytest.fixture
def api(owner):
    client = APIClient()
    client.force_authenticate(owner)
    return client


def test_an_api_bill_delete_removes_its_receipts_files_after_commit(
    api, bill, django_capture_on_commit_callbacks
):
    receipt = upload(bill)
    name = receipt.file.name
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert api.delete(f"/api/bills/{bill.pk}/").status_code == 204
        assert name in stored()  # not before the commit
    for callback in callbacks:
        callback()
    assert name not in stored()


def test_an_api_receipt_delete_keeps_a_file_another_receipt_uses(
    api, bill, django_capture_on_commit_callbacks
):
    receipt = upload(bill)
    twin = Receipt.objects.create(
        owner=bill.owner,
        bill=BillFactory(home=bill.home),
        file=receipt.file.name,
        original_name="twin.pdf",
        size=receipt.size,
        content_type=receipt.content_type,
        sha256=receipt.sha256,
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(f"/api/receipts/{receipt.pk}/").status_code == 204
    assert receipt.file.name in stored()
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(f"/api/receipts/{twin.pk}/").status_code == 204
    assert receipt.file.name not in stored()


def test_admin_delete_and_bulk_delete_remove_the_files(
    client, owner, bill, django_capture_on_commit_callbacks
):
    other = BillFactory(home=bill.home)
    names = [upload(bill).file.name, upload(other, png_bytes(), "p.png").file.name]
    third = BillFactory(home=bill.home)
    names.append(upload(third, pdf_bytes("third"), "t.pdf").file.name)
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/ledger/bill/{third.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/ledger/bill/",
            {"action": "delete_selected", "_selected_action": [bill.pk, other.pk], "post": "yes"},
        )
    assert response.status_code == 302
    assert not Bill.objects.exists()
    assert stored() & set(names) == set()


def test_a_replace_import_removes_the_replaced_receipts_files(
    owner, bill, django_capture_on_commit_callbacks
):
    name = upload(bill).file.name
    document = {"format": "homeoffice-ledger/1", "homes": [], "bills": [], "tax_years": []}
    with django_capture_on_commit_callbacks(execute=True):
        ledger_file_import(owner=owner, data=document, replace=True)
    assert not Receipt.objects.exists() and name not in stored()


def test_a_batch_that_rolls_back_removes_the_files_it_wrote(bill):
    with pytest.raises(RuntimeError), ledger_write(owner=bill.owner):
        receipt_create(bill=bill, file=ContentFile(pdf_bytes("x"), name="x.pdf"))
        assert len(stored()) == 1
        raise RuntimeError("the write fails after the file was written")
    assert stored() == set() and not Receipt.objects.exists()


def test_an_archive_import_that_fails_at_the_end_leaves_no_file(owner, monkeypatch):
    other = UserFactory(username="bob")
    home = HomeFactory(owner=other)
    for n in range(3):
        upload(BillFactory(home=home, payee=f"P{n}"), pdf_bytes(f"bill {n}"), f"{n}.pdf")
    TaxYearFactory(owner=other, year=2024, filed=False)
    archive = ledger_archive_export(owner=other)
    before = stored()

    def fail(**kwargs):
        raise RuntimeError("filing failed")

    monkeypatch.setattr(filing, "ledger_archive_import", _then(filing.ledger_archive_import, fail))
    with pytest.raises(RuntimeError):
        ledger_archive_restore(owner=owner, data=archive)
    assert stored() == before  # the 3 files written for alice are gone again
    assert not Receipt.objects.filter(owner=owner).exists()


def _then(run, fail):
    def wrapper(**kwargs):
        summary = run(**kwargs)
        assert Receipt.objects.filter(owner=kwargs["owner"]).count() == 3
        fail(**kwargs)
        return summary

    return wrapper


def test_receipts_check_lists_and_fixes_orphans_and_reports_missing(bill, capsys):
    kept = upload(bill)
    gone = upload(BillFactory(home=bill.home), png_bytes(), "p.png")
    Path(settings.RECEIPTS_ROOT, gone.file.name).unlink()
    orphan = Path(settings.RECEIPTS_ROOT, "9", "ab", "orphan")
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"left by a killed import")
    fresh = Path(settings.RECEIPTS_ROOT, "9", "cd", "fresh")
    fresh.parent.mkdir(parents=True)
    fresh.write_bytes(b"perhaps a write still running")
    old = time.time() - 2 * 3600
    os.utime(orphan, (old, old))

    with pytest.raises(SystemExit):
        call_command("receipts_check")
    out = capsys.readouterr().out
    assert "orphan: 9/ab/orphan" in out
    assert "orphan, younger than 60 minutes (left alone): 9/cd/fresh" in out
    assert f"missing: {gone.file.name} (receipt {gone.pk} of user {bill.owner_id}" in out

    with pytest.raises(SystemExit):  # the missing file is still missing
        call_command("receipts_check", "--fix")
    out = capsys.readouterr().out
    assert "Removed 1 orphan file(s)." in out
    assert (
        not orphan.exists()
        and fresh.exists()
        and Path(settings.RECEIPTS_ROOT, kept.file.name).exists()
    )

    gone.delete()
    call_command("receipts_check", "--fix", "--grace-minutes", "0")
    assert "0 orphan(s), 0 recent orphan(s), 0 missing file(s)." in capsys.readouterr().out
    assert stored() == {kept.file.name}
