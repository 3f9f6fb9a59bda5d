"""Services as units of reporting: all services, adults' services and children's services.

The worker survey asks each respondent which service they work in: Adults, Children or Both
(:data:`healthcheck.reference.survey_export.SERVICES`). A council's figures are reported for
each service and for all services together. **The rule**: a respondent who answered "Both"
counts in the adults' figures *and* in the children's figures, and once in the all-services
figures; "Adults" and "Children" respondents count in their own service and in all services.
A service's benchmarks, ranks and regional and national figures are computed from that
service's respondents only, so that an adults' service is compared with adults' services.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd

from healthcheck.errors import ParameterError
from healthcheck.reference.labels import label_key

Service = Literal["all", "adults", "children"]

#: The units of reporting, in report order.
SERVICES: tuple[Service, ...] = ("all", "adults", "children")

#: The raw answers each unit counts (the rule above).
MEMBERS: dict[Service, tuple[str, ...]] = {
    "all": ("Adults", "Children", "Both"),
    "adults": ("Adults", "Both"),
    "children": ("Children", "Both"),
}

#: How a unit reads in a sentence ("12 of 98 adults' services") and in a title.
PLURAL: dict[Service, str] = {"all": "organisations", "adults": "adults' services", "children": "children's services"}
SINGULAR: dict[Service, str] = {"all": "all services", "adults": "adults' services", "children": "children's services"}
#: The label in tables and file names.
LABELS: dict[Service, str] = {"all": "All services", "adults": "Adults", "children": "Children"}

_ALIASES: dict[str, Service] = {
    "all": "all", "all services": "all", "both": "all", "total": "all",
    "adults": "adults", "adult": "adults", "adults services": "adults", "adult services": "adults",
    "adult social care": "adults", "asc": "adults",
    "children": "children", "child": "children", "childrens": "children", "childrens services": "children",
    "children services": "children", "csc": "children",
}  # fmt: skip


def parse_service(text: object) -> Service:
    """A unit from what a user typed ('adults', "Children's services", 'all'); ParameterError otherwise."""
    key = label_key(text)
    if key not in _ALIASES:
        raise ParameterError(f"unknown service {text!r}: a service must be adults, children or all")
    return _ALIASES[key]


def in_service(responses: pd.DataFrame, service: Service) -> pd.Series:
    """Which responses count in ``service`` (all of them for 'all'; none of a service when it was not asked)."""
    if service == "all":
        return pd.Series(True, index=responses.index)
    if "service" not in responses.columns:
        return pd.Series(False, index=responses.index)
    return responses["service"].isin(MEMBERS[service]).fillna(False).astype(bool)


def service_responses(responses: pd.DataFrame, service: Service) -> pd.DataFrame:
    """The responses that count in ``service``."""
    return responses if service == "all" else responses[in_service(responses, service)]


def of_service(table: pd.DataFrame, service: Service) -> pd.DataFrame:
    """``service``'s rows of a table with a ``service`` column, without it (a table without one is all services)."""
    if "service" not in table.columns:
        return table if service == "all" else table.iloc[0:0]
    return table[table["service"] == service].drop(columns="service").reset_index(drop=True)


def service_slug(slug: str, service: Service) -> str:
    """The report folder of an organisation's service: 'halton' for all services, 'halton-adults'."""
    return slug if service == "all" else f"{slug}-{service}"


__all__ = [
    "LABELS", "MEMBERS", "PLURAL", "SERVICES", "SINGULAR", "Service", "in_service", "of_service", "parse_service",
    "service_responses", "service_slug",
]  # fmt: skip
