//! Running one declared [`RestOperation`] through [`HttpClient`] (its retry, rate limit,
//! throttle rules, auth and error mapping) and reading the answer by the operation's
//! statuses. Shared by [`RestConnector`](super::RestConnector) and the `api`-mode
//! licences of [`ScimConnector`](crate::scim::ScimConnector).

use std::collections::BTreeMap;

use serde_json::Value;
use url::Url;

use super::json;
use super::template::Vars;
use crate::error::{Error, Result};
use crate::http::{ErrorBody, HttpClient, Method, Request, Response};
use crate::manifest::{HttpMethod, RestBody, RestLookup, RestOperation};
use crate::secret::Secret;

/// What the answer to a declared operation means.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// A success status, with the body when there was one.
    Done(Option<Value>),
    /// An `already_done` status: the desired state already holds.
    AlreadyDone,
    /// A `not_found` status (or 404): the error to return if absence is a failure.
    NotFound(Error),
    /// The operation's lookup found no matching item (what was looked for).
    NoMatch(String),
}

/// Runs declared operations for one connector instance.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Executor<'a> {
    /// The instance's HTTP client.
    http: &'a HttpClient,
    /// The instance's tenant variables.
    variables: &'a BTreeMap<String, String>,
}

impl<'a> Executor<'a> {
    /// An executor over `http` with the tenant `variables`.
    pub(crate) fn new(http: &'a HttpClient, variables: &'a BTreeMap<String, String>) -> Self {
        Self { http, variables }
    }

    /// Template values holding the tenant variables.
    pub(crate) fn vars(&self) -> Vars {
        Vars::new(self.variables)
    }

    /// Runs `op`: its lookup first (when it has one, filling `{lookup}`), then the call.
    /// `account` is the body of operations declared with `body = "account"`; `redact`
    /// lists values of it that must never show in errors.
    pub(crate) async fn run(
        &self,
        op: &RestOperation,
        vars: &Vars,
        account: Option<Value>,
        redact: &[Secret],
    ) -> Result<Outcome> {
        let mut vars = vars.clone();
        if let Some(lookup) = &op.lookup {
            match self.lookup(lookup, &vars).await? {
                Ok(found) => vars.set("lookup", found),
                Err(what) => return Ok(Outcome::NoMatch(what)),
            }
        }
        let request = self.request(op, &vars, account, redact)?;
        self.exchange(op, request).await
    }

    /// The request of `op` (without its lookup).
    pub(crate) fn request(
        &self,
        op: &RestOperation,
        vars: &Vars,
        account: Option<Value>,
        redact: &[Secret],
    ) -> Result<Request> {
        let body = match op.body {
            RestBody::None => None,
            RestBody::Account => Some(account.ok_or_else(|| {
                Error::Config(format!("operation `{}` sends no account", op.name))
            })?),
            RestBody::Template(template) => Some(vars.render_json(template)?),
        };
        let mut request = vars
            .request(op.method, op.path, op.query)?
            .redacting(redact.iter().cloned());
        if let Some(body) = body {
            request = request.json(body);
        }
        Ok(request)
    }

    /// Sends `request` for `op` and reads the answer by the operation's statuses:
    /// `already_done`, then `already_done_when` (the status with its text in the body;
    /// the status without it is [`Error::Server`] with the service's message), then
    /// `success` (any 2xx when empty), then `not_found`, then `conflict`
    /// ([`Error::Conflict`]). Other statuses fail as [`HttpClient::send`] maps them; a
    /// 404 the operation does not list is still [`Outcome::NotFound`].
    pub(crate) async fn exchange(&self, op: &RestOperation, request: Request) -> Result<Outcome> {
        let when: Vec<u16> = op.already_done_when.iter().map(|(s, _)| *s).collect();
        let expected: Vec<u16> = [
            op.success,
            op.not_found,
            op.conflict,
            op.already_done,
            &when,
        ]
        .concat();
        let call = self.http.describe(&request);
        let response = match self.http.send_expecting(&request, &expected).await {
            Ok(response) => response,
            Err(error @ Error::NotFound { .. }) => return Ok(Outcome::NotFound(error)),
            Err(error) => return Err(error),
        };
        let Response { status, body } = response;
        let success = if op.success.is_empty() {
            (200..300).contains(&status)
        } else {
            op.success.contains(&status)
        };
        let detail = |body: Option<Value>| {
            let text = body.map(|b| b.to_string()).unwrap_or_default();
            let secrets: Vec<&Secret> = request.redact.iter().collect();
            ErrorBody::parse_redacted(text.as_bytes(), &secrets).detail
        };
        if op.already_done.contains(&status) {
            Ok(Outcome::AlreadyDone)
        } else if when.contains(&status) {
            let text = body.as_ref().map(Value::to_string).unwrap_or_default();
            if op
                .already_done_when
                .iter()
                .any(|(s, needle)| *s == status && text.contains(needle))
            {
                Ok(Outcome::AlreadyDone)
            } else {
                Err(Error::Server {
                    status,
                    scim_type: None,
                    detail: Some(detail(body).unwrap_or_else(|| format!("from {call}"))),
                })
            }
        } else if success {
            Ok(Outcome::Done(body))
        } else if op.not_found.contains(&status) {
            Ok(Outcome::NotFound(Error::NotFound { what: call }))
        } else if op.conflict.contains(&status) {
            Err(Error::Conflict {
                detail: detail(body).unwrap_or_else(|| format!("HTTP {status} from {call}")),
            })
        } else {
            Err(Error::InvalidResponse {
                url: call,
                detail: format!("HTTP {status} is not a success status of `{}`", op.name),
            })
        }
    }

    /// The value the lookup extracts: `Ok(Ok(value))`, or `Ok(Err(what))` when no item
    /// matches. `items` points at the array to search, or at one object (`""`: the
    /// whole answer of a GET of one resource).
    async fn lookup(&self, lookup: &RestLookup, vars: &Vars) -> Result<Result<String, String>> {
        let request = vars.request(HttpMethod::Get, lookup.path, lookup.query)?;
        let call = self.http.describe(&request);
        let body = self.http.send(&request).await?.body.unwrap_or(Value::Null);
        let invalid = |detail: String| Error::InvalidResponse {
            url: call.clone(),
            detail,
        };
        let items = match json::at(&body, lookup.items) {
            None => Vec::new(),
            Some(Value::Array(items)) => items.clone(),
            // A GET of one resource (Google's user, for its address).
            Some(object @ Value::Object(_)) => vec![object.clone()],
            Some(_) => {
                return Err(invalid(format!(
                    "`{}` is neither an array nor an object",
                    lookup.items
                )));
            }
        };
        let mut wanted = Vec::with_capacity(lookup.select.len());
        for (pointer, template) in lookup.select {
            wanted.push((*pointer, vars.render(template)?));
        }
        let matches = |item: &Value| {
            wanted
                .iter()
                .all(|(pointer, value)| json::text_at(item, pointer).as_deref() == Some(value))
        };
        let Some(item) = items.iter().find(|item| matches(item)) else {
            let what = wanted
                .iter()
                .map(|(pointer, value)| format!("{pointer} = {value}"))
                .collect::<Vec<_>>()
                .join(", ");
            return Ok(Err(format!("no item with {what} in {call}")));
        };
        json::text_at(item, lookup.extract)
            .map(Ok)
            .ok_or_else(|| invalid(format!("the matching item has no `{}`", lookup.extract)))
    }

    /// A GET of `url` exactly as given, for a next-page link. The link must be on the
    /// host of the base URL or of `op`'s own URL, else [`Error::InvalidResponse`] (the
    /// token must not follow a link elsewhere).
    pub(crate) fn next_link(&self, op: &RestOperation, vars: &Vars, link: &str) -> Result<Request> {
        let invalid = |detail: String| Error::InvalidResponse {
            url: self.http.display_url(&[]),
            detail,
        };
        let url =
            Url::parse(link).map_err(|_| invalid("the next-page link is not a URL".into()))?;
        let own = vars
            .request(op.method, op.path, &[])
            .ok()
            .and_then(|request| request.base);
        let allowed = [Some(self.http.base_url().clone()), own];
        if !allowed
            .iter()
            .flatten()
            .any(|base| base.origin() == url.origin())
        {
            return Err(invalid(format!(
                "the next-page link goes to another host ({})",
                url.host_str().unwrap_or("none")
            )));
        }
        Ok(Request::new(Method::Get, Vec::<String>::new()).at(url))
    }
}
