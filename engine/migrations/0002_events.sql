-- The durable event queue of `connector serve`: every accepted event (an Okta Event
-- Hook delivery, later the System Log) is stored here before the hook is answered, and
-- stays until it is done, ignored or dead-lettered.
CREATE TABLE IF NOT EXISTS events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The source's event id (Okta's LogEvent `uuid`): a second delivery is a no-op.
    uuid        TEXT NOT NULL UNIQUE,
    -- Where it came from: 'okta-hook' (later 'okta-log').
    source      TEXT NOT NULL,
    event_type  TEXT NOT NULL,
    published   TEXT,
    -- The person's directory id (Okta user id): events of one person run in id order.
    person      TEXT,
    -- The person's login (Okta alternateId).
    login       TEXT,
    -- The group of a membership event.
    group_name  TEXT,
    -- The event as received (JSON).
    payload     TEXT NOT NULL,
    -- 'pending', 'done', 'ignored' (unknown type), 'dead' (out of attempts).
    state       TEXT NOT NULL,
    -- Processing attempts started (counted before each one, so a crash counts too).
    attempts    INTEGER NOT NULL DEFAULT 0,
    -- Not before this time (Unix milliseconds): the retry backoff.
    next_at     INTEGER NOT NULL,
    -- Why the last attempt failed, or what was decided.
    detail      TEXT,
    -- The apply run of the last attempt.
    run_id      TEXT,
    received_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX IF NOT EXISTS events_pending ON events (next_at) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS events_by_person ON events (person, id);
