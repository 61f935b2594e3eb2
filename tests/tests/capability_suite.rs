//! The capability suite against a tiny hand-written SCIM connector (plain reqwest), so the
//! suite itself is exercised before generated connectors exist.

use std::borrow::Cow;

use async_trait::async_trait;
use connector_sdk::manifest::{
    Attribute, Auth, DeactivateMethod, LicenseAttribute, PatchStyle, Plan, Protocol, Provisioning,
    ScimDialect, Sso, UpdateMethod,
};
use connector_sdk::profile::Field;
use connector_sdk::template::{Expr, Part, Template};
use connector_sdk::{
    Account, AccountRef, Capability, Connector, Error, Identity, LicenseMode, LicenseOutcome,
    LicenseSku, Manifest, Page, PageRequest, Result,
};
use connector_tests::{Scim2Server, StepOutcome, run_capability_suite};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const CORE: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const ACME: &str = "urn:ietf:params:scim:schemas:extension:acme:2.0:User";

const fn manifest(
    name: &'static str,
    capabilities: &'static [Capability],
    deactivate: DeactivateMethod,
    licenses: &'static [LicenseSku],
) -> Manifest {
    Manifest {
        name,
        display_name: "Mini",
        vendor: "Test",
        product: "Mini SCIM",
        docs_url: "https://example.com",
        plan: Plan {
            sso: "any",
            provisioning: "any",
        },
        variables: &[],
        auth: Auth::Bearer {
            token_env: "MINI_TOKEN",
        },
        provisioning: Provisioning {
            protocol: Protocol::Scim2,
            base_url: "https://example.com/scim/v2",
            capabilities,
            dialect: ScimDialect {
                update: UpdateMethod::Patch,
                deactivate,
                patch_style: PatchStyle::Path,
                filter_attribute: Some("userName"),
                page_size: 100,
                user_agent: None,
                group_members_per_request: 1000,
                group_members_listed: true,
            },
            rate_limit: None,
            throttle: &[],
            rest: None,
        },
        attributes: &[
            Attribute {
                path: "userName",
                scim_type: "string",
                mapping: Template {
                    source: Cow::Borrowed("{login}"),
                    parts: Cow::Borrowed(&[Part::Expr(Expr::Field(Field::Login))]),
                },
                reads: &["login"],
                create_only: false,
                sensitive: false,
            },
            Attribute {
                path: "name.familyName",
                scim_type: "string",
                mapping: Template {
                    source: Cow::Borrowed("{last_name}"),
                    parts: Cow::Borrowed(&[Part::Expr(Expr::Field(Field::LastName))]),
                },
                reads: &["last_name"],
                create_only: false,
                sensitive: false,
            },
            Attribute {
                path: "title",
                scim_type: "string",
                mapping: Template {
                    source: Cow::Borrowed("{title}"),
                    parts: Cow::Borrowed(&[Part::Expr(Expr::Field(Field::Title))]),
                },
                reads: &["title"],
                create_only: false,
                sensitive: false,
            },
        ],
        licenses,
        sso: Sso {
            protocols: &[],
            sp_initiated_only: false,
            login_url: None,
            acs_url: None,
            entity_id: None,
            name_id_format: "emailAddress",
            attributes: &[],
            federation: None,
        },
        sources: &[],
    }
}

static FULL: Manifest = manifest(
    "mini_full",
    &[
        Capability::Create,
        Capability::Update,
        Capability::Deactivate,
        Capability::Reactivate,
        Capability::Delete,
        Capability::Import,
        Capability::License,
    ],
    DeactivateMethod::PatchActive,
    &[LicenseSku {
        name: "pro",
        display_name: "Pro seat",
        mode: LicenseMode::Attribute,
        attribute: Some(LicenseAttribute {
            path: "urn:ietf:params:scim:schemas:extension:acme:2.0:User:licenseSku",
            assign: "\"PRO\"",
            revoke: "\"FREE\"",
        }),
        group: None,
        instructions: None,
        console_url: None,
        params: &[],
    }],
);

static DELETING: Manifest = manifest(
    "mini_deleting",
    &[
        Capability::Create,
        Capability::Update,
        Capability::Deactivate,
        Capability::Reactivate,
        Capability::Import,
    ],
    DeactivateMethod::Delete,
    &[],
);

/// A minimal SCIM connector: enough for the suite, nothing more.
struct Mini {
    manifest: &'static Manifest,
    http: reqwest::Client,
    base: String,
    token: String,
    /// Makes `update` report success without sending anything.
    fake_update: bool,
}

impl Mini {
    fn new(manifest: &'static Manifest, server: &Scim2Server) -> Self {
        connector_tests::install_crypto_provider();
        Self {
            manifest,
            http: reqwest::Client::new(),
            base: server.base_url().to_owned(),
            token: server.token().expose().to_owned(),
            fake_update: false,
        }
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<(StatusCode, Value)> {
        let url = format!("{}{path}", self.base);
        let mut request = self.http.request(method, &url).bearer_auth(&self.token);
        if let Some(body) = body {
            request = request
                .header("content-type", "application/scim+json")
                .body(body.to_string());
        }
        let transport = |e: reqwest::Error| Error::Transport {
            url: url.clone(),
            message: e.to_string(),
        };
        let response = request.send().await.map_err(transport)?;
        let status = response.status();
        let text = response.text().await.map_err(transport)?;
        let value = serde_json::from_str(&text).unwrap_or(Value::Null);
        match status.as_u16() {
            200..=299 => Ok((status, value)),
            404 => Err(Error::NotFound { what: url }),
            409 => Err(Error::Conflict {
                detail: value.to_string(),
            }),
            code => Err(Error::Server {
                status: code,
                scim_type: None,
                detail: Some(value.to_string()),
            }),
        }
    }

    async fn patch(&self, account: &AccountRef, path: &str, value: Value) -> Result<()> {
        let op = json!({ "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                         "Operations": [{ "op": "replace", "path": path, "value": value }] });
        self.call(Method::PATCH, &format!("/Users/{}", account.id), Some(op))
            .await
            .map(drop)
    }

    fn license_value(sku: &LicenseSku, assign: bool) -> (&'static str, Value) {
        let attribute = sku.attribute.as_ref().expect("attribute-mode SKU");
        let text = if assign {
            attribute.assign
        } else {
            attribute.revoke
        };
        (
            attribute.path,
            serde_json::from_str(text).expect("JSON value"),
        )
    }
}

fn account(user: &Value) -> Account {
    Account {
        id: user["id"].as_str().unwrap_or_default().to_owned(),
        user_name: user["userName"].as_str().unwrap_or_default().to_owned(),
        external_id: user["externalId"].as_str().map(str::to_owned),
        email: None,
        display_name: user["displayName"].as_str().map(str::to_owned),
        active: user["active"].as_bool().unwrap_or(false),
        licenses: Vec::new(),
        not_stored: Vec::new(),
        attributes: user.clone(),
        refused: Vec::new(),
    }
}

#[async_trait]
impl Connector for Mini {
    fn manifest(&self) -> &'static Manifest {
        self.manifest
    }

    fn managed_part(&self, _: &serde_json::Value) -> Option<serde_json::Value> {
        None
    }
    fn drift(&self, _: &serde_json::Value, _: &Identity) -> Vec<connector_sdk::Drift> {
        Vec::new()
    }
    fn user_name_for(&self, who: &Identity) -> Option<String> {
        Some(who.login.clone())
    }

    async fn find(&self, who: &Identity) -> Result<Option<Account>> {
        let filter = format!("userName eq \"{}\"", who.login);
        let url = format!(
            "/Users?filter={}",
            filter.replace(' ', "%20").replace('"', "%22")
        );
        let (_, body) = self.call(Method::GET, &url, None).await?;
        Ok(body["Resources"]
            .as_array()
            .and_then(|r| r.first())
            .map(account))
    }

    async fn list(&self, page: PageRequest) -> Result<Page<Account>> {
        let path = format!(
            "/Users?startIndex={}&count={}",
            page.start_index, page.count
        );
        let (_, body) = self.call(Method::GET, &path, None).await?;
        let items: Vec<Account> = body["Resources"]
            .as_array()
            .into_iter()
            .flatten()
            .map(account)
            .collect();
        let total = body["totalResults"].as_u64();
        let next_start = page.start_index + items.len() as u64;
        let next =
            (!items.is_empty() && total.is_some_and(|t| next_start <= t)).then_some(PageRequest {
                start_index: next_start,
                count: page.count,
                cursor: None,
            });
        Ok(Page {
            items,
            total_results: total,
            next,
        })
    }

    async fn get(&self, account_ref: &AccountRef) -> Result<Account> {
        let (_, body) = self
            .call(Method::GET, &format!("/Users/{}", account_ref.id), None)
            .await?;
        Ok(account(&body))
    }

    async fn create(&self, who: &Identity) -> Result<Account> {
        let user = json!({ "schemas": [CORE], "userName": who.login, "active": true,
                           "name": { "familyName": who.last_name }, "title": who.title });
        match self.call(Method::POST, "/Users", Some(user)).await {
            Ok((_, body)) => Ok(account(&body)),
            // Never adopted: the account found is reported for the caller to decide.
            Err(Error::Conflict { detail }) => match self.find(who).await? {
                Some(existing) => Err(Error::AlreadyExists {
                    existing: Box::new(existing),
                    cause: detail,
                }),
                None => Err(Error::Conflict { detail }),
            },
            Err(e) => Err(e),
        }
    }

    async fn update(&self, account_ref: &AccountRef, who: &Identity) -> Result<Account> {
        if self.fake_update {
            return self.get(account_ref).await;
        }
        self.patch(account_ref, "name.familyName", json!(who.last_name))
            .await?;
        self.patch(account_ref, "title", json!(who.title)).await?;
        self.get(account_ref).await
    }

    async fn disable(&self, account_ref: &AccountRef) -> Result<()> {
        match self.manifest.provisioning.dialect.deactivate {
            DeactivateMethod::Delete => self.delete(account_ref).await,
            _ => self.patch(account_ref, "active", json!(false)).await,
        }
    }

    async fn enable(&self, account_ref: &AccountRef) -> Result<()> {
        self.patch(account_ref, "active", json!(true)).await
    }

    async fn delete(&self, account_ref: &AccountRef) -> Result<()> {
        self.call(Method::DELETE, &format!("/Users/{}", account_ref.id), None)
            .await
            .map(drop)
    }

    async fn assign_license(
        &self,
        account_ref: &AccountRef,
        sku: &LicenseSku,
    ) -> Result<LicenseOutcome> {
        let (path, value) = Self::license_value(sku, true);
        self.patch(account_ref, path, value)
            .await
            .map(|()| LicenseOutcome::Applied)
    }

    async fn revoke_license(
        &self,
        account_ref: &AccountRef,
        sku: &LicenseSku,
    ) -> Result<LicenseOutcome> {
        let (path, value) = Self::license_value(sku, false);
        self.patch(account_ref, path, value)
            .await
            .map(|()| LicenseOutcome::Applied)
    }
}

fn person(index: usize) -> Identity {
    Identity {
        id: format!("dir-{index}"),
        login: format!("user{index}@example.com"),
        email: format!("user{index}@example.com"),
        last_name: Some(format!("Last{index}")),
        title: Some("Engineer".to_owned()),
        ..Identity::default()
    }
}

fn acme_schema() -> Value {
    json!({ "id": ACME, "name": "AcmeUser", "description": "licence extension",
            "attributes": [{ "name": "licenseSku", "type": "string", "multiValued": false,
                             "required": false, "caseExact": false, "mutability": "readWrite",
                             "returned": "default", "uniqueness": "none" }] })
}

#[tokio::test]
async fn every_declared_capability_passes_against_scim2_server() {
    let server = Scim2Server::start(&[acme_schema()]).unwrap();
    let connector = Mini::new(&FULL, &server);
    let report = run_capability_suite(&connector, &server, person).await;
    println!("{report}");
    for step in [
        "create", "get", "find", "existing", "update", "license", "list", "disable", "enable",
        "delete",
    ] {
        assert!(report.passed(step), "step {step} did not pass:\n{report}");
    }
    // Everything the suite created, minus the deleted one, is still on the server.
    assert_eq!(server.state().count_users().await, 7);
}

#[tokio::test]
async fn deactivate_by_delete_is_checked_as_a_delete() {
    let server = Scim2Server::start(&[]).unwrap();
    let connector = Mini::new(&DELETING, &server);
    let report = run_capability_suite(&connector, &server, person).await;
    assert!(report.passed("disable"), "{report}");
    assert_eq!(
        report.step("enable").unwrap().outcome,
        StepOutcome::Skipped,
        "{report}"
    );
    assert_eq!(
        report.step("delete").unwrap().outcome,
        StepOutcome::Skipped,
        "{report}"
    );
}

#[tokio::test]
#[should_panic(expected = "step `update`")]
async fn an_update_that_only_claims_success_fails_the_suite() {
    let server = Scim2Server::start(&[acme_schema()]).unwrap();
    let mut connector = Mini::new(&FULL, &server);
    connector.fake_update = true;
    run_capability_suite(&connector, &server, person).await;
}
