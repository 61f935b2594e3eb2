//! Values that look like credentials rather than environment variable names.
//!
//! A `*_env` key holds the *name* of a variable (`SLACK_SCIM_TOKEN`). Some real
//! credentials are upper case and digits only (an AWS access key ID, many generated API
//! keys), so the UPPER_SNAKE_CASE rule alone would let them through; the shapes below
//! catch them, and name what the value looks like.

/// Known credential prefixes and what they belong to. Matched case-sensitively, as issued.
const PREFIXES: &[(&str, &str)] = &[
    ("ghp_", "a GitHub personal access token"),
    ("gho_", "a GitHub OAuth token"),
    ("ghu_", "a GitHub user-to-server token"),
    ("ghs_", "a GitHub server-to-server token"),
    ("ghr_", "a GitHub refresh token"),
    ("github_pat_", "a GitHub fine-grained personal access token"),
    ("xoxb-", "a Slack bot token"),
    ("xoxp-", "a Slack user token"),
    ("xoxa-", "a Slack app token"),
    ("xoxe-", "a Slack refresh token"),
    ("xoxs-", "a Slack session token"),
    ("xapp-", "a Slack app-level token"),
    ("sk-ant-", "an Anthropic API key"),
    ("sk-", "an OpenAI-style secret key"),
    ("eyJ", "a JSON Web Token"),
    ("AIza", "a Google API key"),
    ("glpat-", "a GitLab personal access token"),
    ("-----BEGIN", "a PEM private key or certificate"),
];

/// The shortest run of letters and digits, without an underscore, that reads as a
/// generated credential once it mixes both (`SLACK_SCIM_TOKEN`'s longest part has 5).
pub const GENERATED_RUN: usize = 20;

/// What `value` looks like when it has the shape of a real credential (`"an AWS access key
/// ID"`), or `None` for anything that could be a variable name.
pub fn credential_shape(value: &str) -> Option<&'static str> {
    if let Some((_, what)) = PREFIXES
        .iter()
        .find(|(prefix, _)| value.starts_with(prefix))
    {
        return Some(what);
    }
    if is_aws_access_key_id(value) {
        return Some("an AWS access key ID");
    }
    let generated = value
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|run| {
            run.len() >= GENERATED_RUN
                && run.chars().any(|c| c.is_ascii_alphabetic())
                && run.chars().any(|c| c.is_ascii_digit())
        });
    generated.then_some("a generated API key or token (a long run of letters and digits)")
}

/// `AKIA` (long-term) or `ASIA` (temporary) and 16 more upper-case letters or digits.
fn is_aws_access_key_id(value: &str) -> bool {
    (value.starts_with("AKIA") || value.starts_with("ASIA"))
        && value.len() == 20
        && value
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_credential_shapes_are_named() {
        for (value, what) in [
            ("AKIAIOSFODNN7EXAMPLE", "an AWS access key ID"),
            ("ASIAY34FZKBOKMUTVV7A", "an AWS access key ID"),
            (
                "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
                "a GitHub personal access token",
            ),
            ("xoxb-1234-5678-abcdef", "a Slack bot token"),
            ("sk-proj-abc123", "an OpenAI-style secret key"),
            ("sk-ant-api03-abc", "an Anthropic API key"),
            ("eyJhbGciOiJIUzI1NiJ9.e30.sig", "a JSON Web Token"),
            (
                "0123456789ABCDEFGHIJ0123456789ABCDEFGHIJ",
                "a generated API key or token (a long run of letters and digits)",
            ),
            (
                "SCIM_TOKEN_9F86D081884C7D659A2FEAA0C55AD015",
                "a generated API key or token (a long run of letters and digits)",
            ),
        ] {
            assert_eq!(credential_shape(value), Some(what), "{value}");
        }
    }

    #[test]
    fn variable_names_pass() {
        for name in [
            "SLACK_SCIM_TOKEN",
            "ZOOM_CLIENT_SECRET",
            "GOOGLE_SERVICE_ACCOUNT_KEY",
            "AKIA_ROTATION_TOKEN",
            "M365_GRAPH_CLIENT_ID",
            "OPENAI_SCIM_TOKEN_2",
            // Long, but words: no digits.
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ_TOKEN",
            // 19 characters of letters and digits stays a name.
            "TOKEN_ABCDEFGHIJ123456789",
        ] {
            assert_eq!(credential_shape(name), None, "{name}");
        }
    }
}
