//! Spec attribute templates (`{lower(local_part(email))}`) as Okta Expression Language
//! (`String.toLowerCase(String.substringBefore(user.email, "@"))`).
//!
//! The manifest holds each template as the typed AST codegen checked
//! ([`connector_sdk::template::Template`]); the translation itself is the model's
//! ([`Template::okta`]), so every function codegen accepts in `[sso.attributes]` has an Okta
//! form or a reason. A template that is exactly `{join(groups, "...")}` becomes an Okta
//! group attribute statement, which sends one attribute value per group instead of one
//! joined string.

pub use connector_model::okta::OktaValue;
use connector_sdk::template::Template;
use serde::Serialize;

use super::notes::{Note, Severity};

/// A SAML attribute statement of the service, with its Okta translation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttributeStatement {
    /// The SAML attribute name the service reads (`mail`, `User.Email`).
    pub name: String,
    /// The spec's template over the directory profile (`{email}`).
    pub template: String,
    /// The Okta value, or `None` when the template cannot be expressed in Okta.
    pub okta: Option<OktaValue>,
    /// What is approximate about the translation, or why there is none.
    pub warnings: Vec<String>,
}

impl AttributeStatement {
    /// Translates `template` for attribute `name`.
    pub fn new(name: &str, template: &Template) -> Self {
        let (okta, warnings) = match template.okta() {
            Ok(translation) => (Some(translation.value), translation.warnings),
            Err(error) => (None, vec![error.to_string()]),
        };
        Self {
            name: name.to_owned(),
            template: template.to_string(),
            okta,
            warnings,
        }
    }
    /// One identity-provider note per warning.
    pub(crate) fn notes(&self) -> Vec<Note> {
        self.warnings
            .iter()
            .map(|warning| {
                let text = if self.okta.is_some() {
                    format!("attribute `{}`: {warning}", self.name)
                } else {
                    format!(
                        "attribute `{}` (`{}`) is left out of the Okta app: {warning}; add it by hand",
                        self.name, self.template
                    )
                };
                Note::idp(Severity::Warning, text)
            })
            .collect()
    }
}
