"""The ledger: homes, office areas, improvements, bills and receipts, tax years, by year.

Models hold data and the validation of one record (`clean`) plus database constraints where they
fit. Writes that touch several rows live in `ledger.services`. The filed-year rule is not here:
every write batch passes it once, in `forms8829.filing`. No tax arithmetic here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Collection, Iterable
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from ledger.fields import home_key_from_name, home_key_prefix
from ledger.storage import receipt_storage

ZERO = Decimal("0.00")
MONEY = {"max_digits": 12, "decimal_places": 2}
AREA = {"max_digits": 10, "decimal_places": 2}
NOT_NEGATIVE = [MinValueValidator(Decimal("0"))]
OPTIONAL_MONEY = {**MONEY, "null": True, "blank": True, "validators": NOT_NEGATIVE}


class OwnedQuerySet(models.QuerySet):
    """Every ledger row belongs to one user; every read starts from `owned_by`."""

    def owned_by(self, user):
        return self.filter(owner=user)


class Owned(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OwnedQuerySet.as_manager()
    # A child row (an office area of a home, ...) belongs to its parent's owner.
    owner_from: str | None = None

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self._inherit_owner()
        super().save(*args, **kwargs)

    def _inherit_owner(self) -> None:
        if self.owner_from and not self.owner_id and getattr(self, f"{self.owner_from}_id"):
            self.owner_id = getattr(self, self.owner_from).owner_id

    def clean_fields(self, exclude=None) -> None:
        self._inherit_owner()
        super().clean_fields(exclude)


def _same_owner(parent, child, field: str) -> None:
    if parent is not None and child.owner_id and parent.owner_id != child.owner_id:
        raise ValidationError({field: "Choose one of your own records."})


def _active_on(area, day) -> bool:
    """Closed date range; no start or no end means open on that side."""
    return (area.start is None or area.start <= day) and (area.end is None or day <= area.end)


def capacity_errors(home, areas) -> dict[str, str]:
    """The home's office areas in use on the same day may not add up to more than the home
    (square feet, and rooms for the rooms method). The busiest day is a day some area starts."""
    starts = {a.start or dt.date.min for a in areas}
    peak_area, peak_rooms = Decimal(0), 0
    for day in starts:
        active = [a for a in areas if _active_on(a, day)]
        peak_area = max(peak_area, sum((a.area or 0 for a in active), Decimal(0)))
        peak_rooms = max(peak_rooms, sum(a.rooms or 0 for a in active))
    errors = {}
    if peak_area > home.total_area:
        errors["area"] = (
            f"Office areas in use at the same time add up to {peak_area} sq ft, more than "
            f"the home's {home.total_area} sq ft."
        )
    rooms_method = home.area_method == Home.AreaMethod.ROOMS and home.total_rooms
    if rooms_method and peak_rooms > home.total_rooms:
        errors["rooms"] = (
            f"Rooms in use at the same time add up to {peak_rooms}, more than the "
            f"home's {home.total_rooms} rooms."
        )
    return errors


class Home(Owned):
    class AreaMethod(models.TextChoices):
        SQUARE_FEET = "square_feet", "Square feet"
        ROOMS = "rooms", "Rooms (rooms of about the same size)"

    class Ownership(models.TextChoices):
        OWN = "own", "Owned"
        RENT = "rent", "Rented"

    key = models.SlugField(
        max_length=50,
        blank=True,
        help_text="Short identifier used in ledger files; made from the name when left blank.",
    )
    name = models.CharField(max_length=200)
    total_area = models.DecimalField(
        **AREA,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text="Total area of the home in square feet (Form 8829 line 2).",
    )
    total_rooms = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Needed for the rooms method."
    )
    area_method = models.CharField(
        max_length=20, choices=AreaMethod.choices, default=AreaMethod.SQUARE_FEET
    )
    ownership = models.CharField(max_length=10, choices=Ownership.choices, default=Ownership.OWN)
    occupied_from = models.DateField(null=True, blank=True)
    occupied_to = models.DateField(
        null=True, blank=True, help_text="Moving out ends business use of this home that day."
    )
    cost_basis = models.DecimalField(
        **MONEY,
        null=True,
        blank=True,
        validators=NOT_NEGATIVE,
        help_text="Owners: cost including land and improvements made before business use.",
    )
    land_value = models.DecimalField(**MONEY, null=True, blank=True, validators=NOT_NEGATIVE)
    fmv_at_first_business_use = models.DecimalField(
        **MONEY,
        null=True,
        blank=True,
        validators=NOT_NEGATIVE,
        verbose_name="FMV at first business use",
        help_text="Fair market value on the date of first business use (line 37 uses the smaller).",
    )
    land_fmv_at_first_business_use = models.DecimalField(
        **OPTIONAL_MONEY,
        verbose_name="land FMV at first business use",
        help_text="Optional: the land's fair market value on the date of first business use "
        "(line 38 uses it when it is lower than the land value).",
    )

    history = HistoricalRecords()

    BASIS_FIELDS = (
        "cost_basis",
        "land_value",
        "fmv_at_first_business_use",
        "land_fmv_at_first_business_use",
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="home_unique_key_per_owner"),
            models.CheckConstraint(condition=Q(total_area__gt=0), name="home_total_area_positive"),
            models.CheckConstraint(
                condition=Q(occupied_to__isnull=True)
                | Q(occupied_from__isnull=True)
                | Q(occupied_to__gte=models.F("occupied_from")),
                name="home_occupancy_ordered",
            ),
            models.CheckConstraint(
                condition=(Q(cost_basis__isnull=True) | Q(cost_basis__gte=0))
                & (Q(land_value__isnull=True) | Q(land_value__gte=0))
                & (Q(fmv_at_first_business_use__isnull=True) | Q(fmv_at_first_business_use__gte=0))
                & (
                    Q(land_fmv_at_first_business_use__isnull=True)
                    | Q(land_fmv_at_first_business_use__gte=0)
                ),
                name="home_money_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.key:
            self.key = home_key_from_name(self.name, self.keys_taken())
        super().save(*args, **kwargs)

    def keys_taken(self) -> set[str]:
        """The owner's other homes' keys that this key, or a key made from this name, could
        collide with (one query)."""
        similar = Q(key__startswith=home_key_prefix(self.name)) | Q(key=self.key)
        return set(
            Home.objects.filter(similar, owner_id=self.owner_id)
            .exclude(pk=self.pk)
            .values_list("key", flat=True)
        )

    @property
    def is_owned(self) -> bool:
        return self.ownership == self.Ownership.OWN

    def clean(self, *, keys_taken: Collection[str] | None = None) -> None:
        """A blank key is made from the name (`ledger.fields.home_key_from_name`); a key the
        owner already uses is refused. `keys_taken`: the owner's other keys, when a bulk caller
        fetched them (else a query)."""
        errors: dict[str, str | ValidationError] = {}
        if self.owner_id:
            taken = self.keys_taken() if keys_taken is None else keys_taken
            if not self.key:
                self.key = home_key_from_name(self.name, taken)
            elif self.key in taken:
                errors["key"] = ValidationError(
                    f"You already have a home with the key '{self.key}'.", code="duplicate"
                )
        if self.occupied_from and self.occupied_to and self.occupied_to < self.occupied_from:
            errors["occupied_to"] = "Move-out date cannot be before the move-in date."
        if self.area_method == self.AreaMethod.ROOMS and not self.total_rooms:
            errors["total_rooms"] = "The rooms method needs the total number of rooms."
        if self.ownership == self.Ownership.RENT:
            for field in self.BASIS_FIELDS:
                if getattr(self, field) is not None:
                    errors[field] = "A rented home has no basis, land value or FMV (no Part III)."
        elif (
            self.land_value is not None
            and self.cost_basis is not None
            and self.land_value > self.cost_basis
        ):
            errors["land_value"] = "Land value cannot be more than the cost basis."
        if errors:
            raise ValidationError(errors)


class Business(Owned):
    """A business of the user's, and the schedule its home office deduction goes to.

    Pub 587 "Where To Deduct"; i8829 "Who Cannot Use Form 8829"; docs/tax-rules.md §6a.
    """

    class Kind(models.TextChoices):
        SOLE_PROPRIETOR = "sole_proprietor", "Sole proprietorship (Schedule C)"
        STATUTORY_EMPLOYEE = "statutory_employee", "Statutory employee (Schedule C)"
        FARM = "farm", "Farm (Schedule F)"
        PARTNER = "partner", "Partnership interest (Schedule E, unreimbursed expenses)"
        EMPLOYEE = "employee", "Employee (W-2): no federal deduction from 2018 on"

    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.SOLE_PROPRIETOR)

    history = HistoricalRecords()

    DEFAULT_NAME = "My business"

    class Meta:
        ordering = ["owner_id", "id"]
        verbose_name_plural = "businesses"
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="business_name_per_owner"),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def default_for(cls, owner_id: int) -> Business:
        """The business an office area belongs to when none is named: the user's first one,
        created as a Schedule C sole proprietorship when the user has none (every ledger
        before businesses existed was one Schedule C business)."""
        first = cls.objects.filter(owner_id=owner_id).order_by("id").first()
        if first is not None:
            return first
        return cls.objects.create(owner_id=owner_id, name=cls.DEFAULT_NAME)


class OfficeArea(Owned):
    owner_from = "home"

    class Use(models.TextChoices):
        EXCLUSIVE = "exclusive", "Exclusive and regular use"
        DAYCARE = "daycare", "Regular daycare (not exclusive)"
        STORAGE = "storage", "Inventory or product samples storage"

    home = models.ForeignKey(Home, on_delete=models.CASCADE, related_name="office_areas")
    name = models.CharField(max_length=100, default="Office")
    business = models.ForeignKey(
        Business,
        on_delete=models.PROTECT,
        related_name="office_areas",
        blank=True,  # saved as the user's first business (`Business.default_for`)
        help_text="The business that uses this area (blank: your first business).",
    )
    area = models.DecimalField(
        **AREA, validators=[MinValueValidator(Decimal("0.01"))], help_text="Square feet."
    )
    rooms = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Rooms used, for the rooms method."
    )
    use = models.CharField(max_length=20, choices=Use.choices, default=Use.EXCLUSIVE)
    start = models.DateField(null=True, blank=True, help_text="First day of business use.")
    end = models.DateField(null=True, blank=True, help_text="Last day of business use.")
    # When this area starts business use again after a gap, the restart is a new placing in
    # service with its own basis (Treas. Reg. 1.168(i)-4; docs/tax-rules.md §4).
    restart_adjusted_basis = models.DecimalField(
        **OPTIONAL_MONEY,
        help_text="If business use starts again with this area after a gap: the home's adjusted "
        "basis on its start date (cost and improvements, less depreciation allowed so far).",
    )
    restart_fmv = models.DecimalField(
        **OPTIONAL_MONEY,
        verbose_name="restart FMV",
        help_text="The home's fair market value on that date (line 37 uses the smaller).",
    )
    restart_land_value = models.DecimalField(
        **OPTIONAL_MONEY,
        help_text="The land's value included then (blank: the home's land value).",
    )
    restart_land_fmv = models.DecimalField(
        **OPTIONAL_MONEY,
        verbose_name="restart land FMV",
        help_text="Optional: the land's fair market value then, if lower.",
    )

    history = HistoricalRecords()

    RESTART_FIELDS = (
        "restart_adjusted_basis",
        "restart_fmv",
        "restart_land_value",
        "restart_land_fmv",
    )

    class Meta:
        ordering = ["home_id", "start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(area__gt=0), name="office_area_positive"),
            models.CheckConstraint(
                condition=Q(end__isnull=True)
                | Q(start__isnull=True)
                | Q(end__gte=models.F("start")),
                name="office_area_dates_ordered",
            ),
            models.CheckConstraint(
                condition=(
                    Q(restart_adjusted_basis__isnull=True) | Q(restart_adjusted_basis__gte=0)
                )
                & (Q(restart_fmv__isnull=True) | Q(restart_fmv__gte=0))
                & (Q(restart_land_value__isnull=True) | Q(restart_land_value__gte=0))
                & (Q(restart_land_fmv__isnull=True) | Q(restart_land_fmv__gte=0)),
                name="office_area_restart_money_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.area} sq ft)"

    def save(self, *args, **kwargs):
        self._inherit_owner()
        if self.business_id is None and self.owner_id:
            self.business = Business.default_for(self.owner_id)
        super().save(*args, **kwargs)

    def clean(self, *, siblings: Iterable[OfficeArea] | None = None) -> None:
        """`siblings`: the home's other areas, when a bulk caller has them (else a query)."""
        errors: dict[str, str] = {}
        if self.start and self.end and self.end < self.start:
            errors["end"] = "The end date cannot be before the start date."
        if self.business_id:
            _same_owner(self.business, self, "business")
        if self.home_id and self.area is not None:
            home = self.home
            _same_owner(home, self, "home")
            if self.area > home.total_area:
                errors["area"] = (
                    f"The office area ({self.area} sq ft) cannot be larger than the home "
                    f"({home.total_area} sq ft)."
                )
            else:
                if siblings is None:
                    siblings = (
                        OfficeArea.objects.filter(home_id=self.home_id)
                        .exclude(pk=self.pk)
                        .only("area", "rooms", "start", "end")
                    )
                errors.update(capacity_errors(home, [*siblings, self]))
        if self.home_id and self.home.area_method == Home.AreaMethod.ROOMS and not self.rooms:
            errors["rooms"] = "This home uses the rooms method: give the number of rooms used."
        errors.update(self._restart_errors())
        if errors:
            raise ValidationError(errors)

    @property
    def has_restart_values(self) -> bool:
        return any(getattr(self, field) is not None for field in self.RESTART_FIELDS)

    def _restart_errors(self) -> dict[str, str]:
        if not self.has_restart_values:
            return {}
        if self.home_id and not self.home.is_owned:
            return {"restart_adjusted_basis": "A rented home has no basis (no Part III)."}
        if self.start is None:
            return {"start": "Restart values need the date business use starts again."}
        if self.restart_adjusted_basis is None or self.restart_fmv is None:
            missing = (
                "restart_fmv"
                if self.restart_adjusted_basis is not None
                else ("restart_adjusted_basis")
            )
            return {missing: "Give both the adjusted basis and the FMV on the restart date."}
        land = self.restart_land_value
        if land is not None and land > min(self.restart_adjusted_basis, self.restart_fmv):
            return {
                "restart_land_value": "The land value cannot be more than the smaller of the "
                "adjusted basis and the FMV."
            }
        return {}


class Improvement(Owned):
    owner_from = "home"

    home = models.ForeignKey(Home, on_delete=models.CASCADE, related_name="improvements")
    description = models.CharField(max_length=200)
    cost = models.DecimalField(**MONEY, validators=NOT_NEGATIVE)
    placed_in_service = models.DateField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["home_id", "placed_in_service", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(cost__gte=0), name="improvement_cost_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.description} ({self.placed_in_service})"

    def clean(self) -> None:
        if self.home_id:
            _same_owner(self.home, self, "home")
            if not self.home.is_owned:
                raise ValidationError({"home": "Improvements are depreciated only on owned homes."})


def duplicate_key(home_id, paid_on, payee, amount) -> str:
    """What makes two bills the same, the one rule every door applies (the CSV import, the
    statements, the inbox): the home, the paid date, the payee in any letter case (Python's
    `casefold`, so "CAFÉ" is "café" and "STRASSE" is "straße" on every database, which SQL's
    `lower()` is not: SQLite's is ASCII only) and the amount by value (12.5 is 12.50).

    Stored on each bill (`Bill.duplicate_key`, indexed with its owner) so that a check is one
    lookup of the candidate keys; a hash, so the key has one short length whatever the payee
    (casefolding may lengthen text: "ß" is "ss")."""
    try:
        amount = "" if amount is None else format(Decimal(str(amount)).normalize(), "f")
    except ArithmeticError:  # not a number: the save that follows refuses it
        amount = str(amount)
    day = paid_on.isoformat() if paid_on else ""
    # The payee last: the other parts cannot hold the separator, so no two bills' texts meet.
    text = "\x1f".join((str(home_id or ""), day, amount, (payee or "").strip().casefold()))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


class BillQuerySet(OwnedQuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """A bulk insert (the imports, the statements, history's bulk_create_with_history)
        stores the columns a bill derives from its fields, as `save()` does."""
        objs = list(objs)
        for bill in objs:
            bill.derive_columns()
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        """Likewise for a bulk update of the fields they derive from. (`update()` writes SQL
        only: like the tax year, the key is then the caller's to keep.)"""
        if set(fields) & set(Bill.DERIVED_FROM):
            objs = list(objs)
            for bill in objs:
                bill.derive_columns()
            fields = [*fields, *(f for f in Bill.DERIVED if f not in fields)]
        return super().bulk_update(objs, fields, *args, **kwargs)


class Bill(Owned):
    class Category(models.TextChoices):
        MORTGAGE_INTEREST = "mortgage_interest", "Mortgage interest"
        MORTGAGE_INSURANCE = "mortgage_insurance", "Mortgage insurance premiums"
        REAL_ESTATE_TAX = "real_estate_tax", "Real estate taxes"
        INSURANCE = "insurance", "Insurance"
        RENT = "rent", "Rent"
        REPAIRS = "repairs", "Repairs and maintenance"
        UTILITIES = "utilities", "Utilities"
        OTHER = "other", "Other expenses"
        INTERNET = "internet", "Internet (Schedule C)"
        PHONE = "phone", "Telephone (Schedule C)"

    class Scope(models.TextChoices):
        DIRECT = "direct", "Direct (business part only)"
        INDIRECT = "indirect", "Indirect (whole home)"

    class Kind(models.TextChoices):
        # A refund (a credit from a payee, such as a utility's overpayment returned) is a bill
        # whose amount counts against its category's total for the year (`signed_amount`).
        PAYMENT = "payment", "Payment"
        REFUND = "refund", "Refund (reduces its category)"

    # Categories that are never a direct expense (i8829 lines 9-11). Where each category goes on
    # the form is forms8829.lines.
    NEVER_DIRECT = (Category.MORTGAGE_INTEREST, Category.MORTGAGE_INSURANCE)
    # Shared with personal use: only the business share counts (beside the form, on Schedule C),
    # so the share must be given.
    NEEDS_SHARE = (Category.INTERNET, Category.PHONE)

    home = models.ForeignKey(Home, on_delete=models.PROTECT, related_name="bills")
    paid_on = models.DateField(help_text="Payment date; the bill belongs to this tax year.")
    tax_year = models.PositiveSmallIntegerField(editable=False, db_index=True)
    payee = models.CharField(max_length=200)
    category = models.CharField(max_length=30, choices=Category.choices)
    amount = models.DecimalField(**MONEY, validators=NOT_NEGATIVE)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PAYMENT)
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.INDIRECT)
    business_use_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="Business share of an indirect bill (0-100); required for internet and phone.",
    )
    service_start = models.DateField(null=True, blank=True)
    service_end = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True, default="")
    office_area = models.ForeignKey(
        OfficeArea,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bills",
        help_text="Direct bills: the office area the bill was for. A direct bill of an area used "
        "for daycare (not exclusively) counts times the daycare hours fraction (line 6).",
    )
    # `duplicate_key(home, paid_on, payee, amount)`, kept by `derive_columns`.
    duplicate_key = models.CharField(max_length=32, editable=False)

    # A derived column, not something the user wrote: not in the bill's history.
    history = HistoricalRecords(excluded_fields=["duplicate_key"])

    objects = BillQuerySet.as_manager()

    # The columns a bill derives from its own fields, and those fields.
    DERIVED = ("tax_year", "duplicate_key")
    DERIVED_FROM = ("home", "home_id", "paid_on", "payee", "amount")

    class Meta:
        ordering = ["-paid_on", "-id"]
        indexes = [
            models.Index(fields=["owner", "tax_year", "home", "category"], name="bill_year_lookup"),
            # The lists' order, newest first (admin, API cursor): with `id` a page's keys are
            # read from the index alone on PostgreSQL too, at any offset. On PostgreSQL the
            # admin's search by payee and note also has trigram indexes (migration 0008).
            models.Index(fields=["owner", "paid_on", "id"], name="bill_owner_paid_on_id"),
            models.Index(fields=["owner", "duplicate_key"], name="bill_owner_duplicate_key"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="bill_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(business_use_percent__isnull=True)
                | (Q(business_use_percent__gte=0) & Q(business_use_percent__lte=100)),
                name="bill_business_use_percent_range",
            ),
            models.CheckConstraint(
                condition=(Q(service_start__isnull=True) & Q(service_end__isnull=True))
                | (
                    Q(service_start__isnull=False)
                    & Q(service_end__isnull=False)
                    & Q(service_end__gte=models.F("service_start"))
                ),
                name="bill_service_period_ordered",
            ),
            models.CheckConstraint(
                condition=~(
                    Q(category__in=["mortgage_interest", "mortgage_insurance"]) & Q(scope="direct")
                ),
                name="bill_mortgage_never_direct",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.paid_on} {self.payee} {self.amount}"

    def save(self, *args, **kwargs):
        self.derive_columns()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) & set(self.DERIVED_FROM):
            kwargs["update_fields"] = {*update_fields, *self.DERIVED}
        super().save(*args, **kwargs)

    def derive_columns(self) -> None:
        """Set the columns derived from the bill's own fields: its tax year (the year it was
        paid) and its `duplicate_key`. `save()` and every bulk insert or update of bills
        (`BillQuerySet`) call it."""
        paid_on = self._meta.get_field("paid_on").to_python(self.paid_on)  # a date, or its text
        if paid_on:
            self.tax_year = paid_on.year
        self.duplicate_key = duplicate_key(self.home_id, paid_on, self.payee, self.amount)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.paid_on:
            self.tax_year = self.paid_on.year
        if self.home_id and self.owner_id and self.home.owner_id != self.owner_id:
            errors["home"] = "Choose one of your own homes."
        if self.category in self.NEVER_DIRECT and self.scope == self.Scope.DIRECT:
            errors["scope"] = "Mortgage interest and mortgage insurance are never direct expenses."
        if (self.service_start is None) != (self.service_end is None):
            errors["service_end" if self.service_end is None else "service_start"] = (
                "Give both the start and the end of the service period, or neither."
            )
        elif self.service_start and self.service_end and self.service_end < self.service_start:
            errors["service_end"] = "The service period cannot end before it starts."
        if self.category in self.NEEDS_SHARE and self.business_use_percent is None:
            label = "Telephone" if self.category == self.Category.PHONE else "Internet"
            errors["business_use_percent"] = (
                f"{label} bills need a business-use percent: type the share of this bill used for "
                "your business (0-100, for example 40). Without it the bill counts nothing."
            )
        area = self.office_area  # also an unsaved one, as an import reads it
        if area is not None:
            if self.scope != self.Scope.DIRECT:
                errors["office_area"] = "Only a direct bill names the office area it was for."
            elif self.home_id and area.home_id != self.home_id:
                errors["office_area"] = "Choose an office area of the bill's home."
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def signed_amount() -> models.Case:
        """A bill's amount as it counts, in SQL: a refund's is negative. Every sum of bills (the
        engine's inputs, the review's totals and charts, the drill-down's totals) sums this."""
        return models.Case(
            models.When(kind=Bill.Kind.REFUND, then=-models.F("amount")),
            default=models.F("amount"),
            output_field=models.DecimalField(**MONEY),
        )


def receipt_upload_to(instance: Receipt, filename: str) -> str:
    # The stored name never reuses the user's file name: it cannot escape the folder or collide.
    return f"{instance.owner_id}/{instance.sha256[:2]}/{instance.sha256}"


class Receipt(Owned):
    owner_from = "bill"

    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="receipts")
    file = models.FileField(upload_to=receipt_upload_to, storage=receipt_storage, max_length=300)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64, db_index=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["bill_id", "id"]
        indexes = [models.Index(fields=["owner", "sha256"], name="receipt_owner_sha")]

    def __str__(self) -> str:
        return self.original_name


class FilingStatus(models.TextChoices):
    SINGLE = "single", "Single"
    MARRIED_JOINT = "married_joint", "Married filing jointly"
    MARRIED_SEPARATE = "married_separate", "Married filing separately"
    HEAD_OF_HOUSEHOLD = "head_of_household", "Head of household"


class TaxYear(Owned):
    year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(2018), MaxValueValidator(2026)]
    )
    filing_status = models.CharField(
        max_length=20, choices=FilingStatus.choices, default=FilingStatus.SINGLE
    )
    itemizes = models.BooleanField(default=False, help_text="Itemizes deductions on Schedule A.")
    state_local_income_or_sales_tax = models.DecimalField(
        **MONEY, default=ZERO, validators=NOT_NEGATIVE, help_text="Line 11 Worksheet line 1."
    )
    other_real_estate_taxes = models.DecimalField(
        **MONEY, default=ZERO, validators=NOT_NEGATIVE, help_text="Line 11 Worksheet line 3."
    )
    personal_property_taxes = models.DecimalField(
        **MONEY, default=ZERO, validators=NOT_NEGATIVE, help_text="Line 11 Worksheet line 4."
    )
    modified_agi = models.DecimalField(
        **MONEY,
        null=True,
        blank=True,
        verbose_name="modified AGI",
        help_text="2025 and later: reduces the SALT cap above the threshold.",
    )
    adjusted_gross_income = models.DecimalField(
        **MONEY,
        null=True,
        blank=True,
        verbose_name="AGI",
        help_text="Adjusted gross income: mortgage insurance premiums phase out with it, in the "
        "years they count as mortgage interest.",
    )
    net_qualified_disaster_loss = models.BooleanField(
        default=False,
        help_text="Standard deduction increased by a net qualified disaster loss: casualty "
        "losses stay on Form 8829 line 9.",
    )
    filed = models.BooleanField(default=False, help_text="A filed year is locked.")
    filed_at = models.DateTimeField(null=True, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "year"], name="tax_year_unique_per_owner"),
            models.CheckConstraint(
                condition=Q(state_local_income_or_sales_tax__gte=0)
                & Q(other_real_estate_taxes__gte=0)
                & Q(personal_property_taxes__gte=0),
                name="tax_year_taxes_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return str(self.year)


class TaxYearHome(Owned):
    """A home's inputs for one tax year: method, income limit, carryover, daycare, casualty."""

    owner_from = "tax_year"

    class Method(models.TextChoices):
        REGULAR = "regular", "Regular (Form 8829)"
        SIMPLIFIED = "simplified", "Simplified ($5 per sq ft)"

    tax_year = models.ForeignKey(TaxYear, on_delete=models.CASCADE, related_name="homes")
    home = models.ForeignKey(Home, on_delete=models.CASCADE, related_name="tax_years")
    method = models.CharField(max_length=12, choices=Method.choices, default=Method.REGULAR)
    gross_income_limit = models.DecimalField(
        **MONEY,
        default=ZERO,
        help_text="Line 8: Schedule C line 29 plus gains, minus losses, from this home's use "
        "(several businesses in the home: their total). Farms and partnerships: the gross "
        "income from the business (Pub 587 worksheet line 4).",
    )
    receives_carryover = models.BooleanField(
        null=True,
        blank=True,
        help_text="Takes the prior-year carryover (default: the home with the largest line 8).",
    )
    daycare_hours = models.DecimalField(
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NOT_NEGATIVE,
        help_text="Line 4: hours the home was used for daycare.",
    )
    mortgage_interest_schedule_a_limit = models.DecimalField(
        **MONEY,
        null=True,
        blank=True,
        validators=NOT_NEGATIVE,
        help_text="Itemizers: the deductible part of the mortgage interest paid.",
    )
    casualty_losses_direct = models.DecimalField(
        **MONEY, default=ZERO, validators=NOT_NEGATIVE, help_text="Line 9(a)."
    )
    casualty_losses_indirect = models.DecimalField(
        **MONEY, default=ZERO, validators=NOT_NEGATIVE, help_text="Line 9(b)."
    )
    excess_casualty_losses = models.DecimalField(
        **MONEY, default=ZERO, validators=NOT_NEGATIVE, help_text="Line 29."
    )
    other_business_expenses = models.DecimalField(
        **MONEY,
        default=ZERO,
        validators=NOT_NEGATIVE,
        verbose_name="business expenses not from the home",
        help_text="Farms and partnerships only (Pub 587 worksheet line 11): the business's "
        "expenses that are not from the use of the home. Line 8 above is then the worksheet's "
        "line 4, the gross income from the business.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["tax_year_id", "home_id"]
        verbose_name = "home in a tax year"
        verbose_name_plural = "homes in a tax year"
        constraints = [
            models.UniqueConstraint(fields=["tax_year", "home"], name="tax_year_home_unique"),
            models.CheckConstraint(
                condition=Q(casualty_losses_direct__gte=0)
                & Q(casualty_losses_indirect__gte=0)
                & Q(excess_casualty_losses__gte=0),
                name="tax_year_home_casualty_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tax_year_id and self.tax_year.year}: {self.home_id and self.home.name}"

    def clean(self, *, others: Iterable[TaxYearHome] | None = None) -> None:
        """`others`: the tax year's other homes, when a bulk caller has them (else a query)."""
        if self.home_id and self.owner_id and self.home.owner_id != self.owner_id:
            raise ValidationError({"home": "Choose one of your own homes."})
        if self.tax_year_id and self.method == self.Method.SIMPLIFIED:
            if others is None:
                others = (
                    TaxYearHome.objects.filter(
                        tax_year_id=self.tax_year_id, method=self.Method.SIMPLIFIED
                    )
                    .exclude(pk=self.pk)
                    .select_related("home")
                )
            simplified = [other for other in others if other.method == self.Method.SIMPLIFIED]
            if simplified:
                raise ValidationError(
                    {
                        "method": "The simplified method may be used for one home a year only; "
                        f"{simplified[0].home} already uses it in {self.tax_year.year}."
                    }
                )


class BusinessShare(Owned):
    """The user's own split of one home's deduction among the businesses that use the home in a
    tax year (docs/tax-rules.md §6a). Without one, each business gets its share of the home's
    business area (project rule); with them, the home's shares must name every business that
    uses it that year and add up to 100%."""

    owner_from = "tax_year_home"

    tax_year_home = models.ForeignKey(
        TaxYearHome, on_delete=models.CASCADE, related_name="business_shares"
    )
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="shares")
    percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="This business's share of the home's deduction, in percent.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["tax_year_home_id", "business_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tax_year_home", "business"], name="business_share_unique"
            ),
            models.CheckConstraint(
                condition=Q(percent__gte=0) & Q(percent__lte=100),
                name="business_share_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.business_id and self.business.name}: {self.percent}%"

    def clean(self) -> None:
        if self.tax_year_home_id and self.business_id:
            _same_owner(self.tax_year_home, self, "tax_year_home")
            _same_owner(self.business, self, "business")


# The statement imports' records (accounts, statement files and lines, payee rules, recurring
# bills) live in their own module; importing it here is how Django finds them.
from ledger.statement_models import (  # noqa: E402, F401
    BillSchedule,
    PayeeRule,
    StatementAccount,
    StatementImport,
    StatementRow,
)
