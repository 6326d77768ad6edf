"""API: the annual monitoring cycle (seeds 002 and 003). Being built."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["Monitoring"])
