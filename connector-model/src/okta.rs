//! Templates in Okta Expression Language: `{lower(local_part(email))}` becomes
//! `String.toLowerCase(String.substringBefore(user.email, "@"))`.
//!
//! Faithful for fields, `lower`, `upper`, `local_part`, `domain`, `default`, `slug` and
//! concatenation. Okta has no `trim`: the value is sent untrimmed, with a warning. A
//! template that is exactly `{join(groups, "...")}` becomes an Okta group attribute
//! statement (one attribute value per group). `random_secret()` has no meaning in a
//! sign-in assertion: codegen refuses it in `[sso.attributes]`, and it has no translation.

use std::fmt;

use crate::profile::Field;
use crate::template::{Expr, Func, Part, Template};

/// A value as an Okta SAML app computes it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "type", rename_all = "snake_case"))]
pub enum OktaValue {
    /// An Okta Expression Language expression (`user.email`).
    Expression {
        /// The expression.
        expression: String,
    },
    /// A group attribute statement: one value per group whose name matches.
    Groups {
        /// The regular expression group names must match (`.*`).
        filter_regex: &'static str,
    },
}

/// A successful translation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translation {
    /// The Okta value.
    pub value: OktaValue,
    /// What is approximate about it.
    pub warnings: Vec<String>,
}

/// Why a template has no Okta translation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OktaError(String);

impl fmt::Display for OktaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for OktaError {}

fn error<T>(text: impl Into<String>) -> Result<T, OktaError> {
    Err(OktaError(text.into()))
}

impl Template {
    /// The Okta value computing this template.
    ///
    /// # Errors
    ///
    /// [`OktaError`] for a template Okta cannot express: empty, a list inside other text,
    /// `random_secret()`, a literal holding `"` or `\`.
    pub fn okta(&self) -> Result<Translation, OktaError> {
        let mut warnings = Vec::new();
        if let [
            Part::Expr(Expr::Call {
                func: Func::Join,
                args,
            }),
        ] = self.parts.as_ref()
            && matches!(args.as_ref(), [Expr::Field(Field::Groups), Expr::Str(_)])
        {
            warnings.push(
                "Okta sends one attribute value per group rather than one joined string".to_owned(),
            );
            return Ok(Translation {
                value: OktaValue::Groups { filter_regex: ".*" },
                warnings,
            });
        }
        if self.parts.is_empty() {
            return error("the empty template is always absent");
        }
        let parts = self
            .parts
            .iter()
            .map(|part| match part {
                Part::Text(text) => okta_string(text),
                Part::Expr(expr) => text_expr(expr, &mut warnings),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Translation {
            value: OktaValue::Expression {
                expression: parts.join(" + "),
            },
            warnings,
        })
    }
}

/// A text-valued Okta expression for `expr`.
fn text_expr(expr: &Expr, warnings: &mut Vec<String>) -> Result<String, OktaError> {
    match expr {
        Expr::Field(field) if field.info().okta.is_none() => error(format!(
            "`{}` is a list; Okta sends groups only as a whole group attribute statement \
             (`{{join(groups, \",\")}}`)",
            field.name()
        )),
        Expr::Field(field) => {
            if *field == Field::Status {
                warnings.push(
                    "Okta's user status values (ACTIVE, SUSPENDED, ...) differ from the \
                     profile's (active, suspended, deprovisioned)"
                        .to_owned(),
                );
            }
            Ok(field.info().okta.unwrap_or_default().to_owned())
        }
        Expr::Custom { name, .. } => {
            warnings.push(format!(
                "`{name}` is a custom attribute; it must exist in Okta's user profile under \
                 the variable name `{name}`"
            ));
            Ok(format!("user.{name}"))
        }
        Expr::Str(text) => okta_string(text),
        Expr::Call { func, args } => {
            let mut arg = |i: usize| match args.get(i) {
                Some(arg) => text_expr(arg, warnings),
                None => error(format!("`{}` lacks an argument", func.name())),
            };
            match func {
                Func::Lower => Ok(format!("String.toLowerCase({})", arg(0)?)),
                Func::Upper => Ok(format!("String.toUpperCase({})", arg(0)?)),
                Func::LocalPart => Ok(format!("String.substringBefore({}, \"@\")", arg(0)?)),
                Func::Domain => Ok(format!("String.substringAfter({}, \"@\")", arg(0)?)),
                Func::Slug => Ok(format!(
                    "String.replace({}, \"[^A-Za-z0-9-]\", \"-\")",
                    arg(0)?
                )),
                Func::Default => {
                    let (value, fallback) = (arg(0)?, arg(1)?);
                    Ok(format!(
                        "({value} != null && {value} != \"\" ? {value} : {fallback})"
                    ))
                }
                Func::Trim => {
                    let value = arg(0)?;
                    warnings.push(
                        "Okta Expression Language has no trim; the value is sent untrimmed"
                            .to_owned(),
                    );
                    Ok(value)
                }
                Func::Join => match args.as_ref() {
                    [Expr::Custom { name, .. }, Expr::Str(separator)] => {
                        if separator != "," {
                            warnings.push(format!(
                                "Okta joins list attributes with `,`, not `{separator}`"
                            ));
                        }
                        Ok(format!("Arrays.toCsvString(user.{name})"))
                    }
                    _ => error(
                        "`join(groups, ...)` can only be a whole template in Okta (a group \
                         attribute statement)",
                    ),
                },
                Func::RandomSecret => error(
                    "`random_secret()` makes a credential, which has no place in a sign-in \
                     assertion and no Okta equivalent",
                ),
            }
        }
    }
}

/// An Okta string literal.
fn okta_string(text: &str) -> Result<String, OktaError> {
    if text.contains('"') || text.contains('\\') {
        return error(format!(
            "the literal text `{text}` holds a `\"` or `\\`, which this translation does not escape"
        ));
    }
    Ok(format!("\"{text}\""))
}
