"""`{% load evaluation_tags %}`:

- `{% provider_evaluations_section provider %}`: the provider page's section with the latest
  finalised evaluations, the average current score and a link to the full past performance.
- `{% renewal_eligibility_note contract %}`: one line on a contract's renewal eligibility (the
  renewal form shows it), for agency staff.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string

register = template.Library()


@register.simple_tag(takes_context=True)
def provider_evaluations_section(context: Any, provider: Any) -> str:
    from steward.evaluations.views_past_performance import provider_section

    request = context.get("request")
    if request is None or provider is None:
        return ""
    return provider_section(request, provider)


@register.simple_tag(takes_context=True)
def renewal_eligibility_note(context: Any, contract: Any) -> str:
    from steward.evaluations.selectors import renewal_status
    from steward.evaluations.views import is_staff

    request = context.get("request")
    if request is None or contract is None or not is_staff(request.user):
        return ""
    return render_to_string(
        "evaluations/renewal_note.html",
        {"contract": contract, "status": renewal_status(contract)},
        request=request,
    )
