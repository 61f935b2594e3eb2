//! Secrets that never print.

use std::fmt;
use std::sync::Arc;

/// A credential read from the environment or a file. `Debug` and `Display` never show it.
///
/// A secret may remember the name of the variable it was read from (its
/// [origin](Self::origin)), so errors can say which variable holds a refused or unusable
/// credential. Two secrets are equal when their values are, whatever their origin.
#[derive(Clone)]
pub struct Secret {
    /// The credential.
    value: String,
    /// The variable it was read from, if known.
    origin: Option<Arc<str>>,
}

impl Secret {
    /// Wraps a credential.
    pub fn new(value: impl Into<String>) -> Self {
        Self {
            value: value.into(),
            origin: None,
        }
    }

    /// Reads the secret from environment variable `name`, or from the file named by
    /// `{name}_FILE` (the Docker/Kubernetes secrets convention). Errors name the variable,
    /// never the value. The secret's [origin](Self::origin) is `name`.
    pub fn from_env(name: &str) -> Result<Self, String> {
        if let Ok(value) = std::env::var(name)
            && !value.is_empty()
        {
            return Ok(Self::new(value).with_origin(name));
        }
        let file_var = format!("{name}_FILE");
        if let Ok(path) = std::env::var(&file_var) {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {file_var}={path}: {e}"))?;
            let value = text.trim_end_matches(['\r', '\n']).to_owned();
            if !value.is_empty() {
                return Ok(Self::new(value).with_origin(name));
            }
            return Err(format!("{file_var}={path} is empty"));
        }
        Err(format!(
            "environment variable {name} (or {file_var}) is not set"
        ))
    }

    /// The same secret, remembering that it was read from the variable `name`.
    #[must_use]
    pub fn with_origin(mut self, name: &str) -> Self {
        self.origin = Some(Arc::from(name));
        self
    }

    /// The name of the variable the secret was read from, if known.
    pub fn origin(&self) -> Option<&str> {
        self.origin.as_deref()
    }

    /// The credential itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.value
    }

    /// Why the credential cannot be sent in an HTTP header (`contains a non-ASCII
    /// character at position 5`), if it cannot: header values are ASCII without control
    /// characters. Positions count characters from 1; the message never quotes the value.
    pub fn header_problem(&self) -> Option<String> {
        self.value
            .chars()
            .zip(1..)
            .find_map(|(c, position)| match c {
                c if !c.is_ascii() => Some(format!(
                    "contains a non-ASCII character at position {position}"
                )),
                c if c.is_ascii_control() => Some(format!(
                    "contains a control character at position {position}"
                )),
                _ => None,
            })
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl Eq for Secret {}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.origin {
            Some(origin) => write!(f, "Secret({origin}: ***)"),
            None => f.write_str("Secret(***)"),
        }
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_its_value() {
        let secret = Secret::new("s3cret-token");
        assert_eq!(format!("{secret:?} {secret}"), "Secret(***) ***");
        assert_eq!(secret.expose(), "s3cret-token");
        let named = secret.clone().with_origin("SLACK_TOKEN");
        assert_eq!(format!("{named:?}"), "Secret(SLACK_TOKEN: ***)");
        assert_eq!(named, secret);
    }

    #[test]
    fn header_problems_name_the_position_never_the_value() {
        assert_eq!(Secret::new("xoxb-123.abc_DEF/+=~").header_problem(), None);
        let problem = Secret::new("tok-é99").header_problem().unwrap();
        assert_eq!(problem, "contains a non-ASCII character at position 5");
        assert!(!problem.contains("tok"));
        assert_eq!(
            Secret::new("abc\ndef").header_problem().as_deref(),
            Some("contains a control character at position 4")
        );
        assert_eq!(
            Secret::new("\u{7f}").header_problem().as_deref(),
            Some("contains a control character at position 1")
        );
    }

    #[test]
    fn from_env_remembers_the_variable() {
        // A name no other test sets.
        let name = "CONNECTOR_SDK_SECRET_ORIGIN_TEST";
        // SAFETY: no other thread of this test binary reads or writes this variable.
        unsafe { std::env::set_var(name, "value") };
        let secret = Secret::from_env(name).unwrap();
        assert_eq!(secret.origin(), Some(name));
        assert_eq!(secret.expose(), "value");
    }
}
