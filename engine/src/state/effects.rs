//! Writing journal rows statement by statement inside the caller's transaction: one
//! write at a time (the writer's fallback when a batch cannot be grouped), and the
//! state changes a batch cannot group (manual tasks).

use super::rows::{Effect, Write};

/// Writes one journal write inside `tx`, statement by statement; an intent's id, else 0.
pub(super) async fn write_one(
    conn: &mut sqlx::SqliteConnection,
    write: &Write,
) -> Result<i64, sqlx::Error> {
    match write {
        Write::Intent(row) => {
            let result = sqlx::query(
                "INSERT INTO journal (run_id, instance, identity_id, account_id, action, sku, step, intent_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&row.run_id)
            .bind(&row.instance)
            .bind(&row.identity_id)
            .bind(&row.account_id)
            .bind(&row.action)
            .bind(&row.sku)
            .bind(&row.step)
            .bind(&row.at)
            .execute(&mut *conn)
            .await?;
            Ok(result.last_insert_rowid())
        }
        Write::Outcome(row) => {
            if let Some(entry) = row.entry {
                sqlx::query(
                    "UPDATE journal SET outcome = ?, detail = ?, finished_at = ? WHERE id = ?",
                )
                .bind(row.outcome.as_str())
                .bind(&row.detail)
                .bind(&row.at)
                .bind(entry)
                .execute(&mut *conn)
                .await?;
            }
            for effect in &row.effects {
                apply_effect(conn, effect, &row.at).await?;
            }
            Ok(0)
        }
    }
}

/// Applies one effect (inside the caller's transaction).
pub(super) async fn apply_effect(
    conn: &mut sqlx::SqliteConnection,
    effect: &Effect,
    now: &str,
) -> Result<(), sqlx::Error> {
    match effect {
        Effect::Link(link) => {
            // An account belongs to one person: the unique index `links_by_account` refuses
            // a second person's link, and nothing here removes the first one's.
            sqlx::query(
                "INSERT INTO links (instance, identity_id, login, account_id, user_name, origin, \
                 attributes_hash, attributes, active, updated_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
                 ON CONFLICT (instance, identity_id) DO UPDATE SET login = excluded.login, \
                 account_id = excluded.account_id, user_name = excluded.user_name, \
                 origin = excluded.origin, attributes_hash = excluded.attributes_hash, \
                 attributes = excluded.attributes, active = excluded.active, \
                 updated_at = excluded.updated_at",
            )
            .bind(&link.instance)
            .bind(&link.identity_id)
            .bind(&link.login)
            .bind(&link.account_id)
            .bind(&link.user_name)
            .bind(link.origin.as_str())
            .bind(&link.attributes_hash)
            .bind(&link.attributes)
            .bind(link.active)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        }
        Effect::Attributes {
            instance,
            identity_id,
            hash,
            attributes,
        } => {
            sqlx::query(
                "UPDATE links SET attributes_hash = ?, attributes = ?, updated_at = ? \
                 WHERE instance = ? AND identity_id = ?",
            )
            .bind(hash)
            .bind(attributes)
            .bind(now)
            .bind(instance)
            .bind(identity_id)
            .execute(&mut *conn)
            .await?;
        }
        Effect::Active {
            instance,
            identity_id,
            active,
        } => {
            sqlx::query(
                "UPDATE links SET active = ?, updated_at = ? WHERE instance = ? AND identity_id = ?",
            )
            .bind(active)
            .bind(now)
            .bind(instance)
            .bind(identity_id)
            .execute(&mut *conn)
            .await?;
        }
        Effect::Unlink {
            instance,
            identity_id,
        } => {
            sqlx::query("DELETE FROM links WHERE instance = ? AND identity_id = ?")
                .bind(instance)
                .bind(identity_id)
                .execute(&mut *conn)
                .await?;
            sqlx::query("DELETE FROM licenses WHERE instance = ? AND identity_id = ?")
                .bind(instance)
                .bind(identity_id)
                .execute(&mut *conn)
                .await?;
        }
        Effect::License {
            instance,
            identity_id,
            sku,
            state,
        } => match state {
            Some(state) => {
                sqlx::query(
                    "INSERT OR REPLACE INTO licenses (instance, identity_id, sku, state, updated_at) \
                     VALUES (?, ?, ?, ?, ?)",
                )
                .bind(instance)
                .bind(identity_id)
                .bind(sku)
                .bind(state.as_str())
                .bind(now)
                .execute(&mut *conn)
                .await?;
            }
            None => {
                sqlx::query(
                    "DELETE FROM licenses WHERE instance = ? AND identity_id = ? AND sku = ?",
                )
                .bind(instance)
                .bind(identity_id)
                .bind(sku)
                .execute(&mut *conn)
                .await?;
            }
        },
        Effect::ManualTask(task) => {
            // A new task for the same seat closes the open one it supersedes (a revoke
            // makes a pending assign moot, and the other way round).
            sqlx::query(
                "UPDATE manual_tasks SET done_at = ? WHERE instance = ? AND identity_id IS ? \
                 AND sku = ? AND action <> ? AND done_at IS NULL",
            )
            .bind(now)
            .bind(&task.instance)
            .bind(&task.identity_id)
            .bind(&task.sku)
            .bind(&task.action)
            .execute(&mut *conn)
            .await?;
            sqlx::query(
                "INSERT INTO manual_tasks (run_id, instance, identity_id, account_id, sku, action, \
                 instructions, url, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&task.run_id)
            .bind(&task.instance)
            .bind(&task.identity_id)
            .bind(&task.account_id)
            .bind(&task.sku)
            .bind(&task.action)
            .bind(&task.instructions)
            .bind(&task.url)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        }
        Effect::Group(group) => group.apply(conn, now).await?,
        Effect::Audit {
            run_id,
            instance,
            identity_id,
            activity,
            status,
            time_ms,
            event,
        } => {
            sqlx::query(
                "INSERT INTO audit_events (run_id, instance, identity_id, activity, status, time_ms, event) \
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(run_id)
            .bind(instance)
            .bind(identity_id)
            .bind(activity)
            .bind(status)
            .bind(time_ms)
            .bind(event)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}
