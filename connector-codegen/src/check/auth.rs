//! `[auth]`: the kind, and the names of the environment variables that hold secrets.

use std::ops::Range;

use super::{Checker, Templates, secrets};
use crate::diagnostic::Diagnostic;
use crate::ir::AuthModel;
use crate::spec::Sp;
use crate::spec::model::{AuthKind, AuthSection};

pub(crate) fn check_auth(
    cx: &mut Checker<'_>,
    auth: &AuthSection,
    templates: &mut Templates,
) -> AuthModel {
    cx.source("auth", &auth.source);
    let kind = *auth.kind.get();
    let mut model = AuthModel {
        kind,
        token_env: String::new(),
        token_url: String::new(),
        grant_type: "client_credentials".to_owned(),
        client_id_env: String::new(),
        client_secret_env: String::new(),
        scopes: auth.scopes.iter().map(|s| s.as_str().to_owned()).collect(),
        params: Vec::new(),
        key_env: String::new(),
        subject: None,
    };
    match kind {
        AuthKind::Bearer => {
            let jwt_keys = [
                ("key_env", auth.key_env.as_ref().map(Sp::span)),
                ("subject", auth.subject.as_ref().map(Sp::span)),
            ];
            for (key, span) in jwt_keys.into_iter().flat_map(|(k, s)| s.map(|s| (k, s))) {
                cx.error(
                    span,
                    format!("`auth.{key}` applies to `service_account_jwt`, not `bearer`"),
                );
            }
            model.token_env = env_name(cx, "auth.token_env", auth.token_env.as_ref(), &auth.kind);
            let oauth_keys = [
                ("token_url", auth.token_url.as_ref().map(Sp::span)),
                ("grant_type", auth.grant_type.as_ref().map(Sp::span)),
                ("client_id_env", auth.client_id_env.as_ref().map(Sp::span)),
                (
                    "client_secret_env",
                    auth.client_secret_env.as_ref().map(Sp::span),
                ),
            ];
            let scopes = auth.scopes.first().map(Sp::span);
            let params = auth.params.keys().next().map(Sp::span);
            for (key, span) in oauth_keys
                .into_iter()
                .chain([("scopes", scopes), ("params", params)])
            {
                if let Some(span) = span {
                    cx.error(
                        span,
                        format!(
                            "`auth.{key}` applies to `oauth2_client_credentials`, not `bearer`"
                        ),
                    );
                }
            }
        }
        AuthKind::ServiceAccountJwt => {
            if let Some(token_env) = &auth.token_env {
                cx.error(
                    token_env.span(),
                    "`auth.token_env` applies to `bearer`, not `service_account_jwt`",
                );
            }
            model.token_url = match &auth.token_url {
                Some(url) => {
                    templates.check_url(cx, "auth.token_url", url);
                    url.as_str().to_owned()
                }
                None => "https://oauth2.googleapis.com/token".to_owned(),
            };
            model.key_env = env_name(cx, "auth.key_env", auth.key_env.as_ref(), &auth.kind);
            if let Some(subject) = &auth.subject {
                templates.check_text(cx, "auth.subject", subject);
                model.subject = Some(subject.as_str().to_owned());
            }
            if auth.scopes.is_empty() {
                cx.error(
                    auth.kind.span(),
                    "`service_account_jwt` needs `auth.scopes`",
                );
            }
        }
        AuthKind::OAuth2ClientCredentials => {
            for (key, span) in [
                ("key_env", auth.key_env.as_ref().map(Sp::span)),
                ("subject", auth.subject.as_ref().map(Sp::span)),
            ]
            .into_iter()
            .flat_map(|(k, s)| s.map(|s| (k, s)))
            {
                cx.error(span, format!("`auth.{key}` applies to `service_account_jwt`, not `oauth2_client_credentials`"));
            }
            if let Some(token_env) = &auth.token_env {
                cx.error(
                    token_env.span(),
                    "`auth.token_env` applies to `bearer`, not `oauth2_client_credentials`",
                );
            }
            match &auth.token_url {
                Some(url) => {
                    templates.check_url(cx, "auth.token_url", url);
                    model.token_url = url.as_str().to_owned();
                }
                None => cx.error(
                    auth.kind.span(),
                    "`oauth2_client_credentials` needs `auth.token_url`",
                ),
            }
            if let Some(grant) = &auth.grant_type {
                model.grant_type = grant.as_str().to_owned();
            }
            model.client_id_env = env_name(
                cx,
                "auth.client_id_env",
                auth.client_id_env.as_ref(),
                &auth.kind,
            );
            model.client_secret_env = env_name(
                cx,
                "auth.client_secret_env",
                auth.client_secret_env.as_ref(),
                &auth.kind,
            );
            for (key, value) in &auth.params {
                templates.check_text(cx, &format!("auth.params.{}", key.as_str()), value);
                model
                    .params
                    .push((key.as_str().to_owned(), value.as_str().to_owned()));
            }
        }
    }
    model
}

/// An environment variable *name*: upper snake case. A value that looks like a secret is
/// refused, so a token never lands in a spec, and masked in the snippet, so it does not
/// land in a build log either.
fn env_name(
    cx: &mut Checker<'_>,
    key: &str,
    value: Option<&Sp<String>>,
    kind: &Sp<AuthKind>,
) -> String {
    let Some(value) = value else {
        cx.error(kind.span(), format!("this auth kind needs `{key}`, the name of the environment variable that holds the secret"));
        return String::new();
    };
    let name = value.as_str();
    let span = value.span();
    let masked = string_contents(cx.source, span.clone());
    if let Some(what) = secrets::credential_shape(name) {
        cx.errors.push(
            Diagnostic::new(
                span,
                format!(
                    "`{key}` holds what looks like {what}, not the name of an environment variable"
                ),
            )
            .with_help(
                "secrets never go in a spec: write the variable's name, e.g. \
                 `SLACK_SCIM_TOKEN`, and revoke this credential if it is real",
            )
            .with_masked(masked),
        );
        return name.to_owned();
    }
    let valid = name.starts_with(|c: char| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    if !valid {
        cx.errors.push(
            Diagnostic::new(
                span,
                format!(
                    "`{key}` must name an environment variable (UPPER_SNAKE_CASE), not hold a value"
                ),
            )
            .with_help(
                "secrets never go in a spec: write the variable's name, e.g. `ZOOM_CLIENT_SECRET`",
            )
            .with_masked(masked),
        );
    }
    name.to_owned()
}

/// The bytes of a TOML string's contents within `span` (the span without its quotes).
fn string_contents(source: &str, span: Range<usize>) -> Range<usize> {
    let text = source.get(span.clone()).unwrap_or("");
    let open = ["\"\"\"", "'''", "\"", "'"]
        .into_iter()
        .find(|quote| text.starts_with(quote) && text.len() >= 2 * quote.len());
    match open {
        Some(quote) => span.start + quote.len()..span.end - quote.len(),
        None => span,
    }
}

#[cfg(test)]
mod tests {
    use crate::load_model;

    /// The Slack-style test spec with `token_env` set to `value`.
    fn spec_with_token_env(value: &str) -> String {
        include_str!("../../../connectors/slack/connector.toml").replace(
            "token_env = \"SLACK_SCIM_TOKEN\"",
            &format!("token_env = {value}"),
        )
    }

    fn rendered(value: &str) -> String {
        let source = spec_with_token_env(value);
        assert!(
            source.contains(value),
            "the Slack spec names SLACK_SCIM_TOKEN"
        );
        match load_model(&source, "slack.toml") {
            Ok(_) => String::new(),
            Err(errors) => errors.to_string(),
        }
    }

    #[test]
    fn an_aws_access_key_id_is_refused_masked() {
        let out = rendered("\"AKIAIOSFODNN7EXAMPLE\"");
        assert!(
            out.contains("`auth.token_env` holds what looks like an AWS access key ID"),
            "{out}"
        );
        assert!(out.contains("token_env = \"AKIA\u{2026}\""), "{out}");
        assert!(!out.contains("IOSFODNN7EXAMPLE"), "{out}");
    }

    #[test]
    fn a_forty_character_generated_token_is_refused() {
        let token = "Q2XK7PZ4M9RB3TVW8YHC6NJ5DF1GA0LSE2UQ7XK9";
        let out = rendered(&format!("\"{token}\""));
        assert!(
            out.contains("looks like a generated API key or token"),
            "{out}"
        );
        assert!(!out.contains(&token[4..]), "{out}");
    }

    #[test]
    fn a_value_that_is_not_a_name_is_masked_too() {
        let out = rendered("'my token value here'");
        assert!(
            out.contains("must name an environment variable (UPPER_SNAKE_CASE)"),
            "{out}"
        );
        assert!(out.contains("token_env = 'my t\u{2026}'"), "{out}");
        assert!(!out.contains("token value"), "{out}");
    }

    #[test]
    fn a_variable_name_passes() {
        assert_eq!(rendered("\"SLACK_SCIM_TOKEN\""), "");
        assert_eq!(rendered("\"SLACK_SCIM_TOKEN_2024\""), "");
    }
}
