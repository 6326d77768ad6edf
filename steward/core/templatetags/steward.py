"""Template helpers for Steward's pages: USWDS form widgets, due-date wording, sort headers,
money, scores and people's names (core/formatting.py)."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import forms, template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from steward.core.deadlines import days_remaining
from steward.core.formatting import fmt_money, fmt_score, person_name, to_decimal

register = template.Library()

_WIDGET_CLASSES: list[tuple[type[forms.Widget], str]] = [
    (forms.CheckboxInput, "usa-checkbox__input"),
    (forms.CheckboxSelectMultiple, "usa-checkbox__input"),
    (forms.RadioSelect, "usa-radio__input"),
    (forms.Select, "usa-select"),
    (forms.Textarea, "usa-textarea"),
    (forms.ClearableFileInput, "usa-input"),
    (forms.FileInput, "usa-input"),
]


def _widget_class(widget: forms.Widget) -> str:
    for widget_type, css in _WIDGET_CLASSES:
        if isinstance(widget, widget_type):
            return css
    return "usa-input"


@register.filter
def is_checkbox(field: forms.BoundField) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.filter
def uswds_widget(field: forms.BoundField) -> SafeString:
    """Render `field`'s widget with its USWDS class and the ARIA links to its hint and error."""
    widget = field.field.widget
    css = [_widget_class(widget)]
    existing = widget.attrs.get("class")
    if existing:
        css.append(existing)
    described_by = []
    if field.help_text:
        described_by.append(f"{field.auto_id}-hint")
    if field.errors:
        described_by.append(f"{field.auto_id}-error")
        if css[0] in ("usa-input", "usa-select", "usa-textarea"):
            css.append(f"{css[0]}--error")
    attrs: dict[str, Any] = {"class": " ".join(css)}
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.simple_tag
def days_left(due: date, today: date) -> str:
    """Say how long is left until `due`: "12 days left", "due today", "overdue by 3 days"."""
    return left_words(days_remaining(due=due, today=today))


@register.filter
def left_words(remaining: int) -> str:
    """Say `remaining` days (negative: late) in words: "12 days left", "Overdue by 3 days"."""
    if remaining == 0:
        return "Due today"
    if remaining > 0:
        return f"{remaining} day{'s' if remaining != 1 else ''} left"
    late = -remaining
    return f"Overdue by {late} day{'s' if late != 1 else ''}"


@register.filter
def is_overdue(due: date, today: date) -> bool:
    return days_remaining(due=due, today=today) < 0


@register.simple_tag(takes_context=True)
def sort_header(context: dict[str, Any], key: str, label: str) -> SafeString:
    """A register column header: a link that sorts by `key` (again: reverses it), with
    aria-sort on the column the table is sorted by."""
    request = context["request"]
    current = context.get("sort", "")
    params = request.GET.copy()
    params.pop("page", None)
    if current == key:
        params["sort"] = f"-{key}"
        aria, note = "ascending", " (sorted ascending)"
    elif current == f"-{key}":
        params["sort"] = key
        aria, note = "descending", " (sorted descending)"
    else:
        params["sort"] = key
        aria, note = "", ""
    href = f"?{params.urlencode()}"
    if aria:
        return format_html(
            '<th scope="col" aria-sort="{}"><a href="{}" class="steward-sort">{}'
            '<span class="usa-sr-only">{}</span><span aria-hidden="true" '
            'class="steward-sort__arrow">{}</span></a></th>',
            aria,
            href,
            label,
            note,
            " ▲" if aria == "ascending" else " ▼",
        )
    return format_html(
        '<th scope="col"><a href="{}" class="steward-sort">{}'
        '<span class="usa-sr-only"> (sort)</span></a></th>',
        href,
        label,
    )


@register.filter
def money(value: Any, currency: Any = "") -> str:
    """`{{ amount|money:currency }}`: the amount in `currency` with thousands separators and
    cents ("$1,850,000.00", "£1,850,000.00"). Pages pass the record's currency (a contract's,
    a solicitation's) or `currency`, the reader's agency's (core/context_processors.py). Without
    a currency the amount is written with separators only; "—" for no amount."""
    amount = to_decimal(value)
    if amount is None:
        return "—" if value is None or value == "" else str(value)
    if not currency:
        return f"{amount.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"
    return fmt_money(amount, str(currency))


@register.filter
def score(value: Any) -> str:
    """`{{ evaluation.score|score }}`: a score with one decimal ("88.0", never "88.0000");
    "—" for no score."""
    number = to_decimal(value)
    if number is None:
        return "—" if value is None or value == "" else str(value)
    return fmt_score(number)


@register.filter
def person(user: Any) -> str:
    """`{{ user|person }}`: the person's full name, their username only when no name is
    recorded; "—" for no one."""
    return person_name(user) or "—"


@register.filter
def sortedlist(values: Any) -> list[Any]:
    """Return `values` (a set, frozenset or list) sorted."""
    return sorted(values or [])


@register.simple_block_tag
def scrollable(content: str, label: str) -> SafeString:
    """Wrap a wide table so that on a narrow screen it scrolls sideways inside its own region,
    not the whole page. The region is named and focusable so keyboard users can scroll it.
    Use: {% scrollable "Contracts" %}<table>…</table>{% endscrollable %}"""
    return format_html(
        '<div class="usa-table-container--scrollable steward-table-wrap" role="region"'
        ' aria-label="{}" tabindex="0">{}</div>',
        label,
        content,
    )
