"""What every profile is: the interface the feeds, the pipeline and the web read, with its hooks.

A profile is a class whose instances hold no state: one per feed, built once (`catalog.profiles`).
Subclasses override the parts their standard changes and call `super()` for the rest, so a
standard built on another (HealthDCAT-AP on DCAT-AP 3) says only what it adds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from rdflib import Literal, URIRef
from rdflib.namespace import DCAT, FOAF, RDF, XSD
from rdflib.namespace import DCTERMS as DCT

from catalog.config import EU_AUTHORITY, Settings, SourceConfig
from catalog.model import DataProduct, DataService, Dataset, Record
from catalog.published import Published, hdab
from catalog.rdf import Triple, TripleWriter, _agent, add_codelist, add_dataset, add_product, add_service, iri

if TYPE_CHECKING:
    from catalog.store import StoredRecord, StoreReader


class UnknownProfile(ValueError):
    """A profile name nobody registered; the message lists the known ones."""


CATALOGUE_LANGUAGES = ("NOB", "NNO", "ENG")
"""The catalogue's languages (EU language authority codes): its pages, and its own titles."""


def catalog_uri(settings: Settings) -> URIRef:
    return URIRef(settings.base_uri.rstrip("/") + "/catalog")


class Profile:
    """A standard the feeds speak. The defaults are DCAT-AP 3's: every live record, as its source
    said it, written by `catalog.rdf`.

    Hooks for what a profile adds (override, and call `super()`):
    - `add_catalog`: statements about the catalogue (the EHDS feed's applicable legislation, the
      descriptions of the quality label's metrics, the data use register);
    - `add_dataset_extras`: statements about a dataset that follow from the record and the
      settings alone, rendered with the record when it is stored (`catalog.renderings`);
    - `gather` + `add_live`: statements about a record that move with the store (its quality and
      utility label), written per request from what `gather` read for a page of records.
    """

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    """The standard and release, as people name it ("HealthDCAT-AP Release 8")."""
    shapes: ClassVar[tuple[str, ...]] = ()
    """Our shapes files (in `shapes/`) that make up this profile, in the order they are loaded."""
    checked_kinds: ClassVar[tuple[str, ...]] = ()
    """Kinds of record this feed carries only when their published view conforms to `shapes`."""
    referenced_kinds: ClassVar[tuple[str, ...]] = ()
    """Kinds of record this feed carries only when a dataset it carries uses them (code lists: a
    variable's hk:codeList), so that it holds no record none of its datasets needs. The store keeps
    the answer with each code list (`StoredRecord.referenced`: "a live dataset that conforms uses
    it"), which `StoreReader.listing` and `records` filter by."""

    # --- which records the feed carries ----------------------------------------------------------
    def carries(self, kind: str, conforms: bool | None) -> bool:
        """Whether this feed carries a live record of `kind` with the pipeline's verdict `conforms`
        (one of `referenced_kinds` only while a dataset it carries uses it: `includes`)."""
        return kind not in self.checked_kinds or bool(conforms)

    def includes(self, stored: StoredRecord) -> bool:
        """Whether this feed carries the stored record (never one deleted at its source)."""
        if stored.kind in self.referenced_kinds and not stored.referenced:
            return False
        return not stored.deleted_at and self.carries(stored.kind, stored.conforms)

    def levels(self) -> Sequence[AccessLevel]:
        """The narrower profiles this one is made of, one per access level (none but in HealthDCAT-AP)."""
        return ()

    # --- the view of a record it publishes ---------------------------------------------------------
    def published(self, record: Record, settings: Settings, source: SourceConfig | None = None) -> Published:
        """The record as this feed publishes it, with what of it the source did not state."""
        return Published(record)

    def view_digest(self, settings: Settings, source: str) -> str | None:
        """Everything besides the record its published view depends on (None: nothing)."""
        return None

    # --- writing -------------------------------------------------------------------------------------
    def add_catalog(self, g: TripleWriter, settings: Settings, modified: str | None = None) -> URIRef:
        """The catalogue node; `modified` (the store's latest change) is the cursor incremental harvesters keep."""
        cat = catalog_uri(settings)
        g.add((cat, RDF.type, DCAT.Catalog))
        g.add((cat, DCT.title, Literal("Nasjonal katalog over helsedata", lang="nb")))
        g.add((cat, DCT.title, Literal("Nasjonal katalog over helsedata", lang="nn")))
        g.add((cat, DCT.title, Literal("National catalogue of health data", lang="en")))
        g.add(
            (
                cat,
                DCT.description,
                Literal(
                    "Datasett og variabler fra helseregistre, kvalitetsregistre, helseundersøkelser og SSB.", lang="nb"
                ),
            )
        )
        g.add(
            (
                cat,
                DCT.description,
                Literal(
                    "Datasett og variablar frå helseregister, kvalitetsregister, helseundersøkingar og SSB.", lang="nn"
                ),
            )
        )
        g.add(
            (
                cat,
                DCT.description,
                Literal(
                    "Datasets and variables from Norwegian health registries, quality "
                    "registries, health surveys and Statistics Norway.",
                    lang="en",
                ),
            )
        )
        g.add((cat, DCT.publisher, _agent(g, hdab(settings), (cat, DCT.publisher), health=True)))
        # DCAT-AP's recommended catalogue properties the catalogue itself knows: the languages of
        # its pages and titles, its home page (the explorer) and the vocabulary of its themes
        # (the EU platform's checks, and `catalog validate`, warned of each)
        # (the vocabulary is not typed skos:ConceptScheme here: a catalogue harvesting this feed
        # took it for a code list of its own)
        for code in CATALOGUE_LANGUAGES:
            language = URIRef(f"{EU_AUTHORITY}language/{code}")
            g.add((cat, DCT.language, language))
            g.add((language, RDF.type, DCT.LinguisticSystem))  # as a dataset's languages are
        g.add((cat, FOAF.homepage, URIRef(settings.base_uri)))
        g.add((URIRef(settings.base_uri), RDF.type, FOAF.Document))  # DCAT-AP 3's range for a home page
        g.add((cat, DCAT.themeTaxonomy, URIRef(f"{EU_AUTHORITY}data-theme")))
        if modified:
            g.add((cat, DCT.modified, Literal(modified, datatype=XSD.dateTime)))
        return cat

    def view(self, record: Record, settings: Settings, source: str) -> Record:
        """The record as this feed publishes it, from the source called `source`."""
        return self.published(record, settings, settings.sources.get(source)).record

    def add_body(
        self, g: TripleWriter, record: Record, settings: Settings, source: str, variables: bool = True
    ) -> URIRef:
        """The record's own statements, from `source`: what `catalog.renderings` keeps per record.
        Without `variables`, a dataset's variables are left out (they read the same in every profile)."""
        return self.add_published(g, self.view(record, settings, source), settings, variables)

    def add_published(
        self,
        g: TripleWriter,
        record: Record,
        settings: Settings,
        variables: bool = True,
        written: Sequence[Triple] | None = None,
    ) -> URIRef:
        """`add_body` of a record already as this feed publishes it (`view`). `written`: what
        `catalog.rdf.add_dataset` writes of this very dataset without its variables, when the
        caller has it (`catalog.renderings` writes it once for the profiles that publish the same
        view, and each profile makes its own statements from it)."""
        if isinstance(record, Dataset):
            subject = self.write_dataset(g, record, variables, written)
            self.add_dataset_extras(g, subject, record, settings)
            return subject
        if isinstance(record, DataService):
            return add_service(g, record, links=False)  # the datasets it serves: per request, `add_live`
        if isinstance(record, DataProduct):
            return add_product(g, record)
        return add_codelist(g, record)

    def write_dataset(
        self, g: TripleWriter, dataset: Dataset, variables: bool, written: Sequence[Triple] | None = None
    ) -> URIRef:
        """A published dataset's statements (a profile that writes terms differently overrides this);
        `written` as in `add_published`."""
        if written is None or variables:
            return add_dataset(g, dataset, variables)
        for triple in written:
            g.add(triple)
        return iri(dataset.uri)

    def add_dataset_extras(self, g: TripleWriter, subject: URIRef, dataset: Dataset, settings: Settings) -> None:
        """Hook: what this profile says of a published dataset beyond `catalog.rdf`'s statements."""

    def gather(self, store: StoreReader, rows: Sequence[StoredRecord]) -> Mapping[str, dict[str, Any]]:
        """Hook: what `add_live` needs for a page of records, read in one go (uri -> {fact: value}).
        Here: the datasets each data service serves."""
        return {r.uri: {"served": store.linked(r.uri, "serves")} for r in rows if r.kind == "service"}

    def add_live(self, g: TripleWriter, stored: StoredRecord, facts: dict[str, Any] | None, settings: Settings) -> None:
        """Hook: statements about a carried record that change with the store, not with the record.
        Here: a data service's dcat:servesDataset links, to the datasets this feed carries (a link
        to one it leaves out would break DCAT-AP's range rule)."""
        for dataset in (facts or {}).get("served", ()):
            if self.includes(dataset):
                g.add((URIRef(stored.uri), DCAT.servesDataset, URIRef(dataset.uri)))


class AccessLevel(Profile):
    """A HealthDCAT-AP release narrowed to the datasets of one access level, as the release's
    official shapes come one set per level. Its rules are the release's plus its own file."""

    access_right: ClassVar[str] = ""
    """The EU access-right IRI of the datasets this level describes."""
    official: ClassVar[str] = ""
    """The name of the release's official shape set for this level ("non-public")."""

    def describes(self, dataset: Dataset) -> bool:
        """Whether the dataset is of this access level."""
        return dataset.access_rights == self.access_right
