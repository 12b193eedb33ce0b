"""What Norway's health-data sources contain: registries, surveys, variables and code lists.

Plain data, no logic: the nation generator (`nation.py`) draws from these tables. Names, labels,
units and codes follow the real sources (MFR's definition reports, NPR's and NorPD's variable
lists, Kreftregisteret's ELVIS core variables, KLASS classifications, ICD-10, ATC, NCMP/NCSP,
ICD-O-3). Code lists are realistic *subsets*: enough codes to look and behave like the real ones.
"""

from __future__ import annotations

from dataclasses import dataclass

# --- organisations -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Org:
    name_nb: str
    name_en: str
    orgnr: str
    domain: str
    email: str
    uri: str = ""  # when the organisation number is not its own (a unit of a larger body)


FHI = Org(
    "Folkehelseinstituttet", "Norwegian Institute of Public Health", "983744516", "www.fhi.no", "datatilgang@fhi.no"
)
HDIR = Org(
    "Helsedirektoratet",
    "Norwegian Directorate of Health",
    "983544622",
    "www.helsedirektoratet.no",
    "postmottak@helsedir.no",
)
KREFT = Org(
    "Kreftregisteret",
    "Cancer Registry of Norway",
    "993467049",
    "www.kreftregisteret.no",
    "datautlevering@kreftregisteret.no",
)
NTNU = Org(
    "NTNU, HUNT forskningssenter", "NTNU, HUNT Research Centre", "974767880", "www.ntnu.no", "kontakt@hunt.ntnu.no"
)
UIT = Org(
    "UiT Norges arktiske universitet", "UiT The Arctic University of Norway", "970422528", "uit.no", "tromsous@uit.no"
)
SIKT = Org(
    "Sikt – Kunnskapssektorens tjenesteleverandør",
    "Sikt – Norwegian Agency for Shared Services in Education and Research",
    "919477822",
    "sikt.no",
    "tjenester@sikt.no",
)
SSB = Org("Statistisk sentralbyrå", "Statistics Norway", "971526920", "www.ssb.no", "klass@ssb.no")
HELSEDATA = Org(
    "Helsedataservice",
    "Health Data Service",
    "983544622",
    "helsedata.no",
    "helsedata@helsedir.no",
    "https://helsedata.no/no/om-helsedataservice/",
)
SKDE = Org(
    "Senter for klinisk dokumentasjon og evaluering (SKDE)",
    "Centre for Clinical Documentation and Evaluation",
    "883974832",
    "www.kvalitetsregistre.no",
    "kvalitetsregistre@skde.no",
)

EU = "http://publications.europa.eu/resource/authority/"
HDEU = "https://hdeu-dcat.data.health.europa.eu/resource/authority/"
LEGISLATION = {
    "helseregisterloven": "https://lovdata.no/eli/lov/2014/06/20/43",
    "ehds": "http://data.europa.eu/eli/reg/2025/327/oj",
    "dga": "http://data.europa.eu/eli/reg/2022/868/oj",
}

# --- code lists --------------------------------------------------------------------------------
# key -> (identifier, title nb, title en, [(code, label nb, label en or "")], missing codes)

CodeRow = tuple[str, str, str]


@dataclass(frozen=True)
class CodeListSpec:
    key: str
    title_nb: str
    title_en: str
    codes: tuple[CodeRow, ...]
    coding_system: str | None = None
    klass_id: int | None = None
    missing: tuple[str, ...] = ()


def _codes(*rows: tuple[str, str] | tuple[str, str, str]) -> tuple[CodeRow, ...]:
    return tuple((r[0], r[1], r[2] if len(r) > 2 else "") for r in rows)


KOMMUNER = _codes(
    ("0301", "Oslo"),
    ("1103", "Stavanger"),
    ("1106", "Haugesund"),
    ("1108", "Sandnes"),
    ("1505", "Kristiansund"),
    ("1506", "Molde"),
    ("1508", "Ålesund"),
    ("1804", "Bodø"),
    ("1806", "Narvik"),
    ("1833", "Rana"),
    ("3101", "Halden"),
    ("3103", "Moss"),
    ("3105", "Sarpsborg"),
    ("3107", "Fredrikstad"),
    ("3201", "Bærum"),
    ("3203", "Asker"),
    ("3205", "Lillestrøm"),
    ("3301", "Drammen"),
    ("3303", "Kongsberg"),
    ("3305", "Ringerike"),
    ("3401", "Kongsvinger"),
    ("3403", "Hamar"),
    ("3405", "Lillehammer"),
    ("3407", "Gjøvik"),
    ("3411", "Ringsaker"),
    ("3420", "Elverum"),
    ("3905", "Tønsberg"),
    ("3907", "Sandefjord"),
    ("3909", "Larvik"),
    ("4001", "Porsgrunn"),
    ("4003", "Skien"),
    ("4203", "Arendal"),
    ("4204", "Kristiansand"),
    ("4601", "Bergen"),
    ("4614", "Stord"),
    ("4621", "Voss"),
    ("4647", "Sunnfjord"),
    ("5001", "Trondheim - Tråante"),
    ("5006", "Steinkjer"),
    ("5007", "Namsos - Nåavmesjenjaelmie"),
    ("5035", "Stjørdal"),
    ("5037", "Levanger"),
    ("5501", "Tromsø"),
    ("5503", "Harstad - Hárstták"),
    ("5601", "Alta"),
    ("5603", "Hammerfest - Hámmerfeasta"),
    ("5607", "Vadsø"),
)
FYLKER = _codes(
    ("03", "Oslo"),
    ("11", "Rogaland"),
    ("15", "Møre og Romsdal"),
    ("18", "Nordland - Nordlánnda"),
    ("31", "Østfold"),
    ("32", "Akershus"),
    ("33", "Buskerud"),
    ("34", "Innlandet"),
    ("39", "Vestfold"),
    ("40", "Telemark"),
    ("42", "Agder"),
    ("46", "Vestland"),
    ("50", "Trøndelag - Trööndelage"),
    ("55", "Troms - Romsa - Tromssa"),
    ("56", "Finnmark - Finnmárku - Finmarkku"),
    ("99", "Uoppgitt"),
)
ICD10 = _codes(
    ("A09", "Annen gastroenteritt og kolitt av infeksiøs og uspesifisert opprinnelse"),
    ("A15", "Tuberkulose i åndedrettsorganer, bakteriologisk og histologisk bekreftet"),
    ("A41", "Annen sepsis"),
    ("A54", "Gonokokkinfeksjon"),
    ("A56", "Andre seksuelt overførbare klamydiasykdommer"),
    ("B18", "Kronisk virushepatitt"),
    ("B20", "Sykdom som skyldes humant immunsviktvirus [HIV]"),
    ("C18", "Ondartet svulst i tykktarm"),
    ("C34", "Ondartet svulst i bronkie og lunge"),
    ("C43", "Ondartet melanom i hud"),
    ("C50", "Ondartet svulst i bryst"),
    ("C61", "Ondartet svulst i blærehalskjertel"),
    ("C91", "Lymfatisk leukemi"),
    ("D50", "Jernmangelanemi"),
    ("E03", "Annen hypotyreose"),
    ("E05", "Tyreotoksikose [hypertyreose]"),
    ("E10", "Diabetes mellitus type 1"),
    ("E11", "Diabetes mellitus type 2"),
    ("E66", "Fedme"),
    ("F00", "Demens ved Alzheimers sykdom"),
    ("F03", "Uspesifisert demens"),
    ("F10", "Psykiske lidelser og atferdsforstyrrelser som skyldes bruk av alkohol"),
    ("F20", "Schizofreni"),
    ("F23", "Akutte og forbigående psykotiske lidelser"),
    ("F29", "Uspesifisert ikke-organisk psykose"),
    ("F31", "Bipolar affektiv lidelse"),
    ("F32", "Depressiv episode"),
    ("F41", "Andre angstlidelser"),
    ("F50", "Spiseforstyrrelser"),
    ("F50.0", "Anorexia nervosa"),
    ("F50.2", "Bulimia nervosa"),
    ("F84", "Gjennomgripende utviklingsforstyrrelser"),
    ("F90", "Hyperkinetiske forstyrrelser"),
    ("G20", "Parkinsons sykdom"),
    ("G30", "Alzheimers sykdom"),
    ("G35", "Multippel sklerose"),
    ("G40", "Epilepsi"),
    ("G43", "Migrene"),
    ("G45", "Forbigående cerebral iskemi med tilhørende syndromer"),
    ("I10", "Essensiell (primær) hypertensjon"),
    ("I21", "Akutt hjerteinfarkt"),
    ("I25", "Kronisk iskemisk hjertesykdom"),
    ("I46", "Hjertestans"),
    ("I48", "Atrieflimmer og atrieflutter"),
    ("I50", "Hjertesvikt"),
    ("I61", "Hjerneblødning"),
    ("I63", "Hjerneinfarkt"),
    ("I71", "Aortaaneurisme og aortadisseksjon"),
    ("J11", "Influensa, virus ikke identifisert"),
    ("J18", "Pneumoni, uspesifisert mikroorganisme"),
    ("J44", "Annen kronisk obstruktiv lungesykdom"),
    ("J45", "Astma"),
    ("K35", "Akutt appendisitt"),
    ("K50", "Crohns sykdom [regional enteritt]"),
    ("K51", "Ulcerøs kolitt"),
    ("K80", "Gallestein"),
    ("K90.0", "Cøliaki"),
    ("L40", "Psoriasis"),
    ("M05", "Seropositiv revmatoid artritt"),
    ("M10", "Urinsyregikt"),
    ("M16", "Koksartrose [hofteleddsartrose]"),
    ("M17", "Gonartrose [kneleddsartrose]"),
    ("M54", "Ryggsmerter"),
    ("M81", "Osteoporose uten patologisk brudd"),
    ("N17", "Akutt nyresvikt"),
    ("N18", "Kronisk nyresykdom"),
    ("O14", "Preeklampsi"),
    ("O24", "Diabetes mellitus i svangerskap"),
    ("O24.4", "Diabetes mellitus som oppstår under svangerskap"),
    ("O80", "Spontan fødsel av enkeltfoster"),
    ("O82", "Fødsel av enkeltfoster ved keisersnitt"),
    ("P07", "Forstyrrelser i forbindelse med kort svangerskapsvarighet og lav fødselsvekt"),
    ("Q21", "Medfødte misdannelser av hjerteskillevegger"),
    ("Q35", "Ganespalte"),
    ("Q36", "Leppespalte"),
    ("Q37", "Gane- og leppespalte"),
    ("Q90", "Downs syndrom"),
    ("R69", "Ukjente og uspesifiserte årsaker til sykelighet"),
    ("S06.0", "Hjernerystelse"),
    ("S72", "Brudd i lårben"),
    ("U07", "Covid-19"),
    ("X42", "Utilsiktet forgiftning ved og eksponering for narkotika og psykodysleptika"),
    ("X60", "Forsettlig egenforgiftning"),
    ("Z38", "Levendefødte spedbarn etter fødselssted"),
)
ICD10_KREFT = tuple(
    sorted(
        (
            *(row for row in ICD10 if "C00" <= row[0] <= "D48"),
            *_codes(
                ("C16", "Ondartet svulst i magesekk"),
                ("C20", "Ondartet svulst i endetarm"),
                ("C25", "Ondartet svulst i bukspyttkjertel"),
                ("C53", "Ondartet svulst i livmorhals"),
                ("C64", "Ondartet svulst i nyre, unntatt nyrebekken"),
                ("C67", "Ondartet svulst i urinblære"),
                ("C71", "Ondartet svulst i hjerne"),
                ("C73", "Ondartet svulst i skjoldbruskkjertel"),
                ("D05", "Carcinoma in situ i bryst"),
            ),
        )
    )
)
"""The Cancer Registry's ICD-10: the neoplasms (chapter II) it records, not the whole
classification, so a search for COPD (J44) or a hip fracture (S72) does not list it."""
ICPC2 = _codes(
    ("A04", "Slapphet/tretthet"),
    ("D72", "Virushepatitt"),
    ("K74", "Angina pectoris"),
    ("K75", "Akutt hjerteinfarkt"),
    ("K77", "Hjertesvikt"),
    ("K78", "Atrieflimmer/flutter"),
    ("K86", "Hypertensjon ukomplisert"),
    ("K87", "Hypertensjon med organkomplikasjoner"),
    ("K89", "Forbigående cerebral iskemi"),
    ("K90", "Hjerneslag"),
    ("L03", "Korsryggsymptomer/plager"),
    ("L89", "Artrose hofte"),
    ("L90", "Artrose kne"),
    ("N89", "Migrene"),
    ("P15", "Kronisk alkoholmisbruk"),
    ("P70", "Demens"),
    ("P72", "Schizofreni"),
    ("P74", "Angstlidelse"),
    ("P76", "Depressiv lidelse"),
    ("P81", "Hyperkinetisk forstyrrelse"),
    ("P98", "Psykose IKA"),
    ("R74", "Akutt øvre luftveisinfeksjon"),
    ("R80", "Influensa"),
    ("R81", "Pneumoni"),
    ("R95", "Kronisk obstruktiv lungesykdom"),
    ("R96", "Astma"),
    ("T82", "Fedme"),
    ("T85", "Hypertyreose/tyreotoksikose"),
    ("T86", "Hypotyreose/myksødem"),
    ("T89", "Diabetes type 1"),
    ("T90", "Diabetes type 2"),
    ("T92", "Urinsyregikt"),
    ("U71", "Cystitt/urinveisinfeksjon"),
)
"""A selection of ICPC-2, the primary care classification the GP and emergency care contacts
of the municipal patient registry (KPR) are coded with."""
ICD10_KAPITLER = _codes(
    ("I", "Visse infeksjonssykdommer og parasittsykdommer", "Certain infectious and parasitic diseases"),
    ("II", "Svulster", "Neoplasms"),
    (
        "IV",
        "Endokrine sykdommer, ernæringssykdommer og metabolske forstyrrelser",
        "Endocrine, nutritional and metabolic diseases",
    ),
    ("V", "Psykiske lidelser og atferdsforstyrrelser", "Mental and behavioural disorders"),
    ("VI", "Sykdommer i nervesystemet", "Diseases of the nervous system"),
    ("IX", "Sykdommer i sirkulasjonssystemet", "Diseases of the circulatory system"),
    ("X", "Sykdommer i åndedrettssystemet", "Diseases of the respiratory system"),
    ("XI", "Sykdommer i fordøyelsessystemet", "Diseases of the digestive system"),
    ("XIII", "Sykdommer i muskel-skjelettsystemet og bindevev", "Diseases of the musculoskeletal system"),
    ("XV", "Svangerskap, fødsel og barseltid", "Pregnancy, childbirth and the puerperium"),
    ("XIX", "Skader, forgiftninger og visse andre konsekvenser av ytre årsaker", "Injury, poisoning"),
    ("XX", "Ytre årsaker til sykdom og død", "External causes of morbidity and mortality"),
)
ATC = _codes(
    ("A02BC01", "Omeprazol"),
    ("A02BC05", "Esomeprazol"),
    ("A10AE04", "Insulin glargin"),
    ("A10BA02", "Metformin"),
    ("B01AC06", "Acetylsalisylsyre"),
    ("B01AF01", "Rivaroksaban"),
    ("B01AF02", "Apixaban"),
    ("C03CA01", "Furosemid"),
    ("C07AB02", "Metoprolol"),
    ("C08CA01", "Amlodipin"),
    ("C09AA05", "Ramipril"),
    ("C10AA01", "Simvastatin"),
    ("C10AA05", "Atorvastatin"),
    ("H03AA01", "Levotyroksinnatrium"),
    ("J01CA04", "Amoksicillin"),
    ("J01CE02", "Fenoksymetylpenicillin"),
    ("M01AE01", "Ibuprofen"),
    ("N02AA01", "Morfin"),
    ("N02BE01", "Paracetamol"),
    ("N03AX09", "Lamotrigin"),
    ("N05AH04", "Kvetiapin"),
    ("N05BA01", "Diazepam"),
    ("N05CF01", "Zopiklon"),
    ("N06AB04", "Citalopram"),
    ("N06AB10", "Escitalopram"),
    ("N06BA04", "Metylfenidat"),
    ("R03AC02", "Salbutamol"),
)
PROSEDYRER = _codes(
    ("JKA21", "Laparoskopisk kolecystektomi"),
    ("JEA01", "Laparoskopisk appendektomi"),
    ("NFB40", "Primær innsetting av totalprotese i hofteledd uten sement"),
    ("NFB20", "Primær innsetting av hemiprotese i hofteledd uten sement"),
    ("NFJ70", "Osteosyntese av lårhalsbrudd med glideskrue"),
    ("FNG05", "Perkutan koronar intervensjon (PCI)"),
    ("MCA10", "Keisersnitt i nedre uterinsegment"),
    ("ZXA10", "Dagkirurgisk prosedyre"),
    ("AAF00", "Kirurgisk fjerning av hjernesvulst"),
    ("WMA00", "Måling av HbA1c"),
)
ICDO3_MORFOLOGI = _codes(
    ("8010/3", "Karsinom, UNS"),
    ("8041/3", "Småcellet karsinom"),
    ("8070/3", "Plateepitelkarsinom, UNS"),
    ("8140/3", "Adenokarsinom, UNS"),
    ("8500/3", "Infiltrerende duktalt karsinom"),
    ("8520/3", "Lobulært karsinom, UNS"),
    ("8720/3", "Malignt melanom, UNS"),
    ("9680/3", "Diffust storcellet B-cellelymfom"),
)
ICDO3_TOPOGRAFI = _codes(
    ("C18.0", "Caecum"),
    ("C18.7", "Colon sigmoideum"),
    ("C34.1", "Overlapp, lunge, overlapp"),
    ("C44.5", "Hud på truncus"),
    ("C50.1", "Sentralt i brystet"),
    ("C50.4", "Øvre ytre kvadrant av bryst"),
    ("C50.9", "Bryst, UNS"),
    ("C61.9", "Prostata"),
)
STADIUM = _codes(
    ("0", "In situ"), ("1", "Lokalisert"), ("2", "Regional spredning"), ("3", "Fjernmetastase"), ("9", "Ukjent stadium")
)
KJONN = _codes(("1", "Mann", "Male"), ("2", "Kvinne", "Female"), ("0", "Ukjent", "Unknown"))
JA_NEI = _codes(("1", "Ja", "Yes"), ("2", "Nei", "No"), ("9", "Ukjent", "Unknown"))
APGAR = _codes(*((str(i), f"{i} poeng", f"{i} point" + ("s" if i != 1 else "")) for i in range(11)))
PARITET = _codes(
    ("0", "Førstegangsfødende"),
    ("1", "Har født ett barn tidligere"),
    ("2", "Har født to barn tidligere"),
    ("3", "Har født tre eller flere barn tidligere"),
)
FLERFODSEL = _codes(
    ("1", "Enkeltfødsel", "Singleton"),
    ("2", "Tvillingfødsel", "Twin"),
    ("3", "Trillingfødsel eller flere", "Triplets or more"),
)
ROYK = _codes(("1", "Røykte ikke"), ("2", "Røykte av og til"), ("3", "Røykte daglig"), ("9", "Opplysning mangler"))
SIVILSTAND = _codes(
    ("1", "Ugift"),
    ("2", "Gift"),
    ("3", "Enke/enkemann"),
    ("4", "Skilt"),
    ("5", "Separert"),
    ("6", "Registrert partner"),
)
LAND = _codes(
    ("000", "Norge"),
    ("101", "Danmark"),
    ("106", "Sverige"),
    ("111", "Finland"),
    ("139", "Storbritannia"),
    ("144", "Tyskland"),
    ("152", "Polen"),
    ("404", "Irak"),
    ("452", "Pakistan"),
    ("684", "Somalia"),
)
OMSORGSNIVA = _codes(
    ("1", "Døgnopphold"), ("2", "Dagbehandling"), ("3", "Poliklinisk konsultasjon"), ("8", "Avdødes opphold")
)
HASTEGRAD = _codes(("1", "Akutt"), ("4", "Planlagt"), ("5", "Tilbakeføring av pasient fra annet sykehus"))
LIKERT = _codes(
    ("1", "Svært godt fornøyd"),
    ("2", "Godt fornøyd"),
    ("3", "Verken fornøyd eller misfornøyd"),
    ("4", "Misfornøyd"),
    ("5", "Svært misfornøyd"),
    ("9", "Vet ikke"),
)
HELSE_SELV = _codes(("1", "Dårlig"), ("2", "Ikke helt god"), ("3", "God"), ("4", "Svært god"), ("99", "Ikke besvart"))
MRS = _codes(
    *(
        (str(i), label)
        for i, label in enumerate(
            (
                "Ingen symptomer",
                "Ingen signifikant funksjonshemning",
                "Lett funksjonshemning",
                "Moderat funksjonshemning",
                "Moderat alvorlig funksjonshemning",
                "Alvorlig funksjonshemning",
                "Død",
            )
        )
    )
)
ASA = _codes(
    ("1", "Frisk pasient"),
    ("2", "Pasient med mild systemsykdom"),
    ("3", "Pasient med alvorlig systemsykdom"),
    ("4", "Pasient med livstruende systemsykdom"),
    ("5", "Moribund pasient"),
)
VAKSINER = _codes(
    ("DTP-IPV-Hib-HepB", "Difteri, stivkrampe, kikhoste, polio, Hib og hepatitt B"),
    ("PCV", "Pneumokokk"),
    ("MMR", "Meslinger, kusma og røde hunder"),
    ("HPV", "Humant papillomavirus"),
    ("ROTA", "Rotavirus"),
    ("COVID19", "Koronavirus (covid-19)"),
    ("INFLU", "Sesonginfluensa"),
)
MSIS_AGENS = _codes(
    ("CAMP", "Campylobacter"),
    ("CLAM", "Chlamydia trachomatis"),
    ("GONO", "Gonokokk"),
    ("TB", "Tuberkulose"),
    ("MRSA", "Meticillinresistente gule stafylokokker"),
    ("SARS2", "SARS-CoV-2"),
    ("EHEC", "Enterohemoragisk E. coli"),
    ("LEGI", "Legionella"),
)
SMITTESTED = _codes(("1", "Smittet i Norge"), ("2", "Smittet i utlandet"), ("9", "Ukjent smittested"))

CODELISTS: dict[str, CodeListSpec] = {
    c.key: c
    for c in (
        CodeListSpec(
            "kommune", "Standard for kommuneinndeling", "Classification of municipalities", KOMMUNER, klass_id=131
        ),
        CodeListSpec("fylke", "Standard for fylkesinndeling", "Classification of counties", FYLKER, klass_id=104),
        CodeListSpec("kjonn", "Standard for kjønn", "Classification of sex", KJONN, klass_id=2, missing=("0",)),
        CodeListSpec(
            "sivilstand", "Standard for sivilstand", "Classification of marital status", SIVILSTAND, klass_id=19
        ),
        CodeListSpec("land", "Standard for landkoder", "Classification of countries", LAND, klass_id=91),
        CodeListSpec("icd10", "ICD-10 (utvalg av kategorier)", "ICD-10 (selected categories)", ICD10, "ICD-10"),
        CodeListSpec("icd10-kapittel", "ICD-10 kapitler", "ICD-10 chapters", ICD10_KAPITLER, "ICD-10"),
        CodeListSpec("atc", "ATC-klassifikasjonen (utvalg)", "ATC classification (selection)", ATC, "ATC"),
        CodeListSpec(
            "ncmp", "NCMP/NCSP prosedyrekoder (utvalg)", "NCMP/NCSP procedure codes (selection)", PROSEDYRER, "NCMP"
        ),
        CodeListSpec(
            "icdo3-morfologi",
            "ICD-O-3 morfologi (utvalg)",
            "ICD-O-3 morphology (selection)",
            ICDO3_MORFOLOGI,
            "ICD-O-3",
        ),
        CodeListSpec(
            "icdo3-topografi",
            "ICD-O-3 topografi (utvalg)",
            "ICD-O-3 topography (selection)",
            ICDO3_TOPOGRAFI,
            "ICD-O-3",
        ),
        CodeListSpec("stadium", "Stadium ved diagnose", "Stage at diagnosis", STADIUM, missing=("9",)),
        CodeListSpec("janei", "Ja/nei", "Yes/no", JA_NEI, missing=("9",)),
        CodeListSpec("apgar", "Apgar-skår", "Apgar score", APGAR),
        CodeListSpec("paritet", "Paritet", "Parity", PARITET),
        CodeListSpec("flerfodsel", "Flerfødsel", "Plurality", FLERFODSEL),
        CodeListSpec("royk", "Røykevaner", "Smoking habits", ROYK, missing=("9",)),
        CodeListSpec("omsorgsniva", "Omsorgsnivå", "Level of care", OMSORGSNIVA),
        CodeListSpec("hastegrad", "Hastegrad", "Urgency", HASTEGRAD),
        CodeListSpec("likert", "Fornøydhet (5-delt skala)", "Satisfaction (5-point scale)", LIKERT, missing=("9",)),
        CodeListSpec("helse-selv", "Egenvurdert helse", "Self-rated health", HELSE_SELV, missing=("99",)),
        CodeListSpec("mrs", "Modified Rankin Scale", "Modified Rankin Scale", MRS),
        CodeListSpec("asa", "ASA-klassifikasjon", "ASA physical status classification", ASA),
        CodeListSpec("vaksine", "Vaksinekoder (SYSVAK)", "Vaccine codes (SYSVAK)", VAKSINER),
        CodeListSpec("msis-agens", "Meldingspliktige smittestoffer (MSIS)", "Notifiable agents (MSIS)", MSIS_AGENS),
        CodeListSpec("smittested", "Smittested", "Place of infection", SMITTESTED, missing=("9",)),
        # last: KLASS's health lists take their codes from the lists before by position
        CodeListSpec(
            "icd10-kreft",
            "ICD-10, kapittel II Svulster (utvalg)",
            "ICD-10, chapter II Neoplasms (selection)",
            ICD10_KREFT,
            "ICD-10",
        ),
        CodeListSpec("icpc2", "ICPC-2 (utvalg)", "ICPC-2 (selection)", ICPC2, "ICPC-2"),
    )
}

# --- variables ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class VarSpec:
    """One variable template: short name, labels, CSVW datatype, unit, code list key, question."""

    name: str
    title_nb: str
    title_en: str = ""
    datatype: str = "integer"
    unit: str | None = None
    codelist: str | None = None
    question: str | None = None
    description: str | None = None


V = VarSpec

COMMON = (
    V("LOPENR", "Løpenummer for person (pseudonym)", "Person serial number (pseudonym)", "string"),
    V("KJONN", "Kjønn", "Sex", "integer", codelist="kjonn"),
    V("FAAR", "Fødselsår", "Year of birth", "gYear"),
    V("BOKOMM", "Bostedskommune", "Municipality of residence", "string", codelist="kommune"),
    V("BOFYLKE", "Bostedsfylke", "County of residence", "string", codelist="fylke"),
)

# Qualifiers that turn a base variable into the many variants real datasets carry.
QUALIFIERS = (
    ("MOR", "mor", "mother"),
    ("FAR", "far", "father"),
    ("KONTROLL", "kontroll", "follow-up"),
    ("3MND", "etter 3 måneder", "after 3 months"),
    ("12MND", "etter 12 måneder", "after 12 months"),
    ("INN", "ved innleggelse", "at admission"),
    ("UT", "ved utskrivning", "at discharge"),
    ("FORRIGE", "forrige registrering", "previous registration"),
    ("KORR", "korrigert", "corrected"),
    ("KAT", "kategorisert", "categorised"),
    ("IMP", "imputert", "imputed"),
    ("KILDE", "kilde", "source"),
)


@dataclass(frozen=True)
class RegistrySpec:
    """A source's content: who publishes it, what its datasets are about, which variables it has."""

    slug: str
    title_nb: str
    title_en: str
    org: Org
    description_nb: str
    description_en: str
    dataset_titles: tuple[tuple[str, str], ...]  # (nb, en) themes of its datasets
    variables: tuple[VarSpec, ...]
    keywords: tuple[str, ...] = ()
    start_year: int = 2000
    min_age: int = 0
    max_age: int = 110
    population_nb: str = ""
    legal_basis_nb: str = ""
    coding_systems: tuple[str, ...] = ()
    standards: tuple[str, ...] = ()  # the data models its data follow (HealthDCAT-AP's standard vocabulary)


CENTRAL: tuple[RegistrySpec, ...] = (
    RegistrySpec(
        "mfr",
        "Medisinsk fødselsregister",
        "Medical Birth Registry of Norway",
        FHI,
        "Medisinsk fødselsregister (MFR) er et landsdekkende register over alle fødsler i Norge fra og med 1967.",
        "The Medical Birth Registry of Norway covers all births in Norway since 1967.",
        (
            ("Fødsler", "Births"),
            ("Svangerskap og svangerskapskomplikasjoner", "Pregnancy and complications"),
            ("Barnets helse ved fødsel", "Health of the newborn"),
            ("Mors helse før og under svangerskapet", "Maternal health before and during pregnancy"),
            ("Medfødte misdannelser", "Congenital anomalies"),
            ("Aborter etter 12. svangerskapsuke", "Terminations after week 12"),
        ),
        (
            V("VEKT", "Fødselsvekt", "Birth weight", "integer", "gram"),
            V("LENGDE", "Fødselslengde", "Birth length", "integer", "cm"),
            V("HODE", "Hodeomkrets", "Head circumference", "integer", "cm"),
            V(
                "SVLEN",
                "Svangerskapslengde",
                "Gestational age",
                "integer",
                "uker",
                description="Svangerskapslengde i fullgåtte uker, basert på ultralyd eller siste menstruasjon.",
            ),
            V("SVLEN_DG", "Svangerskapslengde i dager", "Gestational age in days", "integer", "dager"),
            V("MORS_ALDER", "Mors alder ved fødselen", "Maternal age at delivery", "integer", "år"),
            V("FARS_ALDER", "Fars alder ved fødselen", "Paternal age at delivery", "integer", "år"),
            V("APGAR1", "Apgar-skår etter 1 minutt", "Apgar score at 1 minute", "integer", codelist="apgar"),
            V("APGAR5", "Apgar-skår etter 5 minutter", "Apgar score at 5 minutes", "integer", codelist="apgar"),
            V("PARITET", "Paritet", "Parity", "integer", codelist="paritet"),
            V("FLERFODSEL", "Flerfødsel", "Plurality", "integer", codelist="flerfodsel"),
            V("KSNITT", "Keisersnitt", "Caesarean section", "integer", codelist="janei"),
            V("KSNITT_PLANLAGT", "Planlagt keisersnitt", "Planned caesarean section", "integer", codelist="janei"),
            V(
                "ROYK_BEG",
                "Røyking ved svangerskapets begynnelse",
                "Smoking at start of pregnancy",
                "integer",
                codelist="royk",
            ),
            V(
                "ROYK_SLUTT",
                "Røyking ved svangerskapets slutt",
                "Smoking at end of pregnancy",
                "integer",
                codelist="royk",
            ),
            V("FAAR_BARN", "Barnets fødselsår", "Year of birth of the child", "gYear"),
            V("FDATO_BARN", "Barnets fødselsdato", "Date of birth of the child", "date"),
            V("DODFODT", "Dødfødt", "Stillbirth", "integer", codelist="janei"),
            V("PREEKLAMPSI", "Preeklampsi", "Pre-eclampsia", "integer", codelist="janei"),
            V("SVANGERSKAPSDIABETES", "Svangerskapsdiabetes", "Gestational diabetes", "integer", codelist="janei"),
            V("BMI_MOR", "Mors kroppsmasseindeks før svangerskapet", "Maternal pre-pregnancy BMI", "decimal", "kg/m2"),
            V("MORS_FODELAND", "Mors fødeland", "Mother's country of birth", "string", codelist="land"),
            V("DIAG_BARN", "Diagnose barn (ICD-10)", "Diagnosis of the child (ICD-10)", "string", codelist="icd10"),
            V("DIAG_MOR", "Diagnose mor (ICD-10)", "Diagnosis of the mother (ICD-10)", "string", codelist="icd10"),
            V("FODESTED", "Fødeinstitusjon", "Place of delivery", "string"),
            V("INDUKSJON", "Induksjon av fødsel", "Induction of labour", "integer", codelist="janei"),
            V("EPIDURAL", "Epiduralbedøvelse", "Epidural analgesia", "integer", codelist="janei"),
            V("BLODN_500", "Blødning over 500 ml", "Haemorrhage over 500 ml", "integer", codelist="janei"),
            V(
                "OVERFLYTTET",
                "Barnet overflyttet til nyfødtavdeling",
                "Transferred to neonatal unit",
                "integer",
                codelist="janei",
            ),
            V("SIVST_MOR", "Mors sivilstand", "Maternal marital status", "integer", codelist="sivilstand"),
        ),
        ("fødsel", "svangerskap", "nyfødt", "fødselsvekt"),
        1967,
        0,
        55,
        "Alle fødsler i Norge etter 12. svangerskapsuke, mødre og barn.",
        "Forskrift om Medisinsk fødselsregister (medisinsk fødselsregisterforskriften)",
        ("ICD-10",),
        ("FHIR",),
    ),
    RegistrySpec(
        "npr",
        "Norsk pasientregister",
        "Norwegian Patient Registry",
        HDIR,
        "Norsk pasientregister (NPR) inneholder opplysninger om alle pasienter som får behandling i "
        "spesialisthelsetjenesten og hos avtalespesialister.",
        "The Norwegian Patient Registry holds data on all patients treated in specialist health care.",
        (
            ("Somatiske sykehusopphold", "Somatic hospital stays"),
            ("Psykisk helsevern for voksne", "Adult mental health care"),
            ("Tverrfaglig spesialisert rusbehandling", "Substance abuse treatment"),
            ("Avtalespesialister", "Private specialists"),
            ("Ventetider og pasientrettigheter", "Waiting times and patient rights"),
            ("Prosedyrer", "Procedures"),
        ),
        (
            V("AARSAK_INNLEGGELSE", "Årsak til innleggelse", "Reason for admission", "string"),
            V("HOVEDDIAGNOSE", "Hoveddiagnose (ICD-10)", "Main diagnosis (ICD-10)", "string", codelist="icd10"),
            V("BIDIAGNOSE", "Bidiagnose (ICD-10)", "Secondary diagnosis (ICD-10)", "string", codelist="icd10"),
            V("PROSEDYREKODE", "Prosedyrekode (NCMP/NCSP)", "Procedure code (NCMP/NCSP)", "string", codelist="ncmp"),
            V("INNDATO", "Innskrivningsdato", "Date of admission", "date"),
            V("UTDATO", "Utskrivningsdato", "Date of discharge", "date"),
            V("INNTID", "Innskrivningstidspunkt", "Time of admission", "dateTime"),
            V("LIGGETID", "Liggetid", "Length of stay", "integer", "døgn"),
            V("OMSORGSNIVA", "Omsorgsnivå", "Level of care", "integer", codelist="omsorgsniva"),
            V("HASTEGRAD", "Hastegrad", "Urgency", "integer", codelist="hastegrad"),
            V("ALDER", "Alder ved kontakt", "Age at contact", "integer", "år"),
            V("HELSEFORETAK", "Helseforetak", "Health trust", "string"),
            V("INSTITUSJON_ID", "Institusjons-ID", "Institution ID", "string"),
            V("DRG", "DRG-gruppe", "Diagnosis-related group", "string"),
            V("DRG_POENG", "DRG-poeng", "DRG weight", "decimal"),
            V("HENVISNINGSDATO", "Dato for mottatt henvisning", "Referral date", "date"),
            V("VENTETID", "Ventetid", "Waiting time", "integer", "dager"),
            V("UTSKREVET_TIL", "Utskrevet til", "Discharged to", "string"),
            V("DOD_UNDER_OPPHOLD", "Død under oppholdet", "Died during stay", "integer", codelist="janei"),
            V(
                "FRITT_SYKEHUSVALG",
                "Fritt behandlingsvalg benyttet",
                "Free choice of hospital used",
                "integer",
                codelist="janei",
            ),
            V("TVANG", "Tvungent psykisk helsevern", "Compulsory mental health care", "integer", codelist="janei"),
            V("PASIENTREISE", "Pasientreise", "Patient travel", "integer", codelist="janei"),
        ),
        ("sykehus", "diagnose", "spesialisthelsetjenesten", "innleggelse"),
        2008,
        0,
        110,
        "Alle pasienter i spesialisthelsetjenesten i Norge.",
        "Forskrift om Norsk pasientregister",
        ("ICD-10", "NCMP", "NCSP"),
        ("FHIR",),
    ),
    RegistrySpec(
        "kpr",
        "Kommunalt pasient- og brukerregister",
        "Norwegian Registry for Primary Health Care",
        HDIR,
        "KPR inneholder opplysninger om pasienter og brukere av helse- og omsorgstjenester i kommunene.",
        "The registry holds data on patients and users of municipal health and care services.",
        (
            ("Legekontakter i allmennlegetjenesten", "GP contacts"),
            ("Legevakt", "Emergency primary care"),
            ("Helse- og omsorgstjenester i kommunene (IPLOS)", "Municipal care services"),
            ("Helsestasjon og skolehelsetjeneste", "Child health centres"),
            ("Fysioterapi", "Physiotherapy"),
        ),
        (
            V("KONTAKTTYPE", "Kontakttype", "Type of contact", "string"),
            V("DIAGNOSE_ICPC2", "Diagnose (ICPC-2)", "Diagnosis (ICPC-2)", "string", codelist="icpc2"),
            V("DIAGNOSE_ICD10", "Diagnose (ICD-10)", "Diagnosis (ICD-10)", "string", codelist="icd10"),
            V("TAKSTKODE", "Takstkode", "Fee code", "string"),
            V("KONTAKTDATO", "Dato for kontakt", "Contact date", "date"),
            V("TJENESTETYPE", "Tjenestetype", "Type of service", "string"),
            V("VEDTAKSTIMER", "Vedtakstimer per uke", "Allocated hours per week", "decimal", "timer"),
            V("BISTANDSBEHOV", "Bistandsbehov", "Assistance need", "integer"),
            V("ALDER", "Alder ved kontakt", "Age at contact", "integer", "år"),
            V("FASTLEGE_KOMM", "Fastlegens kommune", "GP's municipality", "string", codelist="kommune"),
            V("ENKELTVEDTAK", "Enkeltvedtak fattet", "Individual decision made", "integer", codelist="janei"),
            V("INNTEKTSPOST", "Refusjonskrav", "Reimbursement claim", "decimal", "kroner"),
        ),
        ("primærhelsetjeneste", "fastlege", "legevakt", "pleie og omsorg"),
        2017,
        0,
        110,
        "Alle brukere av kommunale helse- og omsorgstjenester.",
        "Forskrift om kommunalt pasient- og brukerregister",
    ),
    RegistrySpec(
        "dar",
        "Dødsårsaksregisteret",
        "Cause of Death Registry",
        FHI,
        "Dødsårsaksregisteret inneholder opplysninger om alle dødsfall blant personer registrert bosatt i Norge.",
        "The Cause of Death Registry covers all deaths among residents of Norway.",
        (
            ("Dødsfall og dødsårsaker", "Deaths and causes of death"),
            ("Dødsfall i utlandet", "Deaths abroad"),
            ("Obduksjoner", "Autopsies"),
            ("Voldsomme dødsfall", "Violent deaths"),
        ),
        (
            V("DODSDATO", "Dødsdato", "Date of death", "date"),
            V(
                "UNDERLIGGENDE_DODSARSAK",
                "Underliggende dødsårsak (ICD-10)",
                "Underlying cause of death (ICD-10)",
                "string",
                codelist="icd10",
            ),
            V(
                "UMIDDELBAR_DODSARSAK",
                "Umiddelbar dødsårsak (ICD-10)",
                "Immediate cause of death (ICD-10)",
                "string",
                codelist="icd10",
            ),
            V(
                "MEDVIRKENDE_DODSARSAK",
                "Medvirkende dødsårsak (ICD-10)",
                "Contributing cause of death (ICD-10)",
                "string",
                codelist="icd10",
            ),
            V(
                "DODSARSAK_KAPITTEL",
                "Dødsårsak, ICD-10-kapittel",
                "Cause of death, ICD-10 chapter",
                "string",
                codelist="icd10-kapittel",
            ),
            V("DODSSTED", "Dødssted", "Place of death", "string"),
            V("DODSKOMMUNE", "Dødskommune", "Municipality of death", "string", codelist="kommune"),
            V("OBDUSERT", "Obdusert", "Autopsy performed", "integer", codelist="janei"),
            V("ALDER_DOD", "Alder ved død", "Age at death", "integer", "år"),
            V("SKADEMEKANISME", "Skademekanisme", "Injury mechanism", "string"),
            V("SIVST_DOD", "Sivilstand ved død", "Marital status at death", "integer", codelist="sivilstand"),
        ),
        ("dødsfall", "dødsårsak", "dødelighet"),
        1951,
        0,
        110,
        "Alle dødsfall blant bosatte i Norge.",
        "Forskrift om Dødsårsaksregisteret",
        ("ICD-10",),
    ),
    RegistrySpec(
        "norpd",
        "Reseptregisteret (NorPD)",
        "Norwegian Prescription Database",
        FHI,
        "Reseptregisteret inneholder opplysninger om alle legemidler utlevert på resept fra apotek i Norge.",
        "The Norwegian Prescription Database covers all drugs dispensed on prescription from pharmacies.",
        (
            ("Utleveringer fra apotek", "Dispensings"),
            ("Forskrivere", "Prescribers"),
            ("Institusjoner", "Institutions"),
            ("Legemiddelbruk etter ATC-gruppe", "Drug use by ATC group"),
        ),
        (
            V("ATC_KODE", "ATC-kode", "ATC code", "string", codelist="atc"),
            V("VARENR", "Varenummer", "Product number", "string"),
            V("DDD", "Definerte døgndoser (DDD)", "Defined daily doses", "decimal", "DDD"),
            V("ANTALL_PAKNINGER", "Antall pakninger", "Number of packages", "integer"),
            V("UTLEVERINGSDATO", "Utleveringsdato", "Dispensing date", "date"),
            V("REFUSJONSKODE", "Refusjonskode (ICPC-2/ICD-10)", "Reimbursement code", "string"),
            V("REFUSJONSPUNKT", "Refusjonspunkt", "Reimbursement paragraph", "string"),
            V("FORSKRIVER_ID", "Forskriver (pseudonym)", "Prescriber (pseudonym)", "string"),
            V("FORSKRIVER_FAAR", "Forskrivers fødselsår", "Prescriber's year of birth", "gYear"),
            V("APOTEK_KOMM", "Apotekets kommune", "Municipality of the pharmacy", "string", codelist="kommune"),
            V("PRIS", "Pris", "Price", "decimal", "kroner"),
            V("ALDER", "Alder ved utlevering", "Age at dispensing", "integer", "år"),
        ),
        ("legemidler", "resept", "apotek", "ATC"),
        2004,
        0,
        110,
        "Alle som har fått utlevert legemidler på resept fra apotek i Norge.",
        "Forskrift om innsamling og behandling av helseopplysninger i Reseptbasert legemiddelregister",
        ("ATC",),
    ),
    RegistrySpec(
        "msis",
        "Meldingssystem for smittsomme sykdommer (MSIS)",
        "Norwegian Surveillance System for Communicable Diseases",
        FHI,
        "MSIS overvåker forekomsten av smittsomme sykdommer i Norge.",
        "MSIS monitors the occurrence of communicable diseases in Norway.",
        (
            ("Meldte tilfeller av smittsomme sykdommer", "Notified cases"),
            ("Laboratoriemeldinger", "Laboratory notifications"),
            ("Utbrudd", "Outbreaks"),
            ("Antibiotikaresistens", "Antimicrobial resistance"),
        ),
        (
            V("AGENS", "Smittestoff (agens)", "Agent", "string", codelist="msis-agens"),
            V("DIAGNOSEDATO", "Diagnosedato", "Date of diagnosis", "date"),
            V("PROVEDATO", "Prøvetakingsdato", "Sampling date", "date"),
            V("SMITTESTED", "Smittested", "Place of infection", "integer", codelist="smittested"),
            V("SMITTELAND", "Smitteland", "Country of infection", "string", codelist="land"),
            V("SMITTEMAATE", "Smittemåte", "Mode of transmission", "string"),
            V("INNLAGT", "Innlagt i sykehus", "Hospitalised", "integer", codelist="janei"),
            V("UTBRUDD_ID", "Utbrudds-ID", "Outbreak ID", "string"),
            V("MELDENDE_LAB", "Meldende laboratorium", "Notifying laboratory", "string"),
            V("ALDER", "Alder", "Age", "integer", "år"),
        ),
        ("smittsomme sykdommer", "overvåking", "infeksjon"),
        1975,
        0,
        110,
        "Alle meldte tilfeller av meldingspliktige smittsomme sykdommer.",
        "MSIS- og tuberkuloseregisterforskriften",
        ("ICD-10",),
    ),
    RegistrySpec(
        "sysvak",
        "Nasjonalt vaksinasjonsregister (SYSVAK)",
        "Norwegian Immunisation Registry",
        FHI,
        "SYSVAK registrerer alle vaksinasjoner gitt i Norge.",
        "SYSVAK records all vaccinations given in Norway.",
        (
            ("Barnevaksinasjonsprogrammet", "Childhood immunisation programme"),
            ("Influensavaksinasjon", "Influenza"),
            ("Koronavaksinasjon", "COVID-19 vaccination"),
            ("Reisevaksiner", "Travel vaccines"),
        ),
        (
            V("VAKSINEKODE", "Vaksinekode", "Vaccine code", "string", codelist="vaksine"),
            V("VAKSINASJONSDATO", "Vaksinasjonsdato", "Vaccination date", "date"),
            V("DOSENUMMER", "Dosenummer", "Dose number", "integer"),
            V("BATCHNR", "Batchnummer", "Batch number", "string"),
            V("VAKSINATOR_KOMM", "Vaksinasjonskommune", "Municipality of vaccination", "string", codelist="kommune"),
            V("RESERVASJON", "Reservasjon mot registrering", "Opted out of registration", "integer", codelist="janei"),
            V("ALDER_VAKS", "Alder ved vaksinasjon", "Age at vaccination", "integer", "måneder"),
        ),
        ("vaksinasjon", "barnevaksinasjonsprogrammet", "immunisering"),
        1995,
        0,
        110,
        "Alle vaksinasjoner gitt i Norge.",
        "SYSVAK-registerforskriften",
    ),
    RegistrySpec(
        "kreftregisteret",
        "Kreftregisteret",
        "Cancer Registry of Norway",
        KREFT,
        "Kreftregisteret samler inn opplysninger om alle krefttilfeller i Norge.",
        "The Cancer Registry collects data on all cancer cases in Norway.",
        (
            ("Krefttilfeller (insidens)", "Cancer incidence"),
            ("Brystkreft", "Breast cancer"),
            ("Tykk- og endetarmskreft", "Colorectal cancer"),
            ("Prostatakreft", "Prostate cancer"),
            ("Lungekreft", "Lung cancer"),
            ("Masseundersøkelsen mot livmorhalskreft", "Cervical cancer screening"),
        ),
        (
            V("DIAGNOSEAAR", "Diagnoseår", "Year of diagnosis", "gYear"),
            V("ALDER_DIAGNOSE", "Alder ved diagnose", "Age at diagnosis", "integer", "år"),
            V("ICD10", "ICD-10-gruppe", "ICD-10 group", "string", codelist="icd10-kreft"),
            V("ICD7", "Lokalisasjon (ICD-7)", "Site (ICD-7)", "string"),
            V("TOPOGRAFI_ICDO3", "Topografi (ICD-O-3)", "Topography (ICD-O-3)", "string", codelist="icdo3-topografi"),
            V("MORFOLOGI_ICDO3", "Morfologi (ICD-O-3)", "Morphology (ICD-O-3)", "string", codelist="icdo3-morfologi"),
            V("DIAGNOSENS_SIKKERHET", "Diagnosens sikkerhet", "Certainty of diagnosis", "integer"),
            V("BASIS", "Basis for diagnosen", "Basis of diagnosis", "integer"),
            V("METASTASE", "Metastase", "Metastasis", "integer", codelist="janei"),
            V("STADIUM", "Stadium ved diagnose", "Stage at diagnosis", "integer", codelist="stadium"),
            V("STATUS", "Vitalstatus", "Vital status", "string"),
            V("STATUSAAR", "Statusår", "Status year", "gYear"),
            V("OPPFOLGINGSTID", "Oppfølgingstid", "Follow-up time", "integer", "dager"),
            V("TUMORSTORRELSE", "Tumorstørrelse", "Tumour size", "integer", "mm"),
            V("ER_STATUS", "Østrogenreseptorstatus", "Oestrogen receptor status", "integer", codelist="janei"),
            V("HER2", "HER2-status", "HER2 status", "integer", codelist="janei"),
            V("GLEASON", "Gleason-skår", "Gleason score", "integer"),
        ),
        ("kreft", "insidens", "svulst", "screening"),
        1953,
        0,
        110,
        "Alle krefttilfeller i Norge.",
        "Kreftregisterforskriften",
        ("ICD-10", "ICD-O-3"),
    ),
)

QUALITY: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    # slug, name, English name, registry-specific measurement stems
    (
        "hjerneslag",
        "Norsk hjerneslagregister",
        "Norwegian Stroke Register",
        ("NIHSS", "MRS", "TROMBOLYSE", "TROMBEKTOMI"),
    ),
    (
        "hjerteinfarkt",
        "Norsk hjerteinfarktregister",
        "Norwegian Myocardial Infarction Register",
        ("TROPONIN", "PCI", "EF", "KILLIP"),
    ),
    (
        "diabetes-voksne",
        "Norsk diabetesregister for voksne",
        "Norwegian Diabetes Register for Adults",
        ("HBA1C", "LDL", "BLODTRYKK_SYST", "OYEUNDERSOKELSE"),
    ),
    (
        "hoftebrudd",
        "Nasjonalt hoftebruddregister",
        "Norwegian Hip Fracture Register",
        ("ASA", "FRAKTURTYPE", "OPERASJONSMETODE", "SMERTE_VAS"),
    ),
    (
        "norarthro",
        "Nasjonalt register for leddproteser (NorArthro)",
        "Norwegian Arthroplasty Register",
        ("PROTESETYPE", "SEMENT", "REOPERASJON", "OXFORD_SKAR"),
    ),
    (
        "barnediabetes",
        "Barnediabetesregisteret",
        "Norwegian Childhood Diabetes Registry",
        ("HBA1C", "INSULINPUMPE", "CGM", "KETOACIDOSE"),
    ),
    (
        "nokbil",
        "Norsk kvalitetsregister for behandling av spiseforstyrrelser",
        "Norwegian Quality Register for Eating Disorders",
        ("BMI", "EDE_Q", "BEHANDLINGSUKER", "GAF"),
    ),
    (
        "norkog",
        "Norsk register for personer som utredes for kognitive symptomer (NorKog)",
        "Norwegian Registry of Persons Assessed for Cognitive Symptoms",
        ("MMSE", "CDR", "KLOKKETEST", "TMT_A"),
    ),
    ("nnrr", "Norsk nakke- og ryggregister", "Norwegian Neck and Back Registry", ("ODI", "NDI", "SMERTE_NRS", "EQ5D")),
    ("gastronet", "Gastronet", "Gastronet", ("KOLOSKOPI", "CAECUM_NADD", "POLYPPER", "SMERTE")),
    (
        "ms-registeret",
        "Norsk MS-register og biobank",
        "Norwegian MS Registry and Biobank",
        ("EDSS", "MSSS", "ATTAKK", "MR_LESJONER"),
    ),
    (
        "nkr-barnekreft",
        "Nasjonalt kvalitetsregister for barnekreft",
        "National Quality Registry for Childhood Cancer",
        ("DIAGNOSEGRUPPE", "BEHANDLINGSPROTOKOLL", "STRALEDOSE", "RESIDIV"),
    ),
    (
        "hjertesvikt",
        "Norsk hjertesviktregister",
        "Norwegian Heart Failure Registry",
        ("NYHA", "NTPROBNP", "EF", "SGLT2I"),
    ),
    ("nyre", "Norsk nyreregister", "Norwegian Renal Registry", ("EGFR", "DIALYSEFORM", "TRANSPLANTASJON", "KREATININ")),
    (
        "kols",
        "Nasjonalt register for kronisk obstruktiv lungesykdom (KOLS)",
        "Norwegian COPD Registry",
        ("FEV1", "FVC", "CAT", "EKSASERBASJON"),
    ),
    (
        "leppe-kjeve-gane",
        "Nasjonalt kvalitetsregister for leppe-kjeve-ganespalte",
        "Norwegian Cleft Lip and Palate Registry",
        ("SPALTETYPE", "OPERASJONSALDER", "TALE", "HORSEL"),
    ),
    (
        "fedmekirurgi",
        "Norsk kvalitetsregister for fedmekirurgi (SOReg-N)",
        "Scandinavian Obesity Surgery Registry, Norway",
        ("BMI", "VEKTTAP", "OPERASJONSMETODE", "KOMPLIKASJON"),
    ),
    (
        "intensiv",
        "Norsk intensiv- og pandemiregister",
        "Norwegian Intensive Care and Pandemic Registry",
        ("SAPS2", "RESPIRATOR_DOGN", "NEMS", "LIGGETID_ICU"),
    ),
    (
        "ryggmargsskade",
        "Norsk ryggmargsskaderegister",
        "Norwegian Spinal Cord Injury Registry",
        ("AIS", "NEVROLOGISK_NIVA", "SCIM", "SKADEARSAK"),
    ),
    (
        "prostatakreft",
        "Nasjonalt kvalitetsregister for prostatakreft",
        "Norwegian Prostate Cancer Registry",
        ("PSA", "GLEASON", "PROSTATEKTOMI", "STRALEBEHANDLING"),
    ),
    (
        "brystkreft",
        "Nasjonalt kvalitetsregister for brystkreft",
        "Norwegian Breast Cancer Registry",
        ("TUMORSTORRELSE", "ER_STATUS", "HER2", "MASTEKTOMI"),
    ),
    (
        "tykktarmskreft",
        "Nasjonalt kvalitetsregister for tykk- og endetarmskreft",
        "Norwegian Colorectal Cancer Registry",
        ("TNM", "ANASTOMOSELEKKASJE", "STOMI", "ADJUVANT"),
    ),
    (
        "gynkreft",
        "Nasjonalt kvalitetsregister for gynekologisk kreft",
        "Norwegian Gynaecological Cancer Registry",
        ("FIGO", "CA125", "HYSTEREKTOMI", "KJEMOTERAPI"),
    ),
    (
        "revma",
        "Norsk kvalitetsregister for artrittsykdommer (NorArtritt)",
        "Norwegian Arthritis Registry",
        ("DAS28", "CRP", "SR", "BIOLOGISK"),
    ),
    (
        "smertebehandling",
        "Nasjonalt kvalitetsregister for smertebehandling",
        "Norwegian Registry for Pain Treatment",
        ("SMERTE_NRS", "BPI", "HADS", "OPIOID"),
    ),
    (
        "hjertestans",
        "Norsk register for hjertestans utenfor sykehus",
        "Norwegian Cardiac Arrest Registry",
        ("ROSC", "HLR_TILSKUER", "DEFIBRILLERING", "RESPONSTID"),
    ),
    ("traume", "Nasjonalt traumeregister", "Norwegian Trauma Registry", ("ISS", "NISS", "GCS", "RTS")),
    (
        "karkirurgi",
        "Norsk karkirurgisk register (NORKAR)",
        "Norwegian Vascular Registry",
        ("ANEURISMEDIAMETER", "STENOSEGRAD", "ENDOVASKULAR", "AMPUTASJON"),
    ),
    (
        "nevromuskulaer",
        "Nasjonalt register for arvelige og medfødte nevromuskulære sykdommer",
        "Norwegian Registry for Hereditary and Congenital Neuromuscular Disorders",
        ("CK", "GANGFUNKSJON", "RESPIRASJONSSTOTTE", "DIAGNOSEALDER"),
    ),
    (
        "perinatal",
        "Norsk nyfødtmedisinsk kvalitetsregister",
        "Norwegian Neonatal Network",
        ("GESTASJONSALDER", "CPAP", "BPD", "ROP"),
    ),
)

QUALITY_KEYWORDS: dict[str, tuple[str, ...]] = {
    "hjerneslag": ("hjerneinfarkt", "hjerneblødning"),
    "hjerteinfarkt": ("koronarsykdom",),
    "diabetes-voksne": ("type 2-diabetes",),
    "hoftebrudd": ("lårhalsbrudd", "osteoporose"),
    "norarthro": ("hofteprotese", "kneprotese", "artrose"),
    "barnediabetes": ("type 1-diabetes",),
    "nokbil": ("anoreksi", "bulimi"),
    "norkog": ("demens", "kognitiv svikt", "alzheimer"),
    "nnrr": ("nakkesmerter", "ryggsmerter"),
    "gastronet": ("endoskopi", "koloskopi"),
    "ms-registeret": ("multippel sklerose",),
    "nkr-barnekreft": ("leukemi", "hjernesvulst"),
    "nyre": ("nyresvikt", "dialyse"),
    "kols": ("lungesykdom",),
    "leppe-kjeve-gane": ("ganespalte",),
    "fedmekirurgi": ("fedme", "overvekt"),
    "intensiv": ("intensivbehandling", "covid-19"),
    "revma": ("revmatoid artritt", "leddgikt"),
    "smertebehandling": ("kroniske smerter",),
    "hjertestans": ("hjerte-lungeredning",),
    "traume": ("skader", "ulykker"),
    "karkirurgi": ("aortaaneurisme", "karsykdom"),
    "nevromuskulaer": ("muskelsykdom",),
    "perinatal": ("premature", "nyfødte"),
}
"""What each quality registry is about, as its keywords name it where its name does not (NorKog's
"demens"): real registries' descriptions on helsedata.no and kvalitetsregistre.no name the
conditions they follow."""

REGIONS = (
    ("helse-sor-ost", "Helse Sør-Øst"),
    ("helse-vest", "Helse Vest"),
    ("helse-midt", "Helse Midt-Norge"),
    ("helse-nord", "Helse Nord"),
)

QUALITY_COMMON = (
    V("PASIENT_ID", "Pasientens løpenummer (pseudonym)", "Patient serial number", "string"),
    V("SYKEHUS", "Behandlende sykehus", "Treating hospital", "string"),
    V("INNDATO", "Innleggelsesdato", "Date of admission", "date"),
    V("ALDER", "Alder ved registrering", "Age at registration", "integer", "år"),
    V("KJONN", "Kjønn", "Sex", "integer", codelist="kjonn"),
    V("HOVEDDIAGNOSE", "Hoveddiagnose (ICD-10)", "Main diagnosis (ICD-10)", "string", codelist="icd10"),
    V("ASA_GRAD", "ASA-grad", "ASA grade", "integer", codelist="asa"),
    V("ROYKER", "Røyker", "Current smoker", "integer", codelist="janei"),
    V("PROM_UTFYLT", "PROM-skjema utfylt", "PROM questionnaire completed", "integer", codelist="janei"),
    V("FORNOYD_BEHANDLING", "Fornøyd med behandlingen", "Satisfied with treatment", "integer", codelist="likert"),
    V("DOD_30D", "Død innen 30 dager", "Died within 30 days", "integer", codelist="janei"),
    V("BOKOMM", "Bostedskommune", "Municipality of residence", "string", codelist="kommune"),
    V(
        "MRS_3MND",
        "Funksjonsnivå (mRS) etter 3 måneder",
        "Functional status (mRS) at 3 months",
        "integer",
        codelist="mrs",
    ),
)
QUALITY_DATASET_TITLES = (
    ("Registreringer", "Registrations"),
    ("Oppfølging", "Follow-up"),
    ("Pasientrapporterte data (PROM)", "Patient-reported outcomes"),
    ("Komplikasjoner", "Complications"),
    ("Årsrapportdata", "Annual report data"),
    ("Kvalitetsindikatorer", "Quality indicators"),
)

# --- surveys -----------------------------------------------------------------------------------

SURVEY_QUESTIONS = (
    V(
        "HELSE",
        "Egenvurdert helse",
        "Self-rated health",
        "integer",
        codelist="helse-selv",
        question="Hvordan vurderer du din egen helse sånn i alminnelighet?",
    ),
    V("ROYK", "Røyker daglig", "Daily smoker", "integer", codelist="janei", question="Røyker du daglig?"),
    V("SNUS", "Bruker snus", "Uses snus", "integer", codelist="janei", question="Bruker du snus?"),
    V("ALKO_FREKV", "Alkohol, hyppighet", "Alcohol frequency", "integer", question="Hvor ofte drikker du alkohol?"),
    V("TRENING", "Mosjon per uke", "Exercise per week", "integer", "ganger", question="Hvor ofte mosjonerer du?"),
    V(
        "SOVN",
        "Søvnvansker",
        "Sleep problems",
        "integer",
        codelist="janei",
        question="Har du vansker med å sovne om kvelden?",
    ),
    V(
        "DIABETES",
        "Har eller har hatt diabetes",
        "Has or had diabetes",
        "integer",
        codelist="janei",
        question="Har du, eller har du hatt diabetes?",
    ),
    V(
        "HJERTEINFARKT",
        "Har hatt hjerteinfarkt",
        "Has had myocardial infarction",
        "integer",
        codelist="janei",
        question="Har du hatt hjerteinfarkt?",
    ),
    V(
        "ASTMA",
        "Har eller har hatt astma",
        "Has or had asthma",
        "integer",
        codelist="janei",
        question="Har du, eller har du hatt astma?",
    ),
    V(
        "SMERTE",
        "Langvarige smerter",
        "Chronic pain",
        "integer",
        codelist="janei",
        question="Har du vedvarende eller tilbakevendende smerter som har vart i 6 måneder eller mer?",
    ),
    V(
        "ANGST",
        "Nervøsitet og angst",
        "Nervousness and anxiety",
        "integer",
        question="Har du i løpet av de siste 2 ukene vært plaget av nervøsitet, engstelse eller uro?",
    ),
    V("BLODTRYKK_SYST", "Systolisk blodtrykk", "Systolic blood pressure", "integer", "mmHg"),
    V("BLODTRYKK_DIAST", "Diastolisk blodtrykk", "Diastolic blood pressure", "integer", "mmHg"),
    V("HOYDE", "Høyde", "Height", "decimal", "cm"),
    V("VEKT", "Vekt", "Weight", "decimal", "kg"),
    V("BMI", "Kroppsmasseindeks", "Body mass index", "decimal", "kg/m2"),
    V("MIDJEMAAL", "Midjeomkrets", "Waist circumference", "decimal", "cm"),
    V("KOLESTEROL", "Totalkolesterol", "Total cholesterol", "decimal", "mmol/l"),
    V("HBA1C", "HbA1c", "HbA1c", "decimal", "mmol/mol"),
    V("SIVST", "Sivilstand", "Marital status", "integer", codelist="sivilstand", question="Hva er din sivilstand?"),
    V(
        "UTDANNING",
        "Høyeste fullførte utdanning",
        "Highest completed education",
        "integer",
        question="Hva er din høyeste fullførte utdanning?",
    ),
    V(
        "FORNOYD_LIV",
        "Tilfredshet med livet",
        "Life satisfaction",
        "integer",
        codelist="likert",
        question="Hvor fornøyd er du med livet ditt alt i alt?",
    ),
    V(
        "FRUKT",
        "Spiser frukt daglig",
        "Eats fruit daily",
        "integer",
        codelist="janei",
        question="Spiser du frukt daglig?",
    ),
    V(
        "LEGEBESOK",
        "Legebesøk siste år",
        "GP visits last year",
        "integer",
        "ganger",
        question="Hvor mange ganger har du vært hos lege det siste året?",
    ),
)


@dataclass(frozen=True)
class SurveySpec:
    slug: str
    title_nb: str
    title_en: str
    org: Org
    host: str
    waves: tuple[tuple[str, str, int, int], ...]  # (id, title nb, start year, end year)
    prefix: str = "oai_ddi25"
    population_nb: str = ""


SURVEYS: tuple[SurveySpec, ...] = (
    SurveySpec(
        "hunt",
        "Helseundersøkelsen i Trøndelag (HUNT)",
        "The Trøndelag Health Study (HUNT)",
        NTNU,
        "hunt.ntnu.no",
        (
            ("HUNT1", "HUNT1 Hovedspørreskjema", 1984, 1986),
            ("HUNT2", "HUNT2 Hovedspørreskjema", 1995, 1997),
            ("HUNT3", "HUNT3 Hovedspørreskjema", 2006, 2008),
            ("HUNT4", "HUNT4 Hovedspørreskjema", 2017, 2019),
            ("YOUNG-HUNT4", "Ung-HUNT4 Spørreskjema", 2017, 2019),
            ("HUNT4-70", "HUNT4 70+ Tilleggsundersøkelse", 2017, 2019),
        ),
        population_nb="Alle innbyggere 20 år og eldre i Nord-Trøndelag.",
    ),
    SurveySpec(
        "tromso",
        "Tromsøundersøkelsen",
        "The Tromsø Study",
        UIT,
        "tromsoundersokelsen.uit.no",
        (
            ("TROMSO4", "Tromsø 4 Spørreskjema 1", 1994, 1995),
            ("TROMSO5", "Tromsø 5 Spørreskjema", 2001, 2001),
            ("TROMSO6", "Tromsø 6 Spørreskjema", 2007, 2008),
            ("TROMSO7", "Tromsø 7 Spørreskjema", 2015, 2016),
            ("FIT-FUTURES", "Fit Futures", 2010, 2011),
        ),
        population_nb="Innbyggere i Tromsø kommune, invitert etter alder.",
    ),
    SurveySpec(
        "moba",
        "Den norske mor, far og barn-undersøkelsen (MoBa)",
        "The Norwegian Mother, Father and Child Cohort Study (MoBa)",
        FHI,
        "moba.fhi.no",
        (
            ("MOBA-Q1", "Spørreskjema 1 (uke 15)", 1999, 2008),
            ("MOBA-Q3", "Spørreskjema 3 (uke 30)", 1999, 2009),
            ("MOBA-6MND", "Spørreskjema 6 måneder", 1999, 2009),
            ("MOBA-3AAR", "Spørreskjema 3 år", 2002, 2012),
            ("MOBA-8AAR", "Spørreskjema 8 år", 2007, 2017),
            ("MOBA-FAR", "Spørreskjema far", 2001, 2009),
        ),
        population_nb="Gravide kvinner i Norge 1999–2008, deres partnere og barn.",
    ),
    SurveySpec(
        "sikt",
        "Levekårsundersøkelsene om helse (Sikt)",
        "Living conditions surveys on health at Sikt (DDI-Lifecycle)",
        SIKT,
        "colectica.sikt.no",
        (
            ("LKU-HELSE-2015", "Levekårsundersøkelsen om helse 2015", 2015, 2015),
            ("LKU-HELSE-2019", "Levekårsundersøkelsen om helse 2019", 2019, 2019),
            ("LKU-HELSE-2024", "Levekårsundersøkelsen om helse, omsorg og sosial kontakt 2024", 2024, 2024),
            ("EHIS-2019", "European Health Interview Survey 2019", 2019, 2019),
        ),
        prefix="oai_ddi32",
        population_nb="Bosatte i Norge 16 år og eldre.",
    ),
)

# --- spreadsheet layouts (registries' own variable lists) --------------------------------------


@dataclass(frozen=True)
class Layout:
    """Column headings of a variable list and what each holds; `title_rows` precede the header."""

    name: str
    columns: tuple[
        tuple[str, str], ...
    ]  # (heading, field): field in name|title|description|datatype|unit|codes|valid_from|valid_to|table
    sheet: str = "Variabler"
    title_rows: int = 0


LAYOUTS = (
    Layout(
        "helsedata",
        (
            ("Variabelnavn", "name"),
            ("Variabeletikett", "title"),
            ("Beskrivelse", "description"),
            ("Datatype", "datatype"),
            ("Enhet", "unit"),
            ("Kodeverk", "codes"),
            ("Gyldig fra", "valid_from"),
            ("Gyldig til", "valid_to"),
        ),
    ),
    Layout(
        "kvalitetsregister",
        (
            ("Skjema", "table"),
            ("Variabel", "name"),
            ("Beskrivelse", "title"),
            ("Definisjon", "description"),
            ("Format", "datatype"),
            ("Verdier", "codes"),
            ("Enhet", "unit"),
        ),
        sheet="Variabelliste",
        title_rows=2,
    ),
    Layout(
        "elvis",
        (
            ("Variabelnavn", "name"),
            ("Label", "title"),
            ("Definisjon", "description"),
            ("Type", "datatype"),
            ("Måleenhet", "unit"),
            ("Kodeliste", "codes"),
            ("Fra dato", "valid_from"),
            ("Til dato", "valid_to"),
        ),
        sheet="ELVIS",
        title_rows=1,
    ),
)

SPREADSHEET_SOURCES = (
    ("hkr", "Hjerte- og karregisteret", "Norwegian Cardiovascular Disease Registry", FHI, "helsedata"),
    ("kreft-elvis", "Kreftregisteret – ELVIS variabelliste", "Cancer Registry – ELVIS variable list", KREFT, "elvis"),
    ("iplos", "IPLOS – variabelliste", "IPLOS – variable list", HDIR, "helsedata"),
)

# --- SSB ---------------------------------------------------------------------------------------

VARDEF_UNIT_TYPES = (("20", "Person"), ("01", "Husholdning"), ("13", "Virksomhet"), ("32", "Hendelse"))
VARDEF_SUBJECT_FIELDS = (
    ("he04", "Helsetjenester"),
    ("he02", "Helseforhold"),
    ("be01", "Befolkning"),
    ("be07", "Innvandrere"),
    ("sk01", "Sosiale forhold og kriminalitet"),
)
VARDEF_MEASUREMENT_TYPES = (("01", "Andel"), ("02", "Antall"), ("03", "Beløp"), ("04", "Tid"))
"""Drawn for every definition, as before, so that the draws after it stay as they were; what a
definition says is `MEASUREMENTS` (KLASS 303, "Måletype", as SSB's classification lists it)."""
MEASUREMENTS = {
    "count": ("02", "Antall"),
    "mass": ("13", "Masse (vekt)"),
    "length": ("09", "Lengde"),
    "time": ("14", "Varighet/tid"),
    "currency": ("12", "Valuta"),
    "derived": ("16", "Beregnede størrelser"),
}
MEASURED_BY_UNIT = {
    "gram": "mass",
    "kg": "mass",
    "cm": "length",
    "mm": "length",
    "år": "time",
    "måneder": "time",
    "uker": "time",
    "døgn": "time",
    "dager": "time",
    "timer": "time",
    "kroner": "currency",
    "ganger": "count",
}

MICRODATA_UNIT_TYPES = (
    ("PERSON", "Person"),
    ("NPR_EPISODE", "NPR-episode"),
    ("KRG_KREFTTILFELLE", "Krefttilfelle"),
    ("NPR_SYKEHUSOPPHOLD", "Sykehusopphold"),
    ("BK_HELSESTASJONSKONSULTASJON", "Helsestasjonskonsultasjon"),
)
MICRODATA_TOPICS = (
    (
        "BEFOLKNING",
        "Befolkning",
        (
            "KJOENN",
            "FOEDSELSAAR",
            "BOSTEDSKOMMUNE",
            "SIVILSTAND",
            "LANDBAKGRUNN",
            "DOEDSDATO",
            "FODELAND",
            "INNVANDRINGSKATEGORI",
        ),
    ),
    (
        "NPR",
        "Norsk pasientregister",
        (
            "HOVEDDIAGNOSE",
            "INNDATO",
            "UTDATO",
            "OMSORGSNIVAA",
            "HASTEGRAD",
            "FAGOMRAADE",
            "PROSEDYRE",
            "BEHANDLINGSSTED",
        ),
    ),
    ("KRG", "Kreftregisteret", ("ICD10", "MORFOLOGI", "TOPOGRAFI", "STADIUM", "DIAGNOSEDATO", "BASIS")),
    (
        "MFR",
        "Medisinsk fødselsregister",
        ("FODSELSVEKT", "SVANGERSKAPSLENGDE", "PARITET", "KEISERSNITT", "APGAR5", "FLERFODSEL"),
    ),
    ("KPR", "Kommunalt pasient- og brukerregister", ("KONTAKTTYPE", "ICPC2", "TAKST", "KONTAKTDATO")),
    ("INNTEKT", "Inntekt og skatt", ("WLONN", "SAMLET_INNTEKT", "FORMUE", "SKATT")),
    ("ARBEID", "Arbeid og lønn", ("ARBEIDSFORHOLD", "YRKE", "NAERING", "STILLINGSPROSENT")),
    ("UTDANNING", "Utdanning", ("BU_UTD", "NUS2000", "FULLFORT", "STUDIEPOENG")),
)
