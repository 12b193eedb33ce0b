"""Where the simulated nation's data can be analysed, and what is offered from it.

The Norwegian Patient Registry's DCAT feed (page 1) also describes, as a real registry's catalogue
might: the health analysis platform as a `dcat:DataService` serving datasets of three registries
(`dcat:servesDataset`), a private provider's analysis service, and a data product, a cohort made
from one NPR and one KPR dataset (`prov:wasDerivedFrom`), with terms, price model and how to order.
"""

from __future__ import annotations

from catalog.model import Agent, DataProduct, DataService
from simulator import content as C
from simulator.nation import Nation, Source, _org_agent

HOST = "npr"
"""The source whose feed carries them."""
SERVED = ("npr", "kpr", "norpd")
PROVIDER = Agent(
    name={"nb": "Nordisk helseanalyse AS", "en": "Nordic Health Analytics"},
    uri="https://data.brreg.no/enhetsregisteret/api/enheter/999999999",
    email="bestilling@helseanalyse.example.no",
    url="https://helseanalyse.example.no/",
)


def _first(nation: Nation, name: str, n: int) -> list[str]:
    source = nation.source(name)
    return [nation.dataset(source, i, with_variables=False).uri for i in nation.dataset_indices(source)[:n]]


def services(nation: Nation, source: Source) -> list[DataService]:
    if source.name != HOST:
        return []
    helsedata = _org_agent(C.HELSEDATA)
    platform = DataService(
        uri="https://helsedata.no/tjenester/helseanalyseplattformen",
        identifier="helseanalyseplattformen",
        title={"nb": "Helseanalyseplattformen", "en": "Health Analytics Platform"},
        description={
            "nb": "Nasjonal, sikker analyseplattform der godkjente prosjekter analyserer data fra helseregistrene "
            "uten å laste dem ned.",
            "en": "National secure analysis platform where approved projects analyse health registry data "
            "without downloading it.",
        },
        service_type="platform",
        publisher=helsedata,
        contact=Agent(name={"nb": "Helsedataservice"}, email=C.HELSEDATA.email, url="https://helsedata.no/"),
        endpoint_url="https://helsedata.no/no/helseanalyseplattformen/",
        landing_page="https://helsedata.no/no/helseanalyseplattformen/",
        serves_datasets=[uri for name in SERVED for uri in _first(nation, name, 2)],
        access_rights=C.EU + "access-right/NON_PUBLIC",
        applicable_legislation=[C.LEGISLATION["helseregisterloven"]],
        keywords={"nb": ["analyseplattform", "sikker sone"]},
        themes=[C.EU + "data-theme/HEAL"],
        how_to_order={
            "nb": "Søk om tilgang til dataene hos Helsedataservice og kryss av for analyse på "
            "Helseanalyseplattformen; prosjektrommet opprettes når vedtaket er fattet.",
            "en": "Apply for access to the data at Helsedataservice and choose analysis on the Health Analytics "
            "Platform; the project space is set up once access is granted.",
        },
        order_url="https://helsedata.no/no/sok-om-tilgang/",
        price_model="cost-recovery",
        price={"nb": "Selvkost: etableringsgebyr og månedspris per prosjektrom.", "en": "Cost recovery."},
        terms={"nb": "Data forlater ikke plattformen; bare aggregerte resultater kan tas ut etter kontroll."},
    )
    analysis = DataService(
        uri="https://helseanalyse.example.no/tjenester/registeranalyse",
        identifier="registeranalyse",
        title={"nb": "Registeranalyse på oppdrag", "en": "Registry analysis on commission"},
        description={
            "nb": "Statistikere analyserer registerdata for deg på Helseanalyseplattformen og leverer "
            "aggregerte, kontrollerte resultater.",
            "en": "Statisticians analyse registry data for you on the Health Analytics Platform and deliver "
            "aggregated, checked results.",
        },
        service_type="analysis",
        publisher=PROVIDER,
        endpoint_url="https://helseanalyse.example.no/registeranalyse",
        serves_datasets=_first(nation, "npr", 2),
        how_to_order={"nb": "Send en forespørsel med problemstilling og ønsket leveranse."},
        order_url="https://helseanalyse.example.no/bestill",
        price_model="commercial",
        price={"nb": "Timepris 1 450 kr; fastpris etter avtale.", "en": "NOK 1,450 an hour; fixed price by agreement."},
        terms={"nb": "Oppdragsgiver må ha tilgangsvedtak for dataene."},
    )
    return [platform, analysis]


def products(nation: Nation, source: Source) -> list[DataProduct]:
    if source.name != HOST:
        return []
    npr, kpr = _first(nation, "npr", 1)[0], _first(nation, "kpr", 1)[0]
    return [
        DataProduct(
            uri="https://helseanalyse.example.no/dataprodukter/diabeteskohort",
            identifier="diabeteskohort",
            title={
                "nb": "Diabeteskohorten: pasientforløp i primær- og spesialisthelsetjenesten",
                "en": "Diabetes cohort",
            },
            description={
                "nb": "Ferdig koblet kohort av personer med diabetes type 2, med kontakter i spesialisthelsetjenesten "
                "(NPR) og hos fastlege (KPR), klar til analyse på Helseanalyseplattformen.",
                "en": "A linked cohort of people with type 2 diabetes: specialist care (NPR) and GP contacts (KPR).",
            },
            product_type="cohort",
            publisher=PROVIDER,
            derived_from=[npr, kpr],
            keywords={"nb": ["diabetes", "kohort"]},
            themes=[C.EU + "data-theme/HEAL"],
            how_to_order={"nb": "Bestill med tilgangsvedtaket ditt; kohorten leveres til prosjektrommet ditt."},
            order_url="https://helseanalyse.example.no/bestill/diabeteskohort",
            price_model="commercial",
            price={"nb": "45 000 kr per leveranse.", "en": "NOK 45,000 per delivery."},
            terms={"nb": "Forutsetter tilgangsvedtak for NPR og KPR."},
        )
    ]
