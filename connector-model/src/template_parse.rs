//! The one parser of the template language: literal text with `{expression}` holes
//! (`{{` and `}}` are literal braces), an expression being a name or a call of one of
//! [`Func`] with its arguments' count and types checked.
//!
//! What a name means is not the parser's business: codegen resolves profile fields and
//! declared custom attributes, flows resolve dotted paths (`{event.person.login}`). Each
//! passes its [`Names`]; the parser returns a [`Template`] or every [`TemplateError`] with
//! its byte range in the template's text.

use std::borrow::Cow;
use std::ops::Range;

use crate::template::{Expr, Func, Part, Template, Ty};

/// A mistake in a template: where (bytes of the template's text), what, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    /// Byte range in the template's text.
    pub span: Range<usize>,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when there is a likely fix.
    pub help: Option<String>,
}

/// Why a name stands for nothing: the message and an optional help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unresolved {
    /// What is wrong (the whole message, subject included).
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
}

/// What names mean where a template is used, and how messages speak of it.
pub trait Names {
    /// Who the template is for, opening messages (``mapping for `name.givenName` ``).
    fn subject(&self) -> &str;

    /// What a name in a hole is, for messages (`a profile field`).
    fn noun(&self) -> &str;

    /// The expression `name` (at `span` in the template's text) stands for; its type is
    /// [`Expr::ty`].
    fn resolve(&mut self, name: &str, span: Range<usize>) -> Result<Expr, Unresolved>;

    /// ` (did you mean `x`?)` when `word` is a likely typo of one of `candidates`, or nothing.
    fn did_you_mean(&self, word: &str, candidates: &[&str]) -> String;

    /// Whether templates here may call `func`.
    fn allows(&self, func: Func) -> bool {
        let _ = func;
        true
    }

    /// How messages speak of `expr` (``profile field `groups` ``).
    fn describe(&self, expr: &Expr) -> String {
        match expr {
            Expr::Field(f) => format!("profile field `{}`", f.name()),
            Expr::Custom { name, .. } => format!("custom attribute `{name}`"),
            Expr::Str(s) => format!("\"{s}\""),
            Expr::Call { func, .. } => format!("`{}(...)`", func.name()),
        }
    }
}

/// Parses and checks `text`, resolving its names with `names`.
pub fn parse(text: &str, names: &mut dyn Names) -> Result<Template, Vec<TemplateError>> {
    let mut parts = Vec::new();
    let mut literal = String::new();
    let mut errors = Vec::new();
    let bytes = text.as_bytes();
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
                let Some(close) = text[i..].find('}').map(|c| c + i) else {
                    errors.push(TemplateError {
                        span: i..text.len(),
                        message: format!("{}: `{{` is never closed", names.subject()),
                        help: Some(
                            "close the expression with `}`, or write `{{` for a literal brace"
                                .to_owned(),
                        ),
                    });
                    return Err(errors);
                };
                if !literal.is_empty() {
                    parts.push(Part::Text(Cow::Owned(std::mem::take(&mut literal))));
                }
                let mut parser = Parser {
                    text,
                    pos: i + 1,
                    end: close,
                    names: &mut *names,
                    errors: &mut errors,
                };
                if let Some(expr) = parser.hole() {
                    parts.push(Part::Expr(expr));
                }
                i = close + 1;
            }
            b'}' => {
                errors.push(TemplateError {
                    span: i..i + 1,
                    message: format!("{}: stray `}}`", names.subject()),
                    help: Some("write `}}` for a literal brace".to_owned()),
                });
                i += 1;
            }
            _ => {
                let next = text[i..].find(['{', '}']).map_or(text.len(), |n| n + i);
                literal.push_str(&text[i..next]);
                i = next;
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if !literal.is_empty() {
        parts.push(Part::Text(Cow::Owned(literal)));
    }
    Ok(Template {
        source: Cow::Owned(text.to_owned()),
        parts: Cow::Owned(parts),
    })
}

/// Whether `byte` may appear in a name: letters, digits, `_`, and `.` and `-` for paths.
fn is_name_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'.' | b'-')
}

/// Parses the expression of one hole, `text[pos..end]`.
struct Parser<'t, 'n, 'e> {
    text: &'t str,
    pos: usize,
    end: usize,
    names: &'n mut dyn Names,
    errors: &'e mut Vec<TemplateError>,
}

impl Parser<'_, '_, '_> {
    fn hole(&mut self) -> Option<Expr> {
        self.skip_ws();
        if self.pos >= self.end {
            self.error(
                self.pos - 1..self.end + 1,
                "`{}` holds no expression".to_owned(),
                None,
            );
            return None;
        }
        let (expr, span) = self.expr()?;
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
        self.expect_type(&expr, Ty::Text, span)?;
        Some(expr)
    }

    fn expr(&mut self) -> Option<(Expr, Range<usize>)> {
        self.skip_ws();
        let start = self.pos;
        if self.peek() == Some(b'"') {
            return self.string(start);
        }
        while self.peek().is_some_and(is_name_byte) {
            self.pos += 1;
        }
        let name = &self.text[start..self.pos];
        if name.is_empty() {
            let bad = start..(start + 1).min(self.end.max(start + 1));
            self.error(
                bad,
                format!(
                    "expected {} or a function, found `{}`",
                    self.names.noun(),
                    &self.text[start..self.end]
                ),
                None,
            );
            return None;
        }
        let span = start..self.pos;
        self.skip_ws();
        if self.peek() == Some(b'(') {
            self.pos += 1;
            return self.call(name, start);
        }
        self.resolve(name, span)
    }

    fn string(&mut self, start: usize) -> Option<(Expr, Range<usize>)> {
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
        Some((Expr::Str(Cow::Owned(value)), start..self.pos))
    }

    fn call(&mut self, name: &str, start: usize) -> Option<(Expr, Range<usize>)> {
        let Some(func) = Func::named(name).filter(|f| self.names.allows(*f)) else {
            let allowed: Vec<&str> = Func::ALL
                .into_iter()
                .filter(|f| self.names.allows(*f))
                .map(Func::name)
                .collect();
            let mean = self.names.did_you_mean(name, &allowed);
            let list = allowed
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ");
            self.error(
                start..start + name.len(),
                format!("{}: unknown function `{name}`{mean}", self.names.subject()),
                Some(format!("the functions are {list}")),
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
            args.push(self.expr()?);
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
                    self.names.subject(),
                    signature.len(),
                    args.len()
                ),
                Some(format!("usage: {}", func.usage())),
            );
            return None;
        }
        let mut checked = Vec::with_capacity(args.len());
        for ((arg, arg_span), want) in args.into_iter().zip(signature) {
            if self.expect_type(&arg, *want, arg_span).is_none() {
                if let Some(last) = self.errors.last_mut() {
                    last.help
                        .get_or_insert_with(|| format!("usage: {}", func.usage()));
                }
                return None;
            }
            checked.push(arg);
        }
        let call = Expr::Call {
            func,
            args: Cow::Owned(checked),
        };
        Some((call, span))
    }

    fn resolve(&mut self, name: &str, span: Range<usize>) -> Option<(Expr, Range<usize>)> {
        match self.names.resolve(name, span.clone()) {
            Ok(expr) => Some((expr, span)),
            Err(_) if Func::named(name).is_some_and(|f| self.names.allows(f)) => {
                let message = format!(
                    "{}: `{name}` is a function; call it as `{name}(...)`",
                    self.names.subject()
                );
                self.error(span, message, None);
                None
            }
            Err(unresolved) => {
                self.error(span, unresolved.message, unresolved.help);
                None
            }
        }
    }

    fn expect_type(&mut self, expr: &Expr, want: Ty, span: Range<usize>) -> Option<()> {
        let found = expr.ty();
        if found == want {
            return Some(());
        }
        let subject = self.names.subject();
        let what = self.names.describe(expr);
        let (message, help) = match (found, want) {
            (Ty::List, Ty::Text) => (
                format!("{subject}: {what} is a list, not text"),
                Some(format!("join it: `join({}, \",\")`", expr.name())),
            ),
            (_, Ty::List) => (
                format!("{subject}: {what} is not a list"),
                Some("`join` takes a list field such as `groups`".to_owned()),
            ),
            (Ty::Literal, Ty::Text) => (
                format!("{subject}: a string literal cannot stand alone in `{{}}`"),
                Some("write literal text outside the braces".to_owned()),
            ),
            _ => (
                format!("{subject}: {what} must be a string literal here"),
                None,
            ),
        };
        self.error(span, message, help);
        None
    }

    fn error(&mut self, span: Range<usize>, message: String, help: Option<String>) {
        self.errors.push(TemplateError {
            span,
            message,
            help,
        });
    }

    fn peek(&self) -> Option<u8> {
        (self.pos < self.end).then(|| self.text.as_bytes()[self.pos])
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Field;

    /// Profile fields by name, and nothing else; suggestions by common prefix.
    struct Fields;

    impl Names for Fields {
        fn subject(&self) -> &str {
            "mapping for `x`"
        }

        fn noun(&self) -> &str {
            "a profile field"
        }

        fn resolve(&mut self, name: &str, _: Range<usize>) -> Result<Expr, Unresolved> {
            Field::named(name).map(Expr::Field).ok_or(Unresolved {
                message: format!("no field `{name}`"),
                help: None,
            })
        }

        fn did_you_mean(&self, word: &str, candidates: &[&str]) -> String {
            candidates
                .iter()
                .find(|c| c.starts_with(&word[..2]))
                .map(|c| format!(" (did you mean `{c}`?)"))
                .unwrap_or_default()
        }

        fn allows(&self, func: Func) -> bool {
            func != Func::RandomSecret
        }
    }

    fn check(text: &str) -> Result<Template, Vec<TemplateError>> {
        parse(text, &mut Fields)
    }

    #[test]
    fn text_braces_names_and_calls() {
        let t = check("{first_name} {lower( last_name )}-{{x}}").unwrap();
        assert_eq!(t.reads(), ["first_name", "last_name"]);
        assert_eq!(
            t.parts.as_ref(),
            [
                Part::Expr(Expr::Field(Field::named("first_name").unwrap())),
                Part::Text(" ".into()),
                Part::Expr(Expr::Call {
                    func: Func::Lower,
                    args: vec![Expr::Field(Field::named("last_name").unwrap())].into(),
                }),
                Part::Text("-{x}".into()),
            ]
        );
        check("{default(department, \"none\")}").unwrap();
        check("{join(groups, \",\")}").unwrap();
    }

    #[test]
    fn errors_carry_their_range_message_and_help() {
        let errors = check("ab {lowr(email)}").unwrap_err();
        assert_eq!(
            errors,
            [TemplateError {
                span: 4..8,
                message: "mapping for `x`: unknown function `lowr` (did you mean `lower`?)"
                    .to_owned(),
                help: Some(
                    "the functions are `lower`, `upper`, `trim`, `local_part`, `domain`, \
                     `default`, `join`, `slug`"
                        .to_owned()
                ),
            }]
        );
        // A disallowed function is unknown here.
        assert_eq!(check("{random_secret()}").unwrap_err()[0].span, 1..14);
    }

    #[test]
    fn every_mistake_is_reported_with_the_resolvers_words() {
        let errors = check("{nope} } {groups} {lower(email, email)}").unwrap_err();
        let found: Vec<(Range<usize>, &str)> = errors
            .iter()
            .map(|e| (e.span.clone(), e.message.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (1..5, "no field `nope`"),
                (7..8, "mapping for `x`: stray `}`"),
                (
                    10..16,
                    "mapping for `x`: profile field `groups` is a list, not text"
                ),
                (
                    19..38,
                    "mapping for `x`: `lower` takes 1 argument(s), found 2"
                ),
            ]
        );
        let unclosed = check("x {email").unwrap_err();
        assert_eq!(unclosed[0].span, 2..8);
        assert_eq!(check("{}").unwrap_err()[0].span, 0..2);
        assert_eq!(
            check("{lower}").unwrap_err()[0].message,
            "mapping for `x`: `lower` is a function; call it as `lower(...)`"
        );
    }
}
