//! Why planning or applying the Okta apps stopped.

use serde_json::Value;

use crate::directory::{Sent, lacking_scope};

/// A reason the Okta side stops.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdpError {
    /// Okta unreachable, or an answer that is not what it documents.
    #[error("{0}")]
    Okta(String),
    /// The API token lacks a scope the request needs.
    #[error(
        "Okta refused {request}: the API token lacks the scope `{scope}` (403 {said}); grant \
         `{scope}` to the token (Okta API Scopes of its app, or an admin role that allows it) \
         and run again"
    )]
    MissingScope {
        /// The scope Okta named in `WWW-Authenticate`.
        scope: String,
        /// The request (`POST /api/v1/apps`).
        request: String,
        /// What Okta's body said.
        said: String,
    },
    /// Okta refused a request for another reason.
    #[error("Okta answered {status} to {request}: {said}")]
    Refused {
        /// The HTTP status.
        status: u16,
        /// The request.
        request: String,
        /// Okta's `errorSummary (errorCode)` and causes, or the start of the body.
        said: String,
    },
    /// More than one app matches one definition: the toolkit cannot tell which is its.
    #[error(
        "{instance}: {} Okta apps match the {role} app \"{label}\" ({}); the toolkit manages \
         one app per definition and stops rather than guess: delete or rename all but one \
         (or remove the connector-toolkit note from the others), then run again",
        ids.len(),
        ids.join(", ")
    )]
    Duplicate {
        /// The instance.
        instance: String,
        /// `sign_on` or `tile`.
        role: String,
        /// The label.
        label: String,
        /// The ids of the apps that match.
        ids: Vec<String>,
    },
    /// An app with the label exists that the toolkit did not create.
    #[error(
        "{instance}: the Okta app {id} is labelled \"{label}\" but was not created by the \
         toolkit; rename it, or adopt it by setting its settings.notes.admin to \"{marker}\", \
         then run again"
    )]
    Unmarked {
        /// The instance.
        instance: String,
        /// The label.
        label: String,
        /// The existing app's id.
        id: String,
        /// The note that adopts it.
        marker: String,
    },
    /// A rule names a group the Okta org does not have.
    #[error(
        "{instance}: the group `{group}` (from the {source_kind} rules) is not an Okta group in {org}"
    )]
    UnknownGroup {
        /// The instance.
        instance: String,
        /// The group name.
        group: String,
        /// `[[sso]]` or `[[provision]]`.
        source_kind: String,
        /// The org URL.
        org: String,
    },
    /// A rule names a person the Okta org does not have.
    #[error(
        "{instance}: the person `{person}` named by a rule is not an Okta user of {org} (name \
         them by Okta login or id)"
    )]
    UnknownPerson {
        /// The instance.
        instance: String,
        /// The login, email or id the rule names.
        person: String,
        /// The org URL.
        org: String,
    },
}

/// The error of a request Okta did not answer with 2xx: a 403 whose
/// `WWW-Authenticate` names a scope is [`IdpError::MissingScope`].
pub(crate) fn refused(method: &str, path: &str, sent: &Sent) -> IdpError {
    let request = format!("{method} {path}");
    let said = said(&sent.body);
    if sent.status == 403
        && let Some(scope) = sent.www_authenticate.as_deref().and_then(lacking_scope)
    {
        return IdpError::MissingScope {
            scope,
            request,
            said,
        };
    }
    IdpError::Refused {
        status: sent.status,
        request,
        said,
    }
}

/// `errorSummary (errorCode)` and the causes of an Okta error body, else its start.
fn said(body: &str) -> String {
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    let text = match parsed {
        Some(okta) if okta.get("errorSummary").is_some() => {
            let mut text = format!(
                "{} ({})",
                okta["errorSummary"].as_str().unwrap_or_default(),
                okta["errorCode"].as_str().unwrap_or("no code")
            );
            let causes: Vec<&str> = okta["errorCauses"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c["errorSummary"].as_str())
                .collect();
            if !causes.is_empty() {
                text.push_str(": ");
                text.push_str(&causes.join("; "));
            }
            text
        }
        _ if body.trim().is_empty() => "no details".to_owned(),
        _ => body.chars().take(300).collect(),
    };
    connector_sdk::display::escape(&text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(status: u16, body: &str, header: Option<&str>) -> Sent {
        Sent {
            status,
            body: body.to_owned(),
            www_authenticate: header.map(str::to_owned),
        }
    }

    #[test]
    fn a_missing_scope_is_named() {
        let header = r#"Bearer authorization_uri="https://a.okta.com/oauth2/v1/authorize", realm="https://a.okta.com", scope="okta.apps.manage", error="insufficient_scope""#;
        let body = r#"{"errorCode":"E0000006","errorSummary":"You do not have permission to perform the requested action","errorCauses":[]}"#;
        let error = refused("POST", "/api/v1/apps", &sent(403, body, Some(header)));
        let text = error.to_string();
        assert!(
            matches!(&error, IdpError::MissingScope { scope, .. } if scope == "okta.apps.manage"),
            "{text}"
        );
        assert!(text.contains("POST /api/v1/apps"), "{text}");
        assert!(text.contains("E0000006"), "{text}");
        let plain = refused("POST", "/api/v1/apps", &sent(403, body, None));
        assert!(matches!(plain, IdpError::Refused { status: 403, .. }));
    }

    #[test]
    fn causes_are_quoted_and_escaped() {
        let body = r#"{"errorCode":"E0000001","errorSummary":"Api validation failed: label","errorCauses":[{"errorSummary":"label: blank\u001b[2K"}]}"#;
        let text = refused("PUT", "/api/v1/apps/0oa1", &sent(400, body, None)).to_string();
        assert!(text.starts_with("Okta answered 400 to PUT /api/v1/apps/0oa1: Api validation failed: label (E0000001): label: blank"), "{text}");
        assert!(!text.contains('\u{1b}'), "{text}");
    }
}
