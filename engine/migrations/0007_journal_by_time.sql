-- The journal by time: the circuit breaker of `connector serve` counts the removals its
-- events made in the last hour (`Store::event_removals_since`).
CREATE INDEX IF NOT EXISTS journal_by_time ON journal (intent_at);
