//! GitHub Copilot seat management for the organization `org` of an Enterprise Managed
//! Users enterprise: `POST`/`DELETE /orgs/{org}/copilot/billing/selected_users` with
//! `selected_usernames` (`seats_created` / `seats_cancelled`; a cancelled seat stays
//! listed as pending cancellation), and `GET .../seats`. Logins are the SCIM `userName`
//! normalized as GitHub does (the part before `@`, other characters than letters,
//! digits and `-` turned into `-`) with `_{shortcode}` appended; a login no SCIM user
//! has is refused with 422. Over the tenant's rate limit (style
//! [`GitHub403`](crate::ThrottleStyle::GitHub403)), every GitHub API the tenant serves
//! (SCIM and seats) answers as GitHub's secondary rate limit does: see
//! [`secondary_rate_limit`].

use std::collections::BTreeMap;
use std::time::Duration;

use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{Call, bounded, json_response, var};
use crate::scim::value::{get_ci, now_rfc3339};
use crate::store::{Kind, Store};

const DOCS: &str = "https://docs.github.com/rest/copilot/copilot-user-management";

/// Where GitHub documents its secondary rate limits.
const RATE_LIMIT_DOCS: &str = "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits";

/// GitHub's answer over a secondary rate limit: "If you exceed a secondary rate limit,
/// you will receive a 403 Forbidden or 429 Too Many Requests response and an error
/// message that indicates that you exceeded a secondary rate limit. [...] If the
/// retry-after response header is present, you should not retry your request until
/// after that many seconds has elapsed."
/// (https://docs.github.com/rest/using-the-rest-api/troubleshooting-the-rest-api). The
/// message is the one GitHub sends; 403 is the status this emulation picks, `wait`
/// rounded up to whole seconds is the `retry-after`.
pub(crate) fn secondary_rate_limit(wait: Duration) -> Response {
    let seconds = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
    let body = json!({
        "message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
        "documentation_url": RATE_LIMIT_DOCS,
        "status": "403",
    });
    let mut response = json_response(StatusCode::FORBIDDEN, &body).into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}

/// The Copilot seats of one organization.
#[derive(Debug)]
pub(crate) struct State {
    /// The organization's login.
    org: String,
    /// The enterprise short code appended to managed logins.
    shortcode: String,
    /// Seats by login (lowercase), in assignment order.
    seats: Vec<Value>,
}

type Failure = (StatusCode, String);

impl State {
    /// An organization `org` with no seats.
    pub(crate) fn new(variables: &BTreeMap<String, String>) -> Self {
        Self {
            org: var(variables, "org").to_owned(),
            shortcode: var(variables, "shortcode").to_owned(),
            seats: Vec::new(),
        }
    }

    /// The admin view.
    pub(crate) fn admin(&self) -> Value {
        json!({"org": self.org, "shortcode": self.shortcode, "seats": self.seats})
    }

    /// Serves one call below `/orgs`.
    pub(crate) fn serve(&mut self, call: &Call<'_>, store: &Store) -> Response {
        self.route(call, store).unwrap_or_else(|(status, message)| {
            json_response(
                status,
                &json!({"message": message, "documentation_url": DOCS, "status": status.as_str()}),
            )
        })
    }

    fn route(&mut self, call: &Call<'_>, store: &Store) -> Result<Response, Failure> {
        let path = call.path();
        let Some((org, rest)) = path.split_first() else {
            return Err(not_found());
        };
        if !org.eq_ignore_ascii_case(&self.org) {
            return Err(not_found());
        }
        match (call.method.clone(), rest) {
            (Method::GET, ["copilot", "billing"]) => {
                let pending = self
                    .seats
                    .iter()
                    .filter(|s| !s["pending_cancellation_date"].is_null())
                    .count();
                Ok(json_response(
                    StatusCode::OK,
                    &json!({
                        "seat_breakdown": {"total": self.seats.len(), "added_this_cycle": self.seats.len(), "pending_cancellation": pending, "pending_invitation": 0, "active_this_cycle": 0, "inactive_this_cycle": self.seats.len()},
                        "seat_management_setting": "assign_selected",
                        "public_code_suggestions": "block",
                        "plan_type": "business",
                    }),
                ))
            }
            (Method::GET, ["copilot", "billing", "seats"]) => {
                let per_page = bounded(call.param("per_page"), 50, 1, 100)
                    .ok_or_else(|| invalid("per_page must be between 1 and 100"))?;
                let page = bounded(call.param("page"), 1, 1, u64::MAX)
                    .ok_or_else(|| invalid("page must be at least 1"))?;
                let seats: Vec<&Value> = self
                    .seats
                    .iter()
                    .skip(((page - 1) * per_page) as usize)
                    .take(per_page as usize)
                    .collect();
                Ok(json_response(
                    StatusCode::OK,
                    &json!({"total_seats": self.seats.len(), "seats": seats}),
                ))
            }
            (Method::POST | Method::DELETE, ["copilot", "billing", "selected_users"]) => {
                let logins = self.logins(call, store)?;
                let now = now_rfc3339();
                let mut changed = 0;
                for (login, id) in logins {
                    let seat = self
                        .seats
                        .iter_mut()
                        .find(|s| s["assignee"]["login"] == json!(login));
                    match (call.method == Method::POST, seat) {
                        (true, None) => {
                            changed += 1;
                            self.seats.push(json!({
                                "created_at": now, "updated_at": now, "pending_cancellation_date": null,
                                "last_activity_at": null, "last_activity_editor": null, "plan_type": "business",
                                "assignee": {"login": login, "id": id, "type": "User"},
                            }));
                        }
                        (true, Some(seat)) if !seat["pending_cancellation_date"].is_null() => {
                            changed += 1;
                            seat["pending_cancellation_date"] = Value::Null;
                            seat["updated_at"] = json!(now);
                        }
                        (false, Some(seat)) if seat["pending_cancellation_date"].is_null() => {
                            changed += 1;
                            seat["pending_cancellation_date"] =
                                json!(now.get(..10).unwrap_or(&now));
                            seat["updated_at"] = json!(now);
                        }
                        _ => {}
                    }
                }
                Ok(if call.method == Method::POST {
                    json_response(StatusCode::CREATED, &json!({"seats_created": changed}))
                } else {
                    json_response(StatusCode::OK, &json!({"seats_cancelled": changed}))
                })
            }
            _ => Err(not_found()),
        }
    }

    /// The `selected_usernames` of the body with each one's numeric user id; 422 for a
    /// login no SCIM user of the enterprise has.
    fn logins(&self, call: &Call<'_>, store: &Store) -> Result<Vec<(String, u64)>, Failure> {
        let body = call
            .object()
            .ok_or_else(|| invalid("Problems parsing JSON"))?;
        let names: Vec<&str> = match body.get("selected_usernames") {
            Some(Value::Array(names)) if !names.is_empty() => {
                names.iter().filter_map(Value::as_str).collect()
            }
            _ => return Err(invalid("selected_usernames must be a non-empty array")),
        };
        let users = store.all(Kind::User);
        let mut out = Vec::new();
        for name in names {
            let wanted = name.to_lowercase();
            let found = users.iter().enumerate().find(|(_, user)| {
                user.as_object()
                    .and_then(|u| get_ci(u, "userName"))
                    .and_then(Value::as_str)
                    .is_some_and(|user_name| self.login_of(user_name) == wanted)
            });
            match found {
                Some((index, _)) => out.push((wanted, 1000 + index as u64)),
                None => {
                    return Err(invalid(&format!(
                        "{name} is not a member of the organization {}",
                        self.org
                    )));
                }
            }
        }
        Ok(out)
    }

    /// The login GitHub gives a managed user with this SCIM `userName`.
    fn login_of(&self, user_name: &str) -> String {
        format!("{}_{}", normalize(user_name), self.shortcode.to_lowercase())
    }
}

/// GitHub's normalization of a SCIM `userName` into a login (lowercased here: logins
/// compare ignoring case).
fn normalize(user_name: &str) -> String {
    let local = user_name.split('@').next().unwrap_or(user_name);
    local
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

fn invalid(message: &str) -> Failure {
    (StatusCode::UNPROCESSABLE_ENTITY, message.to_owned())
}

fn not_found() -> Failure {
    (StatusCode::NOT_FOUND, "Not Found".to_owned())
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn normalizes_like_github() {
        assert_eq!(normalize("ada"), "ada");
        assert_eq!(normalize("Ada.Lovelace@example.com"), "ada-lovelace");
        assert_eq!(normalize("grace_hopper"), "grace-hopper");
    }
}
