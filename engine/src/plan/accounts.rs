//! An instance's accounts as planning keeps them: imported page by page into one compact
//! table (the text in an [`Arena`], no `serde_json::Value`), indexed by id, with the
//! case-insensitive matching index built only when someone needs matching.

use std::borrow::Cow;

use connector_sdk::{Account, Capability, Connector, Identity, PageRequest};

use super::arena::{Arena, Span};
use super::index::{MAX_ROWS, NONE, StrIndex};
use super::parallel;
use crate::directory::Directory;

/// The most accounts a listing's `totalResults` may make the table reserve up front.
const MAX_RESERVE: usize = 1 << 22;

/// One account.
#[derive(Debug, Clone, Copy)]
struct Row {
    /// The service's id.
    id: Span,
    /// The sign-in name.
    user_name: Span,
    /// SCIM `externalId`.
    external_id: Option<Span>,
    /// Primary email.
    email: Option<Span>,
    /// First of the account's SKUs in [`Accounts::licenses`].
    licenses_start: u32,
    /// How many SKUs it holds.
    licenses_len: u32,
    /// Whether it can sign in.
    active: bool,
    /// Its managed attributes as the app holds them (JSON, see
    /// [`Connector::managed_part`]), to judge drift by.
    held: Option<Span>,
    /// Whether an earlier row has its id (a listing that repeated it): left out.
    repeat: bool,
}

/// The accounts of an instance, in listing order; a repeated id counts once.
#[derive(Debug)]
pub(crate) struct Accounts {
    /// The text of every row.
    text: Arena,
    /// The rows.
    rows: Vec<Row>,
    /// SKUs held, for every row (each row has a range).
    licenses: Vec<Span>,
    /// Rows by id.
    by_id: StrIndex,
    /// How many rows are repeats.
    repeats: usize,
}

/// One account, borrowed from [`Accounts`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct AccountView<'a> {
    /// Its row.
    pub row: u32,
    /// The service's id.
    pub id: &'a str,
    /// The sign-in name.
    pub user_name: &'a str,
    /// Whether it can sign in.
    pub active: bool,
    /// Its managed attributes as the app holds them (JSON), when the connector keeps them.
    pub held: Option<&'a str>,
    /// The table.
    table: &'a Accounts,
    /// Its SKUs.
    licenses: &'a [Span],
}

impl<'a> AccountView<'a> {
    /// The SKUs the account visibly holds.
    pub(super) fn licenses(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        let text = &self.table.text;
        self.licenses.iter().map(move |span| text.get(*span))
    }
}

impl Accounts {
    /// An empty table with room for `rows` accounts.
    pub(super) fn with_capacity(rows: usize) -> Self {
        let rows = rows.min(MAX_RESERVE);
        Self {
            text: Arena::with_capacity(rows * 64),
            rows: Vec::with_capacity(rows),
            licenses: Vec::new(),
            by_id: StrIndex::with_capacity(rows),
            repeats: 0,
        }
    }

    /// Adds a page of accounts; an id listed before (index paging is not stable, so a
    /// listing can repeat one) keeps its first listing. Fails only when the table is full.
    #[cfg(test)]
    pub(super) fn push_page(&mut self, accounts: &[Account]) -> Result<(), String> {
        self.push_page_with(accounts, |_| None)
    }

    /// [`push_page`](Self::push_page), keeping what `held` gives of each account (the
    /// JSON of its managed attributes).
    pub(super) fn push_page_with(
        &mut self,
        accounts: &[Account],
        held: impl Fn(&Account) -> Option<String>,
    ) -> Result<(), String> {
        let full = || format!("more than {MAX_ROWS} accounts or 4 GiB of account names");
        if self.rows.len().saturating_add(accounts.len()) > MAX_ROWS {
            return Err(full());
        }
        let first = self.rows.len();
        for account in accounts {
            let mut row = self.push_row(account).ok_or_else(full)?;
            if let Some(part) = held(account) {
                row.held = Some(self.text.push(&part).ok_or_else(full)?);
            }
            self.rows.push(row);
        }
        let mut found = vec![NONE; accounts.len()];
        let (rows, text) = (&self.rows, &self.text);
        self.by_id.insert_many(
            |i| accounts[i].id.as_str(),
            first as u32,
            |r| text.get(rows[r as usize].id),
            &mut found,
        );
        for (row, found) in self.rows[first..].iter_mut().zip(found) {
            if found != NONE {
                row.repeat = true;
                self.repeats += 1;
            }
        }
        Ok(())
    }

    /// Appends the text of `account`; `None` when the arena is full.
    fn push_row(&mut self, account: &Account) -> Option<Row> {
        let text = &mut self.text;
        let id = text.push(&account.id)?;
        let user_name = text.push(&account.user_name)?;
        let external_id = match &account.external_id {
            Some(external) => Some(text.push(external)?),
            None => None,
        };
        let email = match &account.email {
            Some(email) if *email == account.user_name => Some(user_name),
            Some(email) => Some(text.push(email)?),
            None => None,
        };
        let licenses_start = u32::try_from(self.licenses.len()).ok()?;
        for sku in &account.licenses {
            let span = text.push(sku)?;
            self.licenses.push(span);
        }
        Some(Row {
            id,
            user_name,
            external_id,
            email,
            licenses_start,
            licenses_len: u32::try_from(account.licenses.len()).ok()?,
            active: account.active,
            held: None,
            repeat: false,
        })
    }

    /// Gives back the room reserved but not used.
    pub(super) fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.rows.shrink_to_fit();
        self.licenses.shrink_to_fit();
    }

    /// The number of accounts (repeats left out).
    pub(super) fn count(&self) -> usize {
        self.rows.len() - self.repeats
    }

    /// The number of rows (`0..rows()` are valid rows; repeats among them).
    pub(super) fn rows(&self) -> usize {
        self.rows.len()
    }

    /// The account at `row` (rows are `0..len()`).
    pub(super) fn get(&self, row: u32) -> AccountView<'_> {
        let r = &self.rows[row as usize];
        let start = r.licenses_start as usize;
        AccountView {
            row,
            id: self.text.get(r.id),
            user_name: self.text.get(r.user_name),
            active: r.active,
            held: r.held.map(|span| self.text.get(span)),
            table: self,
            licenses: self
                .licenses
                .get(start..start + r.licenses_len as usize)
                .unwrap_or_default(),
        }
    }

    /// Every account, in listing order (repeats left out).
    pub(super) fn iter(&self) -> impl Iterator<Item = AccountView<'_>> {
        (0..self.rows.len() as u32)
            .filter(|row| !self.rows[*row as usize].repeat)
            .map(|row| self.get(row))
    }

    /// The row of the account with id `id`.
    #[cfg(test)]
    pub(super) fn find_id(&self, id: &str) -> Option<u32> {
        self.by_id
            .get(id, |r| self.text.get(self.rows[r as usize].id))
    }

    /// The rows of the accounts with ids `id(i)` for `i` in `0..out.len()`, or [`NONE`]
    /// (see [`StrIndex::get_many`]).
    pub(super) fn find_ids<'k>(&self, id: impl Fn(usize) -> &'k str, out: &mut [u32]) {
        self.by_id
            .get_many(id, |r| self.text.get(self.rows[r as usize].id), out);
    }

    /// Whether the account at `row` is active, and whether it visibly holds SKUs.
    pub(super) fn flags(&self, row: u32) -> (bool, bool) {
        let r = &self.rows[row as usize];
        (r.active, r.licenses_len > 0)
    }
}

/// Every account of the instance: the listing, page by page, when the connector imports,
/// else a `find` per directory person.
pub(crate) async fn import(
    connector: &dyn Connector,
    directory: &Directory,
) -> Result<Accounts, String> {
    let mut table: Option<Accounts> = None;
    if connector.manifest().can(Capability::Import) {
        let size = connector.manifest().provisioning.dialect.page_size;
        let mut request = Some(PageRequest::first(size));
        while let Some(page_request) = request {
            let page = connector
                .list(page_request)
                .await
                .map_err(|e| format!("cannot import accounts: {e}"))?;
            let hint = page.total_results.map_or(page.items.len(), |n| n as usize);
            let table = table.get_or_insert_with(|| Accounts::with_capacity(hint));
            table.push_page_with(&page.items, |a| held(connector, a))?;
            request = page.next;
        }
    } else {
        let table = table.get_or_insert_with(|| Accounts::with_capacity(0));
        for who in &directory.people {
            let found = connector
                .find(who)
                .await
                .map_err(|e| format!("cannot find {}: {e}", who.login))?;
            if let Some(account) = found {
                table.push_page_with(std::slice::from_ref(&account), |a| held(connector, a))?;
            }
        }
    }
    let mut table = table.unwrap_or_else(|| Accounts::with_capacity(0));
    table.shrink_to_fit();
    Ok(table)
}

/// The JSON of the managed attributes `account` holds, to judge drift by.
pub(super) fn held(connector: &dyn Connector, account: &Account) -> Option<String> {
    connector
        .managed_part(&account.attributes)
        .map(|part| part.to_string())
}

/// `text` lowercased as [`str::to_lowercase`] does, borrowed when it already is.
pub(crate) fn lower(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        if text.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(text.to_ascii_lowercase())
        } else {
            Cow::Borrowed(text)
        }
    } else {
        let lowered = text.to_lowercase();
        if lowered == text {
            Cow::Borrowed(text)
        } else {
            Cow::Owned(lowered)
        }
    }
}

/// The accounts that may belong to people without one: for each such person, the first
/// account listed whose `externalId` is their id, the first whose email or user name is
/// their email, and the first whose email or user name is their login (both
/// case-insensitive).
///
/// Only these people's keys are hashed; the accounts are read once, in order, against
/// that small table. (Hashing every account's keys instead costs a table as large as the
/// app, read in random order, for the few people a steady-state plan needs to match.)
pub(crate) struct Matching {
    /// Per person asked about: the candidates by external id, email and login.
    candidates: Vec<[u32; 3]>,
}

impl Matching {
    /// The candidates of `people` (in the order [`find`](Self::find) is asked).
    pub(super) fn new(accounts: &Accounts, people: &[&Identity]) -> Self {
        if people.is_empty() {
            return Self {
                candidates: Vec::new(),
            };
        }
        let n = people.len();
        // Key ids: a person's index (ids), or 2 × index (+ 1 for the login) (mail keys);
        // a key asked by several people has the id of the first.
        let mut ids = StrIndex::with_capacity(n);
        let mut id_key = Vec::with_capacity(n);
        for (q, who) in people.iter().enumerate() {
            let q = q as u32;
            let key_of = |k: u32| people[k as usize].id.as_str();
            id_key.push(ids.insert(&who.id, q, key_of).unwrap_or(q));
        }
        let mut lowered = Arena::with_capacity(n * 48);
        let mut spans = Vec::with_capacity(2 * n);
        let mut mail_key = Vec::with_capacity(2 * n);
        let mut mails = StrIndex::with_capacity(2 * n);
        for (q, who) in people.iter().enumerate() {
            for (k, text) in [(2 * q, &who.email), (2 * q + 1, &who.login)] {
                let k = k as u32;
                let span = lowered.push(&lower(text)).unwrap_or_default();
                spans.push(span);
                let (lowered, spans) = (&lowered, &spans);
                let key_of = |k: u32| lowered.get(spans[k as usize]);
                mail_key.push(mails.insert(lowered.get(span), k, key_of).unwrap_or(k));
            }
        }
        // The first account with each key, in listing order: the first in each range
        // of accounts (ranges read on every core), then the first range's that has one.
        let text = &accounts.text;
        let key_of = |k: u32| lowered.get(spans[k as usize]);
        let firsts = parallel::map_ranges(accounts.rows.len(), |range| {
            let mut by_id = vec![NONE; n];
            let mut by_mail = vec![NONE; 2 * n];
            for row in range {
                let r = &accounts.rows[row];
                if r.repeat {
                    continue;
                }
                let row = row as u32;
                if let Some(external) = r.external_id
                    && let Some(k) = ids.get(text.get(external), |k| people[k as usize].id.as_str())
                    && by_id[k as usize] == NONE
                {
                    by_id[k as usize] = row;
                }
                // A user name equal to the email is the same key.
                let user_name = Some(r.user_name).filter(|u| r.email != Some(*u));
                for span in [r.email, user_name].into_iter().flatten() {
                    if let Some(k) = mails.get(&lower(text.get(span)), key_of)
                        && by_mail[k as usize] == NONE
                    {
                        by_mail[k as usize] = row;
                    }
                }
            }
            (by_id, by_mail)
        });
        let (mut by_id, mut by_mail) = (vec![NONE; n], vec![NONE; 2 * n]);
        for (ids, mails) in firsts {
            for (first, found) in by_id.iter_mut().zip(ids) {
                *first = (*first).min(found);
            }
            for (first, found) in by_mail.iter_mut().zip(mails) {
                *first = (*first).min(found);
            }
        }
        let candidates = (0..n)
            .map(|q| {
                [
                    by_id[id_key[q] as usize],
                    by_mail[mail_key[2 * q] as usize],
                    by_mail[mail_key[2 * q + 1] as usize],
                ]
            })
            .collect();
        Self { candidates }
    }

    /// The first unclaimed candidate of the `q`-th person asked about.
    pub(super) fn find(&self, q: usize, claimed: &[bool]) -> Option<u32> {
        let free = |row: &u32| *row != NONE && !claimed.get(*row as usize).copied().unwrap_or(true);
        self.candidates.get(q)?.iter().copied().find(free)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn account(id: &str, user_name: &str, external: Option<&str>, email: Option<&str>) -> Account {
        Account {
            id: id.into(),
            user_name: user_name.into(),
            external_id: external.map(Into::into),
            email: email.map(Into::into),
            display_name: None,
            active: true,
            licenses: vec!["sku".into()],
            not_stored: Vec::new(),
            attributes: serde_json::Value::Null,
            refused: Vec::new(),
        }
    }

    fn person(id: &str, login: &str, email: &str) -> Identity {
        Identity {
            id: id.into(),
            login: login.into(),
            email: email.into(),
            ..Identity::default()
        }
    }

    #[test]
    fn repeated_ids_keep_their_first_listing() {
        let mut table = Accounts::with_capacity(1);
        let page = [
            account("1", "a@x.io", None, None),
            account("2", "b@x.io", None, None),
            account("1", "again@x.io", None, None),
        ];
        table.push_page(&page).unwrap();
        table.push_page(&page[1..2]).unwrap();
        assert_eq!(table.count(), 2);
        assert_eq!(table.rows(), 4);
        let ids: Vec<_> = table.iter().map(|a| (a.id, a.user_name)).collect();
        assert_eq!(ids, [("1", "a@x.io"), ("2", "b@x.io")]);
        assert_eq!(
            table.find_id("1").map(|r| table.get(r).user_name),
            Some("a@x.io")
        );
        assert_eq!(table.get(0).licenses().collect::<Vec<_>>(), ["sku"]);
        let mut rows = [0; 3];
        table.find_ids(|i| ["2", "3", "1"][i], &mut rows);
        assert_eq!(rows, [1, NONE, 0]);
    }

    #[test]
    fn lower_is_to_lowercase() {
        for text in ["abc", "ABC", "Ünïcødé", "straße", "ǅ", "", "İ"] {
            assert_eq!(lower(text), text.to_lowercase(), "{text}");
        }
    }

    /// The matching the engine did before `Matching`: one map over every account's
    /// keys, the first listing of each key kept.
    fn reference(accounts: &[Account], who: &Identity, claimed: &[bool]) -> Option<u32> {
        let mut by_key: HashMap<String, u32> = HashMap::new();
        for (row, a) in accounts.iter().enumerate() {
            let row = row as u32;
            if let Some(external) = &a.external_id {
                by_key.entry(format!("x:{external}")).or_insert(row);
            }
            if let Some(email) = &a.email {
                by_key
                    .entry(format!("k:{}", email.to_lowercase()))
                    .or_insert(row);
            }
            by_key
                .entry(format!("k:{}", a.user_name.to_lowercase()))
                .or_insert(row);
        }
        [
            format!("x:{}", who.id),
            format!("k:{}", who.email.to_lowercase()),
            format!("k:{}", who.login.to_lowercase()),
        ]
        .iter()
        .filter_map(|k| by_key.get(k).copied())
        .find(|row| !claimed[*row as usize])
    }

    #[test]
    fn matching_finds_what_one_map_of_every_account_found() {
        let accounts = vec![
            account("a1", "Ada@X.io", Some("p1"), Some("ada@x.io")),
            account("a2", "ada@x.io", None, None),
            account("a3", "grace", Some("p2"), Some("GRACE@x.io")),
            account("a4", "Grace@X.io", Some("p2"), None),
            account("a5", "alan@x.io", None, Some("ALAN@x.io")),
            account("a6", "Straße@x.io", None, None),
            account("a7", "", None, None),
        ];
        let people = [
            person("p1", "ada@x.io", "ada@x.io"),
            person("p2", "grace@x.io", "other@x.io"),
            person("p3", "ALAN@X.IO", "alan@x.io"),
            person("p4", "nobody@x.io", "STRASSE@x.io"),
            person("p5", "straße@x.io", "x"),
            person("p1", "ada@x.io", "ada@x.io"),
            person("p6", "", ""),
        ];
        let mut table = Accounts::with_capacity(0);
        table.push_page(&accounts).unwrap();
        let asked: Vec<&Identity> = people.iter().collect();
        let matching = Matching::new(&table, &asked);
        for claimed_row in [None, Some(0), Some(2), Some(4)] {
            let mut claimed = vec![false; accounts.len()];
            if let Some(row) = claimed_row {
                claimed[row] = true;
            }
            for (q, who) in people.iter().enumerate() {
                assert_eq!(
                    matching.find(q, &claimed),
                    reference(&accounts, who, &claimed),
                    "{} with {claimed_row:?} claimed",
                    who.id
                );
            }
        }
    }
}
