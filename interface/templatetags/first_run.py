"""The admin index's first-run path: home -> office -> tax year -> bills -> review.

Each step says what to do next and links there; done steps are ticked. Below, each tax year
links to its review. Five queries (four counts and the years), whatever the ledger's size.
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.urls import reverse

from ledger.models import Bill, Home, OfficeArea, TaxYear
from review.links import review_url

register = template.Library()


def _url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@register.inclusion_tag("interface/first_run.html", takes_context=True)
def first_run(context):
    user = context["request"].user
    if not user.is_authenticated or not user.has_perm("ledger.view_bill"):
        return {"steps": [], "years": []}
    homes = Home.objects.owned_by(user)
    first_home = homes.order_by("pk").values_list("pk", flat=True).first()
    offices = OfficeArea.objects.owned_by(user).exists()
    years = list(TaxYear.objects.owned_by(user).order_by("-year").values("pk", "year", "filed"))
    bills = Bill.objects.owned_by(user).exists()
    this_year = dt.date.today().year
    steps = [
        {
            "done": first_home is not None,
            "title": "Add your home",
            "text": "Its name, total area (square feet) and the day you moved in; owners add "
            "the cost basis, land value and fair market value when business use began.",
            "url": _url(Home, "add"),
        },
        {
            "done": offices,
            "title": "Add your office",
            "text": "On the home's page, under Office areas: the area you use regularly and "
            "exclusively for business, and the first day you used it.",
            "url": _url(Home, "change", first_home) if first_home else _url(Home, "add"),
        },
        {
            "done": bool(years),
            "title": "Add the tax year",
            "text": "Your filing status, and which homes you worked from that year.",
            "url": f"{_url(TaxYear, 'add')}?year={this_year}",
        },
        {
            "done": bills,
            "title": "Enter your bills",
            "text": "A year of monthly bills (rent, utilities, internet) on one page, or one "
            "bill at a time.",
            "url": reverse("admin:ledger_bill_year_grid"),
            "more": {"title": "one bill", "url": _url(Bill, "add")},
        },
    ]
    for step in steps:
        step["next"] = False
    pending = [step for step in steps if not step["done"]]
    if pending:
        pending[0]["next"] = True
    reviews = [{**year, "url": review_url(year["pk"])} for year in years]
    return {"steps": steps, "years": reviews, "all_done": not pending}
