"""Admin views of the year-end review: the review page, recompute, file, reopen and downloads.

Mounted by `interface.admin_ledger.TaxYearAdmin.get_urls` behind `admin_site.admin_view` (staff
login, CSRF). Each view finds the tax year through the model admin's owner-scoped queryset (another
user's year is a 404) and acts on the year's owner. Thin: the data comes from
`review.page`, the writes from `forms8829.filing`, the files from `pdf`/`support`.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.template.response import TemplateResponse

from forms8829.chain import year_forms
from forms8829.filing import (
    YearFiledError,
    chain_recompute,
    ledger_write,
    tax_year_file,
    tax_year_reopen,
)
from forms8829.selectors import area_methods, office_areas_prefetch
from ledger.models import Home
from ledger.services import home_area_method_set
from review import page as review_data
from review.links import review_url
from review.page_cache import keep_page, kept_page, review_page_key
from review.support import bills_behind_lines_csv_chunks, support_package_chunks


class ReopenForm(forms.Form):
    reason = forms.CharField(
        max_length=90,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Why the year is reopened (for example: a corrected Form 1098). Kept in the "
        "tax year's history.",
    )


def _tax_year(model_admin, request, object_id, *, change: bool = False):
    tax_year = model_admin.get_object(request, str(object_id))
    if tax_year is None:
        raise Http404("No such tax year.")
    allowed = (
        model_admin.has_change_permission(request, tax_year)
        if change
        else model_admin.has_view_permission(request, tax_year)
    )
    if not allowed:
        raise PermissionDenied
    return tax_year


def _context(model_admin, request, tax_year, title: str, **extra) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "app_label": model_admin.opts.app_label,
        "original": tax_year,
        "tax_year": tax_year,
        "title": title,
        "review_url": review_url(tax_year.pk),
        **extra,
    }


def _back(tax_year) -> HttpResponseRedirect:
    return HttpResponseRedirect(review_url(tax_year.pk))


def review(model_admin, request, object_id):
    tax_year = _tax_year(model_admin, request, object_id)
    can_change = model_admin.has_change_permission(request, tax_year)
    key = review_page_key(
        request, owner_id=tax_year.owner_id, tax_year_id=tax_year.pk, can_change=can_change
    )
    kept = kept_page(key)
    if kept is not None:
        return HttpResponse(kept)
    all_missing = request.GET.get("missing") == "all"
    data = review_data.year_review(tax_year=tax_year, all_missing=all_missing)
    response = TemplateResponse(
        request,
        "review/review.html",
        _context(
            model_admin,
            request,
            data.tax_year,
            f"Year-end review {tax_year.year}",
            review=data,
            can_change=can_change,
        ),
    ).render()
    keep_page(key, response.content)
    return response


def recompute(model_admin, request, object_id):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    tax_year = _tax_year(model_admin, request, object_id, change=True)
    try:
        chain = chain_recompute(owner=tax_year.owner)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        filed = [str(yf.year) for yf in chain if yf.filed]
        kept = f" Filed years kept as filed: {', '.join(filed)}." if filed else ""
        messages.success(
            request, f"Recomputed every year's forms from the ledger ({len(chain)} years).{kept}"
        )
    return _back(tax_year)


def file_year(model_admin, request, object_id):
    tax_year = _tax_year(model_admin, request, object_id, change=True)
    if tax_year.filed:
        messages.info(request, f"{tax_year.year} is already filed.")
        return _back(tax_year)
    if request.method == "POST":
        try:
            tax_year_file(tax_year=tax_year)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                f"Tax year {tax_year.year} is filed: its forms are frozen and its bills, homes "
                "and inputs can no longer change (reopen it to correct them).",
            )
        return _back(tax_year)
    try:
        forms = year_forms(owner=tax_year.owner, year=tax_year.year)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back(tax_year)
    return TemplateResponse(
        request,
        "review/file_confirm.html",
        _context(
            model_admin,
            request,
            tax_year,
            f"File tax year {tax_year.year}?",
            rows=review_data.filing_rows(forms),
            warnings=forms.warnings,
        ),
    )


def area_method(model_admin, request, object_id, home_id):
    """Switch a home to the area method that gives the larger business percentage this year,
    in one step (the review shows both; the history keeps why)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    tax_year = _tax_year(model_admin, request, object_id, change=True)
    home = (
        Home.objects.owned_by(tax_year.owner)
        .prefetch_related(office_areas_prefetch())
        .filter(pk=home_id)
        .first()
    )
    methods = area_methods(home, tax_year.year) if home is not None else None
    if methods is None:
        raise Http404("No home with both measures in this year.")
    try:
        with ledger_write(owner=tax_year.owner):
            home_area_method_set(home=home, method=methods.larger)
    except (YearFiledError, ValidationError) as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        rooms = methods.larger == Home.AreaMethod.ROOMS
        messages.success(
            request,
            f"{home.name} now measures its business part in "
            f"{'rooms' if rooms else 'square feet'}"
            + (
                " (for rooms of about the same size, Pub 587; noted in its history)."
                if rooms
                else "."
            ),
        )
    return _back(tax_year)


def reopen(model_admin, request, object_id):
    tax_year = _tax_year(model_admin, request, object_id, change=True)
    if not tax_year.filed:
        messages.info(request, f"{tax_year.year} is not filed.")
        return _back(tax_year)
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tax_year_reopen(tax_year=tax_year, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                f"Tax year {tax_year.year} is reopened; the reason is kept in its history.",
            )
            return _back(tax_year)
    return TemplateResponse(
        request,
        "review/reopen.html",
        _context(model_admin, request, tax_year, f"Reopen tax year {tax_year.year}", form=form),
    )


def _download(content, *, content_type: str, filename: str) -> HttpResponse:
    """`content`: bytes, or an iterator of pieces written as they are taken (streamed)."""
    if isinstance(content, bytes | str):
        response = HttpResponse(content, content_type=content_type)
    else:
        response = StreamingHttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _download_view(build, *, content_type: str, filename: str):
    """An admin view that downloads `build(owner=, year=)` of a tax year as an attachment, or
    goes back to the review with the message when the year cannot be computed."""

    def view(model_admin, request, object_id):
        tax_year = _tax_year(model_admin, request, object_id)
        try:
            content = build(owner=tax_year.owner, year=tax_year.year)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return _back(tax_year)
        return _download(
            content, content_type=content_type, filename=filename.format(year=tax_year.year)
        )

    return view


def _form_pdf(*, owner, year):
    from review.pdf import form_pdf

    return form_pdf(owner=owner, year=year)


pdf = _download_view(_form_pdf, content_type="application/pdf", filename="form8829-{year}.pdf")
# The CSV and the ZIP are written as the bills and receipts are read (memory does not grow
# with the year); a year that cannot be computed is refused before the first byte.
bills_csv = _download_view(
    bills_behind_lines_csv_chunks,
    content_type="text/csv; charset=utf-8",
    filename="bills-behind-lines-{year}.csv",
)
support_zip = _download_view(
    support_package_chunks, content_type="application/zip", filename="tax-support-{year}.zip"
)
