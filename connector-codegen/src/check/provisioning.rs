//! `[provisioning]`: protocol, base URL, capabilities the protocol can do, dialect, rate limit.

use super::{Checker, Templates};
use crate::diagnostic::did_you_mean;
use crate::ir::{DialectModel, RateLimitModel};
use crate::spec::bounds;
use crate::spec::model::{
    Capability, DeactivateMethod, PatchStyle, Protocol, ProvisioningSection, UpdateMethod,
};

/// The checked provisioning section.
pub(crate) struct Provisioning {
    pub protocol: Protocol,
    pub base_url: String,
    pub capabilities: Vec<Capability>,
    pub dialect: DialectModel,
    pub rate_limit: Option<RateLimitModel>,
}

const FILTERS: &[&str] = &["userName", "emails", "none"];

/// Members per `/Groups` PATCH when the spec documents no cap: the smallest cap a vendor
/// of the twelve documents (Canva, 1,000 per operation).
const DEFAULT_GROUP_MEMBERS_PER_REQUEST: u32 = 1000;

pub(crate) fn check_provisioning(
    cx: &mut Checker<'_>,
    section: &ProvisioningSection,
    templates: &mut Templates,
) -> Provisioning {
    cx.source("provisioning", &section.source);
    let protocol = *section.protocol.get();
    match (&section.base_url, protocol) {
        (Some(url), Protocol::Scim2 | Protocol::Rest) => {
            templates.check_url(cx, "provisioning.base_url", url)
        }
        (None, Protocol::Scim2 | Protocol::Rest) => cx.error(
            section.protocol.span(),
            format!(
                "protocol `{}` needs `provisioning.base_url`",
                protocol_name(protocol)
            ),
        ),
        (Some(url), Protocol::None) => {
            cx.error(url.span(), "protocol `none` has no API, so no `base_url`")
        }
        (None, Protocol::None) => {}
    }

    let mut capabilities = Vec::new();
    for capability in section.capabilities.get() {
        let kind = *capability.get();
        if capabilities.contains(&kind) {
            cx.error(
                capability.span(),
                format!("capability `{}` is listed twice", name(kind)),
            );
            continue;
        }
        capabilities.push(kind);
    }
    let needs_api: Vec<Capability> = capabilities
        .iter()
        .copied()
        .filter(|c| *c != Capability::License)
        .collect();
    if protocol == Protocol::None && !needs_api.is_empty() {
        let listed: Vec<String> = needs_api
            .iter()
            .map(|c| format!("`{}`", name(*c)))
            .collect();
        cx.error_help(
            section.capabilities.span(),
            format!(
                "protocol `none` has no provisioning API, so it cannot do {}",
                listed.join(", ")
            ),
            "protocol `none` is for services with sign-in only (and manual licence tasks): set `protocol = \"scim2\"` or remove them",
        );
    }
    if capabilities.contains(&Capability::Reactivate)
        && !capabilities.contains(&Capability::Deactivate)
    {
        cx.error(
            section.capabilities.span(),
            "capability `reactivate` needs `deactivate`",
        );
    }
    capabilities.sort();

    let dialect = &section.dialect;
    if let Some(source) = &dialect.source {
        cx.source("provisioning.dialect", source);
    }
    let filter = match &dialect.filter {
        None => Some("userName".to_owned()),
        Some(f) if f.as_str() == "none" => None,
        Some(f) if FILTERS.contains(&f.as_str()) => Some(f.as_str().to_owned()),
        Some(f) => {
            let mean = did_you_mean(f.as_str(), FILTERS.iter().copied());
            cx.error(f.span(), format!("`provisioning.dialect.filter` cannot be `{}`{mean}; it is `userName`, `emails` or `none`", f.as_str()));
            None
        }
    };
    let page_size = dialect.page_size.as_ref().map_or(100, |p| {
        if !bounds::contains(&bounds::PAGE_SIZE, *p.get()) {
            cx.error(
                p.span(),
                format!(
                    "`provisioning.dialect.page_size` must be a whole number between {} and {}, not {}",
                    bounds::PAGE_SIZE.start(),
                    bounds::PAGE_SIZE.end(),
                    p.get()
                ),
            );
        }
        *p.get()
    });
    let group_members_per_request = dialect.group_members_per_request.as_ref().map_or(
        DEFAULT_GROUP_MEMBERS_PER_REQUEST,
        |n| {
            if !bounds::contains(&bounds::GROUP_MEMBERS_PER_REQUEST, *n.get()) {
                cx.error(
                    n.span(),
                    format!(
                        "`provisioning.dialect.group_members_per_request` must be a whole number between {} and {}, not {}",
                        bounds::GROUP_MEMBERS_PER_REQUEST.start(),
                        bounds::GROUP_MEMBERS_PER_REQUEST.end(),
                        n.get()
                    ),
                );
            } else if !capabilities.contains(&Capability::Groups) {
                cx.error_help(
                    n.span(),
                    "`group_members_per_request` is a fact about `/Groups`, but the service does not declare capability `groups`",
                    "add `groups` to the capabilities, or remove this key",
                );
            }
            *n.get()
        },
    );
    let group_members_listed = dialect.group_members_listed.as_ref().is_none_or(|listed| {
        if !capabilities.contains(&Capability::Groups) {
            cx.error_help(
                listed.span(),
                "`group_members_listed` is a fact about `/Groups`, but the service does not declare capability `groups`",
                "add `groups` to the capabilities, or remove this key",
            );
        }
        *listed.get()
    });
    let deactivate = dialect
        .deactivate
        .as_ref()
        .map_or(DeactivateMethod::PatchActive, |d| *d.get());
    if deactivate == DeactivateMethod::Delete
        && capabilities.contains(&Capability::Delete)
        && let Some(d) = &dialect.deactivate
    {
        cx.error_help(
            d.span(),
            "DELETE deactivates on this service, so it cannot also offer capability `delete`",
            "remove `delete` from the capabilities",
        );
    }
    let dialect_model = DialectModel {
        update: dialect
            .update
            .as_ref()
            .map_or(UpdateMethod::Patch, |u| *u.get()),
        deactivate,
        patch_style: dialect
            .patch_style
            .as_ref()
            .map_or(PatchStyle::Path, |p| *p.get()),
        filter,
        page_size,
        user_agent: dialect.user_agent.as_ref().map(|u| u.as_str().to_owned()),
        group_members_per_request,
        group_members_listed,
    };

    let rate_limit = section.rate_limit.as_ref().map(|limit| {
        cx.source("provisioning.rate_limit", &limit.source);
        if !bounds::contains(&bounds::RATE_LIMIT, *limit.requests.get()) {
            cx.error(
                limit.requests.span(),
                "`rate_limit.requests` must be at least 1",
            );
        }
        let period_ms = parse_period(limit.per.as_str()).unwrap_or_else(|| {
            cx.error_help(
                limit.per.span(),
                format!("`{}` is not a period", limit.per.as_str()),
                "write a number and a unit: `1s`, `30s`, `1m`, `1h`",
            );
            1000
        });
        let burst = limit.burst.as_ref().map_or(1, |b| {
            if !bounds::contains(&bounds::RATE_LIMIT, *b.get()) {
                cx.error(b.span(), "`rate_limit.burst` must be at least 1");
            }
            *b.get()
        });
        RateLimitModel {
            requests: *limit.requests.get(),
            period_ms,
            burst,
        }
    });
    Provisioning {
        protocol,
        base_url: section
            .base_url
            .as_ref()
            .map(|u| u.as_str().to_owned())
            .unwrap_or_default(),
        capabilities,
        dialect: dialect_model,
        rate_limit,
    }
}

/// The spec spelling of a capability.
pub fn name(kind: Capability) -> &'static str {
    match kind {
        Capability::Create => "create",
        Capability::Update => "update",
        Capability::Deactivate => "deactivate",
        Capability::Reactivate => "reactivate",
        Capability::Delete => "delete",
        Capability::Import => "import",
        Capability::Groups => "groups",
        Capability::License => "license",
    }
}

/// `30s` → 30000, `1m` → 60000, `1h` → 3600000.
fn parse_period(text: &str) -> Option<u64> {
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().ok().filter(|n| *n > 0)?;
    let unit_ms = match unit {
        "ms" => 1,
        "s" => 1000,
        "m" => 60_000,
        "h" => 3_600_000,
        _ => return None,
    };
    Some(number * unit_ms)
}

/// The spec spelling of a protocol.
pub(crate) fn protocol_name(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::Scim2 => "scim2",
        Protocol::Rest => "rest",
        Protocol::None => "none",
    }
}

#[cfg(test)]
mod tests {
    use super::parse_period;

    #[test]
    fn periods() {
        assert_eq!(parse_period("1m"), Some(60_000));
        assert_eq!(parse_period("30s"), Some(30_000));
        assert_eq!(parse_period("m"), None);
        assert_eq!(parse_period("0s"), None);
        assert_eq!(parse_period("5d"), None);
    }

    #[test]
    fn a_page_size_out_of_range_names_the_range() {
        let spec = include_str!("../../../connectors/zoom/connector.toml");
        assert!(spec.contains("page_size = 100\n"));
        for (value, refused) in [("0", true), ("10001", true), ("1", false), ("10000", false)] {
            let source = spec.replace("page_size = 100\n", &format!("page_size = {value}\n"));
            let result = crate::load_model(&source, "zoom.toml");
            match result {
                Err(errors) if refused => assert!(
                    errors.to_string().contains(&format!(
                        "`provisioning.dialect.page_size` must be a whole number between 1 and 10000, not {value}"
                    )),
                    "{errors}"
                ),
                Err(errors) => panic!("{value}: {errors}"),
                Ok(model) => {
                    assert!(!refused, "{value} passed");
                    assert_eq!(model.dialect.page_size.to_string(), value);
                }
            }
        }
    }

    #[test]
    fn group_members_per_request_is_bounded_and_needs_groups() {
        let spec = include_str!("../../../connectors/canva/connector.toml");
        let line = "group_members_per_request = 1000\n";
        assert!(spec.contains(line));
        let model = crate::load_model(spec, "canva.toml").unwrap();
        assert_eq!(model.dialect.group_members_per_request, 1000);
        let zero = spec.replace(line, "group_members_per_request = 0\n");
        let errors = crate::load_model(&zero, "canva.toml")
            .unwrap_err()
            .to_string();
        assert!(errors.contains("between 1 and 100000, not 0"), "{errors}");
        let without_groups = spec.replace("\"import\", \"groups\",", "\"import\",");
        assert_ne!(without_groups, spec);
        let errors = crate::load_model(&without_groups, "canva.toml")
            .unwrap_err()
            .to_string();
        assert!(
            errors.contains("does not declare capability `groups`"),
            "{errors}"
        );
        // Without the key, the default cap.
        let zoom = include_str!("../../../connectors/zoom/connector.toml");
        let model = crate::load_model(zoom, "zoom.toml").unwrap();
        assert_eq!(
            model.dialect.group_members_per_request,
            super::DEFAULT_GROUP_MEMBERS_PER_REQUEST
        );
    }
}
