//! The dispatcher: runs a card by name on any `dyn Connector` with a JSON input.

use serde::Serialize;
use serde_json::Value;

use super::io::{
    AccountChanged, AccountOutput, FindAccountOutput, LicenseCall, LicenseOutput,
    ListAccountsInput, ListAccountsOutput,
};
use super::{CardCall, CardKind, InputError};
use crate::connector::Connector;
use crate::error::Error;

/// Why a card did not run, or failed.
#[derive(Debug, thiserror::Error)]
pub enum CardError {
    /// The connector has no card of that name (the spec does not declare its capability).
    #[error("{connector} has no card `{card}`; its cards: {}", available.join(", "))]
    UnknownCard {
        /// The connector's name.
        connector: &'static str,
        /// The name asked for.
        card: String,
        /// The cards it has.
        available: Vec<&'static str>,
    },
    /// An event card was asked to run: it starts flows, it does not run.
    #[error("`{0}` is an event card: it starts flows and cannot be run")]
    NotAnAction(String),
    /// The input does not fit the card's type.
    #[error("input of `{card}` {error}")]
    Input {
        /// The card.
        card: &'static str,
        /// Where and why.
        error: InputError,
    },
    /// The connector call failed.
    #[error("`{card}` failed: {error}")]
    Connector {
        /// The card.
        card: &'static str,
        /// The connector's error.
        #[source]
        error: Error,
    },
}

/// Runs the card `name` of `connector` with `input`: the input is read into the card's
/// type (an error names the JSON path that does not fit), the connector is called, and
/// the output is returned as JSON.
pub async fn run(connector: &dyn Connector, name: &str, input: Value) -> Result<Value, CardError> {
    let cards = connector.cards();
    let Some(card) = cards.iter().find(|c| c.name == name) else {
        return Err(CardError::UnknownCard {
            connector: connector.manifest().name,
            card: name.to_owned(),
            available: cards.iter().map(|c| c.name).collect(),
        });
    };
    let (CardKind::Action, Some(parse)) = (card.kind, card.parse) else {
        return Err(CardError::NotAnAction(name.to_owned()));
    };
    let call = parse(input).map_err(|error| CardError::Input {
        card: card.name,
        error,
    })?;
    if let CardCall::CustomApiCall(input) = &call
        && let Err(message) = super::custom::relative_segments(&input.path)
    {
        return Err(CardError::Input {
            card: card.name,
            error: InputError {
                path: "path".to_owned(),
                message,
            },
        });
    }
    execute(connector, call)
        .await
        .map_err(|error| CardError::Connector {
            card: card.name,
            error,
        })
}

/// Makes the call and serializes its output.
async fn execute(connector: &dyn Connector, call: CardCall) -> crate::Result<Value> {
    match call {
        CardCall::FindAccount(person) => json(&FindAccountOutput {
            account: connector.find(&person).await?,
        }),
        CardCall::GetAccount(account) => json(&AccountOutput {
            account: connector.get(&account).await?,
        }),
        CardCall::ListAccounts(input) => {
            let page_size = connector.manifest().provisioning.dialect.page_size;
            let page = connector.list(input.page(page_size)).await?;
            json(&ListAccountsOutput {
                accounts: page.items,
                total_results: page.total_results,
                next: page.next.map(|next| ListAccountsInput {
                    start_index: Some(next.start_index),
                    count: Some(next.count),
                    cursor: next.cursor,
                }),
            })
        }
        CardCall::CreateAccount(person) => json(&AccountOutput {
            account: connector.create(&person).await?,
        }),
        CardCall::UpdateAccount { account, person } => json(&AccountOutput {
            account: connector.update(&account, &person).await?,
        }),
        CardCall::DisableAccount(account) => {
            connector.disable(&account).await?;
            json(&AccountChanged { account })
        }
        CardCall::EnableAccount(account) => {
            connector.enable(&account).await?;
            json(&AccountChanged { account })
        }
        CardCall::DeleteAccount(account) => {
            connector.delete(&account).await?;
            json(&AccountChanged { account })
        }
        CardCall::AssignLicense(call) => license(connector, call, true).await,
        CardCall::RevokeLicense(call) => license(connector, call, false).await,
        CardCall::Ping => json(&connector.ping().await?),
        CardCall::CustomApiCall(input) => {
            let Some(http) = connector.http_client() else {
                return Err(Error::Config(format!(
                    "{} has no HTTP layer for custom_api_call",
                    connector.manifest().name
                )));
            };
            json(&super::custom::call(http, input).await?)
        }
    }
}

/// Assigns or revokes the named SKU.
async fn license(
    connector: &dyn Connector,
    call: LicenseCall,
    assign: bool,
) -> crate::Result<Value> {
    let manifest = connector.manifest();
    let Some(sku) = manifest.license(call.sku) else {
        return Err(Error::NotFound {
            what: format!("licence `{}` of {}", call.sku, manifest.name),
        });
    };
    let result = if assign {
        connector.assign_license(&call.account, sku).await?
    } else {
        connector.revoke_license(&call.account, sku).await?
    };
    json(&LicenseOutput {
        account: call.account,
        sku: call.sku.to_owned(),
        result,
    })
}

/// `value` as JSON.
fn json(value: &impl Serialize) -> crate::Result<Value> {
    serde_json::to_value(value).map_err(|e| Error::InvalidResponse {
        url: String::new(),
        detail: format!("the card's output does not serialize: {e}"),
    })
}
