"""A ready session modelled on the reference networking session (ICT 2015, room 1.05)."""

from __future__ import annotations

from typing import Any

TITLE = "China: Demonstrating your Smart City achievements"

SECTIONS: list[dict[str, Any]] = [
    {"title": "What there is to build on", "kind": "talks", "minutes": 15},
    {"title": "Quick wins: what I can offer", "kind": "pitches", "minutes": 20},
    {"title": "What next: from requirements to action", "kind": "discussion", "minutes": 10},
]

# The invited speakers of section 1 (from the programme), then sample pitches for section 2:
# invented people and organisations, in the spirit of the session.
PITCHES: list[dict[str, Any]] = [
    {
        "pitcher": "Dr Shaun Topham",
        "organisation": "EU eForum",
        "section": 0,
        "seconds": 360,
        "title": "The EU-China Smart Cities work",
        "offer": "What there is to build on.",
    },
    {
        "pitcher": "Camille Torrenti",
        "organisation": "Sigma-Orionis",
        "section": 0,
        "seconds": 360,
        "title": "Foundations for R&D collaboration: the CHOICE project",
        "offer": "What the CHOICE project has laid down for joint research.",
    },
    {
        "pitcher": "Anna Keller",
        "organisation": "Urban Data Lab",
        "title": "Open traffic data in 90 days",
        "offer": "A proven open-data portal for traffic sensors, deployed in three EU cities.",
    },
    {
        "pitcher": "Marco Bellini",
        "organisation": "LuceSmart",
        "title": "Smart street lighting pilot",
        "offer": "Adaptive LED lighting with 40% energy savings; pilot kit ready to ship.",
    },
    {
        "pitcher": "Sofie Janssens",
        "organisation": "CivicApps",
        "title": "Citizen reporting app",
        "offer": "A white-label app for reporting potholes and litter, available in Chinese.",
    },
    {
        "pitcher": "Piotr Nowak",
        "organisation": "AirSense",
        "title": "Low-cost air quality network",
        "offer": "Street-level PM2.5 sensors and a public dashboard, installed in a week.",
    },
    {
        "pitcher": "Claire Dubois",
        "organisation": "eGov Partners",
        "title": "One-stop e-permits",
        "offer": "Digital building permits that cut processing time from weeks to days.",
    },
    {
        "pitcher": "Lukas Meyer",
        "organisation": "WaterWise",
        "title": "Leak detection for water networks",
        "offer": "Acoustic sensors and analytics that found 15% water loss in Hamburg.",
    },
]


def create(service, **settings) -> tuple[str, str]:
    """The demo session, made by the operator (`run.py --demo`), with the default settings
    (domain/settings.py), or these. Its agenda has no clock times: it starts when the moderator
    starts the talks (`set_section`, services/agenda.py), not when the server starts."""
    return service.create_session(
        title=TITLE,
        sections=SECTIONS,
        pitches=PITCHES,
        created_by="operator",
        **settings,
    )
