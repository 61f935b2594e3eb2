//! Group links: the app group that stands for each pushed directory group, per instance.

use sqlx::Row;

use super::links::Origin;
use super::{StateError, Store};

/// One pushed group's link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupLink {
    /// The instance.
    pub instance: String,
    /// The directory group's name.
    pub directory_group: String,
    /// The app's id of the group.
    pub app_group_id: String,
    /// The group's name in the app when the engine last wrote or read it.
    pub name: String,
    /// Whether the engine created the group or adopted one that existed.
    pub origin: Origin,
    /// Whether the engine may delete the group once no rule pushes it.
    pub deletable: bool,
}

/// A change to the group links, committed with a step's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupEffect {
    /// Insert or replace the link of a directory group.
    Link(GroupLink),
    /// Remove the link of a directory group (its app group was deleted), and the
    /// members it kept.
    Unlink {
        /// The instance.
        instance: String,
        /// The directory group.
        directory_group: String,
    },
    /// Record members added to (`added`) and removed from a pushed group.
    Members {
        /// The instance.
        instance: String,
        /// The directory group.
        directory_group: String,
        /// Account ids added.
        added: Vec<String>,
        /// Account ids removed.
        removed: Vec<String>,
    },
}

impl GroupEffect {
    /// The instance and directory group the effect writes.
    pub(super) fn key(&self) -> (&str, &str) {
        match self {
            Self::Link(link) => (&link.instance, &link.directory_group),
            Self::Unlink {
                instance,
                directory_group,
            }
            | Self::Members {
                instance,
                directory_group,
                ..
            } => (instance, directory_group),
        }
    }

    /// Writes the effect inside the caller's transaction.
    pub(super) async fn apply(
        &self,
        conn: &mut sqlx::SqliteConnection,
        now: &str,
    ) -> Result<(), sqlx::Error> {
        match self {
            Self::Link(link) => {
                sqlx::query(
                    "INSERT INTO group_links (instance, directory_group, app_group_id, name, \
                     origin, deletable, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) \
                     ON CONFLICT (instance, directory_group) DO UPDATE SET \
                     app_group_id = excluded.app_group_id, name = excluded.name, \
                     origin = excluded.origin, deletable = excluded.deletable, \
                     updated_at = excluded.updated_at",
                )
                .bind(&link.instance)
                .bind(&link.directory_group)
                .bind(&link.app_group_id)
                .bind(&link.name)
                .bind(link.origin.as_str())
                .bind(link.deletable)
                .bind(now)
                .execute(&mut *conn)
                .await?;
            }
            Self::Unlink {
                instance,
                directory_group,
            } => {
                for table in ["group_links", "group_members"] {
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DELETE FROM {table} WHERE instance = ? AND directory_group = ?"
                    )))
                    .bind(instance)
                    .bind(directory_group)
                    .execute(&mut *conn)
                    .await?;
                }
            }
            Self::Members {
                instance,
                directory_group,
                added,
                removed,
            } => {
                for account in added {
                    sqlx::query(
                        "INSERT OR IGNORE INTO group_members (instance, directory_group, \
                         account_id) VALUES (?, ?, ?)",
                    )
                    .bind(instance)
                    .bind(directory_group)
                    .bind(account)
                    .execute(&mut *conn)
                    .await?;
                }
                for account in removed {
                    sqlx::query(
                        "DELETE FROM group_members WHERE instance = ? AND directory_group = ? \
                         AND account_id = ?",
                    )
                    .bind(instance)
                    .bind(directory_group)
                    .bind(account)
                    .execute(&mut *conn)
                    .await?;
                }
            }
        }
        Ok(())
    }
}

impl Store {
    /// The members the engine pushed into the groups of `instance`, by directory group.
    ///
    /// # Errors
    ///
    /// When the store cannot be read.
    pub async fn group_members(
        &self,
        instance: &str,
    ) -> Result<std::collections::BTreeMap<String, Vec<String>>, StateError> {
        let rows = sqlx::query(
            "SELECT directory_group, account_id FROM group_members WHERE instance = ? \
             ORDER BY directory_group, account_id",
        )
        .bind(instance)
        .fetch_all(self.pool())
        .await
        .map_err(|e| self.error(e))?;
        let mut members: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        for row in &rows {
            let group: String = row.try_get("directory_group").map_err(|e| self.error(e))?;
            let account: String = row.try_get("account_id").map_err(|e| self.error(e))?;
            members.entry(group).or_default().push(account);
        }
        Ok(members)
    }

    /// The group links of `instance`, by directory group name.
    ///
    /// # Errors
    ///
    /// When the store cannot be read.
    pub async fn group_links(&self, instance: &str) -> Result<Vec<GroupLink>, StateError> {
        let rows = sqlx::query(
            "SELECT instance, directory_group, app_group_id, name, origin, deletable \
             FROM group_links WHERE instance = ? ORDER BY directory_group",
        )
        .bind(instance)
        .fetch_all(self.pool())
        .await
        .map_err(|e| self.error(e))?;
        rows.iter()
            .map(|row| {
                let origin: String = row.try_get("origin")?;
                Ok(GroupLink {
                    instance: row.try_get("instance")?,
                    directory_group: row.try_get("directory_group")?,
                    app_group_id: row.try_get("app_group_id")?,
                    name: row.try_get("name")?,
                    origin: Origin::parse(&origin),
                    deletable: row.try_get("deletable")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(|e| self.error(e))
    }
}
