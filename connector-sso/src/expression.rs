//! Spec attribute templates (`{lower(local_part(email))}`) translated to Okta Expression
//! Language (`String.toLowerCase(String.substringBefore(user.email, "@"))`).
//!
//! The template language is the one of `docs/spec.md` ("Templates"): literal text with
//! `{expression}` holes, where an expression is a profile field, a custom attribute, or a
//! call of `lower`, `upper`, `trim`, `local_part`, `domain`, `default` or `join`. Codegen has
//! already checked every spec template, so a parse failure here means a hand-built manifest.
//!
//! Translation is faithful for fields, `lower`, `upper`, `local_part`, `domain`, `default`
//! and concatenation. Okta has no `trim`; the value is sent untrimmed (with a warning). A
//! template that is exactly `{join(groups, "...")}` becomes an Okta group attribute
//! statement, which sends one attribute value per group instead of one joined string.

use std::fmt;

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
    pub fn new(name: &str, template: &str) -> Self {
        let (okta, warnings) = match translate(template) {
            Ok(translation) => (Some(translation.value), translation.warnings),
            Err(error) => (None, vec![error.to_string()]),
        };
        Self {
            name: name.to_owned(),
            template: template.to_owned(),
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

/// A value as an Okta SAML app computes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum OktaValue {
    /// An Okta Expression Language expression (`user.email`).
    Expression {
        /// The expression.
        expression: String,
    },
    /// An Okta group attribute statement: one value per group whose name matches.
    Groups {
        /// The regular expression group names must match (`.*`).
        filter_regex: String,
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
pub struct TranslateError(String);

impl fmt::Display for TranslateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TranslateError {}

/// Translates a spec template to an Okta value.
///
/// # Errors
///
/// [`TranslateError`] for a template that does not parse, or one Okta cannot express (a list
/// used inside other text, a literal with a `"` or `\`).
pub fn translate(template: &str) -> Result<Translation, TranslateError> {
    let segments = parse_template(template).map_err(TranslateError)?;
    let mut warnings = Vec::new();
    if let [Segment::Hole(Expr::Call { name, args })] = segments.as_slice()
        && name == "join"
        && matches!(args.as_slice(), [Expr::Name(list), Expr::Str(_)] if list == "groups")
    {
        warnings.push(
            "Okta sends one attribute value per group rather than one joined string".to_owned(),
        );
        return Ok(Translation {
            value: OktaValue::Groups {
                filter_regex: ".*".to_owned(),
            },
            warnings,
        });
    }
    if segments.is_empty() {
        return Err(TranslateError(
            "the empty template is always absent".to_owned(),
        ));
    }
    let mut parts = Vec::new();
    for segment in &segments {
        match segment {
            Segment::Literal(text) => parts.push(okta_string(text)?),
            Segment::Hole(expr) => parts.push(text_expr(expr, &mut warnings)?),
        }
    }
    Ok(Translation {
        value: OktaValue::Expression {
            expression: parts.join(" + "),
        },
        warnings,
    })
}

/// The Okta user-profile expression of a directory profile field.
pub fn okta_profile_attribute(field: &str) -> Option<&'static str> {
    Some(match field {
        "id" => "user.getInternalProperty(\"id\")",
        "login" => "user.login",
        "email" => "user.email",
        "first_name" => "user.firstName",
        "last_name" => "user.lastName",
        "display_name" => "user.displayName",
        "department" => "user.department",
        "title" => "user.title",
        "manager" => "user.manager",
        "employee_number" => "user.employeeNumber",
        "cost_center" => "user.costCenter",
        "organization" => "user.organization",
        "division" => "user.division",
        "locale" => "user.locale",
        "preferred_language" => "user.preferredLanguage",
        "timezone" => "user.timezone",
        "phone" => "user.primaryPhone",
        "status" => "user.getInternalProperty(\"status\")",
        _ => return None,
    })
}

/// A text-valued Okta expression for `expr`.
fn text_expr(expr: &Expr, warnings: &mut Vec<String>) -> Result<String, TranslateError> {
    match expr {
        Expr::Name(name) if name == "groups" => Err(TranslateError(
            "`groups` is a list; Okta sends groups only as a whole group attribute statement \
             (`{join(groups, \",\")}`)"
                .to_owned(),
        )),
        Expr::Name(name) => {
            if let Some(attribute) = okta_profile_attribute(name) {
                if name == "status" {
                    warnings.push(
                        "Okta's user status values (ACTIVE, SUSPENDED, ...) differ from the \
                         profile's (active, suspended, deprovisioned)"
                            .to_owned(),
                    );
                }
                Ok(attribute.to_owned())
            } else {
                warnings.push(format!(
                    "`{name}` is a custom attribute; it must exist in Okta's user profile under \
                     the variable name `{name}`"
                ));
                Ok(format!("user.{name}"))
            }
        }
        Expr::Str(text) => okta_string(text),
        Expr::Call { name, args } => {
            let arg = |i: usize, warnings: &mut Vec<String>| -> Result<String, TranslateError> {
                args.get(i)
                    .ok_or_else(|| TranslateError(format!("`{name}` lacks an argument")))
                    .and_then(|arg| text_expr(arg, warnings))
            };
            match (name.as_str(), args.len()) {
                ("lower", 1) => Ok(format!("String.toLowerCase({})", arg(0, warnings)?)),
                ("upper", 1) => Ok(format!("String.toUpperCase({})", arg(0, warnings)?)),
                ("trim", 1) => {
                    warnings.push(
                        "Okta Expression Language has no trim; the value is sent untrimmed"
                            .to_owned(),
                    );
                    arg(0, warnings)
                }
                ("local_part", 1) => Ok(format!(
                    "String.substringBefore({}, \"@\")",
                    arg(0, warnings)?
                )),
                ("domain", 1) => Ok(format!(
                    "String.substringAfter({}, \"@\")",
                    arg(0, warnings)?
                )),
                ("default", 2) => {
                    let value = arg(0, warnings)?;
                    let fallback = arg(1, warnings)?;
                    Ok(format!(
                        "({value} != null && {value} != \"\" ? {value} : {fallback})"
                    ))
                }
                ("join", 2) => match (&args[0], &args[1]) {
                    (Expr::Name(list), Expr::Str(separator)) if list != "groups" => {
                        if separator != "," {
                            warnings.push(format!(
                                "Okta joins list attributes with `,`, not `{separator}`"
                            ));
                        }
                        Ok(format!("Arrays.toCsvString(user.{list})"))
                    }
                    _ => Err(TranslateError(
                        "`join(groups, ...)` can only be a whole template in Okta (a group \
                         attribute statement)"
                            .to_owned(),
                    )),
                },
                _ => Err(TranslateError(format!(
                    "unknown function `{name}` with {} argument(s)",
                    args.len()
                ))),
            }
        }
    }
}

/// An Okta string literal.
fn okta_string(text: &str) -> Result<String, TranslateError> {
    if text.contains('"') || text.contains('\\') {
        return Err(TranslateError(format!(
            "the literal text `{text}` holds a `\"` or `\\`, which this translation does not escape"
        )));
    }
    Ok(format!("\"{text}\""))
}

/// A piece of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Hole(Expr),
}

/// An expression inside `{...}`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Expr {
    Name(String),
    Str(String),
    Call { name: String, args: Vec<Expr> },
}

/// Splits a template into literal text and holes.
fn parse_template(template: &str) -> Result<Vec<Segment>, String> {
    let mut segments = Vec::new();
    let mut literal = String::new();
    let mut chars = template.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '{' if chars.peek().map(|(_, c)| *c) == Some('{') => {
                chars.next();
                literal.push('{');
            }
            '}' if chars.peek().map(|(_, c)| *c) == Some('}') => {
                chars.next();
                literal.push('}');
            }
            '{' => {
                let rest = &template[i + 1..];
                let close = rest
                    .find('}')
                    .ok_or_else(|| format!("unclosed `{{` in `{template}`"))?;
                if !literal.is_empty() {
                    segments.push(Segment::Literal(std::mem::take(&mut literal)));
                }
                segments.push(Segment::Hole(parse_expr(&rest[..close])?));
                // Skip the hole's characters and its `}`.
                let end = i + 1 + close;
                while chars.peek().is_some_and(|(j, _)| *j <= end) {
                    chars.next();
                }
            }
            '}' => return Err(format!("unmatched `}}` in `{template}`")),
            c => literal.push(c),
        }
    }
    if !literal.is_empty() {
        segments.push(Segment::Literal(literal));
    }
    Ok(segments)
}

/// Parses the inside of a hole.
fn parse_expr(text: &str) -> Result<Expr, String> {
    let mut parser = ExprParser { text, pos: 0 };
    let expr = parser.expr()?;
    parser.skip_spaces();
    if parser.pos != text.len() {
        return Err(format!(
            "unexpected `{}` in `{{{text}}}`",
            &text[parser.pos..]
        ));
    }
    Ok(expr)
}

/// A recursive-descent parser over one hole.
struct ExprParser<'a> {
    text: &'a str,
    pos: usize,
}

impl ExprParser<'_> {
    fn skip_spaces(&mut self) {
        while self.text[self.pos..].starts_with(' ') {
            self.pos += 1;
        }
    }

    fn expr(&mut self) -> Result<Expr, String> {
        self.skip_spaces();
        let rest = &self.text[self.pos..];
        if let Some(after_quote) = rest.strip_prefix('"') {
            let end = after_quote
                .find('"')
                .ok_or_else(|| format!("unclosed string in `{{{}}}`", self.text))?;
            self.pos += end + 2;
            return Ok(Expr::Str(after_quote[..end].to_owned()));
        }
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if len == 0 {
            return Err(format!("expected a name in `{{{}}}`", self.text));
        }
        let name = rest[..len].to_owned();
        self.pos += len;
        self.skip_spaces();
        if !self.text[self.pos..].starts_with('(') {
            return Ok(Expr::Name(name));
        }
        self.pos += 1;
        let mut args = Vec::new();
        loop {
            self.skip_spaces();
            if self.text[self.pos..].starts_with(')') {
                self.pos += 1;
                break;
            }
            if !args.is_empty() {
                if !self.text[self.pos..].starts_with(',') {
                    return Err(format!("expected `,` or `)` in `{{{}}}`", self.text));
                }
                self.pos += 1;
            }
            args.push(self.expr()?);
        }
        Ok(Expr::Call { name, args })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expression(template: &str) -> String {
        match translate(template).unwrap().value {
            OktaValue::Expression { expression } => expression,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn fields_and_functions_become_okta_expressions() {
        assert_eq!(expression("{email}"), "user.email");
        assert_eq!(expression("{first_name}"), "user.firstName");
        assert_eq!(expression("{last_name}"), "user.lastName");
        assert_eq!(
            expression("{lower(local_part(email))}"),
            "String.toLowerCase(String.substringBefore(user.email, \"@\"))"
        );
        assert_eq!(
            expression("{ upper( domain(login) ) }"),
            "String.toUpperCase(String.substringAfter(user.login, \"@\"))"
        );
        assert_eq!(
            expression(r#"{default(department, "none")}"#),
            r#"(user.department != null && user.department != "" ? user.department : "none")"#
        );
        assert_eq!(
            expression("{first_name} {last_name}"),
            r#"user.firstName + " " + user.lastName"#
        );
        assert_eq!(expression("x{{y}}"), r#""x{y}""#);
    }

    #[test]
    fn groups_become_a_group_statement_and_trim_warns() {
        let groups = translate(r#"{join(groups, ",")}"#).unwrap();
        assert_eq!(
            groups.value,
            OktaValue::Groups {
                filter_regex: ".*".to_owned()
            }
        );
        assert_eq!(groups.warnings.len(), 1);
        let trimmed = translate("{trim(title)}").unwrap();
        assert_eq!(
            trimmed.value,
            OktaValue::Expression {
                expression: "user.title".to_owned()
            }
        );
        assert!(trimmed.warnings[0].contains("no trim"));
    }

    #[test]
    fn untranslatable_templates_say_why() {
        assert!(
            translate("{groups}")
                .unwrap_err()
                .to_string()
                .contains("list")
        );
        assert!(translate(r#"{lower(join(groups, ","))}"#).is_err());
        assert!(translate("{email").is_err());
        assert!(translate("").is_err());
        assert!(translate("{frob(email)}").is_err());
    }
}
