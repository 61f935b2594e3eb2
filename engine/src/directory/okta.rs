//! [`OktaSource`]: people, groups and app assignments from Okta's Management API
//! (`engine/docs/okta.md`).
//!
//! Reads `/api/v1/users` (and, with `filter=status eq "DEPROVISIONED"`, the people Okta
//! leaves out of that listing, so a deactivated person is known as such rather than
//! looking deleted), `/api/v1/groups` with each group's `/users`, and for each app the
//! source is told about, `/api/v1/apps/{id}` and `/api/v1/apps/{id}/users`: everyone
//! assigned to the app, directly or through a group, becomes a member of a directory
//! group named as configured, which assignment rules select like any group.
//!
//! Module `http` pages (`Link: rel="next"`) over the SDK's `HttpClient`, which
//! authenticates (`SSWS`), waits out the rate limit (`X-Rate-Limit-Remaining` /
//! `X-Rate-Limit-Reset`) and retries; module
//! `mapping` turns Okta's JSON into people and groups. Any page that fails fails the
//! load: a partial directory must never look like people who left.

mod http;
mod mapping;

use std::collections::BTreeSet;
use std::time::Duration;

use async_trait::async_trait;
use connector_sdk::{Identity, Secret};
use serde_json::Value;

use super::DirectorySource;
use super::error::DirectoryError;
use super::model::{Directory, Group, Item};
use super::profile_column::ProfileColumn;
pub(crate) use http::{OktaClient, Sent, lacking_scope};

/// The most users Okta serves on one page (and the default page size).
const MAX_PAGE_SIZE: u32 = 200;

/// The `filter` that lists the people `/api/v1/users` leaves out by default.
const DEPROVISIONED: &str = "status eq \"DEPROVISIONED\"";

/// An Okta app whose assignments become a directory group.
#[derive(Debug, Clone, PartialEq, Eq)]
struct AppGroup {
    /// The app's id (`0oa...`).
    app: String,
    /// The directory group its assigned people join.
    group: String,
}

/// A directory read from an Okta org with an API token.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use connector_engine::{DirectorySource, OktaSource};
/// use connector_sdk::Secret;
///
/// let token = Secret::from_env("OKTA_API_TOKEN")?;
/// let source = OktaSource::new("https://acme.okta.com", token)?
///     .app("0oa1chatgpt", "okta-app-chatgpt");
/// let directory = source.load().await?;
/// # let _ = directory;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct OktaSource {
    client: OktaClient,
    apps: Vec<AppGroup>,
    attributes: Vec<(String, ProfileColumn)>,
}

impl OktaSource {
    /// A source for the org at `base_url` (`https://acme.okta.com`) with an API token
    /// (sent as `Authorization: SSWS <token>`, to that org only, and never printed).
    ///
    /// # Errors
    ///
    /// When `base_url` is not an http(s) URL, or the HTTP client cannot be built.
    pub fn new(base_url: impl Into<String>, token: Secret) -> Result<Self, DirectoryError> {
        Ok(Self {
            client: OktaClient::new(&base_url.into(), token)?,
            apps: Vec::new(),
            attributes: Vec::new(),
        })
    }

    /// Reads the assignments of the Okta app `app_id`: everyone assigned to it,
    /// directly (`scope` `USER`) or through a group (`scope` `GROUP`), is a member of
    /// the directory group `group`, which must not be the name of an Okta group.
    pub fn app(mut self, app_id: impl Into<String>, group: impl Into<String>) -> Self {
        self.apps.push(AppGroup {
            app: app_id.into(),
            group: group.into(),
        });
        self
    }

    /// Fills the profile value `column` from the Okta profile attribute `okta`
    /// (`[directory.okta.attributes]`): a custom attribute (`custom.start_date` from
    /// `startDate`), or a base text field read from `okta` instead of its default
    /// attribute. `status`, `groups` and `id` come from the user itself and are not
    /// filled this way (the assignments file refuses them).
    pub fn attribute(mut self, okta: impl Into<String>, column: ProfileColumn) -> Self {
        self.attributes.push((okta.into(), column));
        self
    }

    /// The `limit` asked for on every listing, 1 to 200 (Okta's most users per page,
    /// and the default). Okta suggests a smaller page when large ones time out.
    pub fn page_size(mut self, size: u32) -> Self {
        self.client.page_size = size.clamp(1, MAX_PAGE_SIZE);
        self
    }

    /// The wait before retrying a 5xx answer or a dropped connection (then twice as
    /// long, three times, ... five retries at most); half a second by default. A 429 is
    /// waited out until `X-Rate-Limit-Reset` instead.
    pub fn retry_delay(mut self, delay: Duration) -> Self {
        self.client.set_retry_delay(delay);
        self
    }

    /// Everyone: the default listing, then the deprovisioned people it leaves out.
    async fn people(&self) -> Result<Vec<Identity>, DirectoryError> {
        let mut users = self.client.collect("/api/v1/users", &[]).await?;
        let gone = self
            .client
            .collect("/api/v1/users", &[("filter", DEPROVISIONED)])
            .await?;
        users.extend(gone);
        let mut seen = BTreeSet::new();
        let mut people = Vec::new();
        for user in &users {
            let person = mapping::identity(user, &self.attributes)
                .map_err(DirectoryError::source)?
                .ok_or_else(|| {
                    DirectoryError::source(format!(
                        "Okta user `{}` has no id, login or email; every person needs all three",
                        mapping::id(user).unwrap_or("(no id)")
                    ))
                })?;
            if seen.insert(person.id.clone()) {
                people.push(person);
            }
        }
        Ok(people)
    }

    /// The ids of the users of a listing who are among `people`.
    async fn members(
        &self,
        path: &str,
        people: &BTreeSet<&str>,
    ) -> Result<Vec<String>, DirectoryError> {
        Ok(self
            .client
            .collect(path, &[])
            .await?
            .iter()
            .filter_map(mapping::id)
            .filter(|id| people.contains(id))
            .map(str::to_owned)
            .collect())
    }

    /// Every Okta group with its members.
    async fn groups(&self, people: &BTreeSet<&str>) -> Result<Vec<Group>, DirectoryError> {
        let mut groups = Vec::new();
        for group in self.client.collect("/api/v1/groups", &[]).await? {
            let id = path_id("group", mapping::id(&group))?;
            let members = self
                .members(&format!("/api/v1/groups/{id}/users"), people)
                .await?;
            groups.push(mapping::group(&group, members));
        }
        Ok(groups)
    }

    /// The group of each app the source was told about.
    async fn app_groups(
        &self,
        people: &BTreeSet<&str>,
        okta_groups: &[Group],
    ) -> Result<Vec<Group>, DirectoryError> {
        let mut names: BTreeSet<&str> = okta_groups.iter().map(|g| g.name.as_str()).collect();
        let mut groups = Vec::new();
        for AppGroup { app, group } in &self.apps {
            let context = |message: &str| {
                DirectoryError::source(format!("Okta app `{app}` (group `{group}`): {message}"))
            };
            let id = path_id("app", Some(app)).map_err(|e| context(&e.message))?;
            if group.trim().is_empty() {
                return Err(context("the group name is empty"));
            }
            if !names.insert(group) {
                return Err(context(
                    "an Okta group or another app already has this name; choose another",
                ));
            }
            let found = self
                .client
                .object(&format!("/api/v1/apps/{id}"))
                .await
                .map_err(|e| context(&e.message))?;
            let label = found.get("label").and_then(Value::as_str).unwrap_or(id);
            let members = self
                .members(&format!("/api/v1/apps/{id}/users"), people)
                .await
                .map_err(|e| context(&e.message))?;
            groups.push(Group {
                name: group.clone(),
                description: Some(format!("Assigned to the Okta app {label} ({id})")),
                members,
            });
        }
        Ok(groups)
    }
}

/// An id from Okta, checked to be safe in a URL path (Okta's are letters and digits).
fn path_id<'a>(what: &str, id: Option<&'a str>) -> Result<&'a str, DirectoryError> {
    match id {
        Some(id)
            if !id.is_empty()
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') =>
        {
            Ok(id)
        }
        Some(id) => Err(DirectoryError::source(format!(
            "the Okta {what} id `{id}` is not letters, digits, `-` and `_`"
        ))),
        None => Err(DirectoryError::source(format!(
            "an Okta {what} has no `id`"
        ))),
    }
}

#[async_trait]
impl DirectorySource for OktaSource {
    fn describe(&self) -> String {
        format!("okta {}", self.client.base())
    }

    async fn load(&self) -> Result<Directory, DirectoryError> {
        let people = self.people().await?;
        let ids: BTreeSet<&str> = people.iter().map(|p| p.id.as_str()).collect();
        let mut groups = self.groups(&ids).await?;
        let apps = self.app_groups(&ids, &groups).await?;
        groups.extend(apps);
        Directory::assemble(people, groups).map_err(|problems| {
            // The same checks as for files (ids, addresses ignoring case, members); a
            // person's problem names the person, as there is no line to point at.
            let messages: Vec<_> = problems
                .iter()
                .map(|p| match p.item {
                    Item::Person(_) => format!("{}: {}", p.who, p.message),
                    Item::Group(_) => p.message.clone(),
                })
                .collect();
            DirectoryError::source(format!("Okta directory: {}", messages.join("; ")))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_must_be_path_safe_and_options_are_bounded() {
        assert_eq!(path_id("app", Some("0oa1_x-2")).unwrap(), "0oa1_x-2");
        let error = path_id("app", Some("0oa/../users")).unwrap_err();
        assert!(error.message.contains("0oa/../users"), "{error}");
        assert!(path_id("group", None).is_err());
        let source = OktaSource::new("https://acme.okta.com", Secret::new("t"))
            .unwrap()
            .page_size(5000)
            .app("0oa1", "chatgpt");
        assert_eq!(source.client.page_size, MAX_PAGE_SIZE);
        assert_eq!(source.describe(), "okta https://acme.okta.com");
        assert!(
            !format!("{source:?}").contains("\"t\""),
            "the token is never printed"
        );
        assert!(OktaSource::new("not a url", Secret::new("t")).is_err());
    }
}
