-- The engine's state: links, licences held, runs, the journal, manual tasks, audit events.

-- Which app account belongs to which directory person, per instance.
CREATE TABLE IF NOT EXISTS links (
    instance        TEXT NOT NULL,
    identity_id     TEXT NOT NULL,
    login           TEXT NOT NULL,
    account_id      TEXT NOT NULL,
    user_name       TEXT NOT NULL,
    -- 'created' (by the engine) or 'adopted' (existed before and was linked).
    origin          TEXT NOT NULL,
    -- SHA-256 of the last applied attribute snapshot, and the snapshot (JSON).
    attributes_hash TEXT,
    attributes      TEXT,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (instance, identity_id)
);
CREATE UNIQUE INDEX IF NOT EXISTS links_by_account ON links (instance, account_id);

-- Licence seats the engine gave (or asked a person to give).
CREATE TABLE IF NOT EXISTS licenses (
    instance    TEXT NOT NULL,
    identity_id TEXT NOT NULL,
    sku         TEXT NOT NULL,
    -- 'held' (applied or automatic) or 'requested' (a manual task is open).
    state       TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (instance, identity_id, sku)
);

-- One row per plan/apply run.
CREATE TABLE IF NOT EXISTS runs (
    id          TEXT PRIMARY KEY,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    -- 'running', 'completed', 'partial' (some changes failed), 'stopped', 'interrupted'.
    status      TEXT NOT NULL,
    source      TEXT,
    source_size INTEGER,
    summary     TEXT
);

-- Intent before each connector call, outcome after.
CREATE TABLE IF NOT EXISTS journal (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id      TEXT NOT NULL,
    instance    TEXT NOT NULL,
    identity_id TEXT,
    account_id  TEXT,
    action      TEXT NOT NULL,
    sku         TEXT,
    step        TEXT NOT NULL,
    intent_at   TEXT NOT NULL,
    -- NULL until the call returned: 'ok', 'manual', 'failed', 'recovered', 'not_done', 'rechecked'.
    outcome     TEXT,
    detail      TEXT,
    finished_at TEXT
);
CREATE INDEX IF NOT EXISTS journal_by_run ON journal (run_id);
CREATE INDEX IF NOT EXISTS journal_open ON journal (outcome) WHERE outcome IS NULL;

-- Steps only a person can take.
CREATE TABLE IF NOT EXISTS manual_tasks (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id       TEXT NOT NULL,
    instance     TEXT NOT NULL,
    identity_id  TEXT,
    account_id   TEXT,
    sku          TEXT NOT NULL,
    action       TEXT NOT NULL,
    instructions TEXT NOT NULL,
    url          TEXT,
    created_at   TEXT NOT NULL,
    done_at      TEXT
);

-- OCSF Account Change events, one per change.
CREATE TABLE IF NOT EXISTS audit_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id      TEXT NOT NULL,
    instance    TEXT NOT NULL,
    identity_id TEXT,
    activity    TEXT NOT NULL,
    status      TEXT NOT NULL,
    time_ms     INTEGER NOT NULL,
    event       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_by_time ON audit_events (time_ms);

-- Small facts: the directory size at the last completed run.
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
