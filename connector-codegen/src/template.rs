//! Mapping templates: `"{first_name} {last_name}"`, `"{lower(email)}"`,
//! `"{default(department, \"none\")}"`, `"{join(groups, \",\")}"`.
//!
//! A template is literal text with `{expression}` holes (`{{` and `}}` are literal
//! braces). An expression is a profile field, a declared custom attribute, or a call of
//! one of [`Func`]. Parsing checks names and types and reports each problem at its
//! exact place in the spec.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;

pub use connector_model::template::{Expr, Func, Part, Template, Ty};

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

/// Parses and checks `text`; every problem is pushed to `errors`.
pub fn parse_template(
    text: &str,
    cx: &TemplateContext<'_>,
    errors: &mut Vec<Diagnostic>,
) -> Option<Template> {
    let mut parts = Vec::new();
    let mut literal = String::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    let before = errors.len();
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
                let Some(close) = text[i..].find('}').map(|c| c + i) else {
                    errors.push(
                        Diagnostic::new(
                            cx.span(i..text.len()),
                            format!("{}: `{{` is never closed", cx.subject),
                        )
                        .with_help(
                            "close the expression with `}`, or write `{{` for a literal brace",
                        ),
                    );
                    return None;
                };
                if !literal.is_empty() {
                    parts.push(Part::Text(Cow::Owned(std::mem::take(&mut literal))));
                }
                let mut parser = ExprParser {
                    text,
                    pos: i + 1,
                    end: close,
                    cx,
                    errors,
                };
                if let Some(expr) = parser.parse_hole() {
                    parts.push(Part::Expr(expr));
                }
                i = close + 1;
            }
            b'}' => {
                errors.push(
                    Diagnostic::new(cx.span(i..i + 1), format!("{}: stray `}}`", cx.subject))
                        .with_help("write `}}` for a literal brace"),
                );
                i += 1;
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
    (errors.len() == before).then(|| Template {
        source: Cow::Owned(text.to_owned()),
        parts: Cow::Owned(parts),
    })
}

struct ExprParser<'t, 'c, 'e> {
    text: &'t str,
    pos: usize,
    end: usize,
    cx: &'c TemplateContext<'c>,
    errors: &'e mut Vec<Diagnostic>,
}

impl ExprParser<'_, '_, '_> {
    fn parse_hole(&mut self) -> Option<Expr> {
        self.skip_ws();
        if self.pos >= self.end {
            self.error(
                self.pos - 1..self.end + 1,
                "`{}` holds no expression".to_owned(),
                None,
            );
            return None;
        }
        let (expr, ty, span) = self.parse_expr()?;
        self.skip_ws();
        if self.pos < self.end {
            let rest = self.pos..self.end;
            self.error(
                rest,
                format!("unexpected `{}`", &self.text[self.pos..self.end]),
                None,
            );
            return None;
        }
        self.expect_type(&expr, ty, Ty::Text, span)?;
        Some(expr)
    }

    fn parse_expr(&mut self) -> Option<(Expr, Ty, Range<usize>)> {
        self.skip_ws();
        let start = self.pos;
        if self.peek() == Some(b'"') {
            return self.parse_string(start);
        }
        while self.pos < self.end
            && (self.text.as_bytes()[self.pos].is_ascii_alphanumeric()
                || self.text.as_bytes()[self.pos] == b'_')
        {
            self.pos += 1;
        }
        let name = &self.text[start..self.pos];
        if name.is_empty() {
            let bad = start..(start + 1).min(self.end.max(start + 1));
            self.error(
                bad,
                format!(
                    "expected a profile field or a function, found `{}`",
                    &self.text[start..self.end]
                ),
                None,
            );
            return None;
        }
        self.skip_ws();
        if self.peek() == Some(b'(') {
            self.pos += 1;
            return self.parse_call(name, start);
        }
        self.resolve_name(name, start..self.pos_trimmed(start))
    }

    fn pos_trimmed(&self, start: usize) -> usize {
        start + self.text[start..self.pos].trim_end().len()
    }

    fn parse_string(&mut self, start: usize) -> Option<(Expr, Ty, Range<usize>)> {
        self.pos += 1;
        let Some(close) = self.text[self.pos..self.end].find('"') else {
            self.error(
                start..self.end,
                "string literal is never closed".to_owned(),
                None,
            );
            return None;
        };
        let value = self.text[self.pos..self.pos + close].to_owned();
        self.pos += close + 1;
        Some((Expr::Str(Cow::Owned(value)), Ty::Literal, start..self.pos))
    }

    fn parse_call(&mut self, name: &str, start: usize) -> Option<(Expr, Ty, Range<usize>)> {
        let Some(func) = Func::named(name) else {
            let mean = did_you_mean(name, Func::ALL.map(Func::name));
            let names = Func::ALL
                .iter()
                .map(|f| format!("`{}`", f.name()))
                .collect::<Vec<_>>()
                .join(", ");
            self.error(
                start..start + name.len(),
                format!("{}: unknown function `{name}`{mean}", self.cx.subject),
                Some(format!("the functions are {names}")),
            );
            return None;
        };
        let mut args = Vec::new();
        loop {
            self.skip_ws();
            if self.peek() == Some(b')') && args.is_empty() {
                self.pos += 1;
                break;
            }
            args.push(self.parse_expr()?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b')') => {
                    self.pos += 1;
                    break;
                }
                _ => {
                    self.error(
                        self.pos..self.end,
                        format!("expected `,` or `)` in call of `{name}`"),
                        None,
                    );
                    return None;
                }
            }
        }
        let span = start..self.pos;
        let signature = func.signature();
        if args.len() != signature.len() {
            self.error(
                span,
                format!(
                    "{}: `{name}` takes {} argument(s), found {}",
                    self.cx.subject,
                    signature.len(),
                    args.len()
                ),
                Some(format!("usage: {}", func.usage())),
            );
            return None;
        }
        let mut checked = Vec::with_capacity(args.len());
        for ((arg, ty, arg_span), want) in args.into_iter().zip(signature) {
            self.expect_type(&arg, ty, *want, arg_span.clone())
                .or_else(|| {
                    if let Some(last) = self.errors.last_mut() {
                        last.help
                            .get_or_insert_with(|| format!("usage: {}", func.usage()));
                    }
                    None
                })?;
            checked.push(arg);
        }
        Some((
            Expr::Call {
                func,
                args: Cow::Owned(checked),
            },
            Ty::Text,
            span,
        ))
    }

    fn resolve_name(&mut self, name: &str, span: Range<usize>) -> Option<(Expr, Ty, Range<usize>)> {
        let known = Field::named(name).map(Expr::Field).or_else(|| {
            let kind = *self.cx.custom.get(name)?;
            let name = Cow::Owned(name.to_owned());
            Some(Expr::Custom { name, kind })
        });
        if let Some(expr) = known {
            let ty = expr.ty();
            return Some((expr, ty, span));
        }
        if Func::named(name).is_some() {
            self.error(
                span,
                format!(
                    "{}: `{name}` is a function; call it as `{name}(...)`",
                    self.cx.subject
                ),
                None,
            );
            return None;
        }
        let candidates = PROFILE_FIELDS
            .iter()
            .map(|f| f.name)
            .chain(self.cx.custom.keys().map(String::as_str));
        let mean = did_you_mean(name, candidates);
        self.error(
            span,
            format!(
                "{} refers to `{name}`, which the directory profile does not have{mean}",
                self.cx.subject
            ),
            Some("declare custom attributes under `[directory.custom]`".to_owned())
                .filter(|_| mean.is_empty()),
        );
        None
    }

    fn expect_type(&mut self, expr: &Expr, found: Ty, want: Ty, span: Range<usize>) -> Option<()> {
        if found == want {
            return Some(());
        }
        let what = describe_expr(expr);
        let (message, help) = match (found, want) {
            (Ty::List, Ty::Text) => (
                format!("{}: {what} is a list, not text", self.cx.subject),
                Some(format!("join it: `join({}, \",\")`", expr.name())),
            ),
            (_, Ty::List) => (
                format!("{}: {what} is not a list", self.cx.subject),
                Some("`join` takes a list field such as `groups`".to_owned()),
            ),
            (Ty::Literal, Ty::Text) => (
                format!(
                    "{}: a string literal cannot stand alone in `{{}}`",
                    self.cx.subject
                ),
                Some("write literal text outside the braces".to_owned()),
            ),
            _ => (
                format!("{}: {what} must be a string literal here", self.cx.subject),
                None,
            ),
        };
        self.error(span, message, help);
        None
    }

    fn error(&mut self, span: Range<usize>, message: String, help: Option<String>) {
        let mut diagnostic = Diagnostic::new(self.cx.span(span), message);
        diagnostic.help = help;
        self.errors.push(diagnostic);
    }

    fn peek(&self) -> Option<u8> {
        (self.pos < self.end).then(|| self.text.as_bytes()[self.pos])
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(|b| b == b' ') {
            self.pos += 1;
        }
    }
}

fn describe_expr(expr: &Expr) -> String {
    match expr {
        Expr::Field(f) => format!("profile field `{}`", f.name()),
        Expr::Custom { name, .. } => format!("custom attribute `{name}`"),
        Expr::Str(s) => format!("\"{s}\""),
        Expr::Call { func, .. } => format!("`{}(...)`", func.name()),
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
