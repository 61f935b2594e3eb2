-- Where each polled event source of `connector serve` stopped reading (the Okta System
-- Log), so a restart continues from there rather than from the look-back.
CREATE TABLE IF NOT EXISTS event_sources (
    -- The source and what it reads: 'okta-log https://acme.okta.com'.
    name           TEXT PRIMARY KEY,
    -- The `rel="next"` link of the last page read: where the next poll starts.
    next_url       TEXT,
    -- The `published` time of the newest event read (used when `next_url` is unusable).
    last_published TEXT,
    -- Events read from the source so far (new or already queued by a hook).
    events_read    INTEGER NOT NULL DEFAULT 0,
    -- When the last poll ended, and how.
    polled_at      TEXT,
    last_error     TEXT
);
