//! Manual tasks: steps only a person can take in the vendor's console.

use serde::Serialize;
use sqlx::Row;

use super::{StateError, Store};

/// One manual task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ManualTaskRecord {
    /// Row id (`None` before it is stored).
    pub id: Option<i64>,
    /// The run that raised it.
    pub run_id: String,
    /// The instance.
    pub instance: String,
    /// The person.
    pub identity_id: Option<String>,
    /// The account.
    pub account_id: Option<String>,
    /// The licence SKU.
    pub sku: String,
    /// `assign_license` or `revoke_license`.
    pub action: String,
    /// What to do.
    pub instructions: String,
    /// Where to do it.
    pub url: Option<String>,
    /// When it was raised.
    pub created_at: Option<String>,
}

impl Store {
    /// Manual tasks not marked done, oldest first.
    ///
    /// # Errors
    ///
    /// When the store cannot be read.
    pub async fn open_manual_tasks(&self) -> Result<Vec<ManualTaskRecord>, StateError> {
        let rows = sqlx::query(
            "SELECT id, run_id, instance, identity_id, account_id, sku, action, instructions, url, created_at \
             FROM manual_tasks WHERE done_at IS NULL ORDER BY id",
        )
        .fetch_all(self.pool())
        .await
        .map_err(|e| self.error(e))?;
        rows.iter()
            .map(|row| {
                Ok(ManualTaskRecord {
                    id: row.try_get("id")?,
                    run_id: row.try_get("run_id")?,
                    instance: row.try_get("instance")?,
                    identity_id: row.try_get("identity_id")?,
                    account_id: row.try_get("account_id")?,
                    sku: row.try_get("sku")?,
                    action: row.try_get("action")?,
                    instructions: row.try_get("instructions")?,
                    url: row.try_get("url")?,
                    created_at: row.try_get("created_at")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(|e| self.error(e))
    }
}
