"""`{% load risk_tags %}{% provider_risk_section provider %}`: the provider page's section of
ratings across agencies and cumulative concerns, shown to internal readers only (risk is
internal, DOMAIN.md §1); empty for provider users."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def provider_risk_section(context: Any, provider: Any) -> str:
    from steward.risk.views import provider_section

    request = context.get("request")
    if request is None or provider is None:
        return ""
    return provider_section(request, provider)
