-- The circuit breaker of `connector serve`'s events: it counts the removals events made
-- in the last hour (`Store::event_removals_since`), so the journal is read by time; and a
-- dead letter a person re-drives with `connector events retry --allow-removals` is
-- applied past it (1).
CREATE INDEX IF NOT EXISTS journal_by_time ON journal (intent_at);
ALTER TABLE events ADD COLUMN allow_removals INTEGER NOT NULL DEFAULT 0;
