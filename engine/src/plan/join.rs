//! The joins of reconciling, done once before any decision: person → link → account,
//! and the candidate accounts of people without one. They run in batches (so that the
//! cache misses of a batch overlap) and on every core, into one small [`Facts`] per
//! person, so that [`decide`](super::reconcile::decide) reads little more than those for
//! the people with nothing to do.

use connector_sdk::Identity;

use super::accounts::Matching;
use super::index::NONE;
use super::links::StoredHash;
use super::parallel;
use super::reconcile::Inputs;

/// What [`prepare`] works out for [`decide`]: the joins, done once.
pub(crate) struct Prepared {
    /// Per person.
    pub facts: Vec<Facts>,
    /// Per link: its account's row, or [`NONE`].
    pub link_account: Vec<u32>,
    /// Per account: whether a link or a match took it.
    pub claimed: Vec<bool>,
    /// Per link: whether a directory person has it.
    seen: Vec<bool>,
    /// Candidate accounts of the people without a linked one.
    pub matching: Matching,
}

/// What the first passes found out about one person.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Facts {
    /// Their link's row, or [`NONE`].
    pub link: u32,
    /// [`LINKED`], [`FRESH`], [`ACTIVE`], [`LICENSED`].
    pub flags: u8,
}

/// The person has a link whose account the app still has.
pub(crate) const LINKED: u8 = 1;
/// The attributes last applied are the profile's now (computed for people to keep).
pub(crate) const FRESH: u8 = 2;
/// The linked account is active.
pub(crate) const ACTIVE: u8 = 4;
/// The linked account visibly holds SKUs.
pub(crate) const LICENSED: u8 = 8;

/// People per block of [`person_facts`]: its lookups are batched, and its memory reads
/// gathered before the hashing, so that cache misses overlap.
const BLOCK: usize = 256;

/// The joins of reconciling (person → link → account, and the candidates of people
/// without an account), done in batches and on every core into one small [`Facts`] per
/// person, so that [`decide`] reads little more than those for people with nothing to do.
pub(crate) fn prepare(inputs: &Inputs) -> Prepared {
    let (accounts, links, people) = (inputs.accounts, inputs.links, &inputs.directory.people);
    // Each link's account, when the app still has it; those are claimed.
    let mut link_account = vec![NONE; links.len()];
    parallel::for_chunks(&mut link_account, |start, out| {
        accounts.find_ids(|i| links.account_id((start + i) as u32), out);
    });
    let mut facts = vec![
        Facts {
            link: NONE,
            flags: 0
        };
        people.len()
    ];
    parallel::for_chunks(&mut facts, |start, out| {
        person_facts(inputs, &link_account, start, out);
    });
    let mut claimed = vec![false; accounts.rows()];
    for &row in link_account.iter().filter(|r| **r != NONE) {
        claimed[row as usize] = true;
    }
    let mut seen = vec![false; links.len()];
    for f in facts.iter().filter(|f| f.link != NONE) {
        seen[f.link as usize] = true;
    }
    // Candidate accounts of the people without a linked one, asked in directory order.
    let unlinked: Vec<&Identity> = people
        .iter()
        .zip(&facts)
        .filter(|(_, f)| f.flags & LINKED == 0)
        .map(|(who, _)| who)
        .collect();
    let matching = Matching::new(accounts, &unlinked);
    Prepared {
        facts,
        link_account,
        claimed,
        seen,
        matching,
    }
}

impl Prepared {
    /// The people whose details [`decide`]'s steps need: those whose attributes changed
    /// since they were applied (the snapshot then, for the changes) and those no longer
    /// in the directory (the login kept with the link).
    pub(super) fn wanted(&self, inputs: &Inputs) -> Vec<String> {
        let people = &inputs.directory.people;
        let changed = people
            .iter()
            .zip(&self.facts)
            .enumerate()
            .filter(|(person, (who, f))| {
                f.flags & (LINKED | FRESH) == LINKED
                    && who.status.is_active()
                    && inputs.desired.grant(*person).is_some()
            })
            .map(|(_, (who, _))| who.id.clone());
        let departed = self
            .departed()
            .map(|l| inputs.links.get(l).identity_id.to_owned());
        changed.chain(departed).collect()
    }

    /// The links of people no longer in the directory whose account the app still has,
    /// in storage order.
    pub(super) fn departed(&self) -> impl Iterator<Item = u32> + '_ {
        (0..self.seen.len() as u32)
            .filter(|l| !self.seen[*l as usize] && self.link_account[*l as usize] != NONE)
    }
}

/// The [`Facts`] of the people `start..start + out.len()`.
fn person_facts(inputs: &Inputs, link_account: &[u32], start: usize, out: &mut [Facts]) {
    let people = &inputs.directory.people[start..start + out.len()];
    let (links, accounts) = (inputs.links, inputs.accounts);
    let mut rows = [NONE; BLOCK];
    let mut stored = [StoredHash::Missing; BLOCK];
    let mut buffer = Vec::new();
    for (b, (out, people)) in out.chunks_mut(BLOCK).zip(people.chunks(BLOCK)).enumerate() {
        let rows = &mut rows[..out.len()];
        links.find_many(|i| people[i].id.as_str(), rows);
        for (j, (facts, link)) in out.iter_mut().zip(rows.iter()).enumerate() {
            facts.link = *link;
            facts.flags = 0;
            if *link == NONE {
                continue;
            }
            stored[j] = links.hash(*link);
            let account = link_account[*link as usize];
            if account != NONE {
                let (active, licensed) = accounts.flags(account);
                facts.flags =
                    LINKED | if active { ACTIVE } else { 0 } | if licensed { LICENSED } else { 0 };
            }
        }
        for (j, (facts, who)) in out.iter_mut().zip(people).enumerate() {
            let person = start + b * BLOCK + j;
            let kept = facts.flags & LINKED != 0
                && who.status.is_active()
                && inputs.desired.grant(person).is_some();
            if kept && stored[j] == StoredHash::Digest(inputs.fields.fingerprint(who, &mut buffer))
            {
                facts.flags |= FRESH;
            }
        }
    }
}
