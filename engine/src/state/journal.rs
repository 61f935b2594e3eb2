//! The journal: an intent row before each connector call, its outcome after, and the
//! state changes of that outcome committed in the same transaction. Both return once
//! committed; the writer (`writer`) lets the writes of concurrent steps share commits.

use sqlx::Row;

use super::rows::{Effect, Intent, IntentRow, JournalEntry, Outcome, OutcomeRow};
use super::{StateError, Store};

impl Store {
    /// Writes an intent and returns its id, once committed.
    ///
    /// Intents and outcomes of concurrent callers share commits (see `writer`).
    ///
    /// # Errors
    ///
    /// When the store cannot be written.
    pub async fn record_intent(&self, intent: &Intent<'_>) -> Result<i64, StateError> {
        let row = IntentRow::now(intent);
        self.writer.intent(row).await.map_err(|e| self.error(e))
    }

    /// Records the outcome of journal entry `entry` (if any) and applies `effects`, in one
    /// transaction; returns once committed.
    ///
    /// # Errors
    ///
    /// When the store cannot be written (nothing is then written).
    pub async fn record_outcome(
        &self,
        entry: Option<i64>,
        outcome: Outcome,
        detail: Option<&str>,
        effects: Vec<Effect>,
    ) -> Result<(), StateError> {
        let row = OutcomeRow::now(entry, outcome, detail, effects);
        self.writer.outcome(row).await.map_err(|e| self.error(e))
    }

    /// Journal entries whose call never reported an outcome (a crash cut them short).
    ///
    /// # Errors
    ///
    /// When the store cannot be read.
    pub async fn pending_intents(&self) -> Result<Vec<JournalEntry>, StateError> {
        self.journal_where("outcome IS NULL", None).await
    }

    /// The journal of run `run_id`.
    ///
    /// # Errors
    ///
    /// When the store cannot be read.
    pub async fn journal(&self, run_id: &str) -> Result<Vec<JournalEntry>, StateError> {
        self.journal_where("run_id = ?", Some(run_id)).await
    }

    /// Journal rows matching `condition` (a fixed SQL fragment with at most one `?`).
    async fn journal_where(
        &self,
        condition: &'static str,
        value: Option<&str>,
    ) -> Result<Vec<JournalEntry>, StateError> {
        let sql = match condition {
            "outcome IS NULL" => {
                "SELECT id, run_id, instance, identity_id, account_id, action, sku, step, intent_at, outcome, detail \
                 FROM journal WHERE outcome IS NULL ORDER BY id"
            }
            _ => {
                "SELECT id, run_id, instance, identity_id, account_id, action, sku, step, intent_at, outcome, detail \
                 FROM journal WHERE run_id = ? ORDER BY id"
            }
        };
        let mut query = sqlx::query(sql);
        if let Some(value) = value {
            query = query.bind(value);
        }
        let rows = query
            .fetch_all(self.pool())
            .await
            .map_err(|e| self.error(e))?;
        rows.iter()
            .map(|row| {
                let outcome: Option<String> = row.try_get("outcome")?;
                Ok(JournalEntry {
                    id: row.try_get("id")?,
                    run_id: row.try_get("run_id")?,
                    instance: row.try_get("instance")?,
                    identity_id: row.try_get("identity_id")?,
                    account_id: row.try_get("account_id")?,
                    action: row.try_get("action")?,
                    sku: row.try_get("sku")?,
                    step: row.try_get("step")?,
                    intent_at: row.try_get("intent_at")?,
                    outcome: outcome.as_deref().and_then(Outcome::parse),
                    detail: row.try_get("detail")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(|e| self.error(e))
    }

    /// The account removals (disables, deletes, revokes) that runs of events (`ev-` run
    /// ids, `connector serve`) made or began since `since`, per instance: the window the
    /// events' circuit breaker weighs. A removal whose outcome is not known yet counts;
    /// one that failed or was skipped does not.
    ///
    /// # Errors
    ///
    /// When the store cannot be read.
    pub async fn event_removals_since(
        &self,
        since: time::OffsetDateTime,
    ) -> Result<std::collections::BTreeMap<String, u64>, StateError> {
        let rows = sqlx::query(
            "SELECT instance, COUNT(*) AS n FROM journal WHERE intent_at >= ? \
             AND run_id LIKE 'ev-%' AND action IN ('disable', 'delete', 'revoke_license') \
             AND (outcome IS NULL OR outcome IN ('ok', 'recovered', 'manual')) \
             GROUP BY instance",
        )
        .bind(crate::clock::stamp(since))
        .fetch_all(self.pool())
        .await
        .map_err(|e| self.error(e))?;
        rows.iter()
            .map(|row| {
                let n: i64 = row.try_get("n")?;
                Ok((
                    row.try_get("instance")?,
                    u64::try_from(n).unwrap_or_default(),
                ))
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(|e| self.error(e))
    }
}
