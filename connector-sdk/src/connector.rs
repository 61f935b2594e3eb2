//! The one trait every connector implements, and the values it exchanges.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::cards::Card;
use crate::cards::io::Ping;
use crate::error::{Operation, Result};
use crate::identity::Identity;
use crate::manifest::{LicenseSku, Manifest};

/// An account in a service, as the connector reads it back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Account {
    /// The service's id for the account.
    pub id: String,
    /// The service's unique sign-in name (SCIM `userName`).
    pub user_name: String,
    /// The id the provisioning client stored on the account (SCIM `externalId`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Primary email, if the service returns one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Display name, if the service returns one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Whether the account can sign in.
    pub active: bool,
    /// Licence SKUs the account visibly holds (attribute- and group-mode SKUs).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<String>,
    /// After a write: the managed attributes the service answered without, or with
    /// another value than was sent (it dropped or changed them). Empty after a read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_stored: Vec<Drift>,
    /// The service's full record, as JSON, for diffs and audit.
    pub attributes: serde_json::Value,
    /// Mapped attributes the service refused on the write that returned this account:
    /// the write was retried once without them, so the other changes landed. Empty
    /// for reads and for writes taken whole.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<RefusedAttribute>,
}

/// A mapped attribute a service refused (a SCIM 400 `invalidPath`, `invalidValue` or
/// `noTarget` whose `detail` names it); the write was retried once without it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RefusedAttribute {
    /// The attribute's key as the spec's `[mapping]` writes it (`enterprise.department`;
    /// the SCIM path for a vendor extension attribute).
    pub attribute: String,
    /// The server's answer: `400 invalidPath: <detail>`.
    pub reason: String,
}

impl RefusedAttribute {
    /// `applied without `a`, `b`: the server refused it (400 invalidPath: …)`, or `None`
    /// when nothing was refused: the sentence a step's detail shows.
    pub fn summary(refused: &[Self]) -> Option<String> {
        let first = refused.first()?;
        let names: Vec<String> = refused
            .iter()
            .map(|r| format!("`{}`", r.attribute))
            .collect();
        let pronoun = if refused.len() == 1 { "it" } else { "them" };
        Some(format!(
            "applied without {}: the server refused {pronoun} ({})",
            names.join(", "),
            first.reason
        ))
    }
}

impl Account {
    /// A reference to this account for later calls.
    pub fn reference(&self) -> AccountRef {
        AccountRef {
            id: self.id.clone(),
            user_name: self.user_name.clone(),
        }
    }
}

/// A managed attribute whose value in the service is not the one the mapping gives: a
/// hand edit in the app, or a value the service did not keep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Drift {
    /// The attribute's path (SCIM path, or the REST account's dotted path).
    pub path: String,
    /// What the service holds (`None`: nothing).
    pub held: Option<serde_json::Value>,
    /// What the mapping gives (`None`: nothing, so the held value is to go).
    pub wanted: Option<serde_json::Value>,
}

/// Enough to address an account in later calls.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct AccountRef {
    /// The service's id for the account.
    pub id: String,
    /// The account's sign-in name (for messages and for services addressed by name).
    pub user_name: String,
}

/// A page of a listing: 1-based index paging as in SCIM, or an opaque cursor for APIs
/// that page by token (Google's `pageToken`, Graph's `@odata.nextLink`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PageRequest {
    /// 1-based index of the first item (index-paged APIs).
    pub start_index: u64,
    /// How many items to ask for (the connector caps it at the service's page size).
    pub count: u32,
    /// The service's continuation token from the previous page (cursor-paged APIs);
    /// `None` for the first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

impl PageRequest {
    /// The first page of `count` items.
    pub fn first(count: u32) -> Self {
        Self {
            start_index: 1,
            count,
            cursor: None,
        }
    }
}

/// One page of accounts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Page<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// The total the service reported, if it did.
    pub total_results: Option<u64>,
    /// The request for the next page; `None` on the last page.
    pub next: Option<PageRequest>,
}

/// What assigning or revoking a seat did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum LicenseOutcome {
    /// The connector changed the seat in the service.
    Applied,
    /// The seat follows the account itself (created or deactivated); nothing to call.
    Automatic,
    /// Only a person can do it: never reported as done.
    ManualActionRequired(ManualTask),
}

/// A step a person must take in the vendor's console.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ManualTask {
    /// What to do, in one sentence.
    pub instructions: String,
    /// Where to do it, when known.
    pub url: Option<String>,
}

/// A group in the app: a SCIM `Group`, or what a REST API calls a group or team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AppGroup {
    /// The app's id of the group.
    pub id: String,
    /// Its name as the app shows it (SCIM `displayName`).
    pub name: String,
    /// The id the provisioning client gave it, if any (SCIM `externalId`).
    pub external_id: Option<String>,
    /// The account ids of its members, when the listing carries them (SCIM); `None` when
    /// they are read group by group ([`Connector::group_members`]), as REST APIs list
    /// members per group.
    pub members: Option<Vec<String>>,
}

/// The operations every connector offers the engine and the flows.
///
/// An operation that the service does not offer is absent from the manifest's
/// capabilities, and calling it returns [`Error::Unsupported`](crate::Error::Unsupported).
#[async_trait]
pub trait Connector: Send + Sync {
    /// What the connector declares: capabilities, licences, sign-in, limits.
    fn manifest(&self) -> &'static Manifest;

    /// The person's existing account in the service, matched on the attribute the spec
    /// filters on (`userName` by default).
    async fn find(&self, who: &Identity) -> Result<Option<Account>>;

    /// One page of the service's accounts (import).
    async fn list(&self, page: PageRequest) -> Result<Page<Account>>;

    /// The unique sign-in name (SCIM `userName`) the service would give `who`, from the
    /// mapping alone, without a call; `None` when the mapping gives none. Two people with
    /// one name would share one account: the plan refuses that before creating.
    fn user_name_for(&self, who: &Identity) -> Option<String>;

    /// The part of an account's record (`Account::attributes`) that drift is judged on:
    /// its managed attributes only, so that a plan keeps little per account. `None` when
    /// the record holds none of them.
    fn managed_part(&self, record: &serde_json::Value) -> Option<serde_json::Value>;

    /// The managed attributes whose value in `held` (a
    /// [`managed_part`](Self::managed_part)) is not what the mapping gives `who`.
    fn drift(&self, held: &serde_json::Value, who: &Identity) -> Vec<Drift>;

    /// The mapped attributes the service says it does not know, read from what it
    /// declares (SCIM `/Schemas`), to warn before the first write: such an attribute is
    /// refused or silently dropped. `None` when the service declares nothing to check.
    async fn undeclared_attributes(&self) -> Result<Option<Vec<String>>> {
        Ok(None)
    }

    /// Reads one account.
    async fn get(&self, account: &AccountRef) -> Result<Account>;

    /// Creates the person's account. A create refused because the account exists (409,
    /// SCIM `uniqueness`) is never adopted: it fails with
    /// [`Error::AlreadyExists`](crate::Error::AlreadyExists) carrying the account a lookup
    /// found, for the caller to adopt, flag or report as a conflict. A transient failure
    /// is ambiguous (the account may have been created): look the person up with
    /// [`find`](Self::find) before creating again.
    async fn create(&self, who: &Identity) -> Result<Account>;

    /// Brings the account's mapped attributes in line with the profile.
    async fn update(&self, account: &AccountRef, who: &Identity) -> Result<Account>;

    /// Deactivates the account (reversible; how depends on the service).
    async fn disable(&self, account: &AccountRef) -> Result<()>;

    /// Reactivates a deactivated account.
    async fn enable(&self, account: &AccountRef) -> Result<()>;

    /// Deletes the account for good.
    async fn delete(&self, account: &AccountRef) -> Result<()>;

    /// Gives the account a paid seat.
    async fn assign_license(
        &self,
        account: &AccountRef,
        sku: &LicenseSku,
    ) -> Result<LicenseOutcome>;

    /// Takes the paid seat back.
    async fn revoke_license(
        &self,
        account: &AccountRef,
        sku: &LicenseSku,
    ) -> Result<LicenseOutcome>;

    /// Every group of the app (capability `groups`), with its members where one listing
    /// carries them.
    async fn list_groups(&self) -> Result<Vec<AppGroup>> {
        Err(self.unsupported(Operation::ListGroups))
    }

    /// The account ids of the members of group `group_id`, for the groups whose listing
    /// carried none ([`AppGroup::members`] is `None`).
    async fn group_members(&self, group_id: &str) -> Result<Vec<String>> {
        let _ = group_id;
        Err(self.unsupported(Operation::ListMembers))
    }

    /// Creates an empty group named `name`, tagged `external_id` where the app keeps one.
    async fn create_group(&self, name: &str, external_id: &str) -> Result<AppGroup> {
        let _ = (name, external_id);
        Err(self.unsupported(Operation::CreateGroup))
    }

    /// Renames the group `group_id` to `name`.
    async fn rename_group(&self, group_id: &str, name: &str) -> Result<()> {
        let _ = (group_id, name);
        Err(self.unsupported(Operation::RenameGroup))
    }

    /// Deletes the group `group_id` (its members' accounts stay).
    async fn delete_group(&self, group_id: &str) -> Result<()> {
        let _ = group_id;
        Err(self.unsupported(Operation::DeleteGroup))
    }

    /// Adds the accounts `account_ids` to the group, in as many requests as the app's
    /// cap on members per request needs. Adding a member again is not an error.
    async fn add_members(&self, group_id: &str, account_ids: &[String]) -> Result<()> {
        let _ = (group_id, account_ids);
        Err(self.unsupported(Operation::AddMembers))
    }

    /// Removes the accounts `account_ids` from the group (the accounts stay). Removing a
    /// non-member is not an error.
    async fn remove_members(&self, group_id: &str, account_ids: &[String]) -> Result<()> {
        let _ = (group_id, account_ids);
        Err(self.unsupported(Operation::RemoveMembers))
    }

    /// [`Error::Unsupported`](crate::Error::Unsupported) for `operation` on this connector.
    fn unsupported(&self, operation: Operation) -> crate::Error {
        crate::Error::Unsupported {
            connector: self.manifest().name,
            operation,
        }
    }

    /// The health check (the `ping` card, Okta Workflows' `_authping`): one cheap
    /// authenticated call, timed. By default a one-account list; a connector whose API
    /// says who the token acts as overrides it to report that identity.
    async fn ping(&self) -> Result<Ping> {
        list_ping(self).await
    }

    /// The connector's HTTP layer (auth, rate limit, retries), through which the
    /// `custom_api_call` card sends its calls; `None` when the connector has none.
    fn http_client(&self) -> Option<&crate::http::HttpClient> {
        None
    }

    /// The connector's card catalogue (generated from its spec); by default the cards
    /// every connector has, `ping` and `custom_api_call`.
    fn cards(&self) -> &'static [Card] {
        crate::cards::UNIVERSAL
    }
}

/// The default [`Connector::ping`]: a one-account list, timed, with no identity.
pub(crate) async fn list_ping<C: Connector + ?Sized>(connector: &C) -> Result<Ping> {
    let started = std::time::Instant::now();
    connector.list(PageRequest::first(1)).await?;
    Ok(Ping {
        latency_ms: elapsed_ms(started),
        identity: None,
        call: "list one account".to_owned(),
    })
}

/// The milliseconds since `started`, for [`Ping::latency_ms`].
pub(crate) fn elapsed_ms(started: std::time::Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// `account`, as a write answered it, with the managed attributes the service did not
/// keep as they were sent (see [`Account::not_stored`]).
pub(crate) fn checked_write<C: Connector + ?Sized>(
    connector: &C,
    mut account: Account,
    who: &Identity,
) -> Account {
    let held = connector
        .managed_part(&account.attributes)
        .unwrap_or(serde_json::Value::Null);
    // What the service refused outright is reported as refused, not again here.
    let refused = |path: &str| {
        account
            .refused
            .iter()
            .any(|r| crate::attribute_key::mapping_key(path) == r.attribute || path == r.attribute)
    };
    account.not_stored = connector
        .drift(&held, who)
        .into_iter()
        .filter(|d| !refused(&d.path))
        .collect();
    account
}

/// What a create answered, before the account is known for sure.
#[derive(Debug)]
pub(crate) enum CreateAnswer<T> {
    /// The service sent the new account back.
    Created(T),
    /// The service said it succeeded but sent no account: it has to be looked up.
    Unseen,
}

/// Settles a create: the created account, the one a lookup finds after a create that
/// succeeded without a body, or [`Error::AlreadyExists`] with the account a lookup finds
/// after a refusal because it exists. Shared by every connector, so that none adopts.
pub(crate) async fn settle_create<T>(
    answer: Result<CreateAnswer<T>>,
    lookup: impl std::future::Future<Output = Result<Option<T>>>,
    account: impl Fn(T) -> Result<Account>,
    unseen: impl FnOnce() -> crate::Error,
) -> Result<Account> {
    match answer {
        Ok(CreateAnswer::Created(body)) => account(body),
        Ok(CreateAnswer::Unseen) => match lookup.await? {
            Some(found) => account(found),
            None => Err(unseen()),
        },
        Err(error) if error.is_conflict() => match lookup.await {
            Ok(Some(found)) => Err(crate::Error::AlreadyExists {
                existing: Box::new(account(found)?),
                cause: error.to_string(),
            }),
            _ => Err(error),
        },
        Err(error) => Err(error),
    }
}

/// Reads every account by following pages to the end.
pub async fn list_all(connector: &dyn Connector) -> Result<Vec<Account>> {
    let mut accounts = Vec::new();
    let mut request = Some(PageRequest::first(
        connector.manifest().provisioning.dialect.page_size,
    ));
    while let Some(page_request) = request {
        let page = connector.list(page_request).await?;
        accounts.extend(page.items);
        request = page.next;
    }
    Ok(accounts)
}
