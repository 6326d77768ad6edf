"""The default list of concern categories for children's and adult social care (seed 003:
"pre-agreed categories"; Steward default list). Each agency keeps its own copy, created on first
use (`services.categories_ensure`), and may add to it or retire entries."""

from __future__ import annotations

# (code, name, financial)
DEFAULT_CATEGORIES: tuple[tuple[str, str, bool], ...] = (
    ("safeguarding", "Safeguarding or abuse", False),
    ("care-quality", "Quality of care or support", False),
    ("medication", "Medication", False),
    ("health-safety", "Health and safety, premises", False),
    ("staffing", "Staffing levels, training or conduct", False),
    ("dignity-rights", "Dignity, respect and rights", False),
    ("communication", "Communication with the person or family", False),
    ("missing-person", "Missing child or adult", False),
    ("placement-stability", "Placement breakdown or stability", False),
    ("education", "Education and attendance (children)", False),
    ("food-nutrition", "Food, nutrition and hydration", False),
    ("record-keeping", "Records and information governance", False),
    ("financial", "Financial (billing, personal money, viability)", True),
    ("compliment", "Compliment", False),
    ("other", "Other", False),
)
