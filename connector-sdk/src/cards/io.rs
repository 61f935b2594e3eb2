//! The card inputs and outputs that are the same for every connector. The licence
//! inputs, whose SKU is an enum of the spec's SKUs, are generated per connector.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{CardCall, CardInput};
use crate::connector::{Account, AccountRef, LicenseOutcome, PageRequest};
use crate::identity::Identity;

macro_rules! person_inputs {
    ($($(#[$doc:meta])* $name:ident => $variant:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            /// The person's directory profile.
            pub person: Identity,
        }

        impl CardInput for $name {
            fn into_call(self) -> CardCall {
                CardCall::$variant(self.person)
            }
        }
    )*};
}

person_inputs! {
    /// The input of `find_account`: the person, as the directory has them.
    FindAccountInput => FindAccount;
    /// The input of `create_account`: the person, as the directory has them.
    CreateAccountInput => CreateAccount;
}

macro_rules! account_inputs {
    ($($(#[$doc:meta])* $name:ident => $variant:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            /// The account.
            pub account: AccountRef,
        }

        impl CardInput for $name {
            fn into_call(self) -> CardCall {
                CardCall::$variant(self.account)
            }
        }
    )*};
}

account_inputs! {
    /// The input of `get_account`.
    GetAccountInput => GetAccount;
    /// The input of `disable_account`.
    DisableAccountInput => DisableAccount;
    /// The input of `enable_account`.
    EnableAccountInput => EnableAccount;
    /// The input of `delete_account`.
    DeleteAccountInput => DeleteAccount;
}

/// The input of `update_account`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateAccountInput {
    /// The account to update.
    pub account: AccountRef,
    /// The person whose profile the mapping reads.
    pub person: Identity,
}

impl CardInput for UpdateAccountInput {
    fn into_call(self) -> CardCall {
        CardCall::UpdateAccount {
            account: self.account,
            person: self.person,
        }
    }
}

/// The input of `list_accounts`: which page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListAccountsInput {
    /// 1-based index of the first account (index-paged APIs); 1 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_index: Option<u64>,
    /// How many accounts to ask for; the service's page size when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// The `next.cursor` of the previous page (cursor-paged APIs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

impl ListAccountsInput {
    /// The page request, with `page_size` when no count is given.
    pub fn page(&self, page_size: u32) -> PageRequest {
        PageRequest {
            start_index: self.start_index.unwrap_or(1).max(1),
            count: self.count.unwrap_or(page_size).clamp(1, page_size.max(1)),
            cursor: self.cursor.clone(),
        }
    }
}

impl CardInput for ListAccountsInput {
    fn into_call(self) -> CardCall {
        CardCall::ListAccounts(self)
    }
}

/// A licence card's call once its input is read: the SKU by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseCall {
    /// The account.
    pub account: AccountRef,
    /// The SKU's name in the spec.
    pub sku: &'static str,
}

/// The input of `ping`: nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PingInput {}

impl CardInput for PingInput {
    fn into_call(self) -> CardCall {
        CardCall::Ping
    }
}

/// What `ping` (the `_authping`) found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Ping {
    /// How long the authenticated call took, in milliseconds (token fetch included).
    pub latency_ms: u64,
    /// The identity the token acts as, when the API says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// The call that proved the credentials (`list one account`).
    pub call: String,
}

/// The output of `find_account`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FindAccountOutput {
    /// The account found, or `null`.
    pub account: Option<Account>,
}

/// The output of `get_account`, `create_account` and `update_account`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AccountOutput {
    /// The account, as the service answered.
    pub account: Account,
}

/// The output of `list_accounts`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ListAccountsOutput {
    /// The accounts on this page.
    pub accounts: Vec<Account>,
    /// The total the service reported, if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_results: Option<u64>,
    /// The input that reads the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<ListAccountsInput>,
}

/// The output of `disable_account`, `enable_account` and `delete_account`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AccountChanged {
    /// The account acted on.
    pub account: AccountRef,
}

/// The output of `assign_license` and `revoke_license`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LicenseOutput {
    /// The account.
    pub account: AccountRef,
    /// The SKU's name in the spec.
    pub sku: String,
    /// What the connector did.
    pub result: LicenseOutcome,
}
