//! Flows: what `connector serve` does when an event comes in, written in `flows.toml`.
//!
//! A flow has a trigger (one or more event cards, `on`, and an optional filter on the
//! event's output, `when`) and steps, each an action card on an instance (or on every
//! instance the person is planned on, `instance = "*"`), with inputs in the spec's
//! template language over the event's output and earlier steps' outputs, and an
//! optional condition (`if`).
//!
//! - [`load`]: reads and checks a flows file against the assignments and the
//!   connectors' card catalogues (every mistake at `file:line:column`, with "did you
//!   mean"); the checks are driven by the cards' JSON Schemas;
//! - [`StepFilter`]: the cards that change accounts (`disable_account`,
//!   `assign_license`, ...) run through `apply`: the event's scoped plan keeps only the
//!   changes the matched flows' steps name, so policies, the breaker, the journal and
//!   the audit are apply's own;
//! - the other cards (`find_account`, `get_account`, `custom_api_call`, ...) run through
//!   `connector_sdk::cards::run` (with `"*"`, on each instance the person has an
//!   account in), each run audited with the triggering event's uuid.

mod check;
mod convert;
mod filter;
mod node;
mod run;
mod schema;
mod step;
mod template;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use connector_sdk::cards::Card;
use connector_sdk::template::Template;
use serde_json::Value;

pub use filter::{StepFilter, StepRule};
pub(crate) use run::prepare;

use crate::config::{Assignments, ConfigError, Diagnostic};

/// Every connector's card catalogue, by connector name (`zoom` → `connector_zoom::CARDS`).
pub type Catalogue = BTreeMap<String, &'static [Card]>;

/// A checked flows file.
#[derive(Debug, Clone)]
pub struct Flows {
    /// The file it was read from.
    pub file: PathBuf,
    /// The flows, in file order.
    pub flows: Vec<Flow>,
}

/// One flow.
#[derive(Debug, Clone)]
pub struct Flow {
    /// Its name (unique in the file).
    pub name: String,
    /// The event cards that start it (`person_deactivated`).
    pub on: Vec<String>,
    /// What the event's output must hold for the flow to run (a partial match; an
    /// array is "any of"); `None`: every event of those cards.
    pub when: Option<Value>,
    /// The steps, in order.
    pub steps: Vec<FlowStep>,
}

/// One step of a flow.
#[derive(Debug, Clone)]
pub struct FlowStep {
    /// Its name (unique in the flow; `steps.<name>.<field>` reads its output).
    pub name: String,
    /// The action card.
    pub card: String,
    /// The instance; `None` for `"*"`: every instance the person is planned on (a card
    /// that runs through apply) or has an account in (one that runs through
    /// `cards::run`, once per instance).
    pub instance: Option<String>,
    /// The input: JSON whose strings are templates.
    pub input: Value,
    /// Runs only when this renders to a non-empty text other than `false`.
    pub condition: Option<Template>,
    /// Whether it runs through apply (a plan step) or `cards::run`.
    pub route: Route,
    /// The inputs a template fills where the card wants a number or a boolean: their
    /// rendered text is converted before the card runs.
    pub conversions: Vec<Conversion>,
}

/// An input a template fills where the card's schema wants a number or a boolean.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversion {
    /// Where the value is in the input, as a JSON Pointer (`/count`).
    pub pointer: String,
    /// The input's name in messages (`count`, `query.limit`).
    pub path: String,
    /// What the card wants.
    pub to: Scalar,
}

/// A JSON type a template's text is converted to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    /// A whole number (`"42"` → 42).
    Integer,
    /// A number (`"3.5"` → 3.5).
    Number,
    /// `"true"` or `"false"`.
    Boolean,
}

/// How a step runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// Through the event's apply: the plan's changes of these kinds are kept.
    Apply(&'static [&'static str]),
    /// Through `connector_sdk::cards::run`, audited.
    Card,
}

/// Reads and checks the flows file at `path` against `assignments` and `catalogue`.
///
/// # Errors
///
/// Every mistake, each at `file:line:column` (the file cannot be read: line 1).
pub fn load(
    path: &Path,
    assignments: &Assignments,
    catalogue: &Catalogue,
) -> Result<Flows, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        diagnostics: vec![Diagnostic {
            file: path.to_path_buf(),
            line: 1,
            column: 1,
            message: format!("cannot read the flows file: {e}"),
        }],
    })?;
    parse(path, &text, assignments, catalogue)
}

/// Checks `text` as the flows file `path`.
///
/// # Errors
///
/// As [`load`].
pub fn parse(
    path: &Path,
    text: &str,
    assignments: &Assignments,
    catalogue: &Catalogue,
) -> Result<Flows, ConfigError> {
    check::check(path, text, assignments, catalogue)
}

/// The event card an Okta event type stands for.
pub fn event_card(event_type: &str) -> Option<&'static str> {
    Some(match event_type {
        "user.lifecycle.deactivate" => "person_deactivated",
        "user.lifecycle.suspend" => "person_suspended",
        "user.lifecycle.unsuspend" | "user.lifecycle.reactivate" | "user.lifecycle.activate" => {
            "person_reactivated"
        }
        "group.user_membership.add" => "person_added_to_group",
        "group.user_membership.remove" => "person_removed_from_group",
        "user.account.update_profile" => "person_profile_changed",
        _ => return None,
    })
}
