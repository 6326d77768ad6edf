"""API: contractor performance evaluations (seeds 000 and 001). Being built."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["Evaluations"])
