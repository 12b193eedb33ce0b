"""The store's schema, as numbered steps per backend; a store is brought up to date when opened.

Each backend keeps a `schema_version` table with one row per step applied (its number and when).
Opening a store applies the steps it lacks, in order, in one transaction under the backend's
write lock, so two processes opening an old store at once migrate it once, and a failed step
leaves the store as it was. A store newer than this program (a step number it does not know) is
refused rather than guessed at. `catalog migrate` does the same on demand and says what it did.

A new step is appended to both lists with the next number; steps already released are never
edited, because stores out there have run them. SQLite step 1 is the schema of the releases
before versioning, written with `IF NOT EXISTS` throughout: on a store they made it changes
nothing, and the store is then at version 1.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    version: int
    why: str
    sql: str

    def statements(self) -> list[str]:
        """The step's statements, one by one (no step holds a `;` inside a statement)."""
        return [s.strip() for s in self.sql.split(";") if s.strip()]


class SchemaTooNew(RuntimeError):
    """The store was migrated by a newer version of this program."""


SQLITE_V1 = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    started TEXT NOT NULL,
    finished TEXT,
    status TEXT NOT NULL,            -- running | ok | failed | interrupted
    counts TEXT NOT NULL DEFAULT '{}',
    error TEXT,
    owner TEXT                       -- pid:start-time of the harvesting process
);
CREATE INDEX IF NOT EXISTS runs_source ON runs(source, id);
CREATE TABLE IF NOT EXISTS errors (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    source TEXT NOT NULL,
    url TEXT,
    record_id TEXT,
    field TEXT,
    message TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS errors_run ON errors(run_id);
CREATE TABLE IF NOT EXISTS records (
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
CREATE INDEX IF NOT EXISTS records_source ON records(source);
CREATE INDEX IF NOT EXISTS records_changed ON records(last_changed);
CREATE TABLE IF NOT EXISTS history (
    id INTEGER PRIMARY KEY,
    uri TEXT NOT NULL,
    run_id INTEGER NOT NULL,
    at TEXT NOT NULL,
    change TEXT NOT NULL,            -- new | changed | deleted | restored
    hash TEXT
);
CREATE INDEX IF NOT EXISTS history_uri ON history(uri);
CREATE INDEX IF NOT EXISTS history_at ON history(at);
CREATE TABLE IF NOT EXISTS variables (
    key TEXT PRIMARY KEY,            -- key_for(variable uri)
    uri TEXT NOT NULL,
    dataset_uri TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS variables_dataset ON variables(dataset_uri);
CREATE TABLE IF NOT EXISTS variable_history (
    id INTEGER PRIMARY KEY,
    uri TEXT NOT NULL,
    dataset_uri TEXT NOT NULL,
    at TEXT NOT NULL,
    change TEXT NOT NULL             -- new | changed | deleted
);
CREATE INDEX IF NOT EXISTS variable_history_at ON variable_history(at);
CREATE TABLE IF NOT EXISTS renderings (   -- derived: a record's statements per feed profile
    uri TEXT NOT NULL,
    profile TEXT NOT NULL,
    stamp TEXT NOT NULL,             -- what the statements were made from (catalog.renderings.stamp)
    body BLOB NOT NULL,              -- zlib-compressed N-Triples
    PRIMARY KEY (uri, profile)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS source_state (
    source TEXT PRIMARY KEY,
    state TEXT NOT NULL
)
"""

RUNNING_INDEX = "CREATE INDEX IF NOT EXISTS runs_running ON runs(source) WHERE status = 'running'"
"""Every writer that opens the store and every scheduler tick looks for runs left running: with a
year of daily runs of 115 sources (42,000 rows) that was a scan of the whole table."""

SQLITE_V3 = """
CREATE TABLE IF NOT EXISTS links (       -- a service's datasets, a product's: for pages, feeds and facets
    from_uri TEXT NOT NULL,          -- the data service or data product
    relation TEXT NOT NULL,          -- serves | derived_from
    target TEXT NOT NULL,            -- a dataset URI, or (target_kind source) a source name
    target_kind TEXT NOT NULL        -- dataset | source
);
CREATE INDEX IF NOT EXISTS links_from ON links(from_uri);
CREATE INDEX IF NOT EXISTS links_target ON links(target);
DELETE FROM links WHERE rowid NOT IN (
    SELECT min(rowid) FROM links GROUP BY from_uri, relation, target, target_kind
);
CREATE UNIQUE INDEX IF NOT EXISTS links_key ON links(from_uri, relation, target, target_kind);
CREATE TABLE IF NOT EXISTS counts (      -- a dataset's frequency tables (catalog.disclosure)
    dataset_uri TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    raw TEXT NOT NULL,               -- raw counts: read back by catalog.disclosure alone
    hash TEXT NOT NULL,              -- of `raw`, to tell changed counts of an unchanged record
    published TEXT NOT NULL,         -- the published view: what pages, API and samples read
    stamp TEXT NOT NULL              -- the policy and method it was published under
);
CREATE INDEX IF NOT EXISTS counts_source ON counts(source);
CREATE TABLE IF NOT EXISTS confirmations (   -- a holder confirmed its descriptions (EHDS Art. 60)
    id INTEGER PRIMARY KEY,
    holder TEXT NOT NULL,            -- "source:<name>" or "publisher:<key>"
    at TEXT NOT NULL,
    by TEXT NOT NULL,                -- how it was recorded: cli | admin | harvest
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS confirmations_holder ON confirmations(holder, at);
CREATE TABLE IF NOT EXISTS uses (            -- the data use register: issued data permits (Art. 58)
    key TEXT PRIMARY KEY,            -- the permit's id, else a digest of title, organisation and date
    data TEXT NOT NULL,              -- catalog.uses.DataUse as JSON
    permit_date TEXT NOT NULL,
    imported TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS use_datasets (
    use_key TEXT NOT NULL,
    dataset_uri TEXT NOT NULL,
    PRIMARY KEY (use_key, dataset_uri)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS use_datasets_dataset ON use_datasets(dataset_uri);
CREATE TABLE IF NOT EXISTS labels (          -- derived: each dataset's quality and utility label (Art. 78)
    uri TEXT PRIMARY KEY,
    hash TEXT NOT NULL,              -- the record's content hash it was assessed on
    inputs TEXT NOT NULL,            -- a digest of its source's inputs (catalog.label.source_inputs)
    digest TEXT NOT NULL,            -- of what the label says (not when it was assessed)
    data TEXT NOT NULL               -- catalog.label.Label as JSON
) WITHOUT ROWID
"""
"""Issue 20's links and counts and issue 19's registers. Releases before versioning that had them
made them with these statements, so on their stores only the duplicate links go (a link is a set
member: `copy_into` pages through them by their columns, which must then be unique)."""

CODELIST_LINKS_WHY = (
    "each dataset's links to the code lists its variables use, made from the datasets stored, and "
    "each code list's `referenced` (a live dataset that conforms uses it): the EHDS feed carries a "
    "code list only then"
)
CODELIST_FLAGS = (
    "UPDATE records SET referenced = CASE WHEN EXISTS (SELECT 1 FROM links l JOIN records d ON d.uri = l.from_uri "
    "WHERE l.target = records.uri AND l.relation = 'codelist' AND d.kind = 'dataset' AND d.deleted_at IS NULL "
    "AND d.conforms = 1) THEN 1 ELSE 0 END WHERE kind = 'codelist'"
)
"""`catalog.store.REFERENCED` for every code list, as the writer keeps it from then on."""

SQLITE_V4 = f"""
ALTER TABLE records ADD COLUMN referenced INTEGER;
INSERT OR IGNORE INTO links(from_uri, relation, target, target_kind)
SELECT DISTINCT r.uri, 'codelist', json_extract(v.value, '$.codelist'), 'codelist'
FROM records r, json_each(r.data, '$.variables') v
WHERE r.kind = 'dataset' AND json_extract(v.value, '$.codelist') IS NOT NULL;
{CODELIST_FLAGS}
"""

POSTGRES_V4 = f"""
ALTER TABLE records ADD COLUMN referenced integer;
INSERT INTO links(from_uri, relation, target, target_kind)
SELECT DISTINCT r.uri, 'codelist', v.value->>'codelist', 'codelist'
FROM records r CROSS JOIN LATERAL jsonb_array_elements(coalesce(r.data::jsonb->'variables', '[]'::jsonb)) v
WHERE r.kind = 'dataset' AND v.value->>'codelist' IS NOT NULL ON CONFLICT DO NOTHING;
{CODELIST_FLAGS}
"""

SQLITE: tuple[Step, ...] = (
    Step(1, "the schema of the releases before versioning", SQLITE_V1),
    Step(2, "runs still marked running are found without scanning every run", RUNNING_INDEX),
    Step(3, "links between records, counts, and the access body's registers (confirmations, uses, labels)", SQLITE_V3),
    Step(4, CODELIST_LINKS_WHY, SQLITE_V4),
)

POSTGRES_V1 = """
CREATE TABLE runs (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    source text COLLATE "C" NOT NULL,
    started text COLLATE "C" NOT NULL,
    finished text COLLATE "C",
    status text COLLATE "C" NOT NULL,
    counts text NOT NULL DEFAULT '{}',
    error text,
    owner text
);
CREATE INDEX runs_source ON runs(source, id);
CREATE TABLE errors (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    run_id bigint NOT NULL REFERENCES runs(id),
    source text COLLATE "C" NOT NULL,
    url text,
    record_id text,
    field text,
    message text NOT NULL
);
CREATE INDEX errors_run ON errors(run_id);
CREATE TABLE records (
    uri text COLLATE "C" PRIMARY KEY,
    key text COLLATE "C" NOT NULL UNIQUE,
    kind text COLLATE "C" NOT NULL,
    source text COLLATE "C" NOT NULL,
    data text NOT NULL,
    hash text COLLATE "C" NOT NULL,
    first_seen text COLLATE "C" NOT NULL,
    last_changed text COLLATE "C" NOT NULL,
    last_seen text COLLATE "C" NOT NULL,
    deleted_at text COLLATE "C",
    run_id bigint NOT NULL,
    fetch_url text,
    conforms smallint,
    validation text
);
CREATE INDEX records_source ON records(source);
CREATE INDEX records_changed ON records(last_changed);
CREATE TABLE history (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    uri text COLLATE "C" NOT NULL,
    run_id bigint NOT NULL,
    at text COLLATE "C" NOT NULL,
    change text COLLATE "C" NOT NULL,
    hash text COLLATE "C"
);
CREATE INDEX history_uri ON history(uri);
CREATE INDEX history_at ON history(at);
CREATE TABLE variables (
    key text COLLATE "C" PRIMARY KEY,
    uri text COLLATE "C" NOT NULL,
    dataset_uri text COLLATE "C" NOT NULL
);
CREATE INDEX variables_dataset ON variables(dataset_uri);
CREATE TABLE variable_history (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    uri text COLLATE "C" NOT NULL,
    dataset_uri text COLLATE "C" NOT NULL,
    at text COLLATE "C" NOT NULL,
    change text COLLATE "C" NOT NULL
);
CREATE INDEX variable_history_at ON variable_history(at);
CREATE TABLE renderings (
    uri text COLLATE "C" NOT NULL,
    profile text COLLATE "C" NOT NULL,
    stamp text COLLATE "C" NOT NULL,
    body bytea NOT NULL,
    PRIMARY KEY (uri, profile)
);
CREATE TABLE source_state (
    source text COLLATE "C" PRIMARY KEY,
    state text NOT NULL
);
CREATE INDEX runs_running ON runs(source) WHERE status = 'running'
"""

POSTGRES_V2 = """
CREATE TABLE links (
    from_uri text COLLATE "C" NOT NULL,
    relation text COLLATE "C" NOT NULL,
    target text COLLATE "C" NOT NULL,
    target_kind text COLLATE "C" NOT NULL,
    PRIMARY KEY (from_uri, relation, target, target_kind)
);
CREATE INDEX links_target ON links(target);
CREATE TABLE counts (
    dataset_uri text COLLATE "C" PRIMARY KEY,
    source text COLLATE "C" NOT NULL,
    raw text NOT NULL,
    hash text COLLATE "C" NOT NULL,
    published text NOT NULL,
    stamp text COLLATE "C" NOT NULL
);
CREATE INDEX counts_source ON counts(source);
CREATE TABLE confirmations (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    holder text COLLATE "C" NOT NULL,
    at text COLLATE "C" NOT NULL,
    "by" text COLLATE "C" NOT NULL,
    note text NOT NULL DEFAULT ''
);
CREATE INDEX confirmations_holder ON confirmations(holder, at);
CREATE TABLE uses (
    key text COLLATE "C" PRIMARY KEY,
    data text NOT NULL,
    permit_date text COLLATE "C" NOT NULL,
    imported text COLLATE "C" NOT NULL
);
CREATE TABLE use_datasets (
    use_key text COLLATE "C" NOT NULL,
    dataset_uri text COLLATE "C" NOT NULL,
    PRIMARY KEY (use_key, dataset_uri)
);
CREATE INDEX use_datasets_dataset ON use_datasets(dataset_uri);
CREATE TABLE labels (
    uri text COLLATE "C" PRIMARY KEY,
    hash text COLLATE "C" NOT NULL,
    inputs text COLLATE "C" NOT NULL,
    digest text COLLATE "C" NOT NULL,
    data text NOT NULL
)
"""

POSTGRES: tuple[Step, ...] = (
    Step(
        1,
        'the schema as SQLite\'s version 2, every text compared byte by byte (COLLATE "C"): feeds and '
        "exports list records in URI order, which must not depend on the server's locale",
        POSTGRES_V1,
    ),
    Step(
        2,
        "as SQLite's version 3: links between records, counts, and the access body's registers "
        "(confirmations, uses, labels)",
        POSTGRES_V2,
    ),
    Step(
        3,
        "validation reports kept packed (zlib-compressed JSON, `catalog.store.packed_report`): a "
        "dataset's report was four fifths of the records table; the text already there is kept as "
        "its UTF-8, which is read as it was",
        "ALTER TABLE records ALTER COLUMN validation TYPE bytea USING convert_to(validation, 'UTF8')",
    ),
    Step(4, CODELIST_LINKS_WHY, POSTGRES_V4),
)


def pending(current: int, steps: tuple[Step, ...], where: str) -> list[Step]:
    """The steps a store at version `current` lacks; refuses a store newer than `steps`."""
    latest = steps[-1].version
    if current > latest:
        raise SchemaTooNew(
            f"{where} has schema version {current}, newer than this program knows ({latest}): "
            "it was migrated by a newer release; run that release (or newer) against it"
        )
    return [step for step in steps if step.version > current]
