//! [`ScimConnector`]: any [`ScimApp`] as a [`Connector`], following its SCIM dialect.

use std::collections::BTreeMap;
use std::marker::PhantomData;

use async_trait::async_trait;
use serde_json::{Value, json};

use super::account::account_from_json;
use super::client::{ScimClient, Written};
use super::patch::{Change, diff, operations};
use super::path::{set_at, value_at};
use super::refusal;
use super::{ScimApp, filter};
use crate::config::InstanceConfig;
use crate::connector::{
    Account, AccountRef, AppGroup, Connector, CreateAnswer, Drift, LicenseOutcome, Page,
    PageRequest, checked_write, settle_create,
};
use crate::error::{Error, Operation, Result};
use crate::http::HttpClient;
use crate::identity::Identity;
use crate::manifest::{
    Capability, DeactivateMethod, LicenseSku, Manifest, ScimDialect, UpdateMethod,
};

/// The [`Connector`] of a SCIM service described by `A` (generated from its spec).
pub struct ScimConnector<A: ScimApp> {
    /// The SCIM client of the instance.
    client: ScimClient,
    /// The instance's tenant variables, with the manifest's defaults (for console URLs
    /// and declared licence operations).
    variables: BTreeMap<String, String>,
    /// The mapped attributes the instance neither sends nor compares (written paths).
    excluded: Vec<String>,
    /// The schemas the service declared, and when they were read (see
    /// [`SCHEMAS_READ_EVERY`]).
    declared: tokio::sync::Mutex<Option<(std::time::Instant, Option<Vec<String>>)>>,
    /// The service description; `fn() -> A` keeps the connector `Send + Sync`.
    app: PhantomData<fn() -> A>,
}

/// How long the schemas a service declares (`GET /Schemas`) are taken as read: a
/// connector kept across the applies of `connector serve` reads them once an hour, not
/// once per event.
pub const SCHEMAS_READ_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

impl<A: ScimApp> std::fmt::Debug for ScimConnector<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScimConnector")
            .field("client", &self.client)
            .finish_non_exhaustive()
    }
}

impl<A: ScimApp> ScimConnector<A> {
    /// The connector for one instance of the service. Fails when the configuration does
    /// not resolve: an unset tenant variable, a bad URL, missing credentials.
    pub fn new(config: InstanceConfig) -> Result<Self> {
        let http = HttpClient::new(A::manifest(), &config)?;
        Ok(Self {
            client: ScimClient::new(http),
            variables: config.variables_for(A::manifest()),
            excluded: config.excluded_attributes.clone(),
            declared: tokio::sync::Mutex::new(None),
            app: PhantomData,
        })
    }

    /// The SCIM client underneath.
    pub fn client(&self) -> &ScimClient {
        &self.client
    }

    /// The schema URNs the service declares, read at most once per
    /// [`SCHEMAS_READ_EVERY`] (a failed read is not kept).
    async fn declared_schemas(&self) -> Result<Option<Vec<String>>> {
        let mut cached = self.declared.lock().await;
        if let Some((at, schemas)) = &*cached
            && at.elapsed() < SCHEMAS_READ_EVERY
        {
            return Ok(schemas.clone());
        }
        let schemas = self.client.declared_schemas().await?;
        *cached = Some((std::time::Instant::now(), schemas.clone()));
        Ok(schemas)
    }

    /// The service's SCIM dialect.
    pub(super) fn dialect(&self) -> &'static ScimDialect {
        &A::manifest().provisioning.dialect
    }

    /// The tenant variables of the instance.
    pub(super) fn variables(&self) -> &BTreeMap<String, String> {
        &self.variables
    }

    /// [`Error::Unsupported`] unless the manifest declares `capability`.
    pub(super) fn require(&self, capability: Capability, operation: Operation) -> Result<()> {
        A::manifest().require(capability, operation)
    }

    /// The User the service should hold for `who`, as JSON with its `schemas`.
    fn desired(&self, who: &Identity) -> Result<Value> {
        let user = A::map_identity(who)?;
        let mut json = serde_json::to_value(&user).map_err(|e| {
            Error::Config(format!(
                "the {} User does not serialize: {e}",
                A::manifest().name
            ))
        })?;
        if let Some(object) = json.as_object_mut() {
            object.insert("schemas".to_owned(), json!(A::USER_SCHEMAS));
        }
        for path in &self.excluded {
            refusal::remove_at(&mut json, path);
        }
        Ok(json)
    }

    /// The managed attributes the instance compares and writes (the excluded left out).
    fn managed(&self) -> Vec<&'static str> {
        A::MANAGED_ATTRIBUTES
            .iter()
            .copied()
            .filter(|path| !self.excluded.iter().any(|e| e.eq_ignore_ascii_case(path)))
            .collect()
    }

    /// PATCHes `changes`; when the server refuses attributes some changes carry, PATCHes
    /// once more without those. The written User (if sent back) and the refusals;
    /// `None` as body and no write at all when every change was refused.
    async fn patch_retrying(&self, id: &str, changes: Vec<Change>) -> Result<Written> {
        let style = self.dialect().patch_style;
        let error = match self
            .client
            .patch_user(id, operations(style, &changes))
            .await
        {
            Ok(body) => {
                return Ok(Written {
                    body,
                    refused: Vec::new(),
                });
            }
            Err(error) => error,
        };
        let carried: Vec<&str> = changes.iter().map(|c| c.path.as_str()).collect();
        let paths = refusal::refused_paths(&error, &carried);
        if paths.is_empty() {
            return Err(error);
        }
        let refused = refusal::report(&paths, &error);
        let rest: Vec<Change> = changes
            .into_iter()
            .filter(|c| !paths.contains(&c.path))
            .collect();
        let body = if rest.is_empty() {
            None
        } else {
            self.client.patch_user(id, operations(style, &rest)).await?
        };
        Ok(Written { body, refused })
    }

    /// The account a User body describes.
    fn account(&self, json: Value) -> Result<Account> {
        account_from_json(A::manifest(), json)
            .map_err(|detail| self.client.invalid(&["Users"], detail))
    }

    /// The account from a write's answer when it holds the User, else read back.
    async fn account_after_write(&self, id: &str, body: Option<Value>) -> Result<Account> {
        match body {
            Some(body) if body.get("id").is_some() => self.account(body),
            _ => self.account(self.client.get_user(id).await?),
        }
    }

    /// The User matching `who`, as JSON.
    async fn find_json(&self, who: &Identity) -> Result<Option<Value>> {
        let desired = self.desired(who)?;
        let dialect = self.dialect();
        let page = PageRequest::first(dialect.page_size.max(1));
        let Some(attribute) = dialect.filter_attribute else {
            // No filtering: page through every account.
            let Some(wanted) = value_at(&desired, "userName").and_then(Value::as_str) else {
                return Err(Error::Config(
                    "the mapping gives no `userName` to find".to_owned(),
                ));
            };
            let mut request = Some(page);
            while let Some(page) = request {
                let list = self.client.list_users(page.clone()).await?;
                request = list.next_page(page);
                if let Some(found) = list
                    .resources
                    .into_iter()
                    .find(|u| matches(u, "userName", wanted))
                {
                    return Ok(Some(found));
                }
            }
            return Ok(None);
        };
        // `emails` is complex: RFC 7644 §3.4.2.2 wants its sub-attribute named, and any
        // of the person's addresses is the directory's email.
        let is_emails = attribute
            .get(..6)
            .is_some_and(|head| head.eq_ignore_ascii_case("emails"));
        let (attribute, wanted) = if is_emails {
            ("emails.value", who.email.clone())
        } else {
            let value = value_at(&desired, attribute).and_then(Value::as_str);
            let value = value.ok_or_else(|| {
                Error::Config(format!(
                    "the mapping gives no `{attribute}` to find the account by"
                ))
            })?;
            (attribute, value.to_owned())
        };
        let list = self
            .client
            .search_users(&filter::eq(attribute, &wanted), page)
            .await?;
        let mut found = list
            .resources
            .into_iter()
            .filter(|u| matches(u, attribute, &wanted));
        let first = found.next();
        if first.is_some() && found.next().is_some() {
            tracing::warn!(
                connector = A::manifest().name,
                attribute,
                "several accounts match; using the first"
            );
        }
        Ok(first)
    }

    /// Sets `active` the way the dialect deactivates.
    async fn set_active(&self, account: &AccountRef, active: bool) -> Result<()> {
        let dialect = self.dialect();
        match (dialect.deactivate, active) {
            (DeactivateMethod::Delete, false) => self.delete_idempotent(account).await,
            (DeactivateMethod::PutActive, _) => {
                let mut user = self.client.get_user(&account.id).await?;
                set_at(&mut user, "active", Value::Bool(active));
                self.client.replace_user(&account.id, &user).await.map(drop)
            }
            (DeactivateMethod::PatchActive | DeactivateMethod::Delete, _) => {
                let change = Change::set("active", Value::Bool(active));
                let ops = operations(dialect.patch_style, &[change]);
                self.client.patch_user(&account.id, ops).await.map(drop)
            }
        }
    }

    /// Applies `changes` with the dialect's update method: PATCH, or GET then PUT.
    /// Returns the written User when the server sent it back.
    pub(super) async fn apply(&self, id: &str, changes: &[Change]) -> Result<Option<Value>> {
        let dialect = self.dialect();
        match dialect.update {
            UpdateMethod::Patch => {
                let ops = operations(dialect.patch_style, changes);
                self.client.patch_user(id, ops).await
            }
            UpdateMethod::Put => {
                let mut user = self.client.get_user(id).await?;
                for change in changes {
                    set_at(
                        &mut user,
                        &change.path,
                        change.value.clone().unwrap_or(Value::Null),
                    );
                }
                self.client.replace_user(id, &user).await
            }
        }
    }

    /// DELETE, where an account already gone counts as deleted.
    async fn delete_idempotent(&self, account: &AccountRef) -> Result<()> {
        match self.client.delete_user(&account.id).await {
            Err(Error::NotFound { .. }) => Ok(()),
            other => other,
        }
    }
}

/// The `paths` of `record` that hold a value, as a User holding only those.
fn managed_part(record: &Value, paths: &[&str]) -> Option<Value> {
    let mut part = Value::Object(serde_json::Map::new());
    let mut any = false;
    for path in paths {
        if let Some(value) = value_at(record, path) {
            any |= set_at(&mut part, path, value.clone());
        }
    }
    any.then_some(part)
}

/// The managed `paths` on which `held` does not cover `desired` (see [`diff`]).
fn drift(desired: &Value, held: &Value, paths: &[&str]) -> Vec<Drift> {
    diff(desired, held, paths)
        .into_iter()
        .map(|change| Drift {
            held: value_at(held, &change.path).cloned(),
            wanted: change.value,
            path: change.path,
        })
        .collect()
}

/// Whether the User's `attribute` (any `emails` value for `emails.value`) equals
/// `wanted`, ignoring case.
fn matches(user: &Value, attribute: &str, wanted: &str) -> bool {
    let wanted = wanted.to_lowercase();
    let same = |value: &Value| value.as_str().is_some_and(|v| v.to_lowercase() == wanted);
    if attribute == "emails.value" {
        return value_at(user, "emails")
            .and_then(Value::as_array)
            .is_some_and(|emails| emails.iter().any(|e| e.get("value").is_some_and(same)));
    }
    value_at(user, attribute).is_some_and(same)
}

#[async_trait]
impl<A: ScimApp> Connector for ScimConnector<A> {
    fn manifest(&self) -> &'static Manifest {
        A::manifest()
    }

    fn cards(&self) -> &'static [crate::cards::Card] {
        A::CARDS
    }

    fn http_client(&self) -> Option<&HttpClient> {
        Some(self.client.http())
    }

    async fn find(&self, who: &Identity) -> Result<Option<Account>> {
        self.find_json(who)
            .await?
            .map(|u| self.account(u))
            .transpose()
    }

    async fn list(&self, page: PageRequest) -> Result<Page<Account>> {
        self.require(Capability::Import, Operation::List)?;
        let max = self.dialect().page_size;
        let count = match (page.count, max) {
            (0, 0) => 100,
            (0, max) => max,
            (count, 0) => count,
            (count, max) => count.min(max),
        };
        let request = PageRequest {
            start_index: page.start_index.max(1),
            count,
            cursor: None,
        };
        let list = self.client.list_users(request.clone()).await?;
        let next = list.next_page(request);
        let items = list
            .resources
            .into_iter()
            .map(|u| self.account(u))
            .collect::<Result<_>>()?;
        Ok(Page {
            items,
            total_results: list.total_results,
            next,
        })
    }

    fn managed_part(&self, record: &Value) -> Option<Value> {
        managed_part(record, &self.managed())
    }

    fn drift(&self, held: &Value, who: &Identity) -> Vec<Drift> {
        match self.desired(who) {
            Ok(desired) => drift(&desired, held, &self.managed()),
            Err(_) => Vec::new(),
        }
    }

    async fn undeclared_attributes(&self) -> Result<Option<Vec<String>>> {
        let Some(declared) = self.declared_schemas().await? else {
            return Ok(None);
        };
        let known = |urn: &str| declared.iter().any(|d| d.eq_ignore_ascii_case(urn));
        Ok(Some(
            self.managed()
                .into_iter()
                .filter(|path| crate::attribute_key::schema_of(path).is_some_and(|urn| !known(urn)))
                .map(str::to_owned)
                .collect(),
        ))
    }

    fn user_name_for(&self, who: &Identity) -> Option<String> {
        let desired = self.desired(who).ok()?;
        value_at(&desired, "userName")
            .and_then(Value::as_str)
            .map(str::to_owned)
    }

    async fn get(&self, account: &AccountRef) -> Result<Account> {
        self.account(self.client.get_user(&account.id).await?)
    }

    async fn create(&self, who: &Identity) -> Result<Account> {
        self.require(Capability::Create, Operation::Create)?;
        let desired = self.desired(who)?;
        let mut refused = Vec::new();
        let answer = self
            .client
            .create_user_retrying(&desired, &self.managed())
            .await
            .map(|written| {
                refused = written.refused;
                match written.body {
                    Some(body) if body.get("id").is_some() => CreateAnswer::Created(body),
                    _ => CreateAnswer::Unseen,
                }
            });
        let mut account = settle_create(
            answer,
            self.find_json(who),
            |json| self.account(json),
            || {
                self.client.invalid(
                    &["Users"],
                    "the create succeeded without a body and the account cannot be found"
                        .to_owned(),
                )
            },
        )
        .await?;
        account.refused = refused;
        Ok(checked_write(self, account, who))
    }

    async fn update(&self, account: &AccountRef, who: &Identity) -> Result<Account> {
        self.require(Capability::Update, Operation::Update)?;
        let mut desired = self.desired(who)?;
        let current = self.client.get_user(&account.id).await?;
        let managed = self.managed();
        let written = match self.dialect().update {
            UpdateMethod::Patch => {
                let changes = diff(&desired, &current, &managed);
                if changes.is_empty() {
                    return self.account(current);
                }
                self.patch_retrying(&account.id, changes).await?
            }
            UpdateMethod::Put => {
                let active = value_at(&current, "active")
                    .cloned()
                    .unwrap_or(Value::Bool(true));
                set_at(&mut desired, "id", Value::String(account.id.clone()));
                set_at(&mut desired, "active", active);
                // A PUT replaces the User: excluded attributes keep the server's values.
                for path in &self.excluded {
                    if let Some(value) = value_at(&current, path) {
                        set_at(&mut desired, path, value.clone());
                        refusal::list_schema_of(&mut desired, path);
                    }
                }
                self.client
                    .replace_user_retrying(&account.id, &desired, &managed)
                    .await?
            }
        };
        let mut updated = self.account_after_write(&account.id, written.body).await?;
        if !written.refused.is_empty() {
            tracing::warn!(
                connector = A::manifest().name,
                id = %account.id,
                refused = ?written.refused,
                "the server refused attributes; the update was applied without them"
            );
        }
        updated.refused = written.refused;
        Ok(checked_write(self, updated, who))
    }

    async fn disable(&self, account: &AccountRef) -> Result<()> {
        self.require(Capability::Deactivate, Operation::Disable)?;
        self.set_active(account, false).await
    }

    async fn enable(&self, account: &AccountRef) -> Result<()> {
        self.require(Capability::Reactivate, Operation::Enable)?;
        self.set_active(account, true).await
    }

    async fn delete(&self, account: &AccountRef) -> Result<()> {
        self.require(Capability::Delete, Operation::Delete)?;
        self.delete_idempotent(account).await
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
        self.all_groups().await
    }

    async fn create_group(&self, name: &str, external_id: &str) -> Result<AppGroup> {
        self.new_group(name, external_id).await
    }

    async fn rename_group(&self, group_id: &str, name: &str) -> Result<()> {
        self.set_group_name(group_id, name).await
    }

    async fn delete_group(&self, group_id: &str) -> Result<()> {
        self.remove_group(group_id).await
    }

    async fn add_members(&self, group_id: &str, account_ids: &[String]) -> Result<()> {
        self.change_members(group_id, account_ids, true).await
    }

    async fn remove_members(&self, group_id: &str, account_ids: &[String]) -> Result<()> {
        self.change_members(group_id, account_ids, false).await
    }
}
