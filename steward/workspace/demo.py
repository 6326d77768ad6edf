"""The demo data behind `steward demo`: five agencies (one on each shipped policy pack), two
oversight bodies, fifteen providers, about forty contracts in every status, and one login per
role, all sharing the password DEMO_PASSWORD.

Contracts are built through the contract services (create, execute, activate, complete,
terminate, expire, amend), so their audit history and closeout due dates are the real ones.
Dates are relative to `today`: some contracts are expiring within the packs' 120-day window,
some completed recently with their closeout evaluation still open, some with it overdue.

The demo is for trying Steward out on a laptop. Its password is published in the README:
never load it on a site that holds real records (`steward demo` refuses in production).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.db.models import ProtectedError, Q, RestrictedError
from django.db.models.signals import post_delete

from steward.contracts import services as contract_services
from steward.contracts.models import (
    AuthorityCategory,
    CompensationStructure,
    Contract,
    ContractStatus,
    ContractType,
    ProcurementMethod,
)
from steward.core.deadlines import add_months, month_end
from steward.core.models import OutboundEmail, PolicyPack
from steward.core.services import policy_packs_load_shipped, save_audited
from steward.parties.models import (
    Agency,
    AgencyKind,
    InspectionRating,
    Provider,
    ProviderContact,
    Role,
    User,
)
from steward.parties.services import jurisdiction_for

DEMO_PASSWORD = "steward-demo-2026"  # demo only: published in the README and printed on load

# ---------------------------------------------------------------------------- the data


@dataclass(frozen=True)
class AgencySpec:
    key: str
    name: str
    slug: str
    kind: str
    pack: str
    jurisdiction: str
    address: str
    contact_email: str


# fmt: off
AGENCIES: tuple[AgencySpec, ...] = (
    AgencySpec(
        "dcf", "Connecticut Department of Children and Families", "ct-dcf",
        AgencyKind.STATE_AGENCY, "connecticut-opm", "Connecticut",
        "505 Hudson Street\nHartford, CT 06106", "contracts.dcf@example.org",
    ),
    AgencySpec(
        "opm", "Connecticut Office of Policy and Management", "ct-opm", AgencyKind.OVERSIGHT_BODY,
        "connecticut-opm", "Connecticut", "450 Capitol Avenue\nHartford, CT 06106",
        "contractor.evaluations@example.org",
    ),
    AgencySpec(
        "mps", "Milwaukee Public Schools", "milwaukee-public-schools", AgencyKind.SCHOOL_DISTRICT,
        "milwaukee-mps", "Wisconsin", "5225 West Vliet Street\nMilwaukee, WI 53208",
        "procurement.mps@example.org",
    ),
    AgencySpec(
        "wl", "West London Supporting People Partnership", "west-london-sp", AgencyKind.COUNCIL,
        "west-london-sp", "England", "Perceval House, 14–16 Uxbridge Road\nLondon W5 2HL",
        "supporting.people@example.org",
    ),
    AgencySpec(
        "scot", "Highland Council Children's Services", "highland-childrens-services",
        AgencyKind.COUNCIL, "scottish-childrens", "Scotland",
        "Glenurquhart Road\nInverness IV3 5NX", "childrens.commissioning@example.org",
    ),
    AgencySpec(
        "dmh", "Massachusetts Department of Mental Health", "ma-dmh", AgencyKind.STATE_AGENCY,
        "massachusetts-osd", "Massachusetts", "25 Staniford Street\nBoston, MA 02114",
        "contracts.dmh@example.org",
    ),
    AgencySpec(
        "osd", "Massachusetts Operational Services Division", "ma-osd", AgencyKind.OVERSIGHT_BODY,
        "massachusetts-osd", "Massachusetts", "One Ashburton Place\nBoston, MA 02108",
        "pos.policy@example.org",
    ),
)
# fmt: on


@dataclass(frozen=True)
class ProviderSpec:
    key: str
    legal_name: str
    city: str
    region: str
    postcode: str
    address_line1: str
    country: str = "US"
    for_profit: bool = False
    tax_id: str = ""
    company_number: str = ""
    charity_number: str = ""
    trading_name: str = ""
    phone: str = ""
    contact: tuple[str, str] = ("", "")  # name, role
    # (inspection body, rating, months ago)
    inspections: tuple[tuple[str, str, int], ...] = ()

    @property
    def slug(self) -> str:
        return f"demo-{self.key}"

    @property
    def domain(self) -> str:
        return f"{self.key}.example.org"


# fmt: off
PROVIDERS: tuple[ProviderSpec, ...] = (
    ProviderSpec(
        "nutmeg", "Nutmeg Behavioral Health Partners, Inc.", "Hartford", "CT", "06106",
        "212 Washington Street", tax_id="06-1583220", phone="(860) 555-0142",
        contact=("Jordan Avery", "Director of Contracts"),
        inspections=(
            ("Connecticut DCF Licensing", "Licensed, no citations", 7),
        ),
    ),
    ProviderSpec(
        "riverbend", "Riverbend Family Services, Inc.", "New Haven", "CT", "06511",
        "88 Chapel Street", tax_id="06-1047731", phone="(203) 555-0187",
        contact=("Maria Delgado", "Executive Director"),
        inspections=(
            ("Connecticut DCF Licensing", "Licensed, corrective action plan accepted", 14),
        ),
    ),
    ProviderSpec(
        "housatonic", "Housatonic Youth and Family Alliance, Inc.", "Torrington", "CT", "06790",
        "41 Water Street", tax_id="06-1329904", phone="(860) 555-0119",
        contact=("Ben Whitcomb", "Chief Operating Officer"),
    ),
    ProviderSpec(
        "granite-ridge", "Granite Ridge Consulting Group LLC", "Glastonbury", "CT", "06033",
        "300 Hebron Avenue, Suite 210", for_profit=True, tax_id="06-1772415",
        phone="(860) 555-0164", contact=("Elaine Porter", "Managing Partner"),
    ),
    ProviderSpec(
        "lakeshore", "Lakeshore Learning Partners LLC", "Milwaukee", "WI", "53202",
        "735 North Water Street", for_profit=True, tax_id="39-2041876", phone="(414) 555-0133",
        contact=("Derrick Hale", "Program Director"),
    ),
    ProviderSpec(
        "cream-city", "Cream City Youth Mentoring, Inc.", "Milwaukee", "WI", "53212",
        "2100 North Martin Luther King Jr Drive", tax_id="39-1865532", phone="(414) 555-0178",
        contact=("Aisha Robinson", "Executive Director"),
        inspections=(
            ("Wisconsin DCF Child Care Licensing", "Regular licence, no violations", 5),
        ),
    ),
    ProviderSpec(
        "northside-stem", "Northside STEM Academy, Inc.", "Milwaukee", "WI", "53209",
        "5460 North 64th Street", tax_id="39-2099143", phone="(414) 555-0121",
        contact=("Dr. Samuel Greene", "Head of School"),
    ),
    ProviderSpec(
        "pioneer-valley", "Pioneer Valley Community Supports, Inc.", "Springfield", "MA", "01103",
        "1350 Main Street", tax_id="04-2716659", phone="(413) 555-0156",
        contact=("Rachel Kowalski", "Vice President, Adult Services"),
        inspections=(
            ("Massachusetts DMH Licensing", "Full two-year licence", 10),
        ),
    ),
    ProviderSpec(
        "bay-state", "Bay State Recovery Services LLC", "Worcester", "MA", "01608",
        "100 Front Street", for_profit=True, tax_id="04-3558102", phone="(508) 555-0190",
        contact=("Thomas Nguyen", "Chief Executive"),
        inspections=(
            ("Massachusetts DMH Licensing", "Provisional licence (six months)", 3),
        ),
    ),
    ProviderSpec(
        "westway", "Westway Housing Trust", "London", "Greater London", "W10 6RQ",
        "12 Latimer Road", country="GB", company_number="03318452", charity_number="1059123",
        phone="020 7946 0318", contact=("Grace Adeyemi", "Head of Supported Housing"),
    ),
    ProviderSpec(
        "brentside", "Brentside Floating Support CIC", "London", "Greater London", "W5 5DB",
        "3 The Broadway", country="GB", company_number="09284417", phone="020 7946 0552",
        contact=("Liam Doherty", "Service Manager"),
    ),
    ProviderSpec(
        "harlington", "Harlington Care and Support Ltd", "Hayes", "Greater London", "UB3 5AN",
        "Unit 7, Station Road Business Park", country="GB", for_profit=True,
        company_number="07651290", phone="020 7946 0871",
        contact=("Sunita Patel", "Registered Manager"),
        inspections=(
            ("Care Quality Commission (CQC)", "Good", 9),
            ("Care Quality Commission (CQC)", "Requires improvement", 30),
        ),
    ),
    ProviderSpec(
        "caledonia", "Caledonia Children's Care Ltd", "Inverness", "Highland", "IV2 3PT",
        "Beechwood Business Park", country="GB", for_profit=True, company_number="SC412877",
        phone="0131 496 0274", contact=("Morag Fraser", "Registered Manager"),
        inspections=(
            ("Care Inspectorate", "Care and support: 5 (Very good)", 6),
        ),
    ),
    ProviderSpec(
        "speyside", "Speyside Family Support", "Aviemore", "Highland", "PH22 1RH", "Grampian Road",
        country="GB", charity_number="SC044718", phone="0131 496 0633",
        contact=("Callum Grant", "Chief Officer"),
        inspections=(
            ("Care Inspectorate", "Care and support: 4 (Good)", 11),
        ),
    ),
    ProviderSpec(
        "moray-firth", "Moray Firth Fostering Services Ltd", "Nairn", "Highland", "IV12 4AU",
        "14 High Street", country="GB", for_profit=True, company_number="SC398210",
        phone="0131 496 0905", contact=("Isla Munro", "Fostering Manager"),
        inspections=(
            ("Care Inspectorate", "Care and support: 3 (Adequate)", 4),
        ),
    ),
)
# fmt: on


@dataclass(frozen=True)
class UserSpec:
    username: str
    first_name: str
    last_name: str
    role: str
    agency: str = ""  # AgencySpec.key
    provider: str = ""  # ProviderSpec.key
    job_title: str = ""


_PROVIDER_SPECS = {p.key: p for p in PROVIDERS}


def _provider_login(spec: ProviderSpec) -> UserSpec:
    first, _, last = (spec.contact[0] or "Contracts Lead").partition(" ")
    return UserSpec(
        f"provider-{spec.key}",
        first,
        last or "Lead",
        Role.PROVIDER_USER,
        provider=spec.key,
        job_title=spec.contact[1] or "Contracts lead",
    )


# fmt: off
USERS: tuple[UserSpec, ...] = (
    UserSpec(
        "admin", "Alex", "Morgan", Role.ADMINISTRATOR, job_title="Steward administrator",
    ),
    UserSpec(
        "oversight", "Grace", "Whitfield", Role.OVERSIGHT_OFFICER, agency="opm",
        job_title="Policy Development Coordinator",
    ),
    UserSpec(
        "manager", "Marcus", "Bell", Role.CONTRACT_MANAGER, agency="dcf",
        job_title="Contract Manager",
    ),
    UserSpec(
        "monitor", "Priya", "Raman", Role.CONTRACT_MONITOR, agency="dcf",
        job_title="Program Monitor",
    ),
    UserSpec(
        "budget", "Daniel", "Okafor", Role.BUDGET_HOLDER, agency="dcf",
        job_title="Regional Budget Holder",
    ),
    UserSpec(
        "finance", "Hannah", "Fitzgerald", Role.FINANCE_OFFICER, agency="dcf",
        job_title="Fiscal Officer",
    ),
    UserSpec(
        "procurement", "Luis", "Ortega", Role.PROCUREMENT_OFFICER, agency="dcf",
        job_title="Procurement Specialist",
    ),
    UserSpec(
        "senior", "Carol", "Whitaker", Role.SENIOR_MANAGER, agency="dcf",
        job_title="Deputy Commissioner",
    ),
    UserSpec(
        "people", "Rosa", "Delgado", Role.AGENCY_ADMINISTRATOR, agency="dcf",
        job_title="Systems Administrator",
    ),
    UserSpec(
        "provider", "Jordan", "Avery", Role.PROVIDER_USER, provider="nutmeg",
        job_title="Director of Contracts",
    ),
    UserSpec(
        "manager-mps", "Tanya", "Brooks", Role.CONTRACT_MANAGER, agency="mps",
        job_title="Contract Administrator",
    ),
    # every buying agency has a reviewing official (a senior manager, who finalises what the
    # manager wrote), a monitor, and a login for one of its providers, so that each journey
    # can be walked from start to end in any of them
    UserSpec(
        "senior-mps", "Angela", "Reyes", Role.SENIOR_MANAGER, agency="mps",
        job_title="Chief Academic Officer",
    ),
    UserSpec(
        "monitor-mps", "Kofi", "Mensah", Role.CONTRACT_MONITOR, agency="mps",
        job_title="Program Monitor, Office of Academics",
    ),
    _provider_login(_PROVIDER_SPECS["lakeshore"]),
    # seed 001's departments at Milwaukee: Procurement & Risk Management signs off the metrics
    # the sponsor develops with it; Research, Assessment and Data keeps the plans' timelines
    UserSpec(
        "procurement-mps", "Marcus", "Hill", Role.PROCUREMENT_OFFICER, agency="mps",
        job_title="Buyer, Department of Procurement & Risk Management",
    ),
    UserSpec(
        "research-mps", "Priya", "Nair", Role.RESEARCH_DATA, agency="mps",
        job_title="Research Analyst, Department of Research, Assessment and Data",
    ),
    UserSpec(
        "charter-mps", "Denise", "Ortiz", Role.CHARTER_REVIEW_TEAM, agency="mps",
        job_title="Charter School Contract Review Team",
    ),
    UserSpec(
        "manager-wl", "Fiona", "Clarke", Role.CONTRACT_MANAGER, agency="wl",
        job_title="Commissioning and Contracts Manager",
    ),
    UserSpec(
        "senior-wl", "Helen", "Ashworth", Role.SENIOR_MANAGER, agency="wl",
        job_title="Head of Commissioning",
    ),
    UserSpec(
        "monitor-wl", "Samir", "Patel", Role.CONTRACT_MONITOR, agency="wl",
        job_title="Contract Monitoring Officer",
    ),
    _provider_login(_PROVIDER_SPECS["westway"]),
    UserSpec(
        "manager-scot", "Euan", "MacLeod", Role.CONTRACT_MANAGER, agency="scot",
        job_title="Commissioning and Contracts Manager",
    ),
    UserSpec(
        "senior-scot", "Kirsty", "Mackenzie", Role.SENIOR_MANAGER, agency="scot",
        job_title="Head of Children's Services",
    ),
    _provider_login(_PROVIDER_SPECS["caledonia"]),
    # seed 003's roles at the Scottish council: lead professional, key worker, reviewing
    # officer, the Resource Allocation Group's administrator, Finance and a budget holder
    UserSpec(
        "lead-scot", "Morag", "Fraser", Role.CONTRACT_MONITOR, agency="scot",
        job_title="Service Manager (lead professional)",
    ),
    UserSpec(
        "keyworker-scot", "Callum", "Reid", Role.KEY_WORKER, agency="scot",
        job_title="Social Worker (key worker)",
    ),
    UserSpec(
        "reviewer-scot", "Isla", "Munro", Role.REVIEWING_OFFICER, agency="scot",
        job_title="Independent Reviewing Officer",
    ),
    UserSpec(
        "rag-scot", "Diane", "Brisbane", Role.RAG_ADMINISTRATOR, agency="scot",
        job_title="Resource Allocation Group Administrator",
    ),
    UserSpec(
        "finance-scot", "Alasdair", "Grant", Role.FINANCE_OFFICER, agency="scot",
        job_title="Finance Officer",
    ),
    UserSpec(
        "budget-scot", "Shona", "Ross", Role.BUDGET_HOLDER, agency="scot",
        job_title="Children's Services Budget Holder",
    ),
    UserSpec(
        "manager-ma", "Kevin", "Sullivan", Role.CONTRACT_MANAGER, agency="dmh",
        job_title="Contract Manager",
    ),
    UserSpec(
        "senior-ma", "Patricia", "Doyle", Role.SENIOR_MANAGER, agency="dmh",
        job_title="Area Director",
    ),
    UserSpec(
        "monitor-ma", "Jamal", "Carter", Role.CONTRACT_MONITOR, agency="dmh",
        job_title="Contract Monitor",
    ),
    _provider_login(_PROVIDER_SPECS["pioneer-valley"]),
)
# fmt: on

# Who acts for each agency when the demo builds its contracts.
MANAGER_OF = {
    "dcf": "manager",
    "mps": "manager-mps",
    "wl": "manager-wl",
    "scot": "manager-scot",
    "dmh": "manager-ma",
}
# Amendments in Connecticut are recorded by the finance officer (a role allowed to amend).
AMENDER_OF = {**MANAGER_OF, "dcf": "finance"}


@dataclass(frozen=True)
class AmendmentSpec:
    days_ago: int
    reason: str
    extend_months: int = 0
    new_obligation: str | None = None


@dataclass(frozen=True)
class ContractSpec:
    """One demo contract. `start` is in months from the current month (the contract starts on
    the 1st); `months` is its term, so it ends on the last day of month start + months - 1.
    `outcome` is the status it ends in; `closed_days_ago` dates a termination."""

    agency: str
    provider: str
    number: str
    title: str
    contract_type: str
    service_type: str
    sponsor: str
    start: int
    months: int
    obligation: str
    compensation: str
    procurement: str
    outcome: str
    object_code: str = ""
    authority: str = ""
    renewal_options: int = 0
    renewal_terms: str = ""
    rate_setting_authority: str = ""
    description: str = ""
    notes: str = ""
    termination_reason: str = ""
    closed_days_ago: int = 0
    amendments: tuple[AmendmentSpec, ...] = ()


_POS = ContractType.POS
_PSA = ContractType.PSA
_PRO = ContractType.PROFESSIONAL_SERVICES
_UNIT = CompensationStructure.UNIT_RATE
_FIXED = CompensationStructure.FIXED_PRICE
_COST = CompensationStructure.COST_REIMBURSEMENT
_PERF = CompensationStructure.PERFORMANCE_BASED
_AUTH = CompensationStructure.AUTHORISED_RATE
_TENDER = ProcurementMethod.TENDERED
_UNDER = ProcurementMethod.UNDER_THRESHOLD
_BV = ProcurementMethod.BEST_VALUE_EXEMPTION
_SOLE = ProcurementMethod.SOLE_SOURCE
_OTHER = ProcurementMethod.OTHER
_DRAFT = ContractStatus.DRAFT
_EXECUTED = ContractStatus.EXECUTED
_ACTIVE = ContractStatus.ACTIVE
_COMPLETED = ContractStatus.COMPLETED
_TERMINATED = ContractStatus.TERMINATED
_EXPIRED = ContractStatus.EXPIRED
_EOHHS = "Executive Office of Health and Human Services (Chapter 257)"
_PEP = "Renewal requires a Performance Evaluation Plan score of 90 or higher."

# fmt: off
CONTRACTS: tuple[ContractSpec, ...] = (
    ContractSpec(
        "dcf", "nutmeg", "DCF-POS-0412",
        "Intensive In-Home Child and Adolescent Psychiatric Services", _POS,
        "Behavioral health: in-home", "Behavioral Health Division", -11, 12, "1850000.00", _UNIT,
        _TENDER, _ACTIVE, renewal_options=2,
        renewal_terms="Two one-year renewals at the Department's option.",
        description="IICAPS for children and adolescents at risk of psychiatric hospitalisation.",
    ),
    ContractSpec(
        "dcf", "riverbend", "DCF-POS-0388", "Multidimensional Family Therapy", _POS,
        "Behavioral health: family therapy", "Behavioral Health Division", -22, 24, "960000.00",
        _UNIT, _TENDER, _ACTIVE,
    ),
    ContractSpec(
        "dcf", "nutmeg", "DCF-POS-0467", "Care Coordination for Youth with Complex Needs", _POS,
        "Care coordination", "Office of the Commissioner", -10, 12, "540000.00", _FIXED, _TENDER,
        _ACTIVE,
    ),
    ContractSpec(
        "dcf", "housatonic", "DCF-POS-0455", "Therapeutic Foster Care", _POS, "Foster care",
        "Foster Care Unit", -6, 24, "2400000.00", _UNIT, _TENDER, _ACTIVE,
        amendments=(
            AmendmentSpec(
                30, "Ten additional therapeutic foster homes licensed.",
                new_obligation="2650000.00",
            ),
        ),
    ),
    ContractSpec(
        "dcf", "riverbend", "DCF-POS-0420", "Intensive Family Preservation", _POS,
        "Family preservation", "Regional Services, Region 3", -23, 24, "1320000.00", _UNIT,
        _TENDER, _ACTIVE,
        amendments=(
            AmendmentSpec(
                20, "Six-month extension while the service is re-procured (RFP 26-014).",
                extend_months=6, new_obligation="1650000.00",
            ),
        ),
    ),
    ContractSpec(
        "dcf", "granite-ridge", "DCF-PSA-0150",
        "Trauma-Informed Practice Training for Foster Parents", _PSA, "Training",
        "Academy for Workforce Development", -3, 12, "185000.00", _FIXED, _TENDER, _ACTIVE,
    ),
    ContractSpec(
        "dcf", "nutmeg", "DCF-POS-0301", "Family Support Teams, Hartford Region", _POS,
        "Family support", "Regional Services, Region 4", -12, 12, "720000.00", _UNIT, _TENDER,
        _COMPLETED,
    ),
    ContractSpec(
        "dcf", "granite-ridge", "DCF-PSA-0107", "Independent Review of Congregate Care Placements",
        _PSA, "Consultancy", "Office of the Commissioner", -17, 12, "240000.00", _FIXED, _SOLE,
        _COMPLETED,
    ),
    ContractSpec(
        "dcf", "riverbend", "DCF-POS-0233", "Juvenile Justice Mentoring", _POS, "Mentoring",
        "Juvenile Services", -12, 12, "310000.00", _UNIT, _TENDER, _EXPIRED,
    ),
    ContractSpec(
        "dcf", "housatonic", "DCF-POS-0276", "Respite Care for Kinship Caregivers", _POS,
        "Respite care", "Foster Care Unit", -8, 24, "455000.00", _UNIT, _TENDER, _TERMINATED,
        termination_reason="The provider gave notice that it is closing its respite program; "
        "families were moved to other providers.", closed_days_ago=40,
    ),
    ContractSpec(
        "dcf", "housatonic", "DCF-POS-0498", "Fatherhood Engagement Program", _POS,
        "Family support", "Prevention Division", 1, 12, "275000.00", _PERF, _TENDER, _EXECUTED,
    ),
    ContractSpec(
        "dcf", "nutmeg", "DCF-POS-0512", "Supportive Housing for Families", _POS,
        "Supportive housing", "Prevention Division", 2, 36, "3100000.00", _UNIT, _TENDER, _DRAFT,
        notes="Awaiting the Attorney General's approval as to form.",
    ),
    ContractSpec(
        "mps", "lakeshore", "MPS-PS-2611", "After-School Tutoring (Title I)", _PRO, "Tutoring",
        "Office of Academics: Title I", -10, 24, "860000.00", _PERF, _TENDER, _ACTIVE,
        renewal_options=2, renewal_terms=_PEP,
    ),
    ContractSpec(
        "mps", "cream-city", "MPS-PS-2598", "Social-Emotional Learning Mentoring", _PRO,
        "Mentoring", "Department of Student Services", -2, 12, "420000.00", _PERF, _TENDER,
        _ACTIVE, renewal_options=1, renewal_terms=_PEP,
    ),
    ContractSpec(
        "mps", "northside-stem", "MPS-CS-0042", "Charter School Contract: Northside STEM Academy",
        ContractType.CHARTER_SCHOOL, "Charter school", "Office of School Administration", -15, 60,
        "12500000.00", _UNIT, _OTHER, _ACTIVE,
        description="Five-year non-instrumentality charter; reviewed annually by the Charter "
        "School Contract Review Team.",
    ),
    ContractSpec(
        "mps", "lakeshore", "MPS-PS-2550", "Summer Reading Academy", _PRO, "Tutoring",
        "Office of Academics: Title I", -4, 3, "195000.00", _PERF, _TENDER, _COMPLETED,
    ),
    ContractSpec(
        "mps", "cream-city", "MPS-PS-2502", "Attendance Intervention Services", _PRO, "Attendance",
        "Department of Student Services", -17, 12, "310000.00", _PERF, _TENDER, _COMPLETED,
    ),
    ContractSpec(
        "mps", "lakeshore", "MPS-PS-2479", "Parent Engagement Workshops", _PRO,
        "Family engagement", "Family and Community Engagement", -7, 12, "98000.00", _FIXED, _UNDER,
        _TERMINATED,
        termination_reason="Terminated for convenience after two quarterly PEP reviews below the "
        "agreed attendance targets.", closed_days_ago=25,
    ),
    ContractSpec(
        "mps", "cream-city", "MPS-PS-2640", "Restorative Practices Coaching", _PRO, "Coaching",
        "Department of Student Services", 2, 10, "150000.00", _PERF, _TENDER, _DRAFT,
    ),
    ContractSpec(
        "wl", "brentside", "WLSP-0188", "Floating Support for Older People", ContractType.BLOCK,
        "Floating support", "Supporting People Commissioning Body", -35, 36, "642000.00", _FIXED,
        _TENDER, _ACTIVE, renewal_options=1,
        renewal_terms="One extension of up to 24 months subject to annual review.",
    ),
    ContractSpec(
        "wl", "westway", "WLSP-0214", "Supported Housing for Young People (16 to 25)",
        ContractType.BLOCK, "Supported housing", "Supporting People Commissioning Body", -5, 36,
        "1275000.00", _FIXED, _TENDER, _ACTIVE,
    ),
    ContractSpec(
        "wl", "westway", "WLSP-0196", "Domestic Abuse Refuge Accommodation", ContractType.BLOCK,
        "Refuge", "Community Safety Partnership", -18, 36, "880000.00", _FIXED, _TENDER, _ACTIVE,
        amendments=(
            AmendmentSpec(
                60, "Inflationary uplift of 3.5% agreed at the annual review.",
                new_obligation="910800.00",
            ),
        ),
    ),
    ContractSpec(
        "wl", "westway", "WLSP-0175", "Teenage Parents Supported Housing", ContractType.BLOCK,
        "Supported housing", "Supporting People Commissioning Body", -29, 24, "415000.00", _FIXED,
        _TENDER, _COMPLETED,
    ),
    ContractSpec(
        "wl", "brentside", "WLSP-0160", "Hostel Services for Single Homeless People",
        ContractType.BLOCK, "Hostel", "Housing Needs Service", -40, 36, "1960000.00", _FIXED,
        _TENDER, _EXPIRED,
    ),
    ContractSpec(
        "wl", "harlington", "WLSP-0221", "Personal Care in Extra Care Housing",
        ContractType.FRAMEWORK, "Personal care", "Adult Social Care", 1, 36, "2300000.00", _UNIT,
        _TENDER, _EXECUTED,
    ),
    ContractSpec(
        "wl", "harlington", "WLSP-0230", "Mental Health Supported Accommodation",
        ContractType.FRAMEWORK, "Supported housing", "Adult Social Care", 3, 36, "1450000.00",
        _UNIT, _TENDER, _DRAFT,
    ),
    ContractSpec(
        "scot", "speyside", "HC-CS-0071", "Supported Lodgings for Care Leavers",
        ContractType.BLOCK, "Supported lodgings", "Throughcare and Aftercare Team", -11, 12,
        "85000.00", _FIXED, _TENDER, _ACTIVE, authority=AuthorityCategory.A,
    ),
    ContractSpec(
        "scot", "caledonia", "HC-CS-0064", "External Residential Care Placements",
        ContractType.FRAMEWORK, "Residential care", "Resource Allocation Group", -20, 36,
        "1200000.00", _UNIT, _TENDER, _ACTIVE, authority=AuthorityCategory.C,
    ),
    ContractSpec(
        "scot", "moray-firth", "HC-CS-0080", "Independent Fostering Placements",
        ContractType.FRAMEWORK, "Fostering", "Resource Allocation Group", -6, 24, "760000.00",
        _UNIT, _TENDER, _ACTIVE, authority=AuthorityCategory.C,
        amendments=(
            AmendmentSpec(
                15,
                "Two additional long-term placements authorised by the Resource Allocation Group.",
                new_obligation="842000.00",
            ),
        ),
    ),
    ContractSpec(
        "scot", "speyside", "HC-CS-0059", "Respite Care for Disabled Children", ContractType.BLOCK,
        "Respite care", "Children with Disabilities Team", -13, 12, "64000.00", _FIXED, _BV,
        _COMPLETED, authority=AuthorityCategory.B,
        notes="Not tendered: Best Value analysis (only provider of overnight respite in Badenoch "
        "and Strathspey).",
    ),
    ContractSpec(
        "scot", "speyside", "HC-CS-0085", "Community Childminding", ContractType.SPOT,
        "Childminding", "Early Years Team", 1, 12, "18500.00", _UNIT, _UNDER, _DRAFT,
        authority=AuthorityCategory.B,
    ),
    ContractSpec(
        "scot", "speyside", "HC-CS-0052", "Throughcare and Aftercare Support", ContractType.BLOCK,
        "Throughcare", "Throughcare and Aftercare Team", -9, 24, "132000.00", _FIXED, _TENDER,
        _TERMINATED, authority=AuthorityCategory.A,
        termination_reason="Service brought in-house following the review of throughcare; supply "
        "repercussions reviewed and three months' written notice given.", closed_days_ago=70,
    ),
    ContractSpec(
        "scot", "caledonia", "HC-CS-0077", "Family Group Decision Making", ContractType.SPOT,
        "Family support", "Early Help Team", 1, 6, "19000.00", _FIXED, _UNDER, _EXECUTED,
        authority=AuthorityCategory.B,
    ),
    ContractSpec(
        "scot", "caledonia", "HC-CS-0045", "Residential School Placement", ContractType.SPOT,
        "Residential school", "Resource Allocation Group", -18, 12, "212000.00", _UNIT, _TENDER,
        _EXPIRED, authority=AuthorityCategory.C,
    ),
    ContractSpec(
        "dmh", "pioneer-valley", "DMH-POS-3104",
        "Adult Community Clinical Services (ACCS), Western Massachusetts", _POS,
        "Community clinical services", "Western Massachusetts Area Office", -34, 36, "14800000.00",
        _AUTH, _TENDER, _ACTIVE, object_code="MM3", renewal_options=2,
        rate_setting_authority=_EOHHS,
    ),
    ContractSpec(
        "dmh", "pioneer-valley", "DMH-POS-3121", "Clubhouse Services", _POS, "Clubhouse",
        "Western Massachusetts Area Office", -3, 36, "2160000.00", _UNIT, _TENDER, _ACTIVE,
        object_code="MM3",
    ),
    ContractSpec(
        "dmh", "bay-state", "DMH-POS-3110", "Homeless Outreach and Engagement", _POS, "Outreach",
        "Central Massachusetts Area Office", -11, 12, "690000.00", _UNIT, _TENDER, _ACTIVE,
        object_code="M03",
        amendments=(
            AmendmentSpec(
                45,
                "Extended for twelve months under the RFR's renewal option; rate adjusted for the "
                "new fiscal year.", extend_months=12, new_obligation="1415000.00",
            ),
        ),
    ),
    ContractSpec(
        "dmh", "bay-state", "DMH-POS-3098", "Residential Recovery Program", _POS, "Residential",
        "Central Massachusetts Area Office", -12, 12, "1380000.00", _UNIT, _TENDER, _COMPLETED,
        object_code="M03",
    ),
    ContractSpec(
        "dmh", "pioneer-valley", "DMH-POS-3087", "Respite Services for Adults", _POS,
        "Respite care", "Western Massachusetts Area Office", -14, 24, "530000.00", _COST, _TENDER,
        _TERMINATED, object_code="MM3",
        termination_reason="Program consolidated into the ACCS contract (DMH-POS-3104) by mutual "
        "agreement.", closed_days_ago=100,
    ),
    ContractSpec(
        "dmh", "bay-state", "DMH-POS-3130", "Program of Assertive Community Treatment (PACT)",
        _POS, "Assertive community treatment", "Central Massachusetts Area Office", 1, 36,
        "4250000.00", _AUTH, _TENDER, _EXECUTED, object_code="MM3", rate_setting_authority=_EOHHS,
    ),
    ContractSpec(
        "dmh", "pioneer-valley", "DMH-POS-3075", "Young Adult Access Center", _POS,
        "Drop-in center", "Western Massachusetts Area Office", -24, 24, "610000.00", _UNIT,
        _TENDER, _EXPIRED, object_code="M03",
    ),
    ContractSpec(
        "dmh", "granite-ridge", "DMH-PRO-0412", "Peer Specialist Training Curriculum", _PRO,
        "Training", "Office of Recovery and Empowerment", 2, 9, "145000.00", _FIXED, _TENDER,
        _DRAFT,
    ),
)
# fmt: on

AGENCY_SLUGS = tuple(a.slug for a in AGENCIES)
PROVIDER_SLUGS = tuple(p.slug for p in PROVIDERS)


#: Every other demo provider has a login too (provider-<key>, the same password), so that what a
#: provider owes (its returns, comments, appeals) always has someone to do it. They are not in
#: the table `steward demo` prints.
PROVIDER_LOGINS: tuple[UserSpec, ...] = tuple(
    _provider_login(p) for p in PROVIDERS if p.key not in {u.provider for u in USERS}
)
USERNAMES = tuple(u.username for u in (*USERS, *PROVIDER_LOGINS))

# ---------------------------------------------------------------------------- dates


def _month_start(today: date, offset: int) -> date:
    return add_months(today.replace(day=1), offset)


def _month_end(day: date) -> date:
    return month_end(day)


def contract_dates(spec: ContractSpec, today: date) -> tuple[date, date]:
    """Return (start, end) of `spec` relative to `today`: the 1st of month `spec.start` and the
    last day of month `spec.start + spec.months - 1`."""
    start = _month_start(today, spec.start)
    end = _month_end(_month_start(today, spec.start + spec.months - 1))
    return start, end


def _month_end_after(day: date, months: int) -> date:
    """Return the last day of the month `months` after `day`'s month."""
    return _month_end(_month_start(day, months))


# ---------------------------------------------------------------------------- results


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    organisation: str


@dataclass
class DemoResult:
    loaded: bool  # False: the demo data was already there and nothing was written
    logins: list[DemoLogin]
    counts: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)


class DemoStateError(RuntimeError):
    """Some demo records exist but not all of them; the message says how to recover."""


def demo_logins() -> list[DemoLogin]:
    """Return the demo logins as they are in the database, in the order of USERS."""
    users = {
        u.username: u
        for u in User.objects.filter(username__in=USERNAMES).select_related("agency", "provider")
    }
    return [
        DemoLogin(
            u.username, Role(users[u.username].role).label, users[u.username].organisation_name
        )
        for u in USERS
        if u.username in users
    ]


def demo_state() -> str:
    """Return "absent" (no demo record exists), "present" (all of them do) or "partial"."""
    found = [
        Agency.objects.filter(slug__in=AGENCY_SLUGS).count(),
        Provider.objects.filter(slug__in=PROVIDER_SLUGS).count(),
        User.objects.filter(username__in=USERNAMES).count(),
        Contract.objects.filter(
            agency__slug__in=AGENCY_SLUGS, number__in=[c.number for c in CONTRACTS]
        ).count(),
    ]
    expected = [len(AGENCY_SLUGS), len(PROVIDER_SLUGS), len(USERNAMES), len(CONTRACTS)]
    if not any(found):
        return "absent"
    if found == expected:
        return "present"
    return "partial"


# ---------------------------------------------------------------------------- extensions


@dataclass(frozen=True)
class DemoContext:
    """What the core demo built, handed to each area's demo extension: logins by username,
    agencies and providers by slug, contracts by number."""

    today: date
    admin: User
    users: dict[str, User]
    agencies: dict[str, Agency]
    providers: dict[str, Provider]
    contracts: dict[str, Contract]


DemoExtension = Callable[[DemoContext], dict[str, int]]
# Called with (draft contract, its contract manager) just before a demo contract is executed,
# so that an area whose rules guard execution (pricing: the commercial fee and POS attachments,
# seed 004) can record what those rules ask for, through its own services.
DemoPreExecute = Callable[[Contract, User], None]


def _area_extensions() -> list[DemoExtension]:
    """Each area's demo records, added through its own services once the register is built, in
    this order: performance before risk (its returns feed the risk assessment), evaluations
    and monitoring last (they read returns, concerns and ratings). Each returns counts to print;
    its records hang off demo agencies, providers or contracts so `demo_delete` removes them."""
    from steward.evaluations.demo import demo_evaluations
    from steward.monitoring.demo import demo_monitoring
    from steward.performance.demo import demo_performance
    from steward.pricing.demo import extend_demo as demo_pricing
    from steward.procurement.demo import procurement_demo
    from steward.risk.demo import demo_concerns_and_risk

    return [
        demo_performance,
        demo_concerns_and_risk,
        demo_pricing,
        procurement_demo,
        demo_evaluations,
        demo_monitoring,
    ]


def _pre_execute() -> list[DemoPreExecute]:
    """What readies a demo contract for execution (see DemoPreExecute)."""
    from steward.performance.demo import metrics_before_execution
    from steward.pricing.demo import prepare_for_execution
    from steward.procurement.demo import procurement_before_execution

    return [prepare_for_execution, metrics_before_execution, procurement_before_execution]


# ---------------------------------------------------------------------------- loading


#: Told each step of the build as it starts ("the contracts (43)"), so that a command can show
#: progress while the demo loads (it takes a minute or more on a laptop).
DemoProgress = Callable[[str], None]

#: What each area's demo extension builds, in words for the progress lines.
_AREA_WORDS = {
    "performance": "performance plans, indicators and returns",
    "risk": "concerns and risk ratings",
    "pricing": "rates, invoices and payments",
    "procurement": "procurements, bids and placements",
    "evaluations": "evaluations",
    "monitoring": "monitoring cycles and visits",
}


def _quiet(step: str) -> None:
    return None


def demo_load(*, today: date, reset: bool = False, progress: DemoProgress = _quiet) -> DemoResult:
    """Load the demo data as of `today`, unless it is already there. Returns what happened.

    The shipped policy packs are loaded (or refreshed) first. With `reset`, the demo records
    and everything that depends on them are deleted first (see `demo_delete`). Raises
    DemoStateError when only part of the demo data exists and `reset` is not given.
    `progress` is told each step as it starts."""
    with transaction.atomic():
        progress("the policy packs")
        policy_packs_load_shipped()
        deleted: dict[str, int] = {}
        if reset:
            progress("deleting the old demo data")
            deleted = demo_delete()
        state = demo_state()
        if state == "present":
            return DemoResult(loaded=False, logins=demo_logins(), deleted=deleted)
        if state == "partial":
            raise DemoStateError(
                "Part of the demo data is in this database (some demo agencies, providers, "
                "logins or contracts are missing). Run `steward demo --reset` to delete the "
                "demo data and load it again."
            )
        counts = _build(today, progress)
        return DemoResult(loaded=True, logins=demo_logins(), counts=counts, deleted=deleted)


def _build(today: date, progress: DemoProgress = _quiet) -> dict[str, int]:
    progress("agencies, providers and logins")
    packs = {p.slug: p for p in PolicyPack.objects.filter(shipped=True)}
    password_hash = make_password(DEMO_PASSWORD)  # one hash: the demo password is public anyway

    admin_spec = USERS[0]
    admin = User(
        username=admin_spec.username,
        first_name=admin_spec.first_name,
        last_name=admin_spec.last_name,
        email=f"{admin_spec.username}@steward-demo.example.org",
        role=admin_spec.role,
        job_title=admin_spec.job_title,
        is_staff=True,
        is_superuser=True,
        password=password_hash,
    )
    save_audited(admin, actor=None, reason="Demo data")

    agencies: dict[str, Agency] = {}
    for spec in AGENCIES:
        agency = Agency(
            name=spec.name,
            slug=spec.slug,
            kind=spec.kind,
            pack=packs[spec.pack],
            jurisdiction=spec.jurisdiction,
            address=spec.address,
            contact_email=spec.contact_email,
        )
        save_audited(agency, actor=admin, reason="Demo data")
        agencies[spec.key] = agency

    providers: dict[str, Provider] = {}
    for p in PROVIDERS:
        provider = Provider(
            legal_name=p.legal_name,
            trading_name=p.trading_name,
            slug=p.slug,
            tax_id=p.tax_id,
            company_number=p.company_number,
            charity_number=p.charity_number,
            for_profit=p.for_profit,
            address_line1=p.address_line1,
            city=p.city,
            region=p.region,
            postcode=p.postcode,
            country=p.country,
            email=f"contracts@{p.domain}",
            phone=p.phone,
            website=f"https://{p.domain}/",
        )
        save_audited(provider, actor=admin, reason="Demo data")
        providers[p.key] = provider
        name, role = p.contact
        local = name.lower().replace("dr. ", "").replace(" ", ".")
        save_audited(
            ProviderContact(
                provider=provider,
                name=name,
                role=role,
                email=f"{local}@{p.domain}",
                phone=p.phone,
            ),
            actor=admin,
            reason="Demo data",
        )
        for body, rating, months_ago in p.inspections:
            inspected_on = _month_start(today, -months_ago) + timedelta(days=13)
            save_audited(
                InspectionRating(
                    provider=provider, body=body, rating=rating, inspected_on=inspected_on
                ),
                actor=admin,
                reason="Demo data",
            )

    users: dict[str, User] = {admin.username: admin}
    for u in (*USERS[1:], *PROVIDER_LOGINS):
        user = User(
            username=u.username,
            first_name=u.first_name,
            last_name=u.last_name,
            email=f"{u.username}@steward-demo.example.org",
            role=u.role,
            agency=agencies[u.agency] if u.agency else None,
            provider=providers[u.provider] if u.provider else None,
            job_title=u.job_title,
            jurisdiction=jurisdiction_for(u.role, agencies[u.agency] if u.agency else None),
            password=password_hash,
        )
        save_audited(user, actor=admin, reason="Demo data")
        users[u.username] = user

    contracts: dict[str, Contract] = {}
    progress(f"the contracts ({len(CONTRACTS)}), through the contract services")
    for contract_spec in CONTRACTS:
        contracts[contract_spec.number] = _build_contract(
            contract_spec,
            today=today,
            agency=agencies[contract_spec.agency],
            provider=providers[contract_spec.provider],
            manager=users[MANAGER_OF[contract_spec.agency]],
            amender=users[AMENDER_OF[contract_spec.agency]],
        )

    counts = {
        "agencies": len(agencies),
        "providers": len(providers),
        "logins": len(users),
        "contracts": len(CONTRACTS),
        "amendments": sum(len(c.amendments) for c in CONTRACTS),
    }
    context = DemoContext(
        today=today,
        admin=admin,
        users=users,
        agencies={a.slug: a for a in agencies.values()},
        providers={p.slug: p for p in providers.values()},
        contracts=contracts,
    )
    for extension in _area_extensions():
        area = extension.__module__.split(".")[1]
        progress(_AREA_WORDS.get(area, area))
        counts.update(extension(context))
    return counts


def _build_contract(
    spec: ContractSpec,
    *,
    today: date,
    agency: Agency,
    provider: Provider,
    manager: User,
    amender: User,
) -> Contract:
    start, end = contract_dates(spec, today)
    contract = contract_services.contract_create(
        actor=manager,
        agency=agency,
        data={
            "provider": provider,
            "number": spec.number,
            "title": spec.title,
            "description": spec.description,
            "contract_type": spec.contract_type,
            "service_type": spec.service_type,
            "object_code": spec.object_code,
            "sponsor": spec.sponsor,
            "start_date": start,
            "end_date": end,
            "renewal_options": spec.renewal_options,
            "renewal_terms": spec.renewal_terms,
            "maximum_obligation": Decimal(spec.obligation),
            "compensation_structure": spec.compensation,
            "rate_setting": bool(spec.rate_setting_authority),
            "rate_setting_authority": spec.rate_setting_authority,
            "procurement_method": spec.procurement,
            "authority_category": spec.authority,
            "notes": spec.notes,
        },
    )
    if spec.outcome == _DRAFT:
        return contract
    executed_on = min(start - timedelta(days=21), today - timedelta(days=3))
    for prepare in _pre_execute():
        prepare(contract, manager)
    contract = contract_services.contract_execute(
        actor=manager, contract=contract, executed_on=executed_on
    )
    if spec.outcome == _EXECUTED:
        return contract
    contract = contract_services.contract_activate(actor=manager, contract=contract, today=start)
    for amendment in spec.amendments:
        contract_services.amendment_create(
            actor=amender,
            contract=contract,
            effective_on=today - timedelta(days=amendment.days_ago),
            reason=amendment.reason,
            new_end_date=_month_end_after(contract.end_date, amendment.extend_months)
            if amendment.extend_months
            else None,
            new_maximum_obligation=Decimal(amendment.new_obligation)
            if amendment.new_obligation
            else None,
        )
        contract.refresh_from_db()
    if spec.outcome == _COMPLETED:
        contract = contract_services.contract_complete(
            actor=manager, contract=contract, completed_on=contract.end_date
        )
    elif spec.outcome == _TERMINATED:
        contract = contract_services.contract_terminate(
            actor=manager,
            contract=contract,
            terminated_on=today - timedelta(days=spec.closed_days_ago),
            reason=spec.termination_reason,
        )
    elif spec.outcome == _EXPIRED:
        contract = contract_services.contract_expire(actor=manager, contract=contract, today=today)
    return contract


# ---------------------------------------------------------------------------- deleting


def demo_delete() -> dict[str, int]:
    """Delete the demo records and everything that depends on them; return the number of rows
    deleted per model label ("contracts.Contract": 42, ...).

    The demo records are the demo logins, agencies and providers (matched by username and
    slug) and every contract of a demo agency or with a demo provider. Anything else that
    points at them is deleted first, in dependency order (a record another one PROTECTs is
    deleted after it): e.g. a contract a user added in a demo agency, or its amendments. Their
    audit history goes too, and so do the emails sent only to demo logins (the outbox).
    Documents' files are removed once the transaction commits."""
    from steward.contracts.models import ContractDocument

    deleted: dict[type[models.Model], set[Any]] = defaultdict(set)

    def record(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
        deleted[sender].add(instance.pk)

    post_delete.connect(record, weak=False, dispatch_uid="steward-demo-delete")
    try:
        with transaction.atomic():
            contracts = Contract.objects.filter(
                Q(agency__slug__in=AGENCY_SLUGS) | Q(provider__slug__in=PROVIDER_SLUGS)
            )
            files = [
                d.file.name
                for d in ContractDocument.objects.filter(contract__in=contracts).only("file")
                if d.file.name
            ]
            _delete_with_dependents(ContractDocument.objects.filter(contract__in=contracts))
            _delete_demo_emails()
            _delete_with_dependents(contracts)
            _delete_with_dependents(User.objects.filter(username__in=USERNAMES))
            _delete_with_dependents(Provider.objects.filter(slug__in=PROVIDER_SLUGS))
            _delete_with_dependents(Agency.objects.filter(slug__in=AGENCY_SLUGS))
    finally:
        post_delete.disconnect(dispatch_uid="steward-demo-delete")

    counts: Counter[str] = Counter()
    for model, pks in deleted.items():
        counts[model._meta.label] += len(pks)
        manager_name = getattr(model._meta, "simple_history_manager_attribute", None)
        if manager_name:  # the audit history of the deleted rows, "deleted" entries included
            history = getattr(model, manager_name).model
            pk_name = model._meta.pk.attname
            for chunk in _chunks(sorted(pks), 500):
                history.objects.filter(**{f"{pk_name}__in": chunk}).delete()

    if files:
        transaction.on_commit(lambda: _remove_files(files))
    return dict(sorted(counts.items()))


def _delete_demo_emails() -> None:
    """Delete the outbox rows whose every recipient is a demo login's address (the emails the
    demo's own services sent while it was loaded, or while someone tried it)."""
    addresses = set(
        User.objects.filter(username__in=USERNAMES)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    # JSON containment is not portable to SQLite: the recipients are compared here
    demo_only = [
        pk
        for pk, recipients in OutboundEmail.objects.values_list("pk", "recipients").iterator()
        if recipients and set(recipients) <= addresses
    ]
    for chunk in _chunks(demo_only, 500):
        OutboundEmail.objects.filter(pk__in=chunk).delete()


def _delete_with_dependents(queryset: models.QuerySet[Any], depth: int = 0) -> None:
    """Delete `queryset`; when PROTECT or RESTRICT foreign keys block it, delete the blocking
    rows first (recursively), then try again."""
    if depth > 10:
        raise RuntimeError("demo reset: dependency chain too deep; delete by hand")
    while True:
        try:
            with transaction.atomic():
                queryset.delete()
            return
        except (ProtectedError, RestrictedError) as exc:
            blockers = (
                exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
            )
            by_model: dict[type[models.Model], list[Any]] = defaultdict(list)
            for obj in blockers:
                by_model[type(obj)].append(obj.pk)
            for model, pks in by_model.items():
                _delete_with_dependents(model._default_manager.filter(pk__in=pks), depth + 1)


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _remove_files(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        if default_storage.exists(name):
            default_storage.delete(name)
