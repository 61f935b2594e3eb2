//! Cards: the typed steps a flow chains, in the Okta Workflows sense.
//!
//! The vocabulary is defined once, here: which action cards exist ([`ActionCard`]) and
//! which capability each needs, the typed inputs and outputs that do not depend on a
//! spec ([`io`]), the event cards a flow starts from ([`events`]), and the dispatcher
//! that runs a card by name on any `dyn Connector` ([`run`]). Codegen emits, per
//! connector, the inputs that do depend on the spec (the licence cards' SKU, an enum of
//! the spec's SKUs) and the `CARDS` catalogue: one [`Card`] per capability the spec
//! declares, never one for a capability it does not, plus `ping` and `custom_api_call`.

pub mod custom;
pub mod events;
pub mod io;
mod run;

use schemars::{JsonSchema, Schema};
use serde::de::DeserializeOwned;
use serde_json::Value;

pub use run::{CardError, run};

use crate::manifest::Capability;

/// Whether a card acts on a service or starts a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardKind {
    /// Runs one operation on one connector instance and returns its output.
    Action,
    /// An event a flow starts from; it has an output only.
    Event,
}

impl CardKind {
    /// `action` or `event`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Action => "action",
            Self::Event => "event",
        }
    }
}

/// One entry of a card catalogue: its name, what it needs, its input and output types.
#[derive(Debug, Clone, Copy)]
pub struct Card {
    /// The card's name (`assign_license`).
    pub name: &'static str,
    /// Action or event.
    pub kind: CardKind,
    /// The capability the spec must declare for the card to exist; `None` for the cards
    /// every provisioning connector has (`find_account`, `get_account`, `ping`,
    /// `custom_api_call`) and for event cards.
    pub capability: Option<Capability>,
    /// What the card does, in one sentence.
    pub summary: &'static str,
    /// The JSON Schema of the input.
    pub input_schema: fn() -> Schema,
    /// The JSON Schema of the output.
    pub output_schema: fn() -> Schema,
    /// Reads a JSON input into the call it asks for (action cards only).
    pub parse: Option<fn(Value) -> Result<CardCall, InputError>>,
}

impl Card {
    /// The action card `card` with input type `I` and output type `O` (what generated
    /// catalogues are made of).
    pub const fn action<I: CardInput, O: JsonSchema>(card: ActionCard) -> Self {
        Self {
            name: card.name(),
            kind: CardKind::Action,
            capability: card.capability(),
            summary: card.summary(),
            input_schema: schema_of::<I>,
            output_schema: schema_of::<O>,
            parse: Some(parse_as::<I>),
        }
    }

    /// The card as JSON: name, kind, capability, summary, input and output schemas (what
    /// `connector cards --json` prints and `cards.json` holds).
    pub fn describe(&self) -> Value {
        serde_json::json!({
            "name": self.name,
            "kind": self.kind.as_str(),
            "capability": self.capability.map(Capability::as_str),
            "summary": self.summary,
            "input": (self.input_schema)(),
            "output": (self.output_schema)(),
        })
    }

    /// The names of the input's top-level fields, `?` after the optional ones.
    pub fn input_fields(&self) -> Vec<String> {
        let schema = (self.input_schema)();
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        schema
            .get("properties")
            .and_then(Value::as_object)
            .map(|p| {
                p.keys()
                    .map(|k| {
                        if required.contains(&k.as_str()) {
                            k.clone()
                        } else {
                            format!("{k}?")
                        }
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The JSON Schema of `T` (draft 2020-12, as schemars writes it).
pub fn schema_of<T: JsonSchema>() -> Schema {
    schemars::schema_for!(T)
}

/// `input` read as `I`, or an error naming the JSON path that does not fit.
pub fn parse_as<I: CardInput>(input: Value) -> Result<CardCall, InputError> {
    let typed: I = serde_path_to_error::deserialize(input).map_err(|error| {
        let path = error.path().to_string();
        InputError {
            path: if path == "." { String::new() } else { path },
            message: error.into_inner().to_string(),
        }
    })?;
    Ok(typed.into_call())
}

/// A card input that does not fit the card's type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// The JSON path of the value (`account.id`, `sku`); empty for the input itself.
    pub path: String,
    /// What is wrong with it (serde's message).
    pub message: String,
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "at `{}`: {}", self.path, self.message)
        }
    }
}

/// A card input type: deserialized from JSON, described by a JSON Schema, and turned
/// into the call it asks for.
pub trait CardInput: DeserializeOwned + JsonSchema {
    /// The call this input asks for.
    fn into_call(self) -> CardCall;
}

/// What running an action card asks the connector to do, once its input is read.
#[derive(Debug, Clone, PartialEq)]
pub enum CardCall {
    /// [`Connector::find`](crate::Connector::find).
    FindAccount(crate::Identity),
    /// [`Connector::get`](crate::Connector::get).
    GetAccount(crate::AccountRef),
    /// [`Connector::list`](crate::Connector::list).
    ListAccounts(io::ListAccountsInput),
    /// [`Connector::create`](crate::Connector::create).
    CreateAccount(crate::Identity),
    /// [`Connector::update`](crate::Connector::update).
    UpdateAccount {
        /// The account.
        account: crate::AccountRef,
        /// The person whose profile the mapping reads.
        person: crate::Identity,
    },
    /// [`Connector::disable`](crate::Connector::disable).
    DisableAccount(crate::AccountRef),
    /// [`Connector::enable`](crate::Connector::enable).
    EnableAccount(crate::AccountRef),
    /// [`Connector::delete`](crate::Connector::delete).
    DeleteAccount(crate::AccountRef),
    /// [`Connector::assign_license`](crate::Connector::assign_license) of the named SKU.
    AssignLicense(io::LicenseCall),
    /// [`Connector::revoke_license`](crate::Connector::revoke_license) of the named SKU.
    RevokeLicense(io::LicenseCall),
    /// [`Connector::ping`](crate::Connector::ping).
    Ping,
    /// A call of the caller's through the connector's HTTP layer.
    CustomApiCall(custom::CustomApiCallInput),
}

macro_rules! action_cards {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal, $capability:expr, $summary:literal; )*) => {
        /// The action cards of the vocabulary.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ActionCard {
            $( $(#[$doc])* $variant, )*
        }

        impl ActionCard {
            /// Every action card, in catalogue order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),*];

            /// The card's name.
            pub const fn name(self) -> &'static str {
                match self { $(Self::$variant => $name,)* }
            }

            /// The capability a spec must declare for the card to exist (`None`: every
            /// provisioning connector has it).
            pub const fn capability(self) -> Option<Capability> {
                match self { $(Self::$variant => $capability,)* }
            }

            /// What the card does.
            pub const fn summary(self) -> &'static str {
                match self { $(Self::$variant => $summary,)* }
            }
        }
    };
}

action_cards! {
    /// Looks up the person's account.
    FindAccount = "find_account", None, "Finds the person's account by the attribute the spec matches on.";
    /// Reads one account.
    GetAccount = "get_account", None, "Reads one account by its id.";
    /// Lists one page of accounts.
    ListAccounts = "list_accounts", Some(Capability::Import), "Lists one page of the service's accounts.";
    /// Creates the person's account.
    CreateAccount = "create_account", Some(Capability::Create), "Creates the person's account from the mapping.";
    /// Updates the mapped attributes.
    UpdateAccount = "update_account", Some(Capability::Update), "Brings the account's mapped attributes in line with the person.";
    /// Deactivates an account.
    DisableAccount = "disable_account", Some(Capability::Deactivate), "Deactivates the account (reversible).";
    /// Reactivates an account.
    EnableAccount = "enable_account", Some(Capability::Reactivate), "Reactivates a deactivated account.";
    /// Deletes an account.
    DeleteAccount = "delete_account", Some(Capability::Delete), "Deletes the account for good.";
    /// Assigns a seat.
    AssignLicense = "assign_license", Some(Capability::License), "Gives the account one of the spec's paid seats.";
    /// Revokes a seat.
    RevokeLicense = "revoke_license", Some(Capability::License), "Takes one of the spec's paid seats back.";
    /// The health check.
    Ping = "ping", None, "Proves the credentials with one cheap authenticated call; reports latency and, where the API says, the identity the token acts as.";
    /// A raw call through the connector's HTTP layer.
    CustomApiCall = "custom_api_call", None, "Calls a path below the service's base URL through the connector's auth, rate limit and retries.";
}

impl ActionCard {
    /// The card named `name`.
    pub fn named(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.name() == name)
    }
}

/// The cards every connector has, whatever its spec: `ping` and `custom_api_call`.
pub static UNIVERSAL: &[Card] = &[
    Card::action::<io::PingInput, io::Ping>(ActionCard::Ping),
    Card::action::<custom::CustomApiCallInput, custom::CustomApiCallOutput>(
        ActionCard::CustomApiCall,
    ),
];

#[cfg(test)]
mod tests;
