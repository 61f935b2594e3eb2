//! A batch of journal writes as a few set-based statements: each kind of row (intents,
//! outcomes, link changes, licences, audit events) goes in one statement whose single
//! parameter is a JSON array of the rows (`json_each`). A statement through sqlx costs a
//! round trip to SQLite's thread; a batch of a hundred steps costs about ten, not five
//! hundred. The statement texts are fixed, so SQLite prepares each once.

use std::collections::HashSet;

use serde::Serialize;

use sqlx::SqliteConnection;

use super::effects::apply_effect;
use super::rows::{Effect, Write};

/// Every row of a batch, by statement.
#[derive(Default)]
pub(super) struct Batch<'a> {
    /// Intents: run, instance, person, account, action, SKU, step, time.
    intents: Vec<IntentValues<'a>>,
    /// Outcomes: journal id, outcome, detail, time.
    outcomes: Vec<(i64, &'a str, Option<&'a str>, &'a str)>,
    /// Links: instance, person, login, account, user name, origin, hash, snapshot, time,
    /// active.
    links: Vec<LinkValues<'a>>,
    /// Snapshots applied: instance, person, hash, snapshot, time.
    attributes: Vec<(&'a str, &'a str, &'a str, &'a str, &'a str)>,
    /// Accounts left active or disabled: instance, person, active, time.
    actives: Vec<(&'a str, &'a str, bool, &'a str)>,
    /// Links (and licences) removed: instance, person.
    unlinks: Vec<(&'a str, &'a str)>,
    /// Licences set: instance, person, SKU, state, time.
    licenses: Vec<(&'a str, &'a str, &'a str, &'a str, &'a str)>,
    /// Licences cleared: instance, person, SKU.
    cleared: Vec<(&'a str, &'a str, &'a str)>,
    /// Effects written one by one (manual tasks), with their time.
    singles: Vec<(&'a Effect, &'a str)>,
    /// Audit events: run, instance, person, activity, status, time (ms), event.
    audits: Vec<AuditValues<'a>>,
}

/// The values of an intent row.
type IntentValues<'a> = (
    &'a str,
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
    &'a str,
    Option<&'a str>,
    &'a str,
    &'a str,
);

/// The values of a link row.
type LinkValues<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
    &'a str,
    Option<bool>,
);

/// The values of an audit row.
type AuditValues<'a> = (
    &'a str,
    &'a str,
    Option<&'a str>,
    &'a str,
    &'a str,
    i64,
    &'a str,
);

/// Every statement of a batch, in order, as one text run in one round trip; each takes
/// a JSON array of rows (empty when the batch has none of its kind) as its one `?`,
/// bound in order. (sqlx binds the parameters of a text of several statements in order;
/// numbered parameters would be miscounted across statements.)
///
/// 1. intents, in array order; `RETURNING` gives their ids (in no set order, but
///    `AUTOINCREMENT` ids grow with each insert, so sorted they follow the array);
/// 2. outcomes;
/// 3. links, inserted or updated: an account already linked to another person fails
///    the unique index `links_by_account`, and the batch (then that outcome alone, written
///    one by one) with it: a link is never taken from one person for another;
/// 4. snapshots applied; 5. accounts left active or disabled;
/// 6. removed links, 7. and their licences;
/// 8. licences set, 9. and cleared;
/// 10. audit events.
macro_rules! statements {
    () => {
        "\
INSERT INTO journal (run_id, instance, identity_id, account_id, action, sku, step, intent_at) \
 SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, value->>7 \
 FROM json_each(?) ORDER BY key RETURNING id;
UPDATE journal SET outcome = v.value->>1, detail = v.value->>2, finished_at = v.value->>3 \
 FROM json_each(?) AS v WHERE journal.id = v.value->>0;
INSERT INTO links (instance, identity_id, login, account_id, user_name, origin, \
 attributes_hash, attributes, updated_at, active) SELECT value->>0, value->>1, value->>2, \
 value->>3, value->>4, value->>5, value->>6, value->>7, value->>8, value->>9 FROM json_each(?) \
 WHERE true ORDER BY key \
 ON CONFLICT (instance, identity_id) DO UPDATE SET login = excluded.login, \
 account_id = excluded.account_id, user_name = excluded.user_name, origin = excluded.origin, \
 attributes_hash = excluded.attributes_hash, attributes = excluded.attributes, \
 updated_at = excluded.updated_at, active = excluded.active;
UPDATE links SET attributes_hash = v.value->>2, attributes = v.value->>3, updated_at = v.value->>4 \
 FROM json_each(?) AS v WHERE links.instance = v.value->>0 AND links.identity_id = v.value->>1;
UPDATE links SET active = v.value->>2, updated_at = v.value->>3 \
 FROM json_each(?) AS v WHERE links.instance = v.value->>0 AND links.identity_id = v.value->>1;
DELETE FROM links WHERE (instance, identity_id) IN (SELECT value->>0, value->>1 FROM json_each(?));
DELETE FROM licenses WHERE (instance, identity_id) IN (SELECT value->>0, value->>1 FROM json_each(?));
INSERT OR REPLACE INTO licenses (instance, identity_id, sku, state, updated_at) \
 SELECT value->>0, value->>1, value->>2, value->>3, value->>4 FROM json_each(?) ORDER BY key;
DELETE FROM licenses WHERE (instance, identity_id, sku) IN \
 (SELECT value->>0, value->>1, value->>2 FROM json_each(?));
INSERT INTO audit_events (run_id, instance, identity_id, activity, status, time_ms, event) \
 SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6 \
 FROM json_each(?) ORDER BY key"
    };
}

/// The batch in one transaction: begun, written and committed in one round trip.
const COMMITTED: &str = concat!("BEGIN IMMEDIATE;\n", statements!(), ";\nCOMMIT");
/// The batch begun and written; the caller adds what cannot be grouped and commits.
const BEGUN: &str = concat!("BEGIN IMMEDIATE;\n", statements!());

impl<'a> Batch<'a> {
    /// The rows of `writes`, or `None` when two of them touch the same person or
    /// account: those must be written in order, one by one.
    pub(super) fn of(writes: impl IntoIterator<Item = &'a Write>) -> Option<Self> {
        let mut batch = Self::default();
        let mut touched = HashSet::new();
        for write in writes {
            match write {
                Write::Intent(row) => batch.intents.push((
                    &row.run_id,
                    &row.instance,
                    row.identity_id.as_deref(),
                    row.account_id.as_deref(),
                    &row.action,
                    row.sku.as_deref(),
                    &row.step,
                    &row.at,
                )),
                Write::Outcome(row) => {
                    if let Some(entry) = row.entry {
                        batch.outcomes.push((
                            entry,
                            row.outcome.as_str(),
                            row.detail.as_deref(),
                            &row.at,
                        ));
                    }
                    // The people and accounts of this outcome, once each.
                    let mut mine = HashSet::new();
                    for effect in &row.effects {
                        for key in keys(effect) {
                            mine.insert(key);
                        }
                        batch.add(effect, &row.at);
                    }
                    for key in mine {
                        if !touched.insert(key) {
                            return None;
                        }
                    }
                }
            }
        }
        Some(batch)
    }

    /// Files one effect under its statement.
    fn add(&mut self, effect: &'a Effect, at: &'a str) {
        match effect {
            Effect::Link(link) => {
                self.links.push((
                    &link.instance,
                    &link.identity_id,
                    &link.login,
                    &link.account_id,
                    &link.user_name,
                    link.origin.as_str(),
                    link.attributes_hash.as_deref(),
                    link.attributes.as_deref(),
                    at,
                    link.active,
                ));
            }
            Effect::Attributes {
                instance,
                identity_id,
                hash,
                attributes,
            } => self
                .attributes
                .push((instance, identity_id, hash, attributes, at)),
            Effect::Active {
                instance,
                identity_id,
                active,
            } => self.actives.push((instance, identity_id, *active, at)),
            Effect::Unlink {
                instance,
                identity_id,
            } => self.unlinks.push((instance, identity_id)),
            Effect::License {
                instance,
                identity_id,
                sku,
                state: Some(state),
            } => self
                .licenses
                .push((instance, identity_id, sku, state.as_str(), at)),
            Effect::License {
                instance,
                identity_id,
                sku,
                state: None,
            } => self.cleared.push((instance, identity_id, sku)),
            Effect::ManualTask(_) | Effect::Group(_) => self.singles.push((effect, at)),
            Effect::Audit {
                run_id,
                instance,
                identity_id,
                activity,
                status,
                time_ms,
                event,
            } => self.audits.push((
                run_id,
                instance,
                identity_id.as_deref(),
                activity,
                status,
                *time_ms,
                event,
            )),
        }
    }

    /// Writes and commits the batch on `conn`, which must have no open transaction:
    /// one round trip to SQLite's thread unless some effects cannot be grouped. The ids
    /// of its intents, in order. On an error nothing is written.
    pub(super) async fn commit(
        &self,
        conn: &mut SqliteConnection,
    ) -> Result<Vec<i64>, sqlx::Error> {
        let written = self.write(conn).await;
        if written.is_err() {
            // The transaction may be open (a statement failed) or not (BEGIN did).
            let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
        }
        written
    }

    /// [`commit`](Self::commit), without the rollback on errors.
    async fn write(&self, conn: &mut SqliteConnection) -> Result<Vec<i64>, sqlx::Error> {
        let sql = if self.singles.is_empty() {
            COMMITTED
        } else {
            BEGUN
        };
        let mut ids: Vec<i64> = sqlx::query_scalar(sql)
            .bind(json(&self.intents)?)
            .bind(json(&self.outcomes)?)
            .bind(json(&self.links)?)
            .bind(json(&self.attributes)?)
            .bind(json(&self.actives)?)
            .bind(json(&self.unlinks)?)
            .bind(json(&self.unlinks)?)
            .bind(json(&self.licenses)?)
            .bind(json(&self.cleared)?)
            .bind(json(&self.audits)?)
            .fetch_all(&mut *conn)
            .await?;
        if !self.singles.is_empty() {
            for (effect, at) in &self.singles {
                apply_effect(conn, effect, at).await?;
            }
            sqlx::query("COMMIT").execute(&mut *conn).await?;
        }
        if ids.len() != self.intents.len() {
            return Err(sqlx::Error::Protocol(format!(
                "{} intents inserted for {}",
                ids.len(),
                self.intents.len()
            )));
        }
        ids.sort_unstable();
        Ok(ids)
    }
}

/// `rows` as a JSON array.
fn json<T: Serialize + ?Sized>(rows: &T) -> Result<String, sqlx::Error> {
    serde_json::to_string(rows).map_err(|e| sqlx::Error::Encode(Box::new(e)))
}

/// The people and accounts an effect writes to: two effects of one batch that share
/// one must not be reordered.
fn keys(effect: &Effect) -> Vec<(&str, &str, &str)> {
    match effect {
        Effect::Link(link) => vec![
            ("person", &link.instance, &link.identity_id),
            ("account", &link.instance, &link.account_id),
        ],
        Effect::Attributes {
            instance,
            identity_id,
            ..
        }
        | Effect::Active {
            instance,
            identity_id,
            ..
        }
        | Effect::Unlink {
            instance,
            identity_id,
        }
        | Effect::License {
            instance,
            identity_id,
            ..
        } => vec![("person", instance, identity_id)],
        Effect::ManualTask(task) => match &task.identity_id {
            Some(person) => vec![("person", &task.instance, person)],
            None => vec![("task", &task.instance, &task.sku)],
        },
        Effect::Group(group) => {
            let (instance, directory_group) = group.key();
            vec![("group", instance, directory_group)]
        }
        Effect::Audit { .. } => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Store;
    use crate::state::effects::write_one;
    use crate::state::links::{LicenseState, Link, Origin};
    use crate::state::rows::{IntentRow, Outcome, OutcomeRow};
    use crate::state::tasks::ManualTaskRecord;

    fn intent(person: &str) -> Write {
        let row = IntentRow {
            run_id: "r1".into(),
            instance: "i".into(),
            identity_id: Some(person.into()),
            account_id: None,
            action: "create".into(),
            sku: None,
            step: format!("{{\"step\":\"{person}\"}}"),
            at: "2026-01-01T00:00:00.000Z".into(),
        };
        Write::Intent(row)
    }

    fn outcome(entry: i64, effects: Vec<Effect>) -> Write {
        let row = OutcomeRow {
            entry: Some(entry),
            outcome: Outcome::Ok,
            detail: Some("it's \"done\"".into()),
            effects,
            at: "2026-01-01T00:00:01.000Z".into(),
        };
        Write::Outcome(row)
    }

    fn link(person: &str, account: &str) -> Effect {
        Effect::Link(Link {
            instance: "i".into(),
            identity_id: person.into(),
            login: format!("{person}@x.io"),
            account_id: account.into(),
            user_name: "ü".into(),
            origin: Origin::Created,
            attributes_hash: Some("h".into()),
            attributes: None,
            active: Some(true),
        })
    }

    fn license(person: &str, sku: &str, state: Option<LicenseState>) -> Effect {
        Effect::License {
            instance: "i".into(),
            identity_id: person.into(),
            sku: sku.into(),
            state,
        }
    }

    fn audit(person: &str) -> Effect {
        Effect::Audit {
            run_id: "r1".into(),
            instance: "i".into(),
            identity_id: Some(person.into()),
            activity: "Create".into(),
            status: "success".into(),
            time_ms: 1_700_000_000_123,
            event: "{\"a\":[1,2]}".into(),
        }
    }

    /// Every row of every table the journal writes, as text.
    async fn dump(store: &Store) -> Vec<String> {
        let mut rows = Vec::new();
        for sql in [
            "SELECT json_array(id, run_id, instance, identity_id, account_id, action, sku, step, intent_at, outcome, detail, finished_at) FROM journal ORDER BY id",
            "SELECT json_array(instance, identity_id, login, account_id, user_name, origin, attributes_hash, attributes, updated_at, active) FROM links ORDER BY instance, identity_id",
            "SELECT json_array(instance, identity_id, sku, state, updated_at) FROM licenses ORDER BY instance, identity_id, sku",
            "SELECT json_array(id, run_id, instance, identity_id, sku, action, done_at) FROM manual_tasks ORDER BY id",
            "SELECT json_array(id, run_id, instance, identity_id, activity, status, time_ms, event) FROM audit_events ORDER BY id",
        ] {
            let found: Vec<String> = sqlx::query_scalar(sql)
                .fetch_all(store.pool())
                .await
                .unwrap();
            rows.extend(found);
        }
        rows
    }

    /// A store with some state to change: links, licences, an open manual task.
    async fn seeded() -> Store {
        let store = Store::in_memory().await.unwrap();
        let mut tx = store.pool().begin().await.unwrap();
        for (person, account) in [("p1", "a1"), ("p2", "a2"), ("p3", "a3"), ("old", "a9")] {
            apply_effect(&mut tx, &link(person, account), "t0")
                .await
                .unwrap();
            apply_effect(
                &mut tx,
                &license(person, "seat", Some(LicenseState::Held)),
                "t0",
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        store
    }

    #[tokio::test]
    async fn a_batch_never_takes_an_account_from_its_person() {
        let store = seeded().await;
        let jobs = vec![outcome(1, vec![link("p4", "a9")])];
        let mut conn = store.pool().acquire().await.unwrap();
        let refused = Batch::of(&jobs).unwrap().commit(&mut conn).await;
        assert!(refused.is_err(), "a9 is old's");
        drop(conn);
        let rows = dump(&store).await;
        assert!(
            rows.iter().any(|r| r.contains("old") && r.contains("a9")),
            "{rows:?}"
        );
        assert!(!rows.iter().any(|r| r.contains("p4")), "{rows:?}");
    }

    #[tokio::test]
    async fn a_batch_writes_what_its_jobs_write_one_by_one() {
        let task = ManualTaskRecord {
            id: None,
            run_id: "r1".into(),
            instance: "i".into(),
            identity_id: Some("p6".into()),
            account_id: Some("a6".into()),
            sku: "ai".into(),
            action: "assign_license".into(),
            instructions: "do it".into(),
            url: None,
            created_at: None,
        };
        let jobs = vec![
            intent("p4"),
            outcome(1, vec![link("p4", "a4"), audit("p4")]),
            intent("p5"),
            outcome(
                2,
                vec![
                    Effect::Attributes {
                        instance: "i".into(),
                        identity_id: "p1".into(),
                        hash: "h2".into(),
                        attributes: "{\"x\":\"y\"}".into(),
                    },
                    audit("p1"),
                ],
            ),
            outcome(
                3,
                vec![Effect::Unlink {
                    instance: "i".into(),
                    identity_id: "p2".into(),
                }],
            ),
            outcome(
                6,
                vec![Effect::Active {
                    instance: "i".into(),
                    identity_id: "old".into(),
                    active: false,
                }],
            ),
            outcome(
                4,
                vec![
                    license("p3", "seat", None),
                    license("p3", "ai", Some(LicenseState::Requested)),
                ],
            ),
            outcome(
                5,
                vec![
                    license("p6", "ai", Some(LicenseState::Requested)),
                    Effect::ManualTask(task),
                ],
            ),
        ];
        // The intents the outcomes refer to.
        let earlier: Vec<Write> = (1..=6).map(|i| intent(&format!("e{i}"))).collect();

        let one_by_one = seeded().await;
        let mut tx = one_by_one.pool().begin().await.unwrap();
        for job in earlier.iter().chain(&jobs) {
            write_one(&mut tx, job).await.unwrap();
        }
        tx.commit().await.unwrap();

        let grouped = seeded().await;
        let mut conn = grouped.pool().acquire().await.unwrap();
        let ids = Batch::of(&earlier)
            .unwrap()
            .commit(&mut conn)
            .await
            .unwrap();
        assert_eq!(ids, [1, 2, 3, 4, 5, 6]);
        let ids = Batch::of(&jobs).unwrap().commit(&mut conn).await.unwrap();
        assert_eq!(ids, [7, 8]);
        // Without the manual task: the one-round-trip form.
        let plain = &jobs[..jobs.len() - 1];
        let ids = Batch::of(plain).unwrap().commit(&mut conn).await.unwrap();
        assert_eq!(ids, [9, 10]);
        drop(conn);
        let mut tx = one_by_one.pool().begin().await.unwrap();
        for job in plain {
            write_one(&mut tx, job).await.unwrap();
        }
        tx.commit().await.unwrap();

        assert_eq!(dump(&grouped).await, dump(&one_by_one).await);
    }

    #[tokio::test]
    async fn a_failed_batch_writes_nothing() {
        let store = seeded().await;
        let before = dump(&store).await;
        let mut conn = store.pool().acquire().await.unwrap();
        sqlx::query(
            "CREATE TRIGGER refused BEFORE INSERT ON links BEGIN SELECT RAISE(ABORT, 'refused'); END",
        )
        .execute(&mut *conn)
        .await
        .unwrap();
        // The intent is written first, then the link fails.
        let jobs = vec![
            intent("p7"),
            outcome(1, vec![link("p7", "a7"), audit("p7")]),
        ];
        assert!(Batch::of(&jobs).unwrap().commit(&mut conn).await.is_err());
        drop(conn);
        assert_eq!(dump(&store).await, before);
        // No transaction was left open: the next write commits.
        let ids = Batch::of(&jobs[..1]).unwrap();
        let mut conn = store.pool().acquire().await.unwrap();
        assert_eq!(ids.commit(&mut conn).await.unwrap(), [1]);
    }

    #[test]
    fn writes_to_one_person_keep_their_order() {
        let jobs = vec![
            outcome(1, vec![license("p1", "seat", None)]),
            outcome(2, vec![license("p1", "seat", Some(LicenseState::Held))]),
        ];
        assert!(Batch::of(&jobs).is_none());
        let jobs = vec![
            outcome(1, vec![link("p1", "a1")]),
            outcome(2, vec![link("p2", "a1")]),
        ];
        assert!(Batch::of(&jobs).is_none());
        let jobs = vec![
            outcome(1, vec![link("p1", "a1"), audit("p1")]),
            intent("p1"),
        ];
        assert!(Batch::of(&jobs).is_some());
    }
}
