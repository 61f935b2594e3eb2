//! What an instance's plan decides from ([`Basis`]): the whole directory, every account
//! listed and every link; or, for a scoped plan that can, the people in scope alone,
//! their accounts read by id (or taken from their links) and their links and seats.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use connector_sdk::Connector;
use time::OffsetDateTime;

use super::accounts::{self, import};
use super::desired::{self, desired};
use super::links::Links;
use super::{Phases, lookup, lost};
use crate::config::{Assignments, Instance};
use crate::directory::Directory;
use crate::state::{LicenseState, Store};

/// A scoped plan's people, and whether it reads by id only when that is quicker than a
/// listing ([`ScopeReads::Fewest`](crate::ScopeReads::Fewest)).
pub(super) struct Scoped<'a> {
    /// The people in scope (directory ids).
    pub(super) scope: &'a BTreeSet<String>,
    /// Whether leavers' accounts may be taken from their links
    /// ([`PlanOptions::trust_links`](crate::PlanOptions::trust_links)).
    pub(super) trust: bool,
    /// Whether a quicker listing is preferred.
    pub(super) fewest: bool,
    /// Whether the instance's client paces requests by the service's rate limit.
    pub(super) paced: bool,
}

/// What an instance's plan decides from.
pub(super) struct Basis<'d> {
    /// The people planned for: the directory's, or a scoped plan's alone.
    pub(super) directory: Cow<'d, Directory>,
    /// What the rules give them.
    pub(super) desired: desired::Desired,
    /// The app's accounts (every one, or the scope's read by id); `Err` when the app
    /// could not be read.
    pub(super) accounts: Result<accounts::Accounts, String>,
    /// The state's links (every one, or the scope's).
    pub(super) links: Links,
    /// The seats the engine gave (everyone's, or the scope's).
    pub(super) held: BTreeMap<String, BTreeMap<String, LicenseState>>,
    /// How many links the instance has in all.
    pub(super) linked: usize,
    /// Whether only the scope's accounts were read, by id (or taken from their links).
    pub(super) looked_up: bool,
    /// Whether the scope's accounts were taken from their links, not read.
    pub(super) from_links: bool,
}

/// Everything: the whole directory, every account listed, every link. The state is read
/// (on SQLite's thread and another core) while the rules are applied and the accounts
/// imported.
pub(super) async fn full_basis<'d>(
    assignments: &Assignments,
    instance: &Instance,
    connector: Result<&dyn Connector, String>,
    directory: &'d Directory,
    store: &Store,
    now: OffsetDateTime,
    phases: &mut Phases<'_>,
) -> Result<Basis<'d>, crate::EngineError> {
    let loading = {
        let (store, name) = (store.clone(), instance.name.clone());
        tokio::spawn(async move {
            let mut phases = Phases::start(&name);
            let links = Links::load(&store, &name).await;
            phases.done("links");
            (links, store.licenses(&name).await)
        })
    };
    let desired = desired(assignments, &instance.name, directory, now);
    phases.done("rules");
    let accounts = match connector {
        Ok(connector) => import(connector, directory).await,
        Err(error) => Err(error),
    };
    phases.done("import");
    let (links, held) = loading.await.map_err(|e| lost(store, &e))?;
    let (links, held) = (links?, held?);
    phases.done("links (waited)");
    Ok(Basis {
        directory: Cow::Borrowed(directory),
        desired,
        accounts,
        linked: links.len(),
        links,
        held,
        looked_up: false,
        from_links: false,
    })
}

/// The scope's people alone, their linked accounts read by id, their links and seats;
/// `None` when a listing is needed to decide as a full plan would, or (with `fewest`)
/// is quicker (the reason is logged at debug level). Whom else the directory holds
/// changes nothing then: nobody in scope is to have an account without a link (so no
/// account is matched or created), and every step is about one person's own link and
/// account (`tests/scoped_lookup.rs` compares both ways on the differential scenarios).
pub(super) async fn scoped_basis<'d>(
    assignments: &Assignments,
    instance: &Instance,
    connector: &dyn Connector,
    directory: &Directory,
    store: &Store,
    now: OffsetDateTime,
    scoped: Scoped<'_>,
) -> Result<Option<Basis<'d>>, crate::EngineError> {
    let Scoped {
        scope,
        trust,
        fewest,
        paced,
    } = scoped;
    let name = instance.name.as_str();
    let people = people_in(directory, scope);
    let desired = desired(assignments, name, &people, now);
    let ids: Vec<&str> = scope.iter().map(String::as_str).collect();
    let links = store.links_of(name, &ids).await?;
    let linked: BTreeSet<&str> = links.iter().map(|l| l.identity_id.as_str()).collect();
    let linked_here = store.link_count(name).await?;
    let mut reason = lookup::unlinked_grantee(&people, &desired, scope, &linked);
    let from_links = reason.is_none()
        && trust
        && lookup::all_leaving(&people, &desired)
        && links.iter().all(|link| link.active == Some(true))
        && !lookup::seats_shown(connector);
    if reason.is_none() && fewest && !from_links {
        reason = lookup::fewer_pages(connector, linked_here, links.len() as u64, paced);
    }
    let accounts = match reason {
        None if from_links => Ok(lookup::from_links(connector, &links)),
        Some(reason) => Err(reason),
        None => match lookup::read_linked(connector, &links).await {
            Ok(Ok(table)) => Ok(Ok(table)),
            Ok(Err(reason)) => Err(reason),
            Err(error) => Ok(Err(error)),
        },
    };
    let accounts = match accounts {
        Ok(accounts) => accounts,
        Err(listing) => {
            tracing::debug!(instance = %name, reason = %listing, "the scoped plan lists the app");
            return Ok(None);
        }
    };
    Ok(Some(Basis {
        directory: Cow::Owned(people),
        desired,
        accounts,
        links: Links::of(store, name, &links)?,
        held: store.licenses_of(name, &ids).await?,
        linked: usize::try_from(linked_here).unwrap_or(usize::MAX),
        looked_up: true,
        from_links,
    }))
}

/// The people of `directory` in `scope` (planning reads memberships from each person,
/// so the groups are left out).
pub(super) fn people_in(directory: &Directory, scope: &BTreeSet<String>) -> Directory {
    Directory {
        people: directory
            .people
            .iter()
            .filter(|who| scope.contains(&who.id))
            .cloned()
            .collect(),
        groups: Vec::new(),
    }
}
