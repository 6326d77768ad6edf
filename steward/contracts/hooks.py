"""Extension points other areas of the domain plug into, so that the contracts app does not
import them (and they can be built and tested on their own).

- **Execution checks**: a function `check(contract) -> list[str]` registered with
  `register_execution_check` is called by `contract_execute` before a draft is executed; every
  problem it returns (a sentence the person can act on) refuses execution. Pricing registers
  the commercial-fee and POS-attachment rules here (seed 004).
- **Contract panels**: a function `panel(request, contract) -> str | None` registered with
  `register_contract_panel` returns HTML (rendered with the request, so permissions apply) to
  show as a section of the contract page, or None to show nothing. Panels are shown in the
  order of `order`, then registration.

- **Term listeners**: a function `listener(contract, actor, event)` registered with
  `register_term_listener` is called, in the transaction, when a contract is executed
  (`event.kind == "executed"`), when its end date moves (an extension or a renewal:
  "term_changed") and when it ends early or on time (completed, terminated, expired one by one:
  "ended", with `event.on`). The monitoring area plans the contract's review meetings here.
- **Rating listeners**: a function `listener(changes, on, actor)` registered with
  `register_rating_listener` is called by the risk area after assessments (or an override)
  changed the rating of contracts: `changes` maps contract id to its new rating (red, amber,
  green). The monitoring area moves each contract's next cycle here (seed 002: red sooner).
- **Termination workflows**: a function `workflow(contract) -> str | None` registered with
  `register_termination_workflow` returns the address of the page through which `contract` is
  terminated early where the agency's process asks for more than a date and a reason (seed 003:
  the early-termination review), or None. The contract page then links there instead of
  offering its own "Terminate early".

Apps register in their `AppConfig.ready()`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest

    from steward.contracts.models import Contract

ExecutionCheck = Callable[["Contract"], list[str]]
ContractPanel = Callable[["HttpRequest", "Contract"], "str | None"]


@dataclass(frozen=True)
class _Panel:
    order: int
    key: str
    render: ContractPanel


_execution_checks: dict[str, ExecutionCheck] = {}
_renewal_checks: dict[str, ExecutionCheck] = {}
_panels: dict[str, _Panel] = {}


def register_execution_check(key: str, check: ExecutionCheck) -> None:
    """Register `check` under `key` (registering the same key again replaces it)."""
    _execution_checks[key] = check


def execution_problems(contract: Contract) -> list[str]:
    """Every reason a registered check gives for not executing `contract` yet."""
    problems: list[str] = []
    for check in _execution_checks.values():
        problems.extend(check(contract))
    return problems


def register_renewal_check(key: str, check: ExecutionCheck) -> None:
    """Register a check `renewal_exercise` runs before exercising a renewal option (the
    evaluations area registers renewal eligibility, seed 001)."""
    _renewal_checks[key] = check


def renewal_problems(contract: Contract) -> list[str]:
    """Every reason a registered check gives for not renewing `contract`."""
    problems: list[str] = []
    for check in _renewal_checks.values():
        problems.extend(check(contract))
    return problems


def register_contract_panel(key: str, render: ContractPanel, *, order: int = 100) -> None:
    """Register a section of the contract page under `key` (again replaces it)."""
    _panels[key] = _Panel(order=order, key=key, render=render)


def contract_panels(request: HttpRequest, contract: Contract) -> list[Any]:
    """The HTML of every registered panel that has something to show, in order."""
    panels = sorted(_panels.values(), key=lambda p: p.order)
    return [html for p in panels if (html := p.render(request, contract))]


TerminationWorkflow = Callable[["Contract"], "str | None"]
_termination_workflows: dict[str, TerminationWorkflow] = {}


def register_termination_workflow(key: str, workflow: TerminationWorkflow) -> None:
    """Register `workflow` under `key` (again replaces it); see the module docstring."""
    _termination_workflows[key] = workflow


def termination_workflow(contract: Contract) -> str | None:
    """The address of the page that terminates `contract` early, if an area offers one."""
    for workflow in _termination_workflows.values():
        url = workflow(contract)
        if url:
            return url
    return None


# ---------------------------------------------------------------- data one area offers another

# A risk signal source: `source(contract_ids, as_of) -> {contract_id: {signal_name: count}}`,
# set-based (a bounded number of queries whatever the number of contracts; `contract_ids` None
# means every contract). `contract_ids` is a list of ids or, from the risk recompute, a query
# of ids (`values_list("pk", flat=True)`, thousands of contracts a chunk): use it as it is in an
# `__in` filter (a subquery), never `list()` it into thousands of parameters. The performance
# area offers "indicators_missed", "returns_late" and "returns_missing"; the risk assessment
# (seed 003) weighs every signal it is given.
RiskSignalSource = Callable[[Any, Any], dict[int, dict[str, int]]]
_risk_signal_sources: dict[str, RiskSignalSource] = {}


def register_risk_signal_source(key: str, source: RiskSignalSource) -> None:
    """Register a source of risk signals under `key` (again replaces it)."""
    _risk_signal_sources[key] = source


def risk_signal_sources() -> dict[str, RiskSignalSource]:
    """Every registered risk signal source, by key."""
    return dict(_risk_signal_sources)


# Units delivered per reporting period, from the provider's returns (seed 003 asks that units
# paid be cross-referenced with units delivered): `source(contract) -> list[(period_start,
# period_end, units)]` with dates and Decimal units, in period order.
UnitsDeliveredSource = Callable[["Contract"], list[tuple[Any, Any, Any]]]
_units_delivered: dict[str, UnitsDeliveredSource] = {}


def register_units_delivered_source(key: str, source: UnitsDeliveredSource) -> None:
    """Register where units delivered come from (the performance area's returns)."""
    _units_delivered[key] = source


def units_delivered(contract: Contract) -> list[tuple[Any, Any, Any]] | None:
    """Units delivered per period from the registered source(s); None when no area offers them."""
    if not _units_delivered:
        return None
    rows: list[tuple[Any, Any, Any]] = []
    for source in _units_delivered.values():
        rows.extend(source(contract))
    return sorted(rows, key=lambda row: row[0])


# Each contract's latest finalised evaluation score and renewal eligibility, for the register's
# reports (seeds 000 and 001): `source(contracts) -> {contract_id: (score or None, eligible)}`,
# set-based. The evaluations area offers it; without it every contract is "not evaluated yet".
EvaluationScoreSource = Callable[[list["Contract"]], dict[int, tuple[Any, bool]]]
_evaluation_scores: list[EvaluationScoreSource] = []


def register_evaluation_scores(source: EvaluationScoreSource) -> None:
    """Register where evaluation scores come from (one source: registering again replaces it)."""
    _evaluation_scores[:] = [source]


def evaluation_scores(contracts: list[Contract]) -> dict[int, tuple[Any, bool]] | None:
    """Scores and eligibility of `contracts`, or None when no area offers them."""
    if not _evaluation_scores or not contracts:
        return None
    return _evaluation_scores[0](contracts)


@dataclass(frozen=True)
class TermEvent:
    """What happened to a contract's term: kind is "executed", "term_changed" or "ended"; `on`
    is the day it happened (the execution, the amendment's effect, the end)."""

    kind: str
    on: Any
    #: the amendment that moved the term ("term_changed"), else None
    amendment: Any = None


TermListener = Callable[["Contract", Any, TermEvent], None]
_term_listeners: dict[str, TermListener] = {}


def register_term_listener(key: str, listener: TermListener) -> None:
    """Register `listener` under `key` (again replaces it); see the module docstring."""
    _term_listeners[key] = listener


def term_changed(contract: Contract, actor: Any, event: TermEvent) -> None:
    """Tell every registered listener, in registration order."""
    for listener in _term_listeners.values():
        listener(contract, actor, event)


# ---------------------------------------------------------------- rating listeners

RatingListener = Callable[[dict[int, str], Any, Any], None]
_rating_listeners: dict[str, RatingListener] = {}


def register_rating_listener(key: str, listener: RatingListener) -> None:
    """Register `listener` under `key` (again replaces it); see the module docstring."""
    _rating_listeners[key] = listener


def ratings_changed(changes: dict[int, str], on: Any, actor: Any = None) -> None:
    """Tell every registered listener that the contracts of `changes` (id → new rating) were
    rated anew on `on`. Nothing is called for no change."""
    if not changes:
        return
    for listener in _rating_listeners.values():
        listener(changes, on, actor)


# ---------------------------------------------------------------- register exports in other formats

# A register export format offered by a higher area (the open-data area's OCDS):
# `write(agency_slug, package, out) -> number of contracts written`, streaming text to `out`.
# `steward export-contracts --format KEY` offers every registered key beside its own formats.
RegisterExportWriter = Callable[[str, str, Any], int]
_register_exports: dict[str, RegisterExportWriter] = {}

# Links the register page offers beside its own downloads: `links(request) -> [(label, url)]`.
RegisterDownloads = Callable[["HttpRequest"], list[tuple[str, str]]]
_register_downloads: dict[str, RegisterDownloads] = {}


def register_export_format(key: str, write: RegisterExportWriter) -> None:
    """Register a format of `steward export-contracts` under `key` (again replaces it)."""
    _register_exports[key] = write


def register_export_formats() -> dict[str, RegisterExportWriter]:
    """Every registered export format, by key."""
    return dict(_register_exports)


def register_register_downloads(key: str, links: RegisterDownloads) -> None:
    """Register download links for the register page under `key` (again replaces it)."""
    _register_downloads[key] = links


def register_downloads(request: HttpRequest) -> list[tuple[str, str]]:
    """Every registered download link the register page offers `request.user`."""
    return [link for links in _register_downloads.values() for link in links(request)]
