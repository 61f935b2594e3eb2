//! Mapping templates as typed data: `"{first_name} {last_name}"`, `"{lower(email)}"`,
//! `"{default(department, \"none\")}"`, `"{join(groups, \",\")}"`.
//!
//! A template is literal text with `{expression}` holes. Codegen parses and checks the
//! spec's text into a [`Template`] and emits it as a constant, so the runtime never parses
//! a template: it reads the fields a template uses ([`Template::reads`]), computes its
//! value for a person ([`Template::render`]) or translates it for Okta
//! ([`crate::okta`]).

use std::borrow::Cow;
use std::fmt;

use crate::profile::{Field, FieldKind, FieldValue, Profile};
use crate::vocab::CustomKind;

/// A checked template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// The template as written in the spec (what messages and manifests show).
    pub source: Cow<'static, str>,
    /// Literal text and expressions, in order.
    pub parts: Cow<'static, [Part]>,
}

/// A piece of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Literal text (`{{` and `}}` already unescaped).
    Text(Cow<'static, str>),
    /// An expression whose text value is inserted.
    Expr(Expr),
}

/// A checked expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// A base profile field.
    Field(Field),
    /// A declared custom directory attribute.
    Custom {
        /// Its name.
        name: Cow<'static, str>,
        /// Its type.
        kind: CustomKind,
    },
    /// A string literal argument.
    Str(Cow<'static, str>),
    /// A function call.
    Call {
        /// The function.
        func: Func,
        /// Its arguments.
        args: Cow<'static, [Expr]>,
    },
}

/// What an expression produces, or a function argument must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// Text (possibly absent).
    Text,
    /// A list of text values.
    List,
    /// A string literal.
    Literal,
}

/// Declares [`Func`] from one table: variant, name, argument types, usage.
macro_rules! functions {
    ($($(#[$doc:meta])* $variant:ident $name:literal [$($ty:ident),*] $usage:literal;)*) => {
        /// The functions templates may call.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Func {
            $($(#[$doc])* $variant,)*
        }

        impl Func {
            /// Every function, in documentation order.
            pub const ALL: [Func; [$($name),*].len()] = [$(Self::$variant),*];

            /// The name templates use.
            pub const fn name(self) -> &'static str {
                match self { $(Self::$variant => $name,)* }
            }

            /// The types of its arguments.
            pub const fn signature(self) -> &'static [Ty] {
                match self { $(Self::$variant => &[$(Ty::$ty),*],)* }
            }

            /// How to call it (`default(text, "fallback")`).
            pub const fn usage(self) -> &'static str {
                match self { $(Self::$variant => $usage,)* }
            }
        }
    };
}

functions! {
    /// `lower(text)`
    Lower "lower" [Text] "lower(text)";
    /// `upper(text)`
    Upper "upper" [Text] "upper(text)";
    /// `trim(text)`: an empty result is absent.
    Trim "trim" [Text] "trim(text)";
    /// `local_part(email)`: before the `@` (the whole value without one).
    LocalPart "local_part" [Text] "local_part(email)";
    /// `domain(email)`: after the `@` (absent without one).
    Domain "domain" [Text] "domain(email)";
    /// `default(text, "fallback")`: the fallback when the value is absent or empty.
    Default "default" [Text, Literal] "default(text, \"fallback\")";
    /// `join(list, "separator")`: absent when the list is empty.
    Join "join" [List, Literal] "join(list, \"separator\")";
    /// `slug(text)`: letters, digits and `-` kept, anything else becomes `-`
    /// (GitHub's normalization of a managed user's login).
    Slug "slug" [Text] "slug(text)";
    /// `random_secret()`: a fresh random credential (an initial password the service
    /// demands but SSO never uses); mark its attribute `create_only` and `sensitive`.
    RandomSecret "random_secret" [] "random_secret()";
}

impl Func {
    /// The function named `name`.
    pub fn named(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }
}

impl Expr {
    /// What the expression produces.
    pub fn ty(&self) -> Ty {
        match self {
            Self::Field(field) if field.kind() == FieldKind::List => Ty::List,
            Self::Custom {
                kind: CustomKind::List,
                ..
            } => Ty::List,
            Self::Str(_) => Ty::Literal,
            Self::Field(_) | Self::Custom { .. } | Self::Call { .. } => Ty::Text,
        }
    }

    /// The field, custom attribute or literal it names, as written (`groups`, `"x"`).
    pub fn name(&self) -> Cow<'_, str> {
        match self {
            Self::Field(field) => field.name().into(),
            Self::Custom { name, .. } => Cow::Borrowed(name),
            Self::Str(text) => format!("\"{text}\"").into(),
            Self::Call { func, .. } => func.name().into(),
        }
    }

    /// Whether the expression calls `func` anywhere.
    pub fn calls(&self, func: Func) -> bool {
        match self {
            Self::Call { func: f, args } => *f == func || args.iter().any(|a| a.calls(func)),
            _ => false,
        }
    }

    fn reads<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Self::Field(field) => out.push(field.name()),
            Self::Custom { name, .. } => out.push(name),
            Self::Str(_) => {}
            Self::Call { args, .. } => args.iter().for_each(|a| a.reads(out)),
        }
    }

    /// The text value for `who`; `None` when a field it reads is absent.
    fn text(&self, who: &dyn Profile) -> Option<String> {
        match self {
            Self::Field(field) => match who.get(*field) {
                FieldValue::Text(text) => text.map(str::to_owned),
                FieldValue::List(_) => None,
            },
            Self::Custom { name, .. } => match who.custom(name) {
                FieldValue::Text(text) => text.map(str::to_owned),
                FieldValue::List(_) => None,
            },
            Self::Str(text) => Some(text.to_string()),
            Self::Call { func, args } => {
                let arg = |i: usize| args.get(i).and_then(|a| a.text(who));
                let literal = |i: usize| match args.get(i) {
                    Some(Self::Str(text)) => text.as_ref(),
                    _ => "",
                };
                match func {
                    Func::Lower => lower(arg(0)),
                    Func::Upper => upper(arg(0)),
                    Func::Trim => trim(arg(0)),
                    Func::LocalPart => local_part(arg(0)),
                    Func::Domain => domain(arg(0)),
                    Func::Slug => slug(arg(0)),
                    Func::Default => default(arg(0), literal(1)),
                    Func::Join => join(args.first().map_or(&[], |a| a.list(who)), literal(1)),
                    Func::RandomSecret => Some(who.random_secret()),
                }
            }
        }
    }

    fn list<'p>(&self, who: &'p dyn Profile) -> &'p [String] {
        let value = match self {
            Self::Field(field) => who.get(*field),
            Self::Custom { name, .. } => who.custom(name),
            _ => return &[],
        };
        match value {
            FieldValue::List(items) => items,
            FieldValue::Text(_) => &[],
        }
    }
}

impl Template {
    /// The profile fields and custom attributes the template reads, in order.
    pub fn reads(&self) -> Vec<&str> {
        let mut out = Vec::new();
        for part in self.parts.iter() {
            if let Part::Expr(expr) = part {
                expr.reads(&mut out);
            }
        }
        out
    }

    /// The expressions of the template's holes.
    pub fn exprs(&self) -> impl Iterator<Item = &Expr> {
        self.parts.iter().filter_map(|part| match part {
            Part::Expr(expr) => Some(expr),
            Part::Text(_) => None,
        })
    }

    /// Whether the template calls `func` anywhere.
    pub fn calls(&self, func: Func) -> bool {
        self.exprs().any(|e| e.calls(func))
    }

    /// The template's value for `who`: `None` when a field it reads is absent (or the
    /// template is empty).
    pub fn render(&self, who: &dyn Profile) -> Option<String> {
        if self.parts.is_empty() {
            return None;
        }
        let mut out = String::new();
        for part in self.parts.iter() {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Expr(expr) => out.push_str(&expr.text(who)?),
            }
        }
        Some(out)
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Template {
    /// As its source text (manifests show templates as the spec writes them).
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.source)
    }
}

/// Concatenates template parts; `None` when any part is absent.
pub fn concat<const N: usize>(parts: [Option<String>; N]) -> Option<String> {
    let mut out = String::new();
    for part in parts {
        out.push_str(&part?);
    }
    Some(out)
}

/// Lower-cases a value.
pub fn lower(value: Option<String>) -> Option<String> {
    value.map(|v| v.to_lowercase())
}

/// Upper-cases a value.
pub fn upper(value: Option<String>) -> Option<String> {
    value.map(|v| v.to_uppercase())
}

/// Trims surrounding white space; an empty result is absent.
pub fn trim(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// The part of an email address before `@` (the whole value when there is no `@`).
pub fn local_part(value: Option<String>) -> Option<String> {
    value.map(|v| match v.split_once('@') {
        Some((local, _)) => local.to_owned(),
        None => v,
    })
}

/// The domain of an email address; absent when there is no `@`.
pub fn domain(value: Option<String>) -> Option<String> {
    value.and_then(|v| v.split_once('@').map(|(_, domain)| domain.to_owned()))
}

/// Letters, digits and `-` kept, every other character replaced by `-` (GitHub's
/// normalization of a managed user's login: `ada.lovelace` → `ada-lovelace`).
pub fn slug(value: Option<String>) -> Option<String> {
    value.map(|v| {
        v.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '-'
                }
            })
            .collect()
    })
}

/// The value, or `fallback` when it is absent or empty.
pub fn default(value: Option<String>, fallback: &str) -> Option<String> {
    match value {
        Some(v) if !v.is_empty() => Some(v),
        _ => Some(fallback.to_owned()),
    }
}

/// Joins a list with `separator`; absent when the list is empty.
pub fn join(items: &[String], separator: &str) -> Option<String> {
    if items.is_empty() {
        None
    } else {
        Some(items.join(separator))
    }
}
