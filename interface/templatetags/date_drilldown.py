"""`{% indexed_date_hierarchy cl %}`: Django's date drill-down, read by index
(`interface.date_drilldown`), in Django's own `admin/date_hierarchy.html`."""

from django import template
from django.contrib.admin.templatetags.base import InclusionAdminNode

from interface.date_drilldown import date_hierarchy

register = template.Library()


@register.tag(name="indexed_date_hierarchy")
def indexed_date_hierarchy_tag(parser, token):
    return InclusionAdminNode(
        parser, token, func=date_hierarchy, template_name="date_hierarchy.html", takes_context=False
    )
