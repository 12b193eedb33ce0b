"""A registry's variable list as one CSV or XLSX file at a URL: one source, one dataset.

The file holds only variables, so the dataset's own metadata comes from `SourceConfig.options`
(`title`, `description`, `publisher`, `publisher_uri`, `identifier`, `uri`, `landing_page`,
`access_rights`, `themes`, `keywords`, `language`), defaulting to the source's title and name.
The layout of the list (columns, sheet, header row, encoding) is configured as for every
variable list (`harvesters.varlist`).

When the server sends validators, the next run asks with a conditional GET and reports the
records present on 304; otherwise a file whose bytes (and the source's options) hash as in the last
successful run is not read again: its records are reported present.
A file that cannot be read at all fails the source (its last good records stay). A sheet of a
workbook that holds no variable list (a "Forklaring" of prose) is not an error: it is logged.

`options.frequencies_url` (absolute, or relative to the list's URL) names the registry's frequency
table beside the list (`harvesters.frequencies`): its counts come with the dataset, and a change
of the counts alone makes the list be read again. A frequency table that cannot be read is
reported and the list is harvested without counts.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

from catalog.disclosure import DatasetCounts
from catalog.model import Agent, Dataset
from harvesters.base import (
    Checkpoint,
    Complete,
    Event,
    Failed,
    Harvested,
    Harvester,
    Present,
    SourceError,
    replayed,
    saved_problems,
)
from harvesters.frequencies import Frequencies, dataset_counts, read_frequencies
from harvesters.http import FetchError
from harvesters.sniff import kind_hint
from harvesters.varlist import VarlistError, read_varlist

log = logging.getLogger(__name__)


def _list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)] if value else []


class SpreadsheetHarvester(Harvester):
    kind = "spreadsheet"

    def dataset(self) -> Dataset:
        o = self.source.options
        lang = o.get("language", "nb")
        ident = str(o.get("identifier") or self.source.name)
        publisher = o.get("publisher")
        return Dataset(
            uri=str(o.get("uri") or self.mint("dataset", ident)),
            identifier=ident,
            title={lang: str(o.get("title") or self.source.title or self.source.name)},
            description={lang: str(o["description"])} if o.get("description") else {},  # never invented
            publisher=Agent(name={lang: str(publisher)}, uri=o.get("publisher_uri"), identifier=o.get("publisher_id"))
            if publisher
            else None,
            keywords={lang: _list(o.get("keywords"))} if o.get("keywords") else {},
            themes=_list(o.get("themes")),
            health_categories=_list(o.get("health_categories")),
            access_rights=o.get("access_rights"),
            landing_page=o.get("landing_page") or self.source.url,
        )

    def harvest(self) -> Iterator[Event]:
        url = self.source.url
        fetched = self.http.get(url, etag=self.state.get("etag"), last_modified=self.state.get("last_modified"))
        frequencies, frequency_problems = self._frequency_file()  # after the list: a list that fails fails first
        changed_frequencies = frequencies is not None and frequencies[1] != self.state.get("frequencies_sha256")
        if fetched.not_modified and changed_frequencies:
            fetched = self.http.get(url)  # the counts changed under an unchanged list: read the list again
        digest = (
            hashlib.sha256(
                fetched.content
                + json.dumps(self.source.options, sort_keys=True, default=str).encode()
                + self.base_uri.encode()
            ).hexdigest()
            if not fetched.not_modified
            else None
        )
        if (
            self.state.get("records")
            and not changed_frequencies
            and not frequency_problems
            and (fetched.not_modified or digest == self.state.get("sha256"))
        ):
            yield from replayed(json.loads(self.state.get("problems", "[]")))
            yield from (Present(uri) for uri in json.loads(self.state["records"]))
            yield Complete()
            yield Checkpoint(dict(self.state))
            return
        dataset = self.dataset()
        try:
            found = read_varlist(
                fetched.content,
                url=fetched.url,
                dataset_id=dataset.identifier,
                mint=self.mint,
                options=self.source.options,
                content_type=fetched.content_type,
                charset=fetched.charset,
                publisher=dataset.publisher,
            )
        except VarlistError as exc:
            hint = kind_hint(fetched.content.decode("utf-8", "replace"), self.kind)
            raise SourceError(f"the variable list cannot be read: {exc}", fetched.url, hint=hint) from exc
        for note in found.notes:
            log.info("%s: %s", fetched.url, note)
        problems = [Failed(p.message, fetched.url, p.record_id, p.field) for p in found.problems]
        dataset.variables = found.variables
        counts = None if self.source.options.get("frequencies_url") else DatasetCounts(dataset.uri, ())
        if frequencies is not None:
            counts, unmatched = dataset_counts(dataset.uri, frequencies[0], found.variables, found.codelists)
            frequency_problems += [Failed(p.message, frequencies[2], p.record_id, p.field) for p in unmatched]
        problems += frequency_problems
        yield from problems
        yield Harvested(dataset, fetched.url, counts)
        yield from (Harvested(cl, fetched.url) for cl in found.codelists)
        yield Complete()
        state = {
            "records": json.dumps([dataset.uri, *(cl.uri for cl in found.codelists)]),
            "sha256": digest or "",
            "problems": json.dumps(saved_problems(problems)),
        }
        if frequencies is not None:
            state["frequencies_sha256"] = frequencies[1]
        for header, key in (("etag", "etag"), ("last-modified", "last_modified")):
            if fetched.headers.get(header):
                state[key] = fetched.headers[header]
        yield Checkpoint(state)

    def _frequency_file(self) -> tuple[tuple[Frequencies, str, str] | None, list[Failed]]:
        """(the frequency file read, its digest, its URL) when `options.frequencies_url` names one, and
        its problems. A frequency file that cannot be fetched or read is reported; the list goes on."""
        where = self.source.options.get("frequencies_url")
        if not where:
            return None, []
        url = urljoin(self.source.url, str(where))
        try:
            fetched = self.http.get(url)
            found = read_frequencies(
                fetched.content,
                url=fetched.url,
                options=self.source.options,
                content_type=fetched.content_type,
                charset=fetched.charset,
            )
        except (FetchError, VarlistError) as exc:
            message = exc.message if isinstance(exc, FetchError) else str(exc)
            return None, [
                Failed(f"the frequency table {url} could not be read: {message}", url, None, "frequencies_url")
            ]
        problems = [Failed(f"frequency table: {p.message}", fetched.url, p.record_id, p.field) for p in found.problems]
        return (found, hashlib.sha256(fetched.content).hexdigest(), fetched.url), problems
