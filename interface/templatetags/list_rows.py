"""`{% page_result_list cl %}`: Django's `{% result_list cl %}`, in its own
`admin/change_list_results.html`, with the rows made by `interface.list_rows.page_results`."""

from django import template
from django.contrib.admin.templatetags.admin_list import result_headers, result_hidden_fields
from django.contrib.admin.templatetags.base import InclusionAdminNode

from interface.list_rows import page_results

register = template.Library()


def page_result_list(cl):
    # As Django's `admin_list.result_list`, but for the rows.
    headers = list(result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": list(result_hidden_fields(cl)),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": list(page_results(cl)),
    }


@register.tag(name="page_result_list")
def page_result_list_tag(parser, token):
    return InclusionAdminNode(
        parser,
        token,
        func=page_result_list,
        template_name="change_list_results.html",
        takes_context=False,
    )
