//! Flow inputs in the spec's template language: literal text with `{expression}` holes,
//! `{{` and `}}` for literal braces, the same functions (`lower`, `default`, `join`,
//! ...), parsed by the model's one parser. A flow reads paths instead of profile fields:
//! `{event.person.login}`, `{steps.lookup.account.id}`; each becomes an
//! [`Expr::Custom`], so [`Template::reads`] lists them and [`Template::render`] computes
//! the value.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;

use connector_sdk::manifest::CustomKind;
use connector_sdk::profile::{Field, FieldValue, Profile};
use connector_sdk::template::{Expr, Func, Template};
use connector_sdk::template_parse::{self, Names, Unresolved};

pub(crate) use connector_sdk::template_parse::TemplateError;

/// A path a template reads, and where it is in the template's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Read {
    /// `event.person.login`.
    pub path: String,
    /// Byte range in the template's text.
    pub span: Range<usize>,
}

/// Parses `text` with the model's one parser; also returns each path read with its place.
pub(crate) fn parse(text: &str) -> Result<(Template, Vec<Read>), Vec<TemplateError>> {
    let mut paths = Paths { reads: Vec::new() };
    let template = template_parse::parse(text, &mut paths)?;
    Ok((template, paths.reads))
}

/// Whether `text` has any `{expression}` hole.
pub(crate) fn has_holes(text: &str) -> bool {
    parse(text).is_ok_and(|(t, _)| t.exprs().next().is_some())
}

/// Names in a flow's templates: dotted paths, each an [`Expr::Custom`] of text, recorded
/// as they are read.
struct Paths {
    reads: Vec<Read>,
}

impl Names for Paths {
    fn subject(&self) -> &str {
        "template"
    }

    fn noun(&self) -> &str {
        "a path (`event.person.login`)"
    }

    fn resolve(&mut self, name: &str, span: Range<usize>) -> Result<Expr, Unresolved> {
        if name.split('.').any(str::is_empty) {
            return Err(Unresolved {
                message: format!("template: `{name}` is not a path (`event.person.login`)"),
                help: None,
            });
        }
        self.reads.push(Read {
            path: name.to_owned(),
            span,
        });
        Ok(Expr::Custom {
            name: Cow::Owned(name.to_owned()),
            kind: CustomKind::Text,
        })
    }

    fn did_you_mean(&self, word: &str, candidates: &[&str]) -> String {
        crate::config::closest_name(word, candidates.iter().copied())
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default()
    }

    /// Flows cannot mint credentials.
    fn allows(&self, func: Func) -> bool {
        func != Func::RandomSecret
    }

    fn describe(&self, expr: &Expr) -> String {
        match expr {
            Expr::Custom { name, .. } => format!("path `{name}`"),
            Expr::Str(s) => format!("\"{s}\""),
            other => format!("`{}`", other.name()),
        }
    }
}

/// The values templates read while a flow runs: every scalar of the event's output and
/// of earlier steps' outputs, by path (`event.person.login`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Context {
    values: BTreeMap<String, String>,
}

impl Context {
    /// Adds every scalar of `value` under `prefix`.
    pub(crate) fn add(&mut self, prefix: &str, value: &serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, value) in map {
                    self.add(&format!("{prefix}.{key}"), value);
                }
            }
            serde_json::Value::Null | serde_json::Value::Array(_) => {}
            serde_json::Value::String(text) => {
                self.values.insert(prefix.to_owned(), text.clone());
            }
            other => {
                self.values.insert(prefix.to_owned(), other.to_string());
            }
        }
    }

    /// `template`'s value here (`None` when a path it reads has no value).
    pub(crate) fn render(&self, template: &Template) -> Option<String> {
        template.render(self)
    }
}

impl Profile for Context {
    fn get(&self, _: Field) -> FieldValue<'_> {
        FieldValue::Text(None)
    }

    fn custom(&self, name: &str) -> FieldValue<'_> {
        FieldValue::Text(self.values.get(name).map(String::as_str))
    }

    fn random_secret(&self) -> String {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_functions_render_over_the_context() {
        let (template, reads) =
            parse("{lower(event.person.login)} in {default(event.group.name, \"none\")}").unwrap();
        let paths: Vec<&str> = reads.iter().map(|r| r.path.as_str()).collect();
        assert_eq!(paths, ["event.person.login", "event.group.name"]);
        assert_eq!(template.reads(), paths);
        let mut context = Context::default();
        context.add(
            "event",
            &serde_json::json!({"person": {"login": "Ada@Example.com"}}),
        );
        assert_eq!(
            context.render(&template).as_deref(),
            Some("ada@example.com in none")
        );
    }

    #[test]
    fn mistakes_say_where() {
        let error = &parse("x {lowr(event.a)}").unwrap_err()[0];
        assert_eq!(error.span, 3..7);
        assert!(
            error.message.contains("did you mean `lower`"),
            "{}",
            error.message
        );
        assert_eq!(parse("{event.a").unwrap_err()[0].span, 0..8);
        assert_eq!(
            parse("{event..a}").unwrap_err()[0].message,
            "template: `event..a` is not a path (`event.person.login`)"
        );
        assert!(parse("{random_secret()}").is_err());
        assert_eq!(
            parse("{join(event.a, \",\")}").unwrap_err()[0].message,
            "template: path `event.a` is not a list"
        );
    }
}
