//! Links between directory people and app accounts, and the licences the engine gave.

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::Row;

use super::{StateError, Store};

/// How the engine came to manage an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// The engine created it.
    Created,
    /// It existed and the engine linked it (policy `adopt`).
    Adopted,
}

impl Origin {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Adopted => "adopted",
        }
    }

    /// Reads the stored spelling.
    fn parse(text: &str) -> Self {
        if text == "adopted" {
            Self::Adopted
        } else {
            Self::Created
        }
    }
}

/// One person's account in one instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    /// The instance.
    pub instance: String,
    /// The directory person's id.
    pub identity_id: String,
    /// The person's login when linked (for reports after they leave the directory).
    pub login: String,
    /// The app's account id.
    pub account_id: String,
    /// The account's sign-in name.
    pub user_name: String,
    /// How the engine came to manage it.
    pub origin: Origin,
    /// Hash of the attribute snapshot last applied.
    pub attributes_hash: Option<String>,
    /// The snapshot last applied (JSON object of profile fields).
    pub attributes: Option<String>,
}

/// One link as [`Store::for_each_link`] reads it, borrowed from the row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkRow<'a> {
    /// The directory person's id.
    pub identity_id: &'a str,
    /// The app's account id.
    pub account_id: &'a str,
    /// Hash of the attribute snapshot last applied.
    pub attributes_hash: Option<&'a str>,
}

/// What reads the links of an instance ([`Store::for_each_link`]).
pub trait LinkVisitor: Send {
    /// How many links are coming, before the first.
    fn expect(&mut self, count: usize);

    /// One link.
    fn visit(&mut self, link: LinkRow<'_>);
}

/// The most ids one `IN (...)` query binds.
const IDS_PER_QUERY: usize = 2000;

/// The most links one chunk of [`Store::for_each_link`] carries.
const LINKS_PER_CHUNK: i64 = 20_000;

/// A chunk of links as one JSON array, from `FROM links WHERE ...` (each query below
/// takes the instance, then the cursor if any, then the chunk size).
macro_rules! link_chunk {
    ($cursor:literal, $from:literal, $order:literal) => {
        concat!(
            "SELECT json_group_array(json_array(identity_id, account_id, attributes_hash)), ",
            "CAST(max(cursor) AS TEXT), count(*) FROM (SELECT ",
            $cursor,
            " AS cursor, identity_id, account_id, attributes_hash FROM links WHERE ",
            $from,
            " ORDER BY ",
            $order,
            " LIMIT ?)"
        )
    };
}

/// The first chunk in storage order.
const SCAN_FIRST: &str = link_chunk!("rowid", "+instance = ?", "rowid");
/// The next chunk in storage order.
const SCAN_NEXT: &str = link_chunk!("rowid", "+instance = ? AND rowid > ?", "rowid");
/// The first chunk in person id order (through the primary key's index).
const BY_PERSON_FIRST: &str = link_chunk!("identity_id", "instance = ?", "identity_id");
/// The next chunk in person id order.
const BY_PERSON_NEXT: &str = link_chunk!(
    "identity_id",
    "instance = ? AND identity_id > ?",
    "identity_id"
);

/// One chunk: the links as JSON, the cursor after them, how many.
type Chunk = (String, Option<String>, i64);

/// A JSON string, borrowed from the document unless it has escapes.
#[derive(Debug, serde::Deserialize)]
struct Text<'a>(#[serde(borrow)] std::borrow::Cow<'a, str>);

/// The state of a licence the engine gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LicenseState {
    /// Applied by the connector, or automatic with the account.
    Held,
    /// A manual task asked a person to assign it.
    Requested,
}

impl LicenseState {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Held => "held",
            Self::Requested => "requested",
        }
    }
}

impl Store {
    /// Every link of `instance`, by directory id.
    ///
    /// # Errors
    ///
    /// When the store cannot be read.
    pub async fn links(&self, instance: &str) -> Result<BTreeMap<String, Link>, StateError> {
        let rows = sqlx::query(
            "SELECT instance, identity_id, login, account_id, user_name, origin, \
             attributes_hash, attributes FROM links WHERE instance = ?",
        )
        .bind(instance)
        .fetch_all(self.pool())
        .await
        .map_err(|e| self.error(e))?;
        rows.iter()
            .map(|row| {
                let link = Link {
                    instance: row.try_get("instance")?,
                    identity_id: row.try_get("identity_id")?,
                    login: row.try_get("login")?,
                    account_id: row.try_get("account_id")?,
                    user_name: row.try_get("user_name")?,
                    origin: Origin::parse(row.try_get("origin")?),
                    attributes_hash: row.try_get("attributes_hash")?,
                    attributes: row.try_get("attributes")?,
                };
                Ok((link.identity_id.clone(), link))
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(|e| self.error(e))
    }

    /// Gives `visitor` every link of `instance` (without logins or snapshots, which
    /// [`for_each_link_detail`](Self::for_each_link_detail) reads for the few who need
    /// them); nothing is kept but what the visitor keeps.
    ///
    /// The rows come in chunks, each one result row holding a JSON array of links (a
    /// row through sqlx costs microseconds; the JSON costs a tenth of that), and SQLite
    /// builds the next chunk while this thread reads the last. When the instance holds
    /// a good share of the table, the chunks are read in storage order: following an
    /// index reads the rows in random order, about ten times slower per row once the
    /// table outgrows SQLite's cache.
    ///
    /// # Errors
    ///
    /// When the store cannot be read.
    pub async fn for_each_link(
        &self,
        instance: &str,
        visitor: &mut impl LinkVisitor,
    ) -> Result<(), StateError> {
        let (ours, all): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM links WHERE instance = ?), (SELECT COUNT(*) FROM links)",
        )
        .bind(instance)
        .fetch_one(self.pool())
        .await
        .map_err(|e| self.error(e))?;
        visitor.expect(usize::try_from(ours).unwrap_or(0));
        // `+instance` keeps SQLite from using an index for the condition.
        let in_storage_order = ours.saturating_mul(8) >= all;
        let mut fetching = Some(self.fetch_chunk(instance, in_storage_order, None));
        while let Some(fetched) = fetching.take() {
            let (chunk, last, count) = fetched
                .await
                .map_err(|e| self.error(e))?
                .map_err(|e| self.error(e))?;
            // The next chunk is built while this one is read.
            if let Some(last) = last.filter(|_| count >= LINKS_PER_CHUNK) {
                fetching = Some(self.fetch_chunk(instance, in_storage_order, Some(last)));
            }
            let rows: Vec<(Text, Text, Option<Text>)> =
                serde_json::from_str(&chunk).map_err(|e| self.error(e))?;
            for (identity_id, account_id, attributes_hash) in &rows {
                visitor.visit(LinkRow {
                    identity_id: &identity_id.0,
                    account_id: &account_id.0,
                    attributes_hash: attributes_hash.as_ref().map(|h| h.0.as_ref()),
                });
            }
        }
        Ok(())
    }

    /// Starts reading the chunk of links after `after` (a rowid as text, or a person
    /// id), or the first chunk.
    fn fetch_chunk(
        &self,
        instance: &str,
        in_storage_order: bool,
        after: Option<String>,
    ) -> tokio::task::JoinHandle<Result<Chunk, sqlx::Error>> {
        let (pool, instance) = (self.pool.clone(), instance.to_owned());
        tokio::spawn(async move {
            let query = match (&after, in_storage_order) {
                (None, true) => sqlx::query_as::<_, Chunk>(SCAN_FIRST).bind(instance),
                (None, false) => sqlx::query_as(BY_PERSON_FIRST).bind(instance),
                (Some(last), true) => {
                    let rowid = last
                        .parse::<i64>()
                        .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
                    sqlx::query_as(SCAN_NEXT).bind(instance).bind(rowid)
                }
                (Some(last), false) => sqlx::query_as(BY_PERSON_NEXT)
                    .bind(instance)
                    .bind(last.clone()),
            };
            query.bind(LINKS_PER_CHUNK).fetch_one(&pool).await
        })
    }

    /// Calls `visit` with the person id, the login when linked and the last applied
    /// snapshot (JSON), if any, of each link of `instance` among `identity_ids`.
    ///
    /// # Errors
    ///
    /// When the store cannot be read.
    pub async fn for_each_link_detail(
        &self,
        instance: &str,
        identity_ids: &[&str],
        mut visit: impl FnMut(&str, &str, Option<&str>) + Send,
    ) -> Result<(), StateError> {
        for chunk in identity_ids.chunks(IDS_PER_QUERY) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let sql = format!(
                "SELECT json_group_array(json_array(identity_id, login, attributes)) FROM links \
                 WHERE instance = ? AND identity_id IN ({marks})"
            );
            let mut query =
                sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql)).bind(instance);
            for id in chunk {
                query = query.bind(*id);
            }
            let found = query
                .fetch_one(self.pool())
                .await
                .map_err(|e| self.error(e))?;
            let rows: Vec<(Text, Text, Option<Text>)> =
                serde_json::from_str(&found).map_err(|e| self.error(e))?;
            for (identity_id, login, attributes) in &rows {
                visit(
                    &identity_id.0,
                    &login.0,
                    attributes.as_ref().map(|a| a.0.as_ref()),
                );
            }
        }
        Ok(())
    }

    /// How many links each instance has.
    ///
    /// # Errors
    ///
    /// When the store cannot be read.
    pub async fn link_counts(&self) -> Result<BTreeMap<String, i64>, StateError> {
        let rows = sqlx::query("SELECT instance, COUNT(*) AS n FROM links GROUP BY instance")
            .fetch_all(self.pool())
            .await
            .map_err(|e| self.error(e))?;
        rows.iter()
            .map(|row| Ok((row.try_get("instance")?, row.try_get("n")?)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(|e| self.error(e))
    }

    /// The licences the engine gave in `instance`: person → SKU → state.
    ///
    /// # Errors
    ///
    /// When the store cannot be read.
    pub async fn licenses(
        &self,
        instance: &str,
    ) -> Result<BTreeMap<String, BTreeMap<String, LicenseState>>, StateError> {
        let rows = sqlx::query("SELECT identity_id, sku, state FROM licenses WHERE instance = ?")
            .bind(instance)
            .fetch_all(self.pool())
            .await
            .map_err(|e| self.error(e))?;
        let mut licenses: BTreeMap<String, BTreeMap<String, LicenseState>> = BTreeMap::new();
        for row in rows {
            let person: String = row.try_get("identity_id").map_err(|e| self.error(e))?;
            let sku: String = row.try_get("sku").map_err(|e| self.error(e))?;
            let state: String = row.try_get("state").map_err(|e| self.error(e))?;
            let state = if state == "requested" {
                LicenseState::Requested
            } else {
                LicenseState::Held
            };
            licenses.entry(person).or_default().insert(sku, state);
        }
        Ok(licenses)
    }
}
