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
    pub(super) fn parse(text: &str) -> Self {
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
    /// Whether the engine last left the account active (`Some(true)`: it created or
    /// enabled it) or disabled (`Some(false)`); `None` when it does not know (an
    /// adopted account it has not enabled or disabled since, or an older link).
    pub active: Option<bool>,
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

/// The columns of a [`Link`], as [`link_of_row`] reads them.
const LINK_SELECT: &str = "SELECT instance, identity_id, login, account_id, user_name, origin, \
                           attributes_hash, attributes, active FROM links";

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

/// One chunk as SQLite gives it: the links as JSON, the cursor after them, how many.
type Chunk = (String, Option<String>, i64);

/// The length of a field that is NULL, in a [`ParsedChunk`].
const NULL: u32 = u32::MAX;

/// A chunk of links parsed: each row's identity id, account id and hash, as (start,
/// length) in `text` (length [`NULL`] for no hash).
#[derive(Debug, Default)]
struct ParsedChunk {
    /// The fields, back to back.
    text: String,
    /// The rows.
    rows: Vec<[(u32, u32); 3]>,
}

impl ParsedChunk {
    /// Parses a chunk's JSON.
    fn parse(json: &str) -> Result<Self, serde_json::Error> {
        let rows: Vec<(Text, Text, Option<Text>)> = serde_json::from_str(json)?;
        let mut chunk = Self {
            text: String::with_capacity(json.len()),
            rows: Vec::with_capacity(rows.len()),
        };
        for (identity_id, account_id, hash) in &rows {
            let row = [
                chunk.push(&identity_id.0),
                chunk.push(&account_id.0),
                hash.as_ref().map_or((0, NULL), |h| chunk.push(&h.0)),
            ];
            chunk.rows.push(row);
        }
        Ok(chunk)
    }

    /// Appends a field.
    fn push(&mut self, field: &str) -> (u32, u32) {
        let start = u32::try_from(self.text.len()).unwrap_or(u32::MAX);
        self.text.push_str(field);
        (start, u32::try_from(field.len()).unwrap_or(0))
    }

    /// A field.
    fn get(&self, (start, len): (u32, u32)) -> &str {
        let start = start as usize;
        self.text
            .get(start..start + len as usize)
            .unwrap_or_default()
    }
}

/// Reads the links of `instance` chunk by chunk into `chunks`: the query of the next
/// chunk is started before this one is parsed, so that SQLite builds it meanwhile.
async fn read_chunks(
    pool: sqlx::SqlitePool,
    instance: String,
    in_storage_order: bool,
    chunks: tokio::sync::mpsc::Sender<Result<ParsedChunk, sqlx::Error>>,
) {
    let first = fetch_chunk(pool.clone(), instance.clone(), in_storage_order, None);
    let mut pending = Some(tokio::spawn(first));
    while let Some(fetching) = pending.take() {
        let parsed = match fetching.await {
            Ok(Ok((json, last, count))) => {
                if let Some(last) = last.filter(|_| count >= LINKS_PER_CHUNK) {
                    let next =
                        fetch_chunk(pool.clone(), instance.clone(), in_storage_order, Some(last));
                    pending = Some(tokio::spawn(next));
                }
                ParsedChunk::parse(&json).map_err(|e| sqlx::Error::Decode(Box::new(e)))
            }
            Ok(Err(error)) => Err(error),
            Err(error) => Err(sqlx::Error::Protocol(format!(
                "reading the links stopped: {error}"
            ))),
        };
        let failed = parsed.is_err();
        if chunks.send(parsed).await.is_err() || failed {
            return;
        }
    }
}

/// Reads the chunk of links after `after` (a rowid as text, or a person id), or the
/// first chunk.
async fn fetch_chunk(
    pool: sqlx::SqlitePool,
    instance: String,
    in_storage_order: bool,
    after: Option<String>,
) -> Result<Chunk, sqlx::Error> {
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
}

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
        let sql = format!("{LINK_SELECT} WHERE instance = ?");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(instance)
            .fetch_all(self.pool())
            .await
            .map_err(|e| self.error(e))?;
        rows.iter()
            .map(|row| link_of_row(row).map(|link| (link.identity_id.clone(), link)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(|e| self.error(e))
    }

    /// The links of `instance` of the people `identity_ids` (those who have one), in
    /// person id order.
    ///
    /// # Errors
    ///
    /// When the store cannot be read.
    pub async fn links_of(
        &self,
        instance: &str,
        identity_ids: &[&str],
    ) -> Result<Vec<Link>, StateError> {
        let rows = self
            .rows_for_people(LINK_SELECT, instance, identity_ids)
            .await?;
        let mut links = rows
            .iter()
            .map(link_of_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.error(e))?;
        links.sort_by(|a, b| a.identity_id.cmp(&b.identity_id));
        Ok(links)
    }

    /// The person `account_id` of `instance` is linked to (their id and login), if any.
    ///
    /// # Errors
    ///
    /// When the store cannot be read.
    pub async fn account_owner(
        &self,
        instance: &str,
        account_id: &str,
    ) -> Result<Option<(String, String)>, StateError> {
        sqlx::query_as("SELECT identity_id, login FROM links WHERE instance = ? AND account_id = ?")
            .bind(instance)
            .bind(account_id)
            .fetch_optional(self.pool())
            .await
            .map_err(|e| self.error(e))
    }

    /// Gives `visitor` every link of `instance` (without logins or snapshots, which
    /// [`for_each_link_detail`](Self::for_each_link_detail) reads for the few who need
    /// them); nothing is kept but what the visitor keeps.
    ///
    /// The rows come in chunks, each one result row holding a JSON array of links (a
    /// row through sqlx costs microseconds; the JSON costs a tenth of that); SQLite
    /// builds the next chunk while a task parses the last and the caller takes the one
    /// before. When the instance holds
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
        let (chunks, mut read) = tokio::sync::mpsc::channel(2);
        tokio::spawn(read_chunks(
            self.pool.clone(),
            instance.to_owned(),
            in_storage_order,
            chunks,
        ));
        while let Some(chunk) = read.recv().await {
            let chunk = chunk.map_err(|e| self.error(e))?;
            for row in &chunk.rows {
                visitor.visit(LinkRow {
                    identity_id: chunk.get(row[0]),
                    account_id: chunk.get(row[1]),
                    attributes_hash: (row[2].1 != NULL).then(|| chunk.get(row[2])),
                });
            }
        }
        Ok(())
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

    /// How many links `instance` has.
    ///
    /// # Errors
    ///
    /// When the store cannot be read.
    pub async fn link_count(&self, instance: &str) -> Result<u64, StateError> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM links WHERE instance = ?")
            .bind(instance)
            .fetch_one(self.pool())
            .await
            .map_err(|e| self.error(e))?;
        Ok(u64::try_from(count).unwrap_or_default())
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
        let mut licenses = BTreeMap::new();
        self.add_licenses(&rows, &mut licenses)?;
        Ok(licenses)
    }

    /// The licences the engine gave in `instance` to the people `identity_ids`: person →
    /// SKU → state.
    ///
    /// # Errors
    ///
    /// When the store cannot be read.
    pub async fn licenses_of(
        &self,
        instance: &str,
        identity_ids: &[&str],
    ) -> Result<BTreeMap<String, BTreeMap<String, LicenseState>>, StateError> {
        let rows = self
            .rows_for_people(
                "SELECT identity_id, sku, state FROM licenses",
                instance,
                identity_ids,
            )
            .await?;
        let mut licenses = BTreeMap::new();
        self.add_licenses(&rows, &mut licenses)?;
        Ok(licenses)
    }

    /// The rows `select` (`SELECT … FROM <table>`) reads for `instance` and the people
    /// `identity_ids`, [`IDS_PER_QUERY`] ids a query.
    async fn rows_for_people(
        &self,
        select: &str,
        instance: &str,
        identity_ids: &[&str],
    ) -> Result<Vec<sqlx::sqlite::SqliteRow>, StateError> {
        let mut rows = Vec::new();
        for chunk in identity_ids.chunks(IDS_PER_QUERY) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let sql = format!("{select} WHERE instance = ? AND identity_id IN ({marks})");
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(instance);
            for id in chunk {
                query = query.bind(*id);
            }
            rows.extend(
                query
                    .fetch_all(self.pool())
                    .await
                    .map_err(|e| self.error(e))?,
            );
        }
        Ok(rows)
    }

    /// Adds licence rows (`identity_id`, `sku`, `state`) to `licenses`.
    fn add_licenses(
        &self,
        rows: &[sqlx::sqlite::SqliteRow],
        licenses: &mut BTreeMap<String, BTreeMap<String, LicenseState>>,
    ) -> Result<(), StateError> {
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
        Ok(())
    }
}

/// A row of [`LINK_SELECT`].
fn link_of_row(row: &sqlx::sqlite::SqliteRow) -> Result<Link, sqlx::Error> {
    Ok(Link {
        instance: row.try_get("instance")?,
        identity_id: row.try_get("identity_id")?,
        login: row.try_get("login")?,
        account_id: row.try_get("account_id")?,
        user_name: row.try_get("user_name")?,
        origin: Origin::parse(row.try_get("origin")?),
        attributes_hash: row.try_get("attributes_hash")?,
        attributes: row.try_get("attributes")?,
        active: row.try_get("active")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keeps what it is given.
    #[derive(Default)]
    struct Kept {
        expected: usize,
        rows: Vec<(String, String, Option<String>)>,
    }

    impl LinkVisitor for Kept {
        fn expect(&mut self, count: usize) {
            self.expected = count;
        }

        fn visit(&mut self, link: LinkRow<'_>) {
            self.rows.push((
                link.identity_id.to_owned(),
                link.account_id.to_owned(),
                link.attributes_hash.map(str::to_owned),
            ));
        }
    }

    /// Inserts `n` links of `instance`, shuffled so that storage order is not id order.
    async fn insert(store: &Store, instance: &str, n: usize) {
        let rows: Vec<_> = (0..n)
            .map(|i| (i * 7919) % n)
            .map(|i| {
                let hash = (i % 3 != 0).then(|| format!("h\"{i}"));
                (format!("p{i:06}"), format!("a-\\{i}"), hash)
            })
            .collect();
        sqlx::query(
            "INSERT INTO links (instance, identity_id, login, account_id, user_name, origin, \
             attributes_hash, updated_at) SELECT ?, value->>0, 'l', value->>1, 'u', 'created', \
             value->>2, 't' FROM json_each(?)",
        )
        .bind(instance)
        .bind(serde_json::to_string(&rows).unwrap())
        .execute(store.pool())
        .await
        .unwrap();
    }

    #[tokio::test]
    async fn every_link_comes_once_whichever_way_it_is_read() {
        let store = Store::in_memory().await.unwrap();
        // `big` holds most of the table (read in storage order, in several chunks);
        // `small` a sliver (read through the index).
        insert(&store, "big", 45_000).await;
        insert(&store, "small", 1_000).await;
        for (instance, n) in [("big", 45_000), ("small", 1_000), ("none", 0)] {
            let mut kept = Kept::default();
            store.for_each_link(instance, &mut kept).await.unwrap();
            assert_eq!((kept.expected, kept.rows.len()), (n, n), "{instance}");
            kept.rows.sort();
            for (i, (person, account, hash)) in kept.rows.iter().enumerate() {
                assert_eq!(person, &format!("p{i:06}"));
                assert_eq!(account, &format!("a-\\{i}"));
                assert_eq!(hash, &(i % 3 != 0).then(|| format!("h\"{i}")));
            }
        }
    }
}
