//! A scoped plan's reads: the accounts of the people in scope, each read by its id,
//! instead of a listing of the whole app, when that decides exactly as a listing would.
//!
//! A listing matters to a person's steps only through matching: a person to be given an
//! account who has no link is matched against every account (and one whose link points
//! at an account the app no longer has may match another). When nobody in scope is in
//! that case, their steps depend on their linked accounts alone, so reading those by id
//! gives the plan a listing would give. `tests/scoped_lookup.rs` compares the two on the
//! differential scenarios.

use std::collections::BTreeSet;

use connector_sdk::{Account, AccountRef, Capability, Connector, Error, LicenseMode};
use futures_util::StreamExt;
use futures_util::stream::FuturesOrdered;

use super::accounts::{Accounts, held};
use super::desired::Desired;
use crate::directory::Directory;
use crate::state::Link;

/// Account reads in flight at once, per instance (the connector's rate limiter paces them).
const READS_IN_FLIGHT: usize = 8;

/// Why a scoped plan of an instance lists the app after all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NeedsListing {
    /// Someone in scope is to have an account and has no link: matching reads them all.
    Unlinked(String),
    /// A linked account is gone from the app: its person may match another account.
    Gone(String),
    /// The connector cannot read one account by its id.
    NoRead,
    /// A listing is quicker than the reads by id (see [`fewer_pages`]): `pages` pages
    /// against `reads` reads.
    Fewer {
        /// Pages a listing of the instance's linked accounts takes.
        pages: u64,
        /// Accounts to read by id.
        reads: u64,
    },
}

impl std::fmt::Display for NeedsListing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unlinked(login) => write!(f, "{login} is to have an account and has no link"),
            Self::Gone(login) => write!(f, "the account linked to {login} is gone"),
            Self::NoRead => f.write_str("the connector cannot read an account by id"),
            Self::Fewer { pages, reads } => {
                write!(f, "a listing takes {pages} requests, reading by id {reads}")
            }
        }
    }
}

/// [`NeedsListing::Fewer`] when listing the instance (about `linked` accounts, a page
/// at a time; a page size of 0 is the service's default, taken as 100) is quicker than
/// reading `reads` accounts by id. Paced by a rate limit (`paced`), each request costs
/// its share of the budget, so the fewer requests win; unpaced, the reads go
/// [`READS_IN_FLIGHT`] at a time while a listing's pages follow one another, so the
/// fewer rounds win. Connectors that cannot list always read by id.
pub(crate) fn fewer_pages(
    connector: &dyn Connector,
    linked: u64,
    reads: u64,
    paced: bool,
) -> Option<NeedsListing> {
    let manifest = connector.manifest();
    if !manifest.can(Capability::Import) {
        return None;
    }
    let page_size = match manifest.provisioning.dialect.page_size {
        0 => 100,
        size => u64::from(size),
    };
    let pages = linked.div_ceil(page_size).max(1);
    let rounds = if paced {
        reads
    } else {
        reads.div_ceil(READS_IN_FLIGHT as u64)
    };
    (pages < rounds).then_some(NeedsListing::Fewer { pages, reads })
}

/// The first person in `scope` who is to have an account on this instance and has no
/// link there (`linked` holds the people who have one), if any.
pub(crate) fn unlinked_grantee(
    directory: &Directory,
    desired: &Desired,
    scope: &BTreeSet<String>,
    linked: &BTreeSet<&str>,
) -> Option<NeedsListing> {
    directory
        .people
        .iter()
        .enumerate()
        .filter(|(_, who)| scope.contains(&who.id) && !linked.contains(who.id.as_str()))
        .find(|(person, who)| who.status.is_active() && desired.grant(*person).is_some())
        .map(|(_, who)| NeedsListing::Unlinked(who.login.clone()))
}

/// Whether everyone in `people` (a scoped plan's) loses their account here: nobody is
/// both active and given an account by the rules. (People in scope whom the directory
/// no longer has are not in `people`: they leave too.)
pub(crate) fn all_leaving(people: &Directory, desired: &Desired) -> bool {
    people
        .people
        .iter()
        .enumerate()
        .all(|(person, who)| !who.status.is_active() || desired.grant(person).is_none())
}

/// Whether the instance has a seat an account shows (attribute or group mode): only a
/// read can tell whether a leaver holds one the engine did not give.
pub(crate) fn seats_shown(connector: &dyn Connector) -> bool {
    connector
        .manifest()
        .licenses
        .iter()
        .any(|sku| matches!(sku.mode, LicenseMode::Attribute | LicenseMode::Group))
}

/// The accounts of `links` as the state knows them, read from nothing: each active,
/// with no seat showing (see [`PlanOptions::trust_links`](crate::PlanOptions::trust_links)).
///
/// # Errors
///
/// When the links are more than a plan's table holds.
pub(crate) fn from_links(connector: &dyn Connector, links: &[Link]) -> Result<Accounts, String> {
    let accounts: Vec<Account> = links
        .iter()
        .map(|link| Account {
            id: link.account_id.clone(),
            user_name: link.user_name.clone(),
            external_id: None,
            email: None,
            display_name: None,
            active: true,
            licenses: Vec::new(),
            not_stored: Vec::new(),
            attributes: serde_json::Value::Null,
            refused: Vec::new(),
        })
        .collect();
    let mut table = Accounts::with_capacity(accounts.len());
    table.push_page_with(&accounts, |a| held(connector, a))?;
    Ok(table)
}

/// Reads the accounts of `links` by id ([`READS_IN_FLIGHT`] at a time) into a table.
///
/// # Errors
///
/// `Ok(Err(_))` when only a listing can decide (an account is gone, or the connector has
/// no read by id); `Err` when a read failed otherwise (the instance is then not reached).
pub(crate) async fn read_linked(
    connector: &dyn Connector,
    links: &[Link],
) -> Result<Result<Accounts, NeedsListing>, String> {
    let mut table = Accounts::with_capacity(links.len());
    let mut waiting = links.iter();
    let mut reads = FuturesOrdered::new();
    for link in waiting.by_ref().take(READS_IN_FLIGHT) {
        reads.push_back(read_one(connector, link));
    }
    while let Some(read) = reads.next().await {
        let account = match read? {
            Ok(account) => account,
            Err(reason) => return Ok(Err(reason)),
        };
        table.push_page_with(std::slice::from_ref(&account), |a| held(connector, a))?;
        if let Some(link) = waiting.next() {
            reads.push_back(read_one(connector, link));
        }
    }
    table.shrink_to_fit();
    Ok(Ok(table))
}

/// Reads the account of `link` (see [`read_linked`]).
async fn read_one(
    connector: &dyn Connector,
    link: &Link,
) -> Result<Result<Account, NeedsListing>, String> {
    let reference = AccountRef {
        id: link.account_id.clone(),
        user_name: link.user_name.clone(),
    };
    match connector.get(&reference).await {
        Ok(account) => Ok(Ok(account)),
        Err(Error::NotFound { .. }) => Ok(Err(NeedsListing::Gone(link.login.clone()))),
        Err(Error::Unsupported { .. }) => Ok(Err(NeedsListing::NoRead)),
        Err(error) => Err(format!(
            "cannot read account {} ({}): {error}",
            link.account_id, link.user_name
        )),
    }
}
