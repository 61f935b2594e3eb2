//! Secrets that never print.

use std::fmt;

/// A credential read from the environment or a file. `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a credential.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// Reads the secret from environment variable `name`, or from the file named by
    /// `{name}_FILE` (the Docker/Kubernetes secrets convention). Errors name the variable,
    /// never the value.
    pub fn from_env(name: &str) -> Result<Self, String> {
        if let Ok(value) = std::env::var(name)
            && !value.is_empty()
        {
            return Ok(Self(value));
        }
        let file_var = format!("{name}_FILE");
        if let Ok(path) = std::env::var(&file_var) {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {file_var}={path}: {e}"))?;
            let value = text.trim_end_matches(['\r', '\n']).to_owned();
            if !value.is_empty() {
                return Ok(Self(value));
            }
            return Err(format!("{file_var}={path} is empty"));
        }
        Err(format!(
            "environment variable {name} (or {file_var}) is not set"
        ))
    }

    /// The credential itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
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
    }
}
