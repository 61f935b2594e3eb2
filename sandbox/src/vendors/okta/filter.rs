//! Okta's `filter` and `search` expressions, as far as a directory reader and a System
//! Log reader use them:
//! `attribute op "value"` comparisons (`eq`, `sw`, `gt`, `ge`, `lt`, `le`, and `pr`
//! without a value) joined by `and` (binding tighter) and `or`. Attributes are dotted
//! paths (`status`, `profile.login`); values compare as text, so RFC 3339 timestamps
//! order correctly. Parentheses and `not` are refused with the reason.
//!
//! `filter` is narrower than `search`, as in Okta: [`Expr::check_filter`] allows only
//! `eq` on the properties a listing names, plus the inequalities on timestamps
//! (`lastUpdated`, `lastMembershipUpdated`).

use serde_json::{Map, Value};

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Op {
    /// Equal.
    Eq,
    /// Starts with.
    Sw,
    /// Present (has a non-null value).
    Pr,
    /// Greater than.
    Gt,
    /// Greater than or equal.
    Ge,
    /// Less than.
    Lt,
    /// Less than or equal.
    Le,
}

impl Op {
    fn parse(word: &str) -> Option<Self> {
        Some(match word.to_ascii_lowercase().as_str() {
            "eq" => Self::Eq,
            "sw" => Self::Sw,
            "pr" => Self::Pr,
            "gt" => Self::Gt,
            "ge" => Self::Ge,
            "lt" => Self::Lt,
            "le" => Self::Le,
            _ => return None,
        })
    }
}

/// A parsed expression: alternatives of conjunctions of comparisons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Expr {
    /// `or` of `and`s.
    any: Vec<Vec<Comparison>>,
}

/// `path op value`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Comparison {
    path: String,
    op: Op,
    value: String,
}

impl Expr {
    /// Parses `text`; the error says what is not understood.
    pub(super) fn parse(text: &str) -> Result<Self, String> {
        let tokens = tokenize(text)?;
        let mut any = vec![Vec::new()];
        let mut rest = tokens.as_slice();
        loop {
            let (comparison, after) = comparison(rest)?;
            if let Some(all) = any.last_mut() {
                all.push(comparison);
            }
            match after {
                [] => break,
                [Token::Word(joiner), tail @ ..] if joiner.eq_ignore_ascii_case("and") => {
                    rest = tail;
                }
                [Token::Word(joiner), tail @ ..] if joiner.eq_ignore_ascii_case("or") => {
                    any.push(Vec::new());
                    rest = tail;
                }
                [other, ..] => return Err(format!("expected `and` or `or`, found {other}")),
            }
        }
        Ok(Self { any })
    }

    /// Checks that `filter` may use this expression on a listing whose filterable
    /// properties are `properties` (Okta's filter is narrower than search).
    pub(super) fn check_filter(&self, properties: &[&str]) -> Result<(), String> {
        for comparison in self.any.iter().flatten() {
            if !properties.contains(&comparison.path.as_str()) {
                return Err(format!(
                    "`filter` does not support `{}`; use `search`",
                    comparison.path
                ));
            }
            let inequality = matches!(comparison.op, Op::Gt | Op::Ge | Op::Lt | Op::Le);
            if comparison.op != Op::Eq && !(inequality && comparison.path.ends_with("Updated")) {
                return Err(format!(
                    "`filter` supports only `eq` on `{}`; use `search`",
                    comparison.path
                ));
            }
        }
        Ok(())
    }

    /// Whether any comparison is about `path`.
    pub(super) fn mentions(&self, path: &str) -> bool {
        self.any.iter().flatten().any(|c| c.path == path)
    }

    /// Whether `object` satisfies the expression.
    pub(super) fn matches(&self, object: &Map<String, Value>) -> bool {
        self.any
            .iter()
            .any(|all| all.iter().all(|c| c.matches(object)))
    }
}

impl Comparison {
    /// Whether any value at the path satisfies the comparison (a path through an array,
    /// such as the System Log's `target.id`, reaches each of its items).
    fn matches(&self, object: &Map<String, Value>) -> bool {
        let mut parts = self.path.split('.');
        let mut current: Vec<&Value> = parts
            .next()
            .and_then(|first| object.get(first))
            .into_iter()
            .collect();
        for part in parts {
            current = current
                .into_iter()
                .flat_map(|v| match v {
                    Value::Array(items) => items.iter().filter_map(|i| i.get(part)).collect(),
                    other => other.get(part).into_iter().collect::<Vec<_>>(),
                })
                .collect();
        }
        current.into_iter().any(|value| self.holds(value))
    }

    fn holds(&self, value: &Value) -> bool {
        let text = match value {
            Value::Null => return false,
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let wanted = self.value.as_str();
        match self.op {
            Op::Pr => true,
            Op::Eq => text == wanted,
            Op::Sw => text.to_lowercase().starts_with(&wanted.to_lowercase()),
            Op::Gt => text.as_str() > wanted,
            Op::Ge => text.as_str() >= wanted,
            Op::Lt => text.as_str() < wanted,
            Op::Le => text.as_str() <= wanted,
        }
    }
}

/// A lexical token.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// A bare word: a path, an operator, `and`/`or`, `true`, a number.
    Word(String),
    /// A double-quoted string.
    Text(String),
}

impl std::fmt::Display for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Word(word) => write!(f, "`{word}`"),
            Self::Text(text) => write!(f, "\"{text}\""),
        }
    }
}

/// One comparison at the start of `tokens`, and what follows it.
fn comparison(tokens: &[Token]) -> Result<(Comparison, &[Token]), String> {
    let (path, rest) = match tokens {
        [Token::Word(path), rest @ ..] => (path, rest),
        [other, ..] => return Err(format!("expected an attribute, found {other}")),
        [] => return Err("the expression is empty or ends too early".to_owned()),
    };
    if path.eq_ignore_ascii_case("not") {
        return Err("`not` is not supported".to_owned());
    }
    let (op, rest) = match rest {
        [Token::Word(word), rest @ ..] => match Op::parse(word) {
            Some(op) => (op, rest),
            None => return Err(format!("`{word}` is not an operator")),
        },
        [other, ..] => {
            return Err(format!(
                "expected an operator after `{path}`, found {other}"
            ));
        }
        [] => return Err(format!("`{path}` needs an operator")),
    };
    if op == Op::Pr {
        let comparison = Comparison {
            path: path.clone(),
            op,
            value: String::new(),
        };
        return Ok((comparison, rest));
    }
    let (value, rest) = match rest {
        [Token::Text(text), rest @ ..] => (text.clone(), rest),
        [Token::Word(word), rest @ ..] => (word.clone(), rest),
        [] => return Err(format!("`{path}` needs a value")),
    };
    let comparison = Comparison {
        path: path.clone(),
        op,
        value,
    };
    Ok((comparison, rest))
}

/// Splits `text` into words and quoted strings (`\"` and `\\` escapes).
fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' | ')' => return Err("parentheses are not supported".to_owned()),
            '"' => {
                chars.next();
                let mut value = String::new();
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(escaped) => value.push(escaped),
                            None => return Err("a string ends with `\\`".to_owned()),
                        },
                        Some(other) => value.push(other),
                        None => return Err("a string is not closed".to_owned()),
                    }
                }
                tokens.push(Token::Text(value));
            }
            _ => {
                let mut word = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || c == '"' || c == '(' || c == ')' {
                        break;
                    }
                    word.push(c);
                    chars.next();
                }
                tokens.push(Token::Word(word));
            }
        }
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn user(status: &str, login: &str, updated: &str) -> Map<String, Value> {
        json!({"status": status, "lastUpdated": updated, "profile": {"login": login, "title": null}})
            .as_object()
            .cloned()
            .unwrap()
    }

    const FILTERABLE: &[&str] = &["status", "lastUpdated", "profile.login"];

    #[test]
    fn parses_and_evaluates_okta_expressions() {
        let ada = user("ACTIVE", "ada@x.io", "2026-01-02T00:00:00.000Z");
        let bob = user("SUSPENDED", "bob@x.io", "2025-01-02T00:00:00.000Z");
        let active = Expr::parse(r#"status eq "ACTIVE""#).unwrap();
        assert!(active.matches(&ada) && !active.matches(&bob));
        assert!(active.check_filter(FILTERABLE).is_ok() && active.mentions("status"));
        let either = Expr::parse(
            r#"status eq "SUSPENDED" or profile.login sw "ADA" and status eq "ACTIVE""#,
        )
        .unwrap();
        assert!(either.matches(&ada) && either.matches(&bob));
        let recent = Expr::parse(r#"lastUpdated gt "2025-06-01T00:00:00.000Z""#).unwrap();
        assert!(recent.matches(&ada) && !recent.matches(&bob));
        assert!(recent.check_filter(FILTERABLE).is_ok());
        let title = Expr::parse("profile.title pr").unwrap();
        assert!(!title.matches(&ada));
        assert!(
            title
                .check_filter(FILTERABLE)
                .unwrap_err()
                .contains("search")
        );
        let starts = Expr::parse(r#"profile.login sw "ada""#).unwrap();
        assert!(starts.check_filter(FILTERABLE).is_err());
        for bad in [
            "",
            "status",
            r#"status eq"#,
            r#"status is "ACTIVE""#,
            r#"(status eq "ACTIVE")"#,
            r#"status eq "ACTIVE" nor id eq "1""#,
            r#"not status eq "ACTIVE""#,
            r#"status eq "ACTIVE"#,
        ] {
            assert!(Expr::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_path_through_an_array_matches_any_item() {
        let event = json!({"target": [{"id": "00u1", "type": "User"}, {"id": "00g1", "type": "UserGroup"}]});
        let event = event.as_object().unwrap();
        assert!(
            Expr::parse(r#"target.id eq "00g1""#)
                .unwrap()
                .matches(event)
        );
        assert!(
            Expr::parse(r#"target.id eq "00u1""#)
                .unwrap()
                .matches(event)
        );
        assert!(
            !Expr::parse(r#"target.id eq "00x9""#)
                .unwrap()
                .matches(event)
        );
    }
}
