//! [`ScimClient`]: SCIM 2.0 resource operations (RFC 7644 §3) over [`HttpClient`].

use serde_json::{Value, json};

use super::filter;
use super::list::ListResponse;
use super::patch::patch_request;
use super::refusal;
use crate::connector::{PageRequest, RefusedAttribute};
use crate::error::{Error, Result};
use crate::http::{HttpClient, Method, Request, Response};

/// The SCIM media type, sent as `Content-Type`.
pub const SCIM_MEDIA_TYPE: &str = "application/scim+json";
/// The `Accept` header of SCIM requests (some servers answer plain JSON).
pub const SCIM_ACCEPT: &str = "application/scim+json, application/json";

/// The `Users` resource endpoint.
const USERS: &str = "Users";
/// The `Groups` resource endpoint.
const GROUPS: &str = "Groups";

/// A write's answer, after at most one retry without the attributes the server refused.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Written {
    /// The User the server sent back, if it did.
    pub body: Option<Value>,
    /// The attributes left out of the retry, with the server's reason.
    pub refused: Vec<RefusedAttribute>,
}

/// SCIM calls on `/Users` and `/Groups` of one service. Bodies are JSON values: typing
/// them is the caller's business.
#[derive(Debug, Clone)]
pub struct ScimClient {
    /// The HTTP client every call goes through.
    http: HttpClient,
}

impl ScimClient {
    /// A SCIM client over `http`.
    pub fn new(http: HttpClient) -> Self {
        Self { http }
    }

    /// The underlying HTTP client.
    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    /// `POST /Users`; the created User as the server returned it (`None` when it
    /// answered without a body).
    pub async fn create_user(&self, user: &Value) -> Result<Option<Value>> {
        let request = scim(Method::Post, &[USERS]).json(user.clone());
        Ok(self.http.send(&request).await?.body)
    }

    /// `POST /Users`, retried once without the attributes a 400 refusal names among
    /// `candidates` (SCIM paths in the form the connector writes them: `title`,
    /// `urn:…:User:department`). `userName` is never left out.
    pub async fn create_user_retrying(&self, user: &Value, candidates: &[&str]) -> Result<Written> {
        match self.create_user(user).await {
            Ok(body) => Ok(Written {
                body,
                refused: Vec::new(),
            }),
            Err(error) => {
                let (retry, refused) = without_refused(user, candidates, error)?;
                let body = self.create_user(&retry).await?;
                Ok(Written { body, refused })
            }
        }
    }

    /// `PUT /Users/{id}`, retried once without the attributes a 400 refusal names among
    /// `candidates` (as [`create_user_retrying`](Self::create_user_retrying)).
    pub async fn replace_user_retrying(
        &self,
        id: &str,
        user: &Value,
        candidates: &[&str],
    ) -> Result<Written> {
        match self.replace_user(id, user).await {
            Ok(body) => Ok(Written {
                body,
                refused: Vec::new(),
            }),
            Err(error) => {
                let (retry, refused) = without_refused(user, candidates, error)?;
                let body = self.replace_user(id, &retry).await?;
                Ok(Written { body, refused })
            }
        }
    }

    /// `GET /Users/{id}`.
    pub async fn get_user(&self, id: &str) -> Result<Value> {
        let response = self.http.send(&scim(Method::Get, &[USERS, id])).await?;
        self.required_body(response, &[USERS, id])
    }

    /// The schema URNs the server declares at `GET /Schemas` (RFC 7644 §4); `None` when
    /// it has no such endpoint (404, 501) or the answer lists none.
    pub async fn declared_schemas(&self) -> Result<Option<Vec<String>>> {
        let answer = match self.http.send(&scim(Method::Get, &["Schemas"])).await {
            Ok(answer) => answer,
            Err(Error::NotFound { .. }) | Err(Error::Server { status: 501, .. }) => {
                return Ok(None);
            }
            Err(error) => return Err(error),
        };
        let Some(body) = answer.body else {
            return Ok(None);
        };
        // A ListResponse of schema documents (RFC 7644), or a bare array (some servers).
        let documents = body
            .get("Resources")
            .or(Some(&body))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let ids: Vec<String> = documents
            .iter()
            .filter_map(|d| d.get("id").and_then(Value::as_str).map(str::to_owned))
            .collect();
        Ok((!ids.is_empty()).then_some(ids))
    }

    /// `GET /Users?filter=...` for one page.
    pub async fn search_users(&self, filter: &str, page: PageRequest) -> Result<ListResponse> {
        self.list(USERS, Some(filter), page).await
    }

    /// `GET /Users` for one page.
    pub async fn list_users(&self, page: PageRequest) -> Result<ListResponse> {
        self.list(USERS, None, page).await
    }

    /// `PATCH /Users/{id}` with `operations`; the updated User when the server answered
    /// 200 with it, `None` for 204.
    pub async fn patch_user(&self, id: &str, operations: Vec<Value>) -> Result<Option<Value>> {
        self.patch(USERS, id, operations).await
    }

    /// `PUT /Users/{id}`; the updated User when the server returned it.
    pub async fn replace_user(&self, id: &str, user: &Value) -> Result<Option<Value>> {
        let request = scim(Method::Put, &[USERS, id]).json(user.clone());
        Ok(self.http.send(&request).await?.body)
    }

    /// `DELETE /Users/{id}` (a 404 is [`Error::NotFound`]).
    pub async fn delete_user(&self, id: &str) -> Result<()> {
        self.http.send(&scim(Method::Delete, &[USERS, id])).await?;
        Ok(())
    }

    /// The Group whose `displayName` is `display_name` (exact match preferred, else
    /// case-insensitive), via `GET /Groups?filter=displayName eq "..."`.
    pub async fn find_group(&self, display_name: &str) -> Result<Option<Value>> {
        let filter = filter::eq("displayName", display_name);
        let groups = self
            .list(GROUPS, Some(&filter), PageRequest::first(100))
            .await?
            .resources;
        fn name_of(group: &Value) -> Option<&str> {
            group.get("displayName").and_then(Value::as_str)
        }
        let wanted = display_name.to_lowercase();
        let exact = groups.iter().find(|g| name_of(g) == Some(display_name));
        let loose = || {
            groups
                .iter()
                .find(|g| name_of(g).is_some_and(|name| name.to_lowercase() == wanted))
        };
        Ok(exact.or_else(loose).cloned())
    }

    /// `GET /Groups` for one page.
    pub async fn list_groups(&self, page: PageRequest) -> Result<ListResponse> {
        self.list(GROUPS, None, page).await
    }

    /// `POST /Groups`; the created Group (`None` when the server answered without a body).
    pub async fn create_group(&self, group: &Value) -> Result<Option<Value>> {
        let request = scim(Method::Post, &[GROUPS]).json(group.clone());
        Ok(self.http.send(&request).await?.body)
    }

    /// `PATCH /Groups/{id}` with `operations`.
    pub async fn patch_group(&self, id: &str, operations: Vec<Value>) -> Result<()> {
        self.patch(GROUPS, id, operations).await.map(drop)
    }

    /// `DELETE /Groups/{id}`.
    pub async fn delete_group(&self, id: &str) -> Result<()> {
        self.http.send(&scim(Method::Delete, &[GROUPS, id])).await?;
        Ok(())
    }

    /// Adds the Users `user_ids` to the Group `group_id` in one `add` on `members`; a 409
    /// means they already are members.
    pub async fn add_group_members(&self, group_id: &str, user_ids: &[String]) -> Result<()> {
        let members: Vec<Value> = user_ids.iter().map(|id| json!({"value": id})).collect();
        let operation = json!({"op": "add", "path": "members", "value": members});
        match self.patch(GROUPS, group_id, vec![operation]).await {
            Ok(_) | Err(Error::Conflict { .. }) => Ok(()),
            Err(error) => Err(error),
        }
    }

    /// Removes the Users `user_ids` from the Group `group_id`, one `remove` on
    /// `members[value eq "id"]` each (RFC 7644 §3.5.2.2), in one request. A PATCH is
    /// atomic, so a `noTarget` refusal (one of them is no member) removed nobody: the
    /// members are then removed one request each, a `noTarget` there meaning done.
    pub async fn remove_group_members(&self, group_id: &str, user_ids: &[String]) -> Result<()> {
        let removal = |id: &String| json!({"op": "remove", "path": filter::value_path("members", "value", id)});
        match self
            .patch(GROUPS, group_id, user_ids.iter().map(removal).collect())
            .await
        {
            Ok(_) => return Ok(()),
            Err(error) if !is_no_target(&error) => return Err(error),
            Err(_) if user_ids.len() == 1 => return Ok(()),
            Err(_) => {}
        }
        for id in user_ids {
            match self.patch(GROUPS, group_id, vec![removal(id)]).await {
                Ok(_) => {}
                Err(error) if is_no_target(&error) => {}
                Err(error) => return Err(error),
            }
        }
        Ok(())
    }

    /// `GET /{resource}` with an optional filter, for one page.
    async fn list(
        &self,
        segment: &str,
        filter: Option<&str>,
        page: PageRequest,
    ) -> Result<ListResponse> {
        let mut request = scim(Method::Get, &[segment]);
        if let Some(filter) = filter {
            request = request.query("filter", filter);
        }
        let request = request
            .query("startIndex", page.start_index.max(1).to_string())
            .query("count", page.count.to_string());
        let response = self.http.send(&request).await?;
        let body = self.required_body(response, &[segment])?;
        ListResponse::from_json(body).map_err(|detail| self.invalid(&[segment], detail))
    }

    /// `PATCH /{resource}/{id}` with a `PatchOp` message.
    async fn patch(
        &self,
        resource: &str,
        id: &str,
        operations: Vec<Value>,
    ) -> Result<Option<Value>> {
        let request = scim(Method::Patch, &[resource, id]).json(patch_request(operations));
        Ok(self.http.send(&request).await?.body)
    }

    /// The body of `response`, which the protocol says must have one.
    fn required_body(&self, response: Response, segments: &[&str]) -> Result<Value> {
        response
            .body
            .ok_or_else(|| self.invalid(segments, "the response has no body".to_owned()))
    }

    /// An [`Error::InvalidResponse`] for a call on `segments`.
    pub(crate) fn invalid(&self, segments: &[&str], detail: String) -> Error {
        Error::InvalidResponse {
            url: self.http.display_url(segments),
            detail,
        }
    }
}

/// `user` without the attributes `error` refuses among the `candidates` it carries,
/// and the report of them; `error` itself when it names none.
fn without_refused(
    user: &Value,
    candidates: &[&str],
    error: Error,
) -> Result<(Value, Vec<RefusedAttribute>)> {
    let carried = refusal::carried(user, candidates);
    let paths = refusal::refused_paths(&error, &carried);
    if paths.is_empty() {
        return Err(error);
    }
    let mut retry = user.clone();
    for path in &paths {
        refusal::remove_at(&mut retry, path);
    }
    tracing::warn!(attributes = ?paths, cause = %error, "the server refused attributes; retrying without them");
    Ok((retry, refusal::report(&paths, &error)))
}

/// Whether `error` is a SCIM 400 `noTarget` (the PATCH path selected nothing).
fn is_no_target(error: &Error) -> bool {
    matches!(error, Error::Server { status: 400, scim_type: Some(scim_type), .. }
        if scim_type.eq_ignore_ascii_case("noTarget"))
}

/// A SCIM request: SCIM media types on the resource path.
fn scim(method: Method, segments: &[&str]) -> Request {
    Request::new(method, segments.iter().copied()).media_types(SCIM_MEDIA_TYPE, SCIM_ACCEPT)
}
