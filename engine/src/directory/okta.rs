//! [`OktaSource`]: people and groups from Okta's Management API.
//!
//! Reads `/api/v1/users`, `/api/v1/groups` and `/api/v1/groups/{id}/users`, following
//! `Link: <...>; rel="next"` headers; authenticates with `Authorization: SSWS <token>`;
//! honours `X-Rate-Limit-Remaining` / `X-Rate-Limit-Reset` by waiting for the reset
//! when the budget is spent or a 429 comes back. Any page that fails fails the load: a
//! partial directory must never look like people who left.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use connector_sdk::{Identity, IdentityStatus, Secret};
use serde_json::Value;

use super::DirectorySource;
use super::error::DirectoryError;
use super::model::{Directory, Group};

/// The page size asked for (Okta's maximum for users is 200).
const PAGE_LIMIT: u32 = 200;
/// How many times one page is retried after a 429 or a 5xx.
const MAX_RETRIES: u32 = 5;
/// The longest wait for a rate-limit reset.
const MAX_WAIT: Duration = Duration::from_secs(120);

/// Okta's rate-limit headers of the last answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RateLimitStatus {
    /// `X-Rate-Limit-Remaining`: requests left in the window.
    pub remaining: Option<u64>,
    /// `X-Rate-Limit-Reset`: when the window resets, in Unix seconds.
    pub reset: Option<u64>,
}

impl RateLimitStatus {
    /// Reads the headers of `response`.
    fn read(headers: &reqwest::header::HeaderMap) -> Self {
        let number = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse().ok())
        };
        Self {
            remaining: number("x-rate-limit-remaining"),
            reset: number("x-rate-limit-reset"),
        }
    }

    /// How long to wait before the next request: until the reset when nothing remains.
    fn wait(&self, now_secs: u64, exhausted: bool) -> Option<Duration> {
        let spent = exhausted || self.remaining == Some(0);
        if !spent {
            return None;
        }
        let wait = match self.reset {
            Some(reset) => Duration::from_secs(reset.saturating_sub(now_secs).max(1)),
            None => Duration::from_secs(60),
        };
        Some(wait.min(MAX_WAIT))
    }
}

/// A directory read from an Okta org.
#[derive(Debug, Clone)]
pub struct OktaSource {
    base_url: String,
    token: Secret,
    client: reqwest::Client,
}

impl OktaSource {
    /// A source for the org at `base_url` (`https://acme.okta.com`) with an API token.
    ///
    /// # Errors
    ///
    /// When the HTTP client cannot be built.
    pub fn new(base_url: impl Into<String>, token: Secret) -> Result<Self, DirectoryError> {
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| DirectoryError::source(format!("cannot build the Okta client: {e}")))?;
        Ok(Self {
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            token,
            client,
        })
    }

    /// Every item of a paged collection, following `Link: rel="next"`.
    async fn collect(&self, path: &str) -> Result<Vec<Value>, DirectoryError> {
        let mut items = Vec::new();
        let mut url = Some(format!("{}{path}?limit={PAGE_LIMIT}", self.base_url));
        while let Some(page_url) = url {
            let (page, next) = self.page(&page_url).await?;
            items.extend(page);
            url = next;
        }
        Ok(items)
    }

    /// One page: its items and the next page's URL, retrying 429 and 5xx answers.
    async fn page(&self, url: &str) -> Result<(Vec<Value>, Option<String>), DirectoryError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let response = self
                .client
                .get(url)
                .header("Authorization", format!("SSWS {}", self.token.expose()))
                .header("Accept", "application/json")
                .send()
                .await
                .map_err(|e| DirectoryError::source(format!("GET {url}: {e}")))?;
            let status = response.status();
            let limit = RateLimitStatus::read(response.headers());
            let retryable = status.as_u16() == 429 || status.is_server_error();
            if retryable && attempt <= MAX_RETRIES {
                let wait = limit
                    .wait(now_secs(), status.as_u16() == 429)
                    .unwrap_or(Duration::from_millis(500 * u64::from(attempt)));
                tokio::time::sleep(wait).await;
                continue;
            }
            if !status.is_success() {
                let body = response.text().await.unwrap_or_default();
                return Err(DirectoryError::source(format!(
                    "GET {url} answered {status}: {}",
                    body.chars().take(300).collect::<String>()
                )));
            }
            let next = next_link(response.headers());
            let items: Vec<Value> = response
                .json()
                .await
                .map_err(|e| DirectoryError::source(format!("GET {url}: not a JSON list: {e}")))?;
            if let Some(wait) = limit.wait(now_secs(), false) {
                tokio::time::sleep(wait).await;
            }
            return Ok((items, next));
        }
    }
}

/// The current time in Unix seconds.
fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The `rel="next"` URL of the `Link` headers, if any.
fn next_link(headers: &reqwest::header::HeaderMap) -> Option<String> {
    headers
        .get_all("link")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .find(|part| part.contains("rel=\"next\""))
        .and_then(|part| {
            let start = part.find('<')? + 1;
            let end = part.find('>')?;
            Some(part[start..end].to_owned())
        })
}

/// The profile of an Okta user as an [`Identity`].
fn identity(user: &Value) -> Option<Identity> {
    let profile = user.get("profile")?;
    let text = |name: &str| profile.get(name).and_then(Value::as_str).map(str::to_owned);
    let status = match user.get("status").and_then(Value::as_str) {
        Some("SUSPENDED") => IdentityStatus::Suspended,
        Some("DEPROVISIONED") => IdentityStatus::Deprovisioned,
        _ => IdentityStatus::Active,
    };
    Some(Identity {
        id: user.get("id")?.as_str()?.to_owned(),
        login: text("login")?,
        email: text("email")?,
        first_name: text("firstName"),
        last_name: text("lastName"),
        display_name: text("displayName"),
        department: text("department"),
        title: text("title"),
        manager: text("manager"),
        employee_number: text("employeeNumber"),
        cost_center: text("costCenter"),
        organization: text("organization"),
        division: text("division"),
        locale: text("locale"),
        preferred_language: text("preferredLanguage"),
        timezone: text("timezone"),
        phone: text("primaryPhone").or_else(|| text("mobilePhone")),
        status,
        ..Identity::default()
    })
}

#[async_trait]
impl DirectorySource for OktaSource {
    fn describe(&self) -> String {
        format!("okta {}", self.base_url)
    }

    async fn load(&self) -> Result<Directory, DirectoryError> {
        let users = self.collect("/api/v1/users").await?;
        let people = users
            .iter()
            .map(|u| {
                identity(u).ok_or_else(|| {
                    DirectoryError::source(format!("an Okta user lacks id, login or email: {u}"))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut groups = Vec::new();
        for group in self.collect("/api/v1/groups").await? {
            let id = group.get("id").and_then(Value::as_str).unwrap_or_default();
            let profile = group.get("profile");
            let name = profile
                .and_then(|p| p.get("name"))
                .and_then(Value::as_str)
                .unwrap_or(id)
                .to_owned();
            let members = self
                .collect(&format!("/api/v1/groups/{id}/users"))
                .await?
                .iter()
                .filter_map(|m| m.get("id").and_then(Value::as_str).map(str::to_owned))
                .filter(|member| people.iter().any(|p| &p.id == member))
                .collect();
            groups.push(Group {
                name,
                description: profile
                    .and_then(|p| p.get("description"))
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                members,
            });
        }
        Directory::assemble(people, groups).map_err(|problems| {
            DirectoryError::source(format!("Okta directory: {}", problems[0].message))
        })
    }
}

#[cfg(test)]
mod tests {
    use reqwest::header::{HeaderMap, HeaderValue};

    use super::*;

    #[test]
    fn next_link_is_found_among_several() {
        let mut headers = HeaderMap::new();
        headers.append(
            "link",
            HeaderValue::from_static("<https://a.okta.com/api/v1/users?limit=2>; rel=\"self\""),
        );
        headers.append(
            "link",
            HeaderValue::from_static(
                "<https://a.okta.com/api/v1/users?after=00u2&limit=2>; rel=\"next\"",
            ),
        );
        assert_eq!(
            next_link(&headers).as_deref(),
            Some("https://a.okta.com/api/v1/users?after=00u2&limit=2")
        );
    }

    #[test]
    fn waits_for_the_reset_only_when_the_budget_is_spent() {
        let status = RateLimitStatus {
            remaining: Some(0),
            reset: Some(1_010),
        };
        assert_eq!(status.wait(1_000, false), Some(Duration::from_secs(10)));
        let fine = RateLimitStatus {
            remaining: Some(5),
            reset: Some(1_010),
        };
        assert_eq!(fine.wait(1_000, false), None);
        assert_eq!(fine.wait(1_000, true), Some(Duration::from_secs(10)));
    }

    #[test]
    fn okta_users_map_to_identities() {
        let user = serde_json::json!({
            "id": "00u1", "status": "SUSPENDED",
            "profile": {"login": "ada@x.io", "email": "ada@x.io", "firstName": "Ada"}
        });
        let person = identity(&user).unwrap();
        assert_eq!(person.status, IdentityStatus::Suspended);
        assert_eq!(person.first_name.as_deref(), Some("Ada"));
    }
}
