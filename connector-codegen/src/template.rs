//! Mapping templates: `"{first_name} {last_name}"`, `"{lower(email)}"`,
//! `"{default(department, \"none\")}"`, `"{join(groups, \",\")}"`.
//!
//! A template is literal text with `{expression}` holes (`{{` and `}}` are literal
//! braces). An expression is a profile field, a declared custom attribute, or a call of
//! one of [`Func`]. The model's parser ([`template_parse`]) checks syntax and types;
//! this module gives it the spec's names and places each problem in the spec.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;

pub use connector_model::template::{Expr, Func, Part, Template, Ty};

use connector_model::template_parse::{self, Names, Unresolved};

use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::spec::model::CustomKind;
use connector_model::profile::{Field, PROFILE_FIELDS};

/// Where a template sits and what it is for, for messages.
pub struct TemplateContext<'a> {
    /// Describes the use, e.g. ``mapping for `name.givenName` ``.
    pub subject: &'a str,
    /// Declared custom attributes.
    pub custom: &'a BTreeMap<String, CustomKind>,
    /// Byte offset of the template's first character in the spec, when the TOML string
    /// has no escapes (so offsets are exact); otherwise the value's span start.
    pub base: usize,
    /// True when `base` is exact.
    pub exact: bool,
    /// The value's whole span, for messages when offsets are not exact.
    pub value_span: Range<usize>,
}

impl TemplateContext<'_> {
    fn span(&self, local: Range<usize>) -> Range<usize> {
        if self.exact {
            self.base + local.start..self.base + local.end
        } else {
            self.value_span.clone()
        }
    }
}

/// Parses and checks `text` with the model's one parser; every problem is pushed to
/// `errors`, placed in the spec.
pub fn parse_template(
    text: &str,
    cx: &TemplateContext<'_>,
    errors: &mut Vec<Diagnostic>,
) -> Option<Template> {
    let mut names = ProfileNames { cx };
    template_parse::parse(text, &mut names)
        .map_err(|found| {
            errors.extend(found.into_iter().map(|e| {
                let mut diagnostic = Diagnostic::new(cx.span(e.span), e.message);
                diagnostic.help = e.help;
                diagnostic
            }));
        })
        .ok()
}

/// Names in a spec's templates: profile fields and declared custom attributes.
struct ProfileNames<'c> {
    cx: &'c TemplateContext<'c>,
}

impl Names for ProfileNames<'_> {
    fn subject(&self) -> &str {
        self.cx.subject
    }

    fn noun(&self) -> &str {
        "a profile field"
    }

    fn resolve(&mut self, name: &str, _: Range<usize>) -> Result<Expr, Unresolved> {
        if let Some(field) = Field::named(name) {
            return Ok(Expr::Field(field));
        }
        if let Some(kind) = self.cx.custom.get(name) {
            let name = Cow::Owned(name.to_owned());
            return Ok(Expr::Custom { name, kind: *kind });
        }
        let candidates = PROFILE_FIELDS
            .iter()
            .map(|f| f.name)
            .chain(self.cx.custom.keys().map(String::as_str));
        let mean = did_you_mean(name, candidates);
        Err(Unresolved {
            message: format!(
                "{} refers to `{name}`, which the directory profile does not have{mean}",
                self.cx.subject
            ),
            help: Some("declare custom attributes under `[directory.custom]`".to_owned())
                .filter(|_| mean.is_empty()),
        })
    }

    fn did_you_mean(&self, word: &str, candidates: &[&str]) -> String {
        did_you_mean(word, candidates.iter().copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Result<Template, Vec<Diagnostic>> {
        let custom = BTreeMap::from([("github_login".to_owned(), CustomKind::Text)]);
        let cx = TemplateContext {
            subject: "mapping for `x`",
            custom: &custom,
            base: 0,
            exact: true,
            value_span: 0..text.len(),
        };
        let mut errors = Vec::new();
        parse_template(text, &cx, &mut errors).ok_or(errors)
    }

    #[test]
    fn parses_fields_calls_and_literals() {
        let t = check("{first_name} {lower(last_name)}-{{x}}").unwrap();
        assert_eq!(t.parts.len(), 4);
        assert_eq!(t.reads(), ["first_name", "last_name"]);
        check("{join(groups, \",\")}").unwrap();
        check("{default(department, \"none\")}").unwrap();
        check("{github_login}").unwrap();
    }

    #[test]
    fn unknown_field_is_located_with_suggestion() {
        let errors = check("{first_nme}").unwrap_err();
        assert_eq!(errors[0].span, 1..10);
        assert!(
            errors[0].message.ends_with("(did you mean `first_name`?)"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn type_errors() {
        let e = check("{groups}").unwrap_err();
        assert!(e[0].message.contains("is a list"), "{:?}", e);
        let e = check("{join(email, \",\")}").unwrap_err();
        assert!(e[0].message.contains("is not a list"), "{:?}", e);
        let e = check("{lowr(email)}").unwrap_err();
        assert!(e[0].message.contains("did you mean `lower`"), "{:?}", e);
        let e = check("{lower(email, email)}").unwrap_err();
        assert!(e[0].message.contains("takes 1 argument"), "{:?}", e);
        assert!(check("{email").is_err());
        assert!(check("{}").is_err());
    }
}
