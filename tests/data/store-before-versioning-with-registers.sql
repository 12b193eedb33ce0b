-- A store as the last release before schema versioning (main with issue 19's and 20's tables,
-- branch duties at 02d1599) wrote it: a dataset, a code list, a platform naming the dataset twice
-- (two link rows), counts, a confirmation, a data use and a label. Made with that release's
-- catalog.store and sqlite3's iterdump; tests/test_store.py migrates it.
BEGIN TRANSACTION;
CREATE TABLE confirmations (   -- a holder confirmed its descriptions (Art. 60)
    id INTEGER PRIMARY KEY,
    holder TEXT NOT NULL,            -- "source:<name>" or "publisher:<key>"
    at TEXT NOT NULL,
    by TEXT NOT NULL,                -- how it was recorded: cli | admin | harvest
    note TEXT NOT NULL DEFAULT ''
);
INSERT INTO "confirmations" VALUES(1,'source:mfr','2026-01-01T00:00:00+00:00','cli','brev');
CREATE TABLE counts (      -- a dataset's frequency tables (catalog.disclosure)
    dataset_uri TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    raw TEXT NOT NULL,               -- raw counts: read back by catalog.disclosure alone
    hash TEXT NOT NULL,              -- of `raw`, to tell changed counts of an unchanged record
    published TEXT NOT NULL,         -- the published view: what pages, API and samples read
    stamp TEXT NOT NULL              -- the policy and method it was published under
);
INSERT INTO "counts" VALUES('https://data.fhi.no/mfr/dataset/fodsler','mfr','{"raw": 1}','h','{"published": 1}','p1');
CREATE TABLE errors (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    source TEXT NOT NULL,
    url TEXT,
    record_id TEXT,
    field TEXT,
    message TEXT NOT NULL
);
CREATE TABLE history (
    id INTEGER PRIMARY KEY,
    uri TEXT NOT NULL,
    run_id INTEGER NOT NULL,
    at TEXT NOT NULL,
    change TEXT NOT NULL,            -- new | changed | deleted | restored
    hash TEXT
);
INSERT INTO "history" VALUES(1,'https://data.fhi.no/mfr/dataset/fodsler',1,'2026-12-04T18:39:51.772764+00:00','new','48c7c1b667bc73696977bc5df1665159e1ea42746c8bf1b8b975e77de8cd6755');
INSERT INTO "history" VALUES(2,'https://data.fhi.no/mfr/kodeverk/apgar',1,'2026-12-04T18:39:51.773439+00:00','new','fcdfd6069a893c7a4d5f172794432be066b6cdfaee72680c9fa8d63d3103ddcf');
INSERT INTO "history" VALUES(3,'https://svc.example/platform',2,'2026-12-04T18:39:51.773831+00:00','new','a952f4c6a96fca2d107a50c6f2175448158c2f99d2b4fde035b286a9d38fc637');
CREATE TABLE labels (          -- derived: each dataset's quality and utility label (Art. 78)
    uri TEXT PRIMARY KEY,
    hash TEXT NOT NULL,              -- the record's content hash it was assessed on
    inputs TEXT NOT NULL,            -- a digest of its source's inputs (catalog.label.source_inputs)
    digest TEXT NOT NULL,            -- of what the label says (not when it was assessed)
    data TEXT NOT NULL               -- catalog.label.Label as JSON
) WITHOUT ROWID;
INSERT INTO "labels" VALUES('https://data.fhi.no/mfr/dataset/fodsler','48c7c1b667bc73696977bc5df1665159e1ea42746c8bf1b8b975e77de8cd6755','inputs','digest','{}');
CREATE TABLE links (       -- a service's datasets, a product's: for pages, feeds and facets
    from_uri TEXT NOT NULL,          -- the data service or data product
    relation TEXT NOT NULL,          -- serves | derived_from
    target TEXT NOT NULL,            -- a dataset URI, or (target_kind source) a source name
    target_kind TEXT NOT NULL        -- dataset | source
);
INSERT INTO "links" VALUES('https://svc.example/platform','serves','https://data.fhi.no/mfr/dataset/fodsler','dataset');
INSERT INTO "links" VALUES('https://svc.example/platform','serves','https://data.fhi.no/mfr/dataset/fodsler','dataset');
INSERT INTO "links" VALUES('https://svc.example/platform','serves','mfr','source');
CREATE TABLE records (
    uri TEXT PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    data TEXT NOT NULL,
    hash TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_changed TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    deleted_at TEXT,
    run_id INTEGER NOT NULL,
    fetch_url TEXT,
    conforms INTEGER,
    validation TEXT
);
INSERT INTO "records" VALUES('https://data.fhi.no/mfr/dataset/fodsler','f2389f672d860337','dataset','mfr','{"access_rights":"http://publications.europa.eu/resource/authority/access-right/NON_PUBLIC","applicable_legislation":["http://data.europa.eu/eli/reg/2025/327/oj"],"contact":{"email":"mfr@fhi.no","name":{"nb":"Medisinsk fødselsregister"},"url":"https://www.fhi.no/mfr"},"dataset_type":"http://publications.europa.eu/resource/authority/dataset-type/STATISTICAL","description":{"en":"All births in Norway since 1967, with information on mother, father and child.","nb":"Alle fødsler i Norge fra 1967, med opplysninger om mor, far og barn."},"distributions":[{"access_url":"https://helsedata.no/soknad","uri":"https://data.fhi.no/mfr/distribusjon/soknad"}],"has_structured_data":true,"health_categories":["https://hdeu-dcat.data.health.europa.eu/resource/authority/healthcategories/PHDR"],"identifier":"mfr-fodsler","keywords":{"en":["birth"],"nb":["fødsel","svangerskap"]},"number_of_records":3000000,"provenance":{"nb":"Meldes fra alle fødeinstitusjoner etter MFR-forskriften."},"publisher":{"email":"mfr@fhi.no","identifier":"983744516","name":{"nb":"Folkehelseinstituttet"},"uri":"https://data.fhi.no/org/fhi"},"temporal_start":"1967-01-01","themes":["http://publications.europa.eu/resource/authority/data-theme/HEAL"],"title":{"en":"Medical Birth Registry of Norway – births","nb":"Medisinsk fødselsregister – fødsler"},"uri":"https://data.fhi.no/mfr/dataset/fodsler","variables":[{"datatype":"integer","description":{"nb":"Barnets vekt ved fødsel i gram."},"name":"VEKT","title":{"en":"Birth weight","nb":"Fødselsvekt"},"unit":"gram","uri":"https://data.fhi.no/mfr/variabel/VEKT"},{"datatype":"integer","description":{"nb":"Svangerskapets lengde i hele uker."},"name":"SVLEN","title":{"en":"Gestational age","nb":"Svangerskapslengde"},"unit":"uker","uri":"https://data.fhi.no/mfr/variabel/SVLEN"},{"datatype":"integer","description":{"nb":"Mors alder ved fødselen i hele år."},"name":"MORS_ALDER","title":{"en":"Mother''s age","nb":"Mors alder"},"unit":"år","uri":"https://data.fhi.no/mfr/variabel/MORS_ALDER"},{"codelist":"https://data.fhi.no/mfr/kodeverk/apgar","datatype":"integer","description":{"nb":"Apgar-skår 5 minutter etter fødsel."},"name":"APGAR5","title":{"nb":"Apgar-skår etter 5 minutter"},"uri":"https://data.fhi.no/mfr/variabel/APGAR5"}]}','48c7c1b667bc73696977bc5df1665159e1ea42746c8bf1b8b975e77de8cd6755','2026-12-04T18:39:51.772764+00:00','2026-12-04T18:39:51.772764+00:00','2026-12-04T18:39:51.772764+00:00',NULL,1,'http://feed',1,'{"conforms": true}');
INSERT INTO "records" VALUES('https://data.fhi.no/mfr/kodeverk/apgar','de6c324c3ee09a24','codelist','mfr','{"concepts":[{"code":"0","label":{"nb":"0 poeng"}},{"code":"1","label":{"nb":"1 poeng"}},{"code":"2","label":{"nb":"2 poeng"}},{"code":"3","label":{"nb":"3 poeng"}},{"code":"4","label":{"nb":"4 poeng"}},{"code":"5","label":{"nb":"5 poeng"}},{"code":"6","label":{"nb":"6 poeng"}},{"code":"7","label":{"nb":"7 poeng"}},{"code":"8","label":{"nb":"8 poeng"}},{"code":"9","label":{"nb":"9 poeng"}},{"code":"10","label":{"nb":"10 poeng"}}],"identifier":"apgar","title":{"en":"Apgar score","nb":"Apgar-skår"},"uri":"https://data.fhi.no/mfr/kodeverk/apgar"}','fcdfd6069a893c7a4d5f172794432be066b6cdfaee72680c9fa8d63d3103ddcf','2026-12-04T18:39:51.773439+00:00','2026-12-04T18:39:51.773439+00:00','2026-12-04T18:39:51.773439+00:00',NULL,1,'http://feed',1,'{"conforms": true}');
INSERT INTO "records" VALUES('https://svc.example/platform','93a09ceda5ca0721','service','market','{"identifier":"platform","serves_datasets":["https://data.fhi.no/mfr/dataset/fodsler","https://data.fhi.no/mfr/dataset/fodsler"],"serves_sources":["mfr"],"service_type":"platform","title":{"nb":"Plattform"},"uri":"https://svc.example/platform"}','a952f4c6a96fca2d107a50c6f2175448158c2f99d2b4fde035b286a9d38fc637','2026-12-04T18:39:51.773831+00:00','2026-12-04T18:39:51.773831+00:00','2026-12-04T18:39:51.773831+00:00',NULL,2,'http://feed',1,NULL);
CREATE TABLE renderings (   -- derived: a record's statements per feed profile
    uri TEXT NOT NULL,
    profile TEXT NOT NULL,
    stamp TEXT NOT NULL,             -- what the statements were made from (catalog.renderings.stamp)
    body BLOB NOT NULL,              -- zlib-compressed N-Triples
    PRIMARY KEY (uri, profile)
) WITHOUT ROWID;
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    started TEXT NOT NULL,
    finished TEXT,
    status TEXT NOT NULL,            -- running | ok | failed | interrupted
    counts TEXT NOT NULL DEFAULT '{}',
    error TEXT,
    owner TEXT                       -- pid:start-time of the harvesting process
);
INSERT INTO "runs" VALUES(1,'mfr','2026-12-04T18:39:51.772198+00:00','2026-12-04T18:39:51.773608+00:00','ok','{"new": 2}',NULL,'4524:1275383');
INSERT INTO "runs" VALUES(2,'market','2026-12-04T18:39:51.773686+00:00','2026-12-04T18:39:51.773954+00:00','ok','{"new": 1}',NULL,'4524:1275383');
CREATE TABLE source_state (
    source TEXT PRIMARY KEY,
    state TEXT NOT NULL
);
CREATE TABLE use_datasets (
    use_key TEXT NOT NULL,
    dataset_uri TEXT NOT NULL,
    PRIMARY KEY (use_key, dataset_uri)
) WITHOUT ROWID;
INSERT INTO "use_datasets" VALUES('permit-1','https://data.fhi.no/mfr/dataset/fodsler');
CREATE TABLE uses (            -- the data use register: issued data permits (Art. 58)
    key TEXT PRIMARY KEY,            -- the permit's id, else a digest of title, organisation and date
    data TEXT NOT NULL,              -- catalog.uses.DataUse as JSON
    permit_date TEXT NOT NULL,
    imported TEXT NOT NULL
);
INSERT INTO "uses" VALUES('permit-1','{"project_title": "Studie"}','2025-05-01','2026-12-04T18:39:51.774046+00:00');
CREATE TABLE variable_history (
    id INTEGER PRIMARY KEY,
    uri TEXT NOT NULL,
    dataset_uri TEXT NOT NULL,
    at TEXT NOT NULL,
    change TEXT NOT NULL             -- new | changed | deleted
);
INSERT INTO "variable_history" VALUES(1,'https://data.fhi.no/mfr/variabel/VEKT','https://data.fhi.no/mfr/dataset/fodsler','2026-12-04T18:39:51.772764+00:00','new');
INSERT INTO "variable_history" VALUES(2,'https://data.fhi.no/mfr/variabel/SVLEN','https://data.fhi.no/mfr/dataset/fodsler','2026-12-04T18:39:51.772764+00:00','new');
INSERT INTO "variable_history" VALUES(3,'https://data.fhi.no/mfr/variabel/MORS_ALDER','https://data.fhi.no/mfr/dataset/fodsler','2026-12-04T18:39:51.772764+00:00','new');
INSERT INTO "variable_history" VALUES(4,'https://data.fhi.no/mfr/variabel/APGAR5','https://data.fhi.no/mfr/dataset/fodsler','2026-12-04T18:39:51.772764+00:00','new');
CREATE TABLE variables (
    key TEXT PRIMARY KEY,            -- key_for(variable uri)
    uri TEXT NOT NULL,
    dataset_uri TEXT NOT NULL
);
INSERT INTO "variables" VALUES('ab74f8f006536e66','https://data.fhi.no/mfr/variabel/VEKT','https://data.fhi.no/mfr/dataset/fodsler');
INSERT INTO "variables" VALUES('451f73141792cc4f','https://data.fhi.no/mfr/variabel/SVLEN','https://data.fhi.no/mfr/dataset/fodsler');
INSERT INTO "variables" VALUES('c2d53c29f8c75e8c','https://data.fhi.no/mfr/variabel/MORS_ALDER','https://data.fhi.no/mfr/dataset/fodsler');
INSERT INTO "variables" VALUES('b7a2d23fbbcffdab','https://data.fhi.no/mfr/variabel/APGAR5','https://data.fhi.no/mfr/dataset/fodsler');
CREATE INDEX runs_source ON runs(source, id);
CREATE INDEX errors_run ON errors(run_id);
CREATE INDEX records_source ON records(source);
CREATE INDEX records_changed ON records(last_changed);
CREATE INDEX history_uri ON history(uri);
CREATE INDEX history_at ON history(at);
CREATE INDEX variables_dataset ON variables(dataset_uri);
CREATE INDEX variable_history_at ON variable_history(at);
CREATE INDEX links_from ON links(from_uri);
CREATE INDEX links_target ON links(target);
CREATE INDEX confirmations_holder ON confirmations(holder, at);
CREATE INDEX use_datasets_dataset ON use_datasets(dataset_uri);
COMMIT;
