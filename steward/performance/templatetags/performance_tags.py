"""`{% load performance_tags %}{% provider_performance_section provider %}`: the provider page's
charts of each indicator over time, for every contract of the provider the person may see."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def provider_performance_section(context: Any, provider: Any) -> str:
    from steward.performance.views import provider_section

    request = context.get("request")
    if request is None or provider is None:
        return ""
    return provider_section(request, provider)
