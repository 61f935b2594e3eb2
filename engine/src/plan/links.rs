//! An instance's links as planning keeps them: streamed from the state into a compact
//! table (the text in an [`Arena`], the attribute hash as 32 bytes), indexed by person.
//! Logins and the last applied snapshots are read later, only for the people whose
//! steps show them.

use super::arena::{Arena, Span};
use super::fingerprint::{Digest32, parse_hex};
use super::index::{MAX_ROWS, NONE, StrIndex};
use crate::state::{Link, LinkRow, LinkVisitor, StateError, Store};

/// The attribute hash a link holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StoredHash {
    /// None recorded (an adopted or recovered account).
    Missing,
    /// A SHA-256.
    Digest(Digest32),
    /// Something that is not a hash this engine writes: it matches nothing.
    Other,
}

/// One link.
#[derive(Debug, Clone, Copy)]
struct Row {
    /// The person's id.
    identity_id: Span,
    /// The account's id.
    account_id: Span,
    /// The attribute hash.
    hash: StoredHash,
}

/// One link, borrowed from [`Links`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct LinkView<'a> {
    /// Its row.
    pub row: u32,
    /// The person's id.
    pub identity_id: &'a str,
    /// The account's id.
    pub account_id: &'a str,
    /// The attribute hash.
    pub hash: StoredHash,
}

/// The links of one instance.
#[derive(Debug, Default)]
pub(crate) struct Links {
    /// The text of every row.
    text: Arena,
    /// The rows, in the store's order.
    rows: Vec<Row>,
    /// Rows by person id.
    by_person: Option<StrIndex>,
    /// Whether a row did not fit.
    full: bool,
}

impl LinkVisitor for Links {
    fn expect(&mut self, count: usize) {
        let count = count.min(MAX_ROWS);
        self.rows.reserve(count);
        self.text = Arena::with_capacity(count.saturating_mul(32));
    }

    fn visit(&mut self, link: LinkRow<'_>) {
        self.full |= self.push(link).is_none();
    }
}

impl Links {
    /// Reads the links of `instance`.
    ///
    /// # Errors
    ///
    /// When the store cannot be read, or holds more links than a table can.
    pub(super) async fn load(store: &Store, instance: &str) -> Result<Self, StateError> {
        let mut links = Self::default();
        store.for_each_link(instance, &mut links).await?;
        links.indexed(store, instance)
    }

    /// The table of `rows`, links of `instance` already read (a scoped plan's).
    ///
    /// # Errors
    ///
    /// When there are more links than a table can hold.
    pub(super) fn of(store: &Store, instance: &str, rows: &[Link]) -> Result<Self, StateError> {
        let mut links = Self::default();
        links.expect(rows.len());
        for link in rows {
            links.visit(LinkRow {
                identity_id: &link.identity_id,
                account_id: &link.account_id,
                attributes_hash: link.attributes_hash.as_deref(),
            });
        }
        links.indexed(store, instance)
    }

    /// The table once every row is in, indexed by person.
    fn indexed(mut self, store: &Store, instance: &str) -> Result<Self, StateError> {
        if self.full {
            return Err(StateError {
                path: store.path().display().to_string(),
                message: format!("instance `{instance}` has more links than one plan can hold"),
            });
        }
        self.text.shrink_to_fit();
        self.rows.shrink_to_fit();
        let mut index = StrIndex::with_capacity(self.rows.len());
        let (text, rows) = (&self.text, &self.rows);
        let person = |k: u32| text.get(rows[k as usize].identity_id);
        // The store's primary key makes every person id unique: nothing is found.
        let mut found = vec![NONE; rows.len()];
        index.insert_many(|i| person(i as u32), 0, person, &mut found);
        self.by_person = Some(index);
        Ok(self)
    }

    /// Adds one row; `None` when the table is full.
    fn push(&mut self, row: LinkRow<'_>) -> Option<()> {
        if self.rows.len() >= MAX_ROWS {
            return None;
        }
        let hash = match row.attributes_hash {
            None => StoredHash::Missing,
            Some(text) => parse_hex(text).map_or(StoredHash::Other, StoredHash::Digest),
        };
        let row = Row {
            identity_id: self.text.push(row.identity_id)?,
            account_id: self.text.push(row.account_id)?,
            hash,
        };
        self.rows.push(row);
        Some(())
    }

    /// The number of links.
    pub(super) fn len(&self) -> usize {
        self.rows.len()
    }

    /// The link at `row` (rows are `0..len()`).
    pub(super) fn get(&self, row: u32) -> LinkView<'_> {
        let r = &self.rows[row as usize];
        LinkView {
            row,
            identity_id: self.text.get(r.identity_id),
            account_id: self.text.get(r.account_id),
            hash: r.hash,
        }
    }

    /// The account id of the link at `row`.
    pub(super) fn account_id(&self, row: u32) -> &str {
        self.text.get(self.rows[row as usize].account_id)
    }

    /// The attribute hash of the link at `row`.
    pub(super) fn hash(&self, row: u32) -> StoredHash {
        self.rows[row as usize].hash
    }

    /// The rows of the links of people `identity_id(i)` for `i` in `0..out.len()`, or
    /// [`NONE`](super::index::NONE) (see [`StrIndex::get_many`]).
    pub(super) fn find_many<'k>(&self, identity_id: impl Fn(usize) -> &'k str, out: &mut [u32]) {
        match &self.by_person {
            Some(index) => index.get_many(
                identity_id,
                |k| self.text.get(self.rows[k as usize].identity_id),
                out,
            ),
            None => out.fill(super::index::NONE),
        }
    }
}
