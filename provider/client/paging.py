"""Collection queries: ``GET /api/<type>`` with filters, pages and ``next`` links.

``CollectionQuery`` says what to fetch (``name.in``/``uuid.in`` filters, ``fields``,
``skip_default``, ``include_name``, arbitrary ``field=value`` filters); ``query_params`` splits
long ``name.in``/``uuid.in`` lists into several queries so URLs stay short. The session walks
the pages (``page_size`` up to 200) and reports how many API calls a listing cost.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

MAX_PAGE_SIZE = 200
IN_FILTER_CHUNK = 100  # values per name.in / uuid.in query (keeps URLs well under 8 KB)


@dataclass(frozen=True, slots=True)
class CollectionQuery:
    names: Sequence[str] = ()
    uuids: Sequence[str] = ()
    fields: Sequence[str] = ()
    skip_default: bool = False
    include_name: bool = False
    filters: Mapping[str, str] = field(default_factory=dict)
    page_size: int = MAX_PAGE_SIZE

    def __post_init__(self) -> None:
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be 1..{MAX_PAGE_SIZE}, not {self.page_size}")
        if self.names and self.uuids:
            raise ValueError("filter by names or by uuids, not both")

    def query_params(self) -> Iterator[dict[str, str]]:
        """One parameter set per request sequence (several when an ``.in`` list is long)."""
        base: dict[str, str] = dict(self.filters)
        if self.fields:
            base["fields"] = ",".join(self.fields)
        if self.skip_default:
            base["skip_default"] = "true"
        if self.include_name:
            base["include_name"] = "true"
        base["page_size"] = str(self.page_size)
        key, values = ("name.in", self.names) if self.names else ("uuid.in", self.uuids)
        if not values:
            yield base
            return
        unique = list(dict.fromkeys(values))
        for start in range(0, len(unique), IN_FILTER_CHUNK):
            yield {**base, key: ",".join(unique[start:start + IN_FILTER_CHUNK])}


@dataclass(frozen=True, slots=True)
class CollectionResult:
    """Every matching object, the controller's ``count`` total(s) and the API calls spent
    (pages, retries and re-logins included)."""

    objects: list[dict[str, Any]]
    count: int
    api_calls: int


def rebase_next(next_url: str, base_url: str) -> tuple[str, dict[str, str]]:
    """The path and query of a ``next`` link, to be sent to *our* controller address:
    controllers build ``next`` from their own idea of their host name."""
    parts = urlsplit(next_url)
    path = parts.path if parts.path.startswith("/") else "/" + parts.path
    return base_url + path, dict(parse_qsl(parts.query, keep_blank_values=True))


def describe(path: str, params: Mapping[str, str]) -> str:
    return f"{path}?{urlencode(params)}" if params else path
