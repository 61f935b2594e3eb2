//! `[instances.NAME.policy]`: the policy switches and limits, with defaults.

use connector_sdk::{Capability, Manifest};
use serde_spanned::Spanned;

use super::check::positive;
use super::diag::Diagnostics;
use super::raw::RawPolicy;
use super::{Drift, ExistingAccounts, Policy, Prune, Removal};

/// `[instances.NAME.policy]`, with defaults.
pub(super) fn policy(raw: &RawPolicy, manifest: &Manifest, diags: &mut Diagnostics) -> Policy {
    let defaults = Policy::default();
    let existing_accounts = choice(
        &raw.existing_accounts,
        &[
            ("adopt", ExistingAccounts::Adopt),
            ("flag", ExistingAccounts::Flag),
        ],
        "existing_accounts",
        diags,
    )
    .unwrap_or(defaults.existing_accounts);
    let drift = choice(
        &raw.drift,
        &[("correct", Drift::Correct), ("report", Drift::Report)],
        "drift",
        diags,
    )
    .unwrap_or(defaults.drift);
    let prune = choice(
        &raw.prune,
        &[
            ("protect", Prune::Protect),
            ("disable", Prune::Disable),
            ("delete", Prune::Delete),
        ],
        "prune",
        diags,
    )
    .unwrap_or(defaults.prune);
    let removal = choice(
        &raw.removal,
        &[("disable", Removal::Disable), ("delete", Removal::Delete)],
        "removal",
        diags,
    )
    .unwrap_or(defaults.removal);
    let cannot_delete = !manifest.can(Capability::Delete);
    for (key, value, deletes) in [
        ("prune", &raw.prune, prune == Prune::Delete),
        ("removal", &raw.removal, removal == Removal::Delete),
    ] {
        if let (Some(value), true, true) = (value, deletes, cannot_delete) {
            diags.error(
                value.span(),
                format!(
                    "`{key} = \"delete\"`: {} cannot delete accounts",
                    manifest.name
                ),
            );
        }
    }
    let max_removal_percent = raw.max_removal_percent.as_ref().map(|p| {
        if !(*p.get_ref() > 0.0 && *p.get_ref() <= 100.0) {
            diags.error(
                p.span(),
                "`max_removal_percent` is between 0 (excluded) and 100",
            );
        }
        *p.get_ref()
    });
    Policy {
        create: raw.create.unwrap_or(defaults.create),
        update: raw.update.unwrap_or(defaults.update),
        deactivate: raw
            .deactivate
            .as_ref()
            .map_or(defaults.deactivate, |d| *d.get_ref()),
        license: raw.license.unwrap_or(defaults.license),
        existing_accounts,
        drift,
        prune,
        removal,
        max_removals: raw.max_removals.unwrap_or(defaults.max_removals),
        max_removal_percent,
        concurrency: raw
            .concurrency
            .as_ref()
            .map_or(defaults.concurrency, |c| positive(c, diags)),
        reclaim_disabled: raw.reclaim_disabled.unwrap_or(defaults.reclaim_disabled),
        unhealthy_after: raw.unhealthy_after.as_ref().map_or(defaults.unhealthy_after, |k| {
            if *k.get_ref() == 0 {
                diags.error(
                    k.span(),
                    "`unhealthy_after` is the number of failed steps in a row that stops the instance, at least 1",
                );
            }
            (*k.get_ref()).max(1)
        }),
    }
}

/// One of a fixed set of strings.
fn choice<T: Copy>(
    value: &Option<Spanned<String>>,
    options: &[(&str, T)],
    key: &str,
    diags: &mut Diagnostics,
) -> Option<T> {
    let value = value.as_ref()?;
    let found = options.iter().find(|(name, _)| *name == value.get_ref());
    if found.is_none() {
        let names: Vec<_> = options.iter().map(|(n, _)| format!("\"{n}\"")).collect();
        diags.error(
            value.span(),
            format!(
                "`{key}` is one of {}, not \"{}\"",
                names.join(", "),
                value.get_ref()
            ),
        );
    }
    found.map(|(_, v)| *v)
}
