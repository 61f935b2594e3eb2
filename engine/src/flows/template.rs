//! Flow inputs in the spec's template language: literal text with `{expression}` holes,
//! `{{` and `}}` for literal braces, the same functions (`lower`, `default`, `join`,
//! ...). A flow reads paths instead of profile fields: `{event.person.login}`,
//! `{steps.lookup.account.id}`. They parse into the model's [`Template`] (each path an
//! [`Expr::Custom`]), so [`Template::reads`] lists them and [`Template::render`]
//! computes the value.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;

use connector_sdk::manifest::CustomKind;
use connector_sdk::profile::{Field, FieldValue, Profile};
use connector_sdk::template::{Expr, Func, Part, Template, Ty};

/// A mistake in a template: where (bytes of the template's text) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TemplateError {
    /// Byte range in the template's text.
    pub span: Range<usize>,
    /// What is wrong.
    pub message: String,
}

/// A path a template reads, and where it is in the template's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Read {
    /// `event.person.login`.
    pub path: String,
    /// Byte range in the template's text.
    pub span: Range<usize>,
}

/// Parses `text`; also returns each path read with its place.
pub(crate) fn parse(text: &str) -> Result<(Template, Vec<Read>), TemplateError> {
    let bytes = text.as_bytes();
    let (mut parts, mut reads, mut literal) = (Vec::new(), Vec::new(), String::new());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' if bytes.get(i + 1) == Some(&b'{') => {
                literal.push('{');
                i += 2;
            }
            b'}' if bytes.get(i + 1) == Some(&b'}') => {
                literal.push('}');
                i += 2;
            }
            b'{' => {
                let close = text[i..].find('}').map(|c| c + i).ok_or(TemplateError {
                    span: i..text.len(),
                    message: "`{` is never closed (write `{{` for a literal brace)".into(),
                })?;
                if !literal.is_empty() {
                    parts.push(Part::Text(Cow::Owned(std::mem::take(&mut literal))));
                }
                let mut parser = Parser {
                    text,
                    pos: i + 1,
                    end: close,
                    reads: &mut reads,
                };
                let (expr, ty) = parser.expr()?;
                parser.skip_ws();
                if parser.pos < close {
                    return Err(TemplateError {
                        span: parser.pos..close,
                        message: format!("unexpected `{}`", &text[parser.pos..close]),
                    });
                }
                expect(ty, Ty::Text, i + 1..close, &expr)?;
                parts.push(Part::Expr(expr));
                i = close + 1;
            }
            b'}' => {
                return Err(TemplateError {
                    span: i..i + 1,
                    message: "stray `}` (write `}}` for a literal brace)".into(),
                });
            }
            _ => {
                let next = text[i..].find(['{', '}']).map_or(text.len(), |n| n + i);
                literal.push_str(&text[i..next]);
                i = next;
            }
        }
    }
    if !literal.is_empty() {
        parts.push(Part::Text(Cow::Owned(literal)));
    }
    let template = Template {
        source: Cow::Owned(text.to_owned()),
        parts: Cow::Owned(parts),
    };
    Ok((template, reads))
}

/// Whether `text` has any `{expression}` hole.
pub(crate) fn has_holes(text: &str) -> bool {
    parse(text).is_ok_and(|(t, _)| t.exprs().next().is_some())
}

fn expect(found: Ty, wanted: Ty, span: Range<usize>, expr: &Expr) -> Result<(), TemplateError> {
    if found == wanted || (wanted == Ty::Text && found == Ty::Literal) {
        return Ok(());
    }
    let what = |ty: Ty| match ty {
        Ty::Text => "a text value",
        Ty::List => "a list",
        Ty::Literal => "a string literal",
    };
    Err(TemplateError {
        span,
        message: format!(
            "`{}` is {}, where {} is expected",
            expr.name(),
            what(found),
            what(wanted)
        ),
    })
}

struct Parser<'t, 'r> {
    text: &'t str,
    pos: usize,
    end: usize,
    reads: &'r mut Vec<Read>,
}

impl Parser<'_, '_> {
    fn skip_ws(&mut self) {
        while self.pos < self.end && self.text.as_bytes()[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    fn expr(&mut self) -> Result<(Expr, Ty), TemplateError> {
        self.skip_ws();
        let start = self.pos;
        if self.text.as_bytes().get(self.pos) == Some(&b'"') && self.pos < self.end {
            let close = self.text[self.pos + 1..self.end]
                .find('"')
                .ok_or(TemplateError {
                    span: start..self.end,
                    message: "string literal is never closed".into(),
                })?;
            let value = self.text[self.pos + 1..self.pos + 1 + close].to_owned();
            self.pos += close + 2;
            return Ok((Expr::Str(Cow::Owned(value)), Ty::Literal));
        }
        while self.pos < self.end {
            let b = self.text.as_bytes()[self.pos];
            if b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-' {
                self.pos += 1;
            } else {
                break;
            }
        }
        let name = &self.text[start..self.pos];
        if name.is_empty() {
            return Err(TemplateError {
                span: start..(start + 1).min(self.end.max(start + 1)),
                message: format!(
                    "expected a path (`event.person.login`) or a function, found `{}`",
                    &self.text[start..self.end]
                ),
            });
        }
        self.skip_ws();
        if self.text.as_bytes().get(self.pos) == Some(&b'(') && self.pos < self.end {
            self.pos += 1;
            return self.call(name, start);
        }
        if name.split('.').any(str::is_empty) {
            return Err(TemplateError {
                span: start..start + name.len(),
                message: format!("`{name}` is not a path (`event.person.login`)"),
            });
        }
        self.reads.push(Read {
            path: name.to_owned(),
            span: start..start + name.len(),
        });
        Ok((
            Expr::Custom {
                name: Cow::Owned(name.to_owned()),
                kind: CustomKind::Text,
            },
            Ty::Text,
        ))
    }

    fn call(&mut self, name: &str, start: usize) -> Result<(Expr, Ty), TemplateError> {
        let func = Func::named(name)
            .filter(|f| *f != Func::RandomSecret)
            .ok_or_else(|| {
                let known: Vec<&str> = Func::ALL
                    .iter()
                    .filter(|f| **f != Func::RandomSecret)
                    .map(|f| f.name())
                    .collect();
                let hint = crate::config::closest_name(name, known.iter().copied())
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                TemplateError {
                    span: start..start + name.len(),
                    message: format!(
                        "unknown function `{name}`{hint}; flows can call {}",
                        known.join(", ")
                    ),
                }
            })?;
        let mut args = Vec::new();
        loop {
            self.skip_ws();
            if self.text.as_bytes().get(self.pos) == Some(&b')') && self.pos < self.end {
                self.pos += 1;
                break;
            }
            if !args.is_empty() {
                if self.text.as_bytes().get(self.pos) != Some(&b',') || self.pos >= self.end {
                    return Err(TemplateError {
                        span: self.pos..self.end,
                        message: format!("`{}`: expected `,` or `)`", func.usage()),
                    });
                }
                self.pos += 1;
            }
            let arg_start = self.pos;
            let (expr, ty) = self.expr()?;
            let wanted = func
                .signature()
                .get(args.len())
                .copied()
                .ok_or(TemplateError {
                    span: arg_start..self.pos,
                    message: format!("too many arguments: `{}`", func.usage()),
                })?;
            expect(ty, wanted, arg_start..self.pos, &expr)?;
            args.push(expr);
        }
        if args.len() != func.signature().len() {
            return Err(TemplateError {
                span: start..self.pos,
                message: format!("wrong number of arguments: `{}`", func.usage()),
            });
        }
        Ok((
            Expr::Call {
                func,
                args: Cow::Owned(args),
            },
            Ty::Text,
        ))
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
        let error = parse("x {lowr(event.a)}").unwrap_err();
        assert_eq!(error.span, 3..7);
        assert!(
            error.message.contains("did you mean `lower`"),
            "{}",
            error.message
        );
        assert_eq!(parse("{event.a").unwrap_err().span, 0..8);
        assert!(parse("{random_secret()}").is_err());
        assert!(
            parse("{join(event.a, \",\")}").is_err(),
            "a path is text, not a list"
        );
    }
}
