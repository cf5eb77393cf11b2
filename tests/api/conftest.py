"""API test fixtures: token-authenticated clients, a small ledger per user, real receipt files."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import (
    BillFactory,
    HomeFactory,
    ImprovementFactory,
    OfficeAreaFactory,
    ReceiptFactory,
    TaxYearFactory,
    TaxYearHomeFactory,
)


@pytest.fixture
def client_for(db):
    """An API client that sends `Authorization: Token …` for the user."""

    def make(user) -> APIClient:
        client = APIClient()
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def api(client_for, user):
    return client_for(user)


@pytest.fixture
def other_api(client_for, other_user):
    return client_for(other_user)


def make_ledger(owner, *, year: int = 2024, bills: int = 3) -> dict:
    """One owned home with an office, an improvement, `bills` bills of `year` (the first with a
    receipt), and the tax year with the home's inputs."""
    home = HomeFactory(owner=owner, name=f"{owner.username}'s home")
    area = OfficeAreaFactory(home=home, start=dt.date(2020, 1, 1))
    improvement = ImprovementFactory(home=home)
    made = [
        BillFactory(
            home=home,
            paid_on=dt.date(year, 1 + i % 12, 1 + i // 12),
            amount=Decimal("100.00") + i,
            payee=f"Payee {i}",
        )
        for i in range(bills)
    ]
    receipt = ReceiptFactory(bill=made[0]) if made else None
    tax_year = TaxYearFactory(owner=owner, year=year)
    tax_year_home = TaxYearHomeFactory(tax_year=tax_year, home=home)
    return {
        "home": home,
        "business": area.business,  # the user's first business, given to the area on save
        "office_area": area,
        "improvement": improvement,
        "bills": made,
        "bill": made[0] if made else None,
        "receipt": receipt,
        "tax_year": tax_year,
        "tax_year_home": tax_year_home,
    }


@pytest.fixture
def ledger(user):
    return make_ledger(user)


@pytest.fixture
def other_ledger(other_user):
    return make_ledger(other_user)


# Real receipt files, made the way a scanner or a phone would.


def pdf_bytes(text: str = "Receipt") -> bytes:
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=letter)
    pdf.drawString(72, 720, text)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def png_bytes(color=(200, 30, 30)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(buffer, format="PNG")
    return buffer.getvalue()


def elf_bytes() -> bytes:
    """The start of a Linux executable (an ELF header) padded like a small program."""
    return b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200
