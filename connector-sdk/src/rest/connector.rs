//! [`RestConnector`]: any [`RestApp`] as a [`Connector`], running the operations its
//! manifest declares.

use std::collections::BTreeMap;
use std::marker::PhantomData;

use async_trait::async_trait;
use serde_json::Value;

use super::RestApp;
use super::account::{account_from_json, pointers, sensitive_values};
use super::exec::{Executor, Outcome};
use super::json;
use crate::cards::io::Ping;
use crate::config::InstanceConfig;
use crate::connector::{
    Account, AccountRef, AppGroup, Connector, CreateAnswer, Drift, LicenseOutcome, Page,
    PageRequest, checked_write, elapsed_ms, list_ping, settle_create,
};
use crate::error::{Error, Operation, Result};
use crate::http::HttpClient;
use crate::identity::Identity;
use crate::manifest::{AccountPointers, Capability, LicenseSku, Manifest, Protocol, RestOperation};

/// The [`Connector`] of a REST service described by `A` (generated from its spec).
pub struct RestConnector<A: RestApp> {
    /// The HTTP client of the instance.
    http: HttpClient,
    /// The instance's tenant variables, with the manifest's defaults (for templates and
    /// console URLs).
    variables: BTreeMap<String, String>,
    /// The mapped attributes the instance neither sends nor compares (dotted paths).
    excluded: Vec<String>,
    /// The service description; `fn() -> A` keeps the connector `Send + Sync`.
    app: PhantomData<fn() -> A>,
}

impl<A: RestApp> std::fmt::Debug for RestConnector<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RestConnector")
            .field("http", &self.http)
            .finish_non_exhaustive()
    }
}

impl<A: RestApp> RestConnector<A> {
    /// The connector for one instance of the service. Fails when the manifest is not a
    /// REST one with account pointers, or when the configuration does not resolve: an
    /// unset tenant variable, a bad URL, missing credentials.
    pub fn new(config: InstanceConfig) -> Result<Self> {
        let manifest = A::manifest();
        if manifest.provisioning.protocol != Protocol::Rest {
            return Err(Error::Config(format!(
                "{} provisions over `{}`, not `rest`",
                manifest.name,
                manifest.provisioning.protocol.as_str()
            )));
        }
        pointers(manifest).map_err(Error::Config)?;
        let http = HttpClient::new(manifest, &config)?;
        Ok(Self {
            http,
            variables: config.variables_for(manifest),
            excluded: config.excluded_attributes.clone(),
            app: PhantomData,
        })
    }

    /// The HTTP client underneath.
    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    /// The executor of declared operations.
    pub(super) fn exec(&self) -> Executor<'_> {
        Executor::new(&self.http, &self.variables)
    }

    /// The tenant variables, with the manifest's defaults.
    pub(super) fn variables(&self) -> &BTreeMap<String, String> {
        &self.variables
    }

    /// [`Error::Unsupported`] unless the manifest declares `capability`.
    pub(super) fn require(&self, capability: Capability, operation: Operation) -> Result<()> {
        A::manifest().require(capability, operation)
    }

    /// The [`Error::Unsupported`] of `operation`.
    pub(super) fn unsupported(&self, operation: Operation) -> Error {
        Error::Unsupported {
            connector: A::manifest().name,
            operation,
        }
    }

    /// The declared operation `name`, or [`Error::Unsupported`] as `reported`.
    pub(super) fn operation(
        &self,
        name: Operation,
        reported: Operation,
    ) -> Result<&'static RestOperation> {
        A::manifest()
            .provisioning
            .rest
            .as_ref()
            .and_then(|rest| rest.operation(name))
            .ok_or_else(|| self.unsupported(reported))
    }

    /// The account pointers (checked in [`new`](Self::new)).
    pub(super) fn pointers(&self) -> &'static AccountPointers {
        pointers(A::manifest()).expect("checked when the connector was made")
    }

    /// The account the service should hold for `who`, as JSON.
    fn desired(&self, who: &Identity) -> Result<Value> {
        let mut desired = serde_json::to_value(A::map_identity(who)?).map_err(|e| {
            Error::Config(format!(
                "the {} account does not serialize: {e}",
                A::manifest().name
            ))
        })?;
        for path in &self.excluded {
            json::remove_dotted(&mut desired, path);
        }
        Ok(desired)
    }

    /// Whether the instance excludes the attribute at `path`.
    /// The attributes an update compares (and drift is judged on): mapped, neither
    /// create-only nor sensitive, nor excluded for the instance.
    fn compared(&self) -> impl Iterator<Item = &'static str> + '_ {
        A::manifest()
            .attributes
            .iter()
            .filter(|a| !a.create_only && !a.sensitive && !self.is_excluded(a.path))
            .map(|a| a.path)
    }

    fn is_excluded(&self, path: &str) -> bool {
        self.excluded.iter().any(|e| e == path)
    }

    /// The user name the mapping gives `who`.
    fn user_name(&self, desired: &Value) -> Result<String> {
        let pointer = self.pointers().user_name;
        json::text_at(desired, pointer)
            .filter(|name| !name.is_empty())
            .ok_or_else(|| Error::Config(format!("the mapping gives no user name at `{pointer}`")))
    }

    /// The account an answer's JSON describes.
    pub(super) fn account(&self, json: Value) -> Result<Account> {
        account_from_json(A::manifest(), json).map_err(|detail| self.invalid(detail))
    }

    /// An [`Error::InvalidResponse`] about the service.
    pub(super) fn invalid(&self, detail: String) -> Error {
        Error::InvalidResponse {
            url: self.http.display_url(&[]),
            detail,
        }
    }

    /// Whether an account's user name is `wanted`, ignoring case.
    pub(super) fn named(&self, account: &Value, wanted: &str) -> bool {
        json::text_at(account, self.pointers().user_name)
            .is_some_and(|name| name.to_lowercase() == wanted.to_lowercase())
    }

    /// The account's JSON, by the `get` operation.
    async fn get_json(&self, account: &AccountRef) -> Result<Value> {
        let op = self.operation(Operation::Get, Operation::Get)?;
        let vars = self.exec().vars().account(account);
        match self.exec().run(op, &vars, None, &[]).await? {
            Outcome::Done(Some(body)) => json::items(body, op.items)
                .map_err(|detail| self.invalid(detail))?
                .into_iter()
                .next()
                .ok_or_else(|| Error::NotFound {
                    what: format!("account {} in {}", account.id, A::manifest().name),
                }),
            Outcome::NotFound(error) => Err(error),
            Outcome::NoMatch(what) => Err(Error::NotFound { what }),
            Outcome::Done(None) | Outcome::AlreadyDone => {
                Err(self.invalid("`get` answered without an account".to_owned()))
            }
        }
    }

    /// The account named as the mapping names `who`: by the `find` operation, else by
    /// paging through `list`.
    async fn find_json(&self, who: &Identity) -> Result<Option<Value>> {
        let wanted = self.user_name(&self.desired(who)?)?;
        let Ok(op) = self.operation(Operation::Find, Operation::Find) else {
            return self.find_by_listing(&wanted).await;
        };
        let vars = self
            .exec()
            .vars()
            .with("account.user_name", wanted.as_str());
        let body = match self.exec().run(op, &vars, None, &[]).await? {
            Outcome::Done(Some(body)) => body,
            _ => return Ok(None),
        };
        let candidates = json::items(body, op.items).map_err(|detail| self.invalid(detail))?;
        let mut found = candidates.into_iter().filter(|a| self.named(a, &wanted));
        let first = found.next();
        if first.is_some() && found.next().is_some() {
            tracing::warn!(
                connector = A::manifest().name,
                "several accounts match; using the first"
            );
        }
        Ok(first)
    }

    /// Runs the state operation `name` (`disable`, `enable`, `delete`) on `account`.
    /// A missing account is success only for `delete`.
    async fn set_state(&self, account: &AccountRef, name: Operation) -> Result<()> {
        let op = self.operation(name, name)?;
        let vars = self.exec().vars().account(account);
        match self.exec().run(op, &vars, None, &[]).await? {
            Outcome::Done(_) | Outcome::AlreadyDone => Ok(()),
            Outcome::NotFound(_) | Outcome::NoMatch(_) if name == Operation::Delete => Ok(()),
            Outcome::NotFound(error) => Err(error),
            Outcome::NoMatch(what) => Err(Error::NotFound { what }),
        }
    }

    /// The account after a write: from the answer when it holds one, else read back.
    async fn account_after_write(
        &self,
        account: &AccountRef,
        body: Option<Value>,
    ) -> Result<Account> {
        match body {
            Some(body) if json::at(&body, self.pointers().id).is_some() => self.account(body),
            _ => self.account(self.get_json(account).await?),
        }
    }

    /// `account` as a write answered it, with [`Account::not_stored`] judged from a read
    /// of it (the spec's `get`) when the answer lacks managed attributes: a service may
    /// answer a write with its default properties only (Graph answers `POST /users`
    /// without `usageLocation`, which only a read with `$select` returns), so an
    /// attribute missing from the answer is not yet one the service did not keep. Without
    /// a `get`, or when the read fails, the answer's judgement stands.
    async fn verified_write(&self, account: Account, who: &Identity) -> Result<Account> {
        let checked = checked_write(self, account, who);
        let unseen = checked.not_stored.iter().any(|d| d.held.is_none());
        if !unseen || self.operation(Operation::Get, Operation::Get).is_err() {
            return Ok(checked);
        }
        match self.get_json(&checked.reference()).await {
            Ok(json) => {
                let mut read = self.account(json)?;
                read.refused = checked.refused;
                Ok(checked_write(self, read, who))
            }
            Err(error) => {
                tracing::debug!(%error, "cannot read the account back after a write");
                Ok(checked)
            }
        }
    }

    /// `ping` by the declared `whoami`: one GET, timed, reporting the value at its
    /// `identity` pointer (a string as it is, another JSON value as its JSON text;
    /// `None` when the answer has none).
    async fn whoami(&self, op: &RestOperation) -> Result<Ping> {
        let started = std::time::Instant::now();
        let body = match self.exec().run(op, &self.exec().vars(), None, &[]).await? {
            Outcome::Done(body) => body,
            Outcome::AlreadyDone => None,
            Outcome::NotFound(error) => return Err(error),
            Outcome::NoMatch(what) => return Err(Error::NotFound { what }),
        };
        let latency_ms = elapsed_ms(started);
        let identity = body
            .as_ref()
            .zip(op.identity)
            .and_then(|(body, pointer)| json::at(body, pointer))
            .map(|value| match value {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            });
        Ok(Ping {
            latency_ms,
            identity,
            call: format!("{} {}", op.method.as_str(), op.path),
        })
    }

    /// Whether a managed attribute differs: the manifest's attributes that are neither
    /// `create_only` nor `sensitive` (a password cannot be read back), compared where
    /// the mapping gives a value.
    fn differs(&self, desired: &Value, current: &Value) -> bool {
        self.compared()
            .any(|path| match json::dotted(desired, path) {
                Some(want) => json::dotted(current, path) != Some(want),
                None => false,
            })
    }
}

#[async_trait]
impl<A: RestApp> Connector for RestConnector<A> {
    fn manifest(&self) -> &'static Manifest {
        A::manifest()
    }

    fn cards(&self) -> &'static [crate::cards::Card] {
        A::CARDS
    }

    fn http_client(&self) -> Option<&HttpClient> {
        Some(&self.http)
    }

    /// The declared `whoami` when there is one (reporting the identity the token acts
    /// as), else the default one-account list.
    async fn ping(&self) -> Result<Ping> {
        match self.operation(Operation::Whoami, Operation::Whoami) {
            Ok(op) => self.whoami(op).await,
            Err(_) => list_ping(self).await,
        }
    }

    async fn find(&self, who: &Identity) -> Result<Option<Account>> {
        self.find_json(who)
            .await?
            .map(|json| self.account(json))
            .transpose()
    }

    async fn list(&self, page: PageRequest) -> Result<Page<Account>> {
        self.require(Capability::Import, Operation::List)?;
        let page = self.list_page(page).await?;
        Ok(Page {
            items: page
                .items
                .into_iter()
                .map(|json| self.account(json))
                .collect::<Result<_>>()?,
            total_results: page.total,
            next: page.next,
        })
    }

    fn managed_part(&self, record: &Value) -> Option<Value> {
        let part: serde_json::Map<String, Value> = self
            .compared()
            .filter_map(|path| Some((path.to_owned(), json::dotted(record, path)?.clone())))
            .collect();
        (!part.is_empty()).then_some(Value::Object(part))
    }

    fn drift(&self, held: &Value, who: &Identity) -> Vec<Drift> {
        let Ok(desired) = self.desired(who) else {
            return Vec::new();
        };
        self.compared()
            .filter_map(|path| {
                let wanted = json::dotted(&desired, path)?;
                let have = held.get(path).filter(|v| !v.is_null());
                (have != Some(wanted)).then(|| Drift {
                    path: path.to_owned(),
                    held: have.cloned(),
                    wanted: Some(wanted.clone()),
                })
            })
            .collect()
    }

    fn user_name_for(&self, who: &Identity) -> Option<String> {
        self.user_name(&self.desired(who).ok()?).ok()
    }

    async fn get(&self, account: &AccountRef) -> Result<Account> {
        self.account(self.get_json(account).await?)
    }

    async fn create(&self, who: &Identity) -> Result<Account> {
        self.require(Capability::Create, Operation::Create)?;
        let op = self.operation(Operation::Create, Operation::Create)?;
        let desired = self.desired(who)?;
        let vars = self
            .exec()
            .vars()
            .with("account.user_name", self.user_name(&desired)?);
        let redact = sensitive_values(A::manifest(), &desired);
        let answer = match self.exec().run(op, &vars, Some(desired), &redact).await {
            Ok(Outcome::Done(Some(body))) if json::at(&body, self.pointers().id).is_some() => {
                Ok(CreateAnswer::Created(body))
            }
            Ok(Outcome::Done(_) | Outcome::AlreadyDone) => Ok(CreateAnswer::Unseen),
            Ok(Outcome::NotFound(error)) => return Err(error),
            Ok(Outcome::NoMatch(what)) => return Err(Error::NotFound { what }),
            Err(error) => Err(error),
        };
        let account = settle_create(
            answer,
            self.find_json(who),
            |json| self.account(json),
            || {
                self.invalid(
                    "the create succeeded without an account and the account cannot be found"
                        .to_owned(),
                )
            },
        )
        .await?;
        self.verified_write(account, who).await
    }

    async fn update(&self, account: &AccountRef, who: &Identity) -> Result<Account> {
        self.require(Capability::Update, Operation::Update)?;
        let op = self.operation(Operation::Update, Operation::Update)?;
        let current = self.get_json(account).await?;
        let mut desired = self.desired(who)?;
        if !self.differs(&desired, &current) {
            return self.account(current);
        }
        let manifest = A::manifest();
        for attribute in manifest.attributes.iter().filter(|a| a.create_only) {
            json::remove_dotted(&mut desired, attribute.path);
        }
        let redact = sensitive_values(manifest, &desired);
        let vars = self.exec().vars().account(account);
        let written = match self.exec().run(op, &vars, Some(desired), &redact).await? {
            Outcome::Done(body) => self.account_after_write(account, body).await?,
            Outcome::AlreadyDone => self.account_after_write(account, None).await?,
            Outcome::NotFound(error) => return Err(error),
            Outcome::NoMatch(what) => return Err(Error::NotFound { what }),
        };
        self.verified_write(written, who).await
    }

    async fn disable(&self, account: &AccountRef) -> Result<()> {
        self.require(Capability::Deactivate, Operation::Disable)?;
        self.set_state(account, Operation::Disable).await
    }

    async fn enable(&self, account: &AccountRef) -> Result<()> {
        self.require(Capability::Reactivate, Operation::Enable)?;
        self.set_state(account, Operation::Enable).await
    }

    async fn delete(&self, account: &AccountRef) -> Result<()> {
        self.require(Capability::Delete, Operation::Delete)?;
        self.set_state(account, Operation::Delete).await
    }

    async fn assign_license(
        &self,
        account: &AccountRef,
        sku: &LicenseSku,
    ) -> Result<LicenseOutcome> {
        self.change_license(account, sku, true).await
    }

    async fn revoke_license(
        &self,
        account: &AccountRef,
        sku: &LicenseSku,
    ) -> Result<LicenseOutcome> {
        self.change_license(account, sku, false).await
    }

    async fn list_groups(&self) -> Result<Vec<AppGroup>> {
        self.rest_list_groups().await
    }

    async fn group_members(&self, group_id: &str) -> Result<Vec<String>> {
        self.rest_group_members(group_id).await
    }

    async fn create_group(&self, name: &str, external_id: &str) -> Result<AppGroup> {
        self.rest_create_group(name, external_id).await
    }

    async fn rename_group(&self, group_id: &str, name: &str) -> Result<()> {
        self.rest_rename_group(group_id, name).await
    }

    async fn delete_group(&self, group_id: &str) -> Result<()> {
        self.rest_delete_group(group_id).await
    }

    async fn add_members(&self, group_id: &str, account_ids: &[String]) -> Result<()> {
        self.rest_change_members(group_id, account_ids, true).await
    }

    async fn remove_members(&self, group_id: &str, account_ids: &[String]) -> Result<()> {
        self.rest_change_members(group_id, account_ids, false).await
    }
}
