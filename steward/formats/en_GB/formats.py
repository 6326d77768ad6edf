"""Steward's one date format (issue 21 point 6): "16 March 2027" on every page and email, the
format of GOV.UK and the house style. `{{ d|date }}` and a date printed as it is use it;
`|date:"DATETIME_FORMAT"` adds the time, `|date:"YEAR_MONTH_FORMAT"` says a month. Input
formats stay Django's en-GB ones (this module is searched first, Django's next)."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y H:i"
SHORT_DATE_FORMAT = "j F Y"
SHORT_DATETIME_FORMAT = "j F Y H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
