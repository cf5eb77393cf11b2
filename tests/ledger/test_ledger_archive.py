"""The ledger archive (ZIP: ledger.json + receipts/<sha256>.<ext>): layout, round trip with real
receipt files, every refusal leaving the database and the receipts folder as they were, and the
commands."""

import hashlib
import io
import json
import stat
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from forms8829.filing import ledger_archive_restore
from ledger import ledger_file
from ledger.ledger_archive import (
    LEDGER_JSON_MAX_BYTES,
    LedgerArchiveError,
    ledger_archive_export,
)
from ledger.ledger_file import LedgerFileError, ledger_export
from ledger.models import Bill, Receipt
from ledger.services import receipt_create
from tests.api.conftest import elf_bytes, pdf_bytes, png_bytes
from tests.factories import UserFactory
from tests.ledger.test_ledger_file import build_full_ledger, snapshot

pytestmark = pytest.mark.django_db

PDF = pdf_bytes("Power bill, January")
PDF_2 = pdf_bytes("Painter's invoice")
PNG = png_bytes()


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def stored_files() -> dict[str, bytes]:
    """Every file in the receipts folder, by its path there."""
    root = Path(settings.RECEIPTS_ROOT)
    if not root.exists():
        return {}
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def unpack(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def pack(members: dict[str, bytes], *, extra: list[zipfile.ZipInfo] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
        for info in extra:
            archive.writestr(info, b"")
    return buffer.getvalue()


def receipts_ledger(owner) -> dict:
    """The full test ledger (open years) with real receipts: a PDF and a PNG on one bill, another
    PDF on a second bill."""
    build_full_ledger(owner, filed=False)
    bills = list(Bill.objects.filter(owner=owner).order_by("paid_on"))
    made = [
        receipt_create(bill=bills[0], file=ContentFile(PDF, name="Power bill Jan.pdf")),
        receipt_create(bill=bills[0], file=ContentFile(PNG, name="meter photo.png")),
        receipt_create(bill=bills[3], file=ContentFile(PDF_2, name="invoice.pdf")),
    ]
    return {"bills": bills, "receipts": made}


@pytest.fixture
def fresh(db):
    return UserFactory(username="fresh")


# --- Export ------------------------------------------------------------------------------------


def test_the_archive_holds_ledger_json_and_each_receipt_file(user):
    receipts_ledger(user)

    members = unpack(ledger_archive_export(owner=user))

    assert list(members) == [
        "ledger.json",
        f"receipts/{sha(PDF)}.pdf",
        f"receipts/{sha(PNG)}.png",
        f"receipts/{sha(PDF_2)}.pdf",
    ]
    assert members["ledger.json"].decode() == (
        json.dumps(ledger_export(owner=user), indent=2, ensure_ascii=False) + "\n"
    )
    assert members[f"receipts/{sha(PDF)}.pdf"] == PDF
    assert members[f"receipts/{sha(PNG)}.png"] == PNG
    assert members[f"receipts/{sha(PDF_2)}.pdf"] == PDF_2


def test_the_archive_bytes_are_the_same_on_every_export(user):
    receipts_ledger(user)
    first = ledger_archive_export(owner=user)
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}

    assert ledger_archive_export(owner=user) == first


def test_a_file_two_receipts_share_is_in_the_archive_once(user):
    ledger = receipts_ledger(user)
    receipt_create(
        bill=ledger["bills"][1], file=ContentFile(PDF, name="copy.pdf"), allow_duplicate=True
    )

    members = unpack(ledger_archive_export(owner=user))
    document = json.loads(members["ledger.json"])

    assert len([name for name in members if name.startswith("receipts/")]) == 3
    assert [r["file"] for b in document["bills"] for r in b.get("receipts", [])].count(
        f"receipts/{sha(PDF)}.pdf"
    ) == 2


def test_only_the_owners_ledger_and_receipts_are_archived(user, other_user):
    receipts_ledger(other_user)
    build_full_ledger(user)

    members = unpack(ledger_archive_export(owner=user))

    assert list(members) == ["ledger.json"]
    assert "receipts" not in members["ledger.json"].decode()


def test_a_missing_stored_file_fails_the_export_naming_the_receipt(user):
    ledger = receipts_ledger(user)
    ledger["receipts"][1].file.storage.delete(ledger["receipts"][1].file.name)

    with pytest.raises(LedgerArchiveError) as exc_info:
        ledger_archive_export(owner=user)

    assert exc_info.value.errors == [
        'bills[0].receipts[1]: the stored file of the receipt "meter photo.png" is missing; '
        "upload it again or delete the receipt, then export again"
    ]


def test_the_archive_describes_the_bytes_it_carries(user):
    """A record whose fingerprint disagrees with its stored file (a damaged store) is archived
    with the file's own SHA-256 and size, so that the archive still imports."""
    ledger = receipts_ledger(user)
    Receipt.objects.filter(pk=ledger["receipts"][0].pk).update(sha256="0" * 64, size=1)

    members = unpack(ledger_archive_export(owner=user))
    entry = json.loads(members["ledger.json"])["bills"][0]["receipts"][0]

    assert (entry["sha256"], entry["size"], entry["file"]) == (
        sha(PDF),
        len(PDF),
        f"receipts/{sha(PDF)}.pdf",
    )


# --- Round trip --------------------------------------------------------------------------------


def test_round_trip_into_a_fresh_user(user, fresh):
    receipts_ledger(user)
    archive = ledger_archive_export(owner=user)

    summary = ledger_archive_restore(owner=fresh, data=archive)

    assert ledger_archive_export(owner=fresh) == archive
    assert unpack(ledger_archive_export(owner=fresh)) == unpack(archive)
    assert (summary.bills, summary.receipts, summary.receipts_left_out) == (5, 3, 0)
    assert str(summary).startswith("2 homes (3 office areas, 1 improvement), 5 bills (3 receipts)")
    copies = Receipt.objects.filter(owner=fresh).order_by("original_name")
    assert [(r.original_name, r.content_type, r.size) for r in copies] == [
        ("Power bill Jan.pdf", "application/pdf", len(PDF)),
        ("invoice.pdf", "application/pdf", len(PDF_2)),
        ("meter photo.png", "image/png", len(PNG)),
    ]
    for receipt in copies:
        assert receipt.file.name.startswith(f"{fresh.pk}/")
        with receipt.file.open("rb") as stored:
            assert sha(stored.read()) == receipt.sha256


def test_round_trip_with_a_fresh_users_file_names_from_a_file_object(user, fresh):
    receipts_ledger(user)
    archive = ledger_archive_export(owner=user)

    ledger_archive_restore(owner=fresh, data=io.BytesIO(archive))

    assert ledger_archive_export(owner=fresh) == archive


def test_restoring_your_own_archive_with_replace_keeps_the_files(
    user, django_capture_on_commit_callbacks
):
    receipts_ledger(user)
    archive = ledger_archive_export(owner=user)
    files = stored_files()

    with django_capture_on_commit_callbacks(execute=True):
        summary = ledger_archive_restore(owner=user, data=archive, replace=True)

    assert summary.replaced and summary.receipts == 3
    assert ledger_archive_export(owner=user) == archive
    # The same files, reused where they were: none written twice, none deleted.
    assert stored_files() == files


def test_a_shared_file_is_stored_once_on_import(user, fresh):
    ledger = receipts_ledger(user)
    receipt_create(
        bill=ledger["bills"][1], file=ContentFile(PDF, name="copy.pdf"), allow_duplicate=True
    )
    archive = ledger_archive_export(owner=user)

    ledger_archive_restore(owner=fresh, data=archive)

    names = Receipt.objects.filter(owner=fresh, sha256=sha(PDF)).values_list("file", flat=True)
    assert len(names) == 2 and len(set(names)) == 1
    assert ledger_archive_export(owner=fresh) == archive


# --- Refusals: nothing changes -----------------------------------------------------------------


def _rebuild(archive: bytes, change) -> bytes:
    """The archive with `change(members, document)` applied (members by name, ledger.json read)."""
    members = unpack(archive)
    document = json.loads(members.pop("ledger.json"))
    extra = change(members, document) or []
    return pack({"ledger.json": json.dumps(document).encode(), **members}, extra=extra)


def _first(members) -> str:
    return next(name for name in members if name.endswith(".pdf"))


def _add(name, content=b"x"):
    def change(members, document):
        members[name] = content

    return change


def _symlink(members, document):
    info = zipfile.ZipInfo("receipts/link.pdf")
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return [info]


def _remove_first(members, document):
    del members[_first(members)]


def _swap_content(members, document):
    members[_first(members)] = PDF_2 + b"%"


def _disguise_executable(members, document):
    name = _first(members)
    members[name] = elf_bytes()
    entry = document["bills"][0]["receipts"][0]
    entry.update(sha256=sha(elf_bytes()), size=len(elf_bytes()))


def _misdeclare(field, value):
    def change(members, document):
        document["bills"][0]["receipts"][0][field] = value

    return change


def _bad_amount_and_sha(members, document):
    document["bills"][3]["amount"] = "-1"
    document["bills"][0]["receipts"][0]["sha256"] = "a" * 64


NAME = f"receipts/{sha(PDF)}.pdf"
REFUSALS = [
    (
        _add("../evil.pdf"),
        ['"../evil.pdf": refused, the archive holds a path that goes up with ".."'],
    ),
    (_add("/etc/cron.d/job"), ['"/etc/cron.d/job": refused, the archive holds an absolute path']),
    (_add("C:/Windows/x.pdf"), ['"C:/Windows/x.pdf": refused, the archive holds an absolute path']),
    (
        _add("receipts\\..\\..\\x.pdf"),
        [
            '"receipts\\\\..\\\\..\\\\x.pdf": refused, the archive holds a backslash in a path '
            "(folders are separated by /)"
        ],
    ),
    (_symlink, ['"receipts/link.pdf": refused, the archive holds a symbolic link']),
    (
        _remove_first,
        [f'bills[0].receipts[0].file: "{NAME}" is not in the archive'],
    ),
    (
        _add("receipts/notes.txt", b"hello"),
        ["receipts/notes.txt: this file is in the archive but no receipt in ledger.json lists it"],
    ),
    (
        _swap_content,
        [
            f"bills[0].receipts[0].sha256: does not match the file {NAME}, whose SHA-256 is "
            f"{sha(PDF_2 + b'%')}"
        ],
    ),
    (
        _disguise_executable,
        [
            f"bills[0].receipts[0].file: {NAME}: A receipt must be a PDF, PNG, JPEG, WebP or HEIC "
            f"file; this is application/x-executable."
        ],
    ),
    (
        _misdeclare("size", 5),
        [f"bills[0].receipts[0].size: is 5 but the file is {len(PDF)} bytes"],
    ),
    (
        _misdeclare("content_type", "image/png"),
        ['bills[0].receipts[0].content_type: is "image/png" but the file is application/pdf'],
    ),
    (
        _bad_amount_and_sha,
        [
            f"bills[0].receipts[0].sha256: does not match the file {NAME}, whose SHA-256 is "
            f"{sha(PDF)}",
            "bills[3].amount: must be >= 0",
        ],
    ),
]


@pytest.mark.parametrize(("change", "expected"), REFUSALS)
def test_a_refused_archive_changes_nothing(user, change, expected):
    """Imported over the owner's own ledger with replace: the old ledger and its files stay."""
    receipts_ledger(user)
    archive = _rebuild(ledger_archive_export(owner=user), change)
    before, files = snapshot(), stored_files()

    with pytest.raises(LedgerFileError) as exc_info:
        ledger_archive_restore(owner=user, data=archive, replace=True)

    assert exc_info.value.errors == expected
    assert snapshot() == before
    assert stored_files() == files


def test_a_refused_archive_leaves_a_fresh_user_empty(user, fresh):
    receipts_ledger(user)
    archive = _rebuild(ledger_archive_export(owner=user), _swap_content)
    before, files = snapshot(), stored_files()

    with pytest.raises(LedgerFileError):
        ledger_archive_restore(owner=fresh, data=archive)

    assert snapshot() == before
    assert stored_files() == files


def test_an_oversize_receipt_is_refused_unread(user, fresh):
    receipts_ledger(user)
    archive = ledger_archive_export(owner=user)
    before, files = snapshot(), stored_files()

    with override_settings(RECEIPT_MAX_BYTES=len(PNG)), pytest.raises(LedgerFileError) as exc:
        ledger_archive_restore(owner=fresh, data=archive)

    assert exc.value.errors == [
        f"bills[0].receipts[0].file: {NAME}: The receipt is {len(PDF):,} bytes; the limit is "
        f"{len(PNG):,} bytes.",
        f"bills[3].receipts[0].file: receipts/{sha(PDF_2)}.pdf: The receipt is {len(PDF_2):,} "
        f"bytes; the limit is {len(PNG):,} bytes.",
    ]
    assert snapshot() == before
    assert stored_files() == files


def test_an_archive_unpacking_beyond_its_receipts_needs_is_refused_as_a_zip_bomb(user, fresh):
    receipts_ledger(user)
    # 3 receipts of at most 10 kB each, plus 50 MB: a member of 51 MB of zeros (51 kB packed).
    bomb = _add("receipts/zeros.pdf", bytes(51 * 1024 * 1024))
    archive = _rebuild(ledger_archive_export(owner=user), bomb)
    assert len(archive) < 200_000
    before, files = snapshot(), stored_files()

    with override_settings(RECEIPT_MAX_BYTES=10_000), pytest.raises(LedgerFileError) as exc:
        ledger_archive_restore(owner=fresh, data=archive)

    limit = 3 * 10_000 + LEDGER_JSON_MAX_BYTES
    [message] = exc.value.errors
    assert message.startswith("The archive unpacks to 53,")
    assert (
        f"more than its 3 receipts can need (10,000 bytes each plus {LEDGER_JSON_MAX_BYTES:,}"
        in (message)
    )
    assert message.endswith("it is refused as a possible zip bomb and nothing was read.")
    assert limit < 51 * 1024 * 1024
    assert snapshot() == before
    assert stored_files() == files


def test_more_than_10000_entries_are_refused(fresh):
    members = {"ledger.json": json.dumps({"format": "homeoffice-ledger/1"}).encode()}
    members.update({f"receipts/{i}.pdf": b"" for i in range(10_000)})
    before = snapshot()

    with pytest.raises(LedgerArchiveError) as exc_info:
        ledger_archive_restore(owner=fresh, data=pack(members))

    assert exc_info.value.errors == [
        "The archive has 10,001 entries; the limit is 10,000; nothing was read."
    ]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04 not really a zip", "The file is not a readable ZIP archive"),
        (pack({"receipts/a.pdf": PDF}), "The archive has no ledger.json at its top level."),
        (
            pack({"backup/ledger.json": b"{}"}),
            "The archive has no ledger.json at its top level; it has backup/ledger.json: zip "
            "the folder's contents rather than the folder.",
        ),
        (
            pack({"ledger.json": b'{"format": '}),
            "ledger.json: not valid JSON: Expecting value at line 1, column 12.",
        ),
        (pack({"ledger.json": b"\xff\xfe{}"}), "ledger.json: not UTF-8 text."),
    ],
)
def test_an_archive_that_is_not_a_ledger_archive_is_refused(fresh, content, message):
    with pytest.raises(LedgerArchiveError) as exc_info:
        ledger_archive_restore(owner=fresh, data=content)

    assert exc_info.value.errors[0].startswith(message)


def test_a_name_twice_is_refused(fresh):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive, pytest.warns(UserWarning, match="Duplicate"):
        archive.writestr("ledger.json", b"{}")
        archive.writestr("ledger.json", b"{}")

    with pytest.raises(LedgerArchiveError) as exc_info:
        ledger_archive_restore(owner=fresh, data=buffer.getvalue())

    assert exc_info.value.errors == [
        '"ledger.json": refused, the archive holds the same name twice'
    ]


def test_an_error_text_names_the_archive(fresh):
    with pytest.raises(LedgerArchiveError, match=r"^The ledger archive has 1 error:\nThe file"):
        ledger_archive_restore(owner=fresh, data=b"PK\x03\x04")


def test_files_written_before_a_failure_are_removed(user, fresh, monkeypatch):
    receipts_ledger(user)
    archive = ledger_archive_export(owner=user)
    before, files = snapshot(), stored_files()
    insert = ledger_file.bulk_create_with_history

    def failing_insert(objs, model, **kwargs):
        # The receipts' rows are inserted after their files are written.
        if model is Receipt:
            assert len(stored_files()) > len(files)
            raise OSError("disk full")
        return insert(objs, model, **kwargs)

    monkeypatch.setattr(ledger_file, "bulk_create_with_history", failing_insert)

    with pytest.raises(OSError, match="disk full"):
        ledger_archive_restore(owner=fresh, data=archive)

    assert snapshot() == before
    assert stored_files() == files


# --- Commands ----------------------------------------------------------------------------------


def run(name, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command(name, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_export_command_writes_the_archive(user, tmp_path):
    receipts_ledger(user)
    path = tmp_path / "backup.zip"

    out, _ = run("export_ledger", "--user", "alice", "--archive", str(path))

    assert out == (
        f"Wrote alice's ledger archive to {path}: 2 homes, 5 bills, 3 receipts, 2 tax years.\n"
    )
    assert path.read_bytes() == ledger_archive_export(owner=user)


def test_export_command_archive_and_output_are_exclusive(user, tmp_path):
    with pytest.raises(CommandError, match="not allowed with argument"):
        run("export_ledger", "--user", "alice", "--archive", "a.zip", "--output", "a.json")


def test_export_command_reports_a_missing_receipt_file_and_writes_nothing(user, tmp_path):
    ledger = receipts_ledger(user)
    ledger["receipts"][0].file.storage.delete(ledger["receipts"][0].file.name)
    path = tmp_path / "backup.zip"
    err = io.StringIO()

    with pytest.raises(CommandError, match=r"^1 error; no archive was written\.$"):
        call_command(
            "export_ledger",
            "--user",
            "alice",
            "--archive",
            str(path),
            stdout=io.StringIO(),
            stderr=err,
        )

    assert err.getvalue().startswith("bills[0].receipts[0]: the stored file of the receipt")
    assert not path.exists()


def test_import_command_recognizes_an_archive_by_its_content(user, tmp_path):
    receipts_ledger(user)
    path = tmp_path / "backup.data"  # the name does not matter
    path.write_bytes(ledger_archive_export(owner=user))

    out, err = run("import_ledger", str(path), "--user", "bob")

    bob = get_user_model().objects.get(username="bob")
    assert out == (
        "Imported into bob's ledger (new user): 2 homes (3 office areas, 1 improvement), "
        "5 bills (3 receipts), 2 tax years (3 home-years), 1 business.\n"
    )
    assert err.splitlines()[-2:] == ["receipts: 3 / 3", "forms: 2 / 2"]  # progress only
    assert ledger_archive_export(owner=bob) == path.read_bytes()


def test_import_command_replace_with_an_archive(user, tmp_path):
    receipts_ledger(user)
    path = tmp_path / "backup.zip"
    run("export_ledger", "--user", "alice", "--archive", str(path))

    with pytest.raises(CommandError):
        run("import_ledger", str(path), "--user", "alice")
    out, _ = run("import_ledger", str(path), "--user", "alice", "--replace")

    assert out.endswith(
        "(3 receipts), 2 tax years (3 home-years), 1 business, replacing the previous ledger.\n"
    )
    assert ledger_archive_export(owner=user) == path.read_bytes()


def test_import_command_archive_errors_go_to_stderr_and_change_nothing(user, tmp_path):
    receipts_ledger(user)
    path = tmp_path / "backup.zip"
    path.write_bytes(_rebuild(ledger_archive_export(owner=user), _disguise_executable))
    before, files = snapshot(), stored_files()
    err = io.StringIO()

    with pytest.raises(CommandError) as exc_info:
        call_command(
            "import_ledger", str(path), "--user", "newbie", stdout=io.StringIO(), stderr=err
        )

    assert str(exc_info.value) == f"1 error in {path}; nothing was imported."
    assert "application/x-executable" in err.getvalue()
    assert snapshot() == before
    assert stored_files() == files
    assert not get_user_model().objects.filter(username="newbie").exists()


def test_import_command_refuses_without_receipts_for_an_archive(user, tmp_path):
    path = tmp_path / "backup.zip"
    path.write_bytes(ledger_archive_export(owner=user))

    with pytest.raises(CommandError, match="--without-receipts is for a JSON ledger file"):
        run("import_ledger", str(path), "--user", "bob", "--without-receipts")
