//! Reading stored audit events back, filtered.

use sqlx::{QueryBuilder, Sqlite};

use super::{StateError, Store};

/// Which audit events to read. Every set field must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Events of this run.
    pub run_id: Option<String>,
    /// Events of this instance.
    pub instance: Option<String>,
    /// Events about this directory person.
    pub identity_id: Option<String>,
    /// Events of this OCSF activity (`Create`, `Disable`, ...; case-insensitive).
    pub activity: Option<String>,
    /// Events with this status (`success`, `failure`, `other`).
    pub status: Option<String>,
    /// Events at or after this time (epoch milliseconds).
    pub since_ms: Option<i64>,
    /// At most this many (the newest), oldest first.
    pub limit: Option<u32>,
}

impl Store {
    /// The stored audit events matching `filter`, as JSON lines, oldest first.
    ///
    /// # Errors
    ///
    /// When the store cannot be read.
    pub async fn audit_events(&self, filter: &AuditFilter) -> Result<Vec<String>, StateError> {
        let mut query: QueryBuilder<Sqlite> =
            QueryBuilder::new("SELECT event FROM (SELECT id, event FROM audit_events WHERE 1 = 1");
        if let Some(run) = &filter.run_id {
            query.push(" AND run_id = ").push_bind(run.clone());
        }
        if let Some(instance) = &filter.instance {
            query.push(" AND instance = ").push_bind(instance.clone());
        }
        if let Some(identity) = &filter.identity_id {
            query
                .push(" AND identity_id = ")
                .push_bind(identity.clone());
        }
        if let Some(activity) = &filter.activity {
            query
                .push(" AND lower(activity) = lower(")
                .push_bind(activity.clone())
                .push(")");
        }
        if let Some(status) = &filter.status {
            query
                .push(" AND lower(status) = lower(")
                .push_bind(status.clone())
                .push(")");
        }
        if let Some(since) = filter.since_ms {
            query.push(" AND time_ms >= ").push_bind(since);
        }
        query.push(" ORDER BY id DESC");
        if let Some(limit) = filter.limit {
            query.push(" LIMIT ").push_bind(i64::from(limit));
        }
        query.push(") ORDER BY id");
        query
            .build_query_scalar::<String>()
            .fetch_all(self.pool())
            .await
            .map_err(|e| self.error(e))
    }
}
