//! GitHub Copilot's accounts (Enterprise Managed Users over SCIM) against the third-party
//! scim2-server; the seat API is exercised against the sandbox's GitHub emulation.

use connector_tests::{CapabilitySuite, Scim2Server, people::person};

fn login(email: &str) -> String {
    email
        .split('@')
        .next()
        .unwrap_or_default()
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

#[tokio::test]
async fn capability_suite_passes_against_scim2_server() {
    let server = Scim2Server::start(&[]).unwrap_or_else(|e| panic!("{e}"));
    // GitHub's 1,000 users an hour would make the suite wait; the limiter is tested in the SDK.
    let mut config = server
        .config()
        .with_variable("enterprise", "acme")
        .with_variable("org", "acme-engineering")
        .with_variable("shortcode", "acme");
    config.rate_limit = connector_sdk::RateLimitSetting::Off;
    let github = connector_github_copilot::connect(config).unwrap();
    let report = CapabilitySuite::new(&github, &server, |i| person(i, "github.example"))
        .user_name(|who| login(&who.email))
        .run()
        .await;
    report.assert_outcomes(
        &[
            "create", "find", "existing", "update", "list", "disable", "enable", "delete",
        ],
        &[],
    );
}
