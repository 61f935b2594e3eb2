//! Mapping templates: `"{first_name} {last_name}"`, `"{lower(email)}"`,
//! `"{default(department, \"none\")}"`, `"{join(groups, \",\")}"`.
//!
//! A template is literal text with `{expression}` holes (`{{` and `}}` are literal
//! braces). An expression is a profile field, a declared custom attribute, or a call of
//! one of [`Func`]. Parsing checks names and types and reports each problem at its
//! exact place in the spec.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::profile::{FieldKind, PROFILE_FIELDS, ProfileField, profile_field};
use crate::spec::model::CustomKind;

/// A checked template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// Literal text and expressions, in order.
    pub parts: Vec<Part>,
}

/// A piece of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Literal text.
    Literal(String),
    /// An expression whose text value is inserted.
    Expr(Expr),
}

/// A checked expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// A base profile field.
    Field(&'static ProfileField),
    /// A custom directory attribute.
    Custom {
        /// Its name.
        name: String,
        /// Its type.
        kind: CustomKind,
    },
    /// A string literal argument.
    Str(String),
    /// A function call.
    Call {
        /// The function.
        func: Func,
        /// Its arguments.
        args: Vec<Expr>,
    },
}

/// The functions templates may call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    /// `lower(text)`
    Lower,
    /// `upper(text)`
    Upper,
    /// `trim(text)`
    Trim,
    /// `local_part(email)`: before the `@`.
    LocalPart,
    /// `domain(email)`: after the `@`.
    Domain,
    /// `default(text, "fallback")`
    Default,
    /// `join(list, "separator")`
    Join,
    /// `slug(text)`: letters, digits and `-` kept, anything else becomes `-`
    /// (GitHub's normalization of a managed user's login).
    Slug,
    /// `random_secret()`: a fresh random credential (an initial password the service
    /// demands but SSO never uses); mark its attribute `create_only` and `sensitive`.
    RandomSecret,
}

/// What an expression produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    Text,
    List,
    Literal,
}

const FUNCS: &[(&str, Func)] = &[
    ("lower", Func::Lower),
    ("upper", Func::Upper),
    ("trim", Func::Trim),
    ("local_part", Func::LocalPart),
    ("domain", Func::Domain),
    ("default", Func::Default),
    ("join", Func::Join),
    ("slug", Func::Slug),
    ("random_secret", Func::RandomSecret),
];

impl Func {
    /// The name templates use.
    pub fn name(self) -> &'static str {
        FUNCS
            .iter()
            .find(|(_, f)| *f == self)
            .map_or("", |(n, _)| n)
    }

    fn signature(self) -> &'static [Ty] {
        match self {
            Self::Lower
            | Self::Upper
            | Self::Trim
            | Self::LocalPart
            | Self::Domain
            | Self::Slug => &[Ty::Text],
            Self::Default => &[Ty::Text, Ty::Literal],
            Self::Join => &[Ty::List, Ty::Literal],
            Self::RandomSecret => &[],
        }
    }

    fn usage(self) -> &'static str {
        match self {
            Self::Lower => "lower(text)",
            Self::Upper => "upper(text)",
            Self::Trim => "trim(text)",
            Self::LocalPart => "local_part(email)",
            Self::Domain => "domain(email)",
            Self::Default => "default(text, \"fallback\")",
            Self::Join => "join(list, \"separator\")",
            Self::Slug => "slug(text)",
            Self::RandomSecret => "random_secret()",
        }
    }
}

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
                    parts.push(Part::Literal(std::mem::take(&mut literal)));
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
        parts.push(Part::Literal(literal));
    }
    (errors.len() == before).then_some(Template { parts })
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
        Some((Expr::Str(value), Ty::Literal, start..self.pos))
    }

    fn parse_call(&mut self, name: &str, start: usize) -> Option<(Expr, Ty, Range<usize>)> {
        let Some(func) = FUNCS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f) else {
            let mean = did_you_mean(name, FUNCS.iter().map(|(n, _)| *n));
            let names = FUNCS
                .iter()
                .map(|(n, _)| format!("`{n}`"))
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
                args: checked,
            },
            Ty::Text,
            span,
        ))
    }

    fn resolve_name(&mut self, name: &str, span: Range<usize>) -> Option<(Expr, Ty, Range<usize>)> {
        if let Some(field) = profile_field(name) {
            let ty = if field.kind == FieldKind::List {
                Ty::List
            } else {
                Ty::Text
            };
            return Some((Expr::Field(field), ty, span));
        }
        if let Some(kind) = self.cx.custom.get(name) {
            let ty = match kind {
                CustomKind::Text => Ty::Text,
                CustomKind::List => Ty::List,
            };
            return Some((
                Expr::Custom {
                    name: name.to_owned(),
                    kind: *kind,
                },
                ty,
                span,
            ));
        }
        if FUNCS.iter().any(|(n, _)| *n == name) {
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
                Some(format!("join it: `join({}, \",\")`", expr_name(expr))),
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

fn expr_name(expr: &Expr) -> String {
    match expr {
        Expr::Field(f) => f.name.to_owned(),
        Expr::Custom { name, .. } => name.clone(),
        Expr::Str(s) => format!("\"{s}\""),
        Expr::Call { func, .. } => func.name().to_owned(),
    }
}

fn describe_expr(expr: &Expr) -> String {
    match expr {
        Expr::Field(f) => format!("profile field `{}`", f.name),
        Expr::Custom { name, .. } => format!("custom attribute `{name}`"),
        Expr::Str(s) => format!("\"{s}\""),
        Expr::Call { func, .. } => format!("`{}(...)`", func.name()),
    }
}

/// The profile fields and custom attributes a template reads.
pub fn template_reads(template: &Template) -> Vec<String> {
    fn walk(expr: &Expr, out: &mut Vec<String>) {
        match expr {
            Expr::Field(f) => out.push(f.name.to_owned()),
            Expr::Custom { name, .. } => out.push(name.clone()),
            Expr::Str(_) => {}
            Expr::Call { args, .. } => args.iter().for_each(|a| walk(a, out)),
        }
    }
    let mut out = Vec::new();
    for part in &template.parts {
        if let Part::Expr(e) = part {
            walk(e, &mut out);
        }
    }
    out
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
        assert_eq!(template_reads(&t), ["first_name", "last_name"]);
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
