//! Paid seats: `api`-mode SKUs through the manifest's declared `assign_license` and
//! `revoke_license` operations (for REST and SCIM connectors alike), and the task a
//! person must do for `manual` ones.

use std::collections::BTreeMap;

use super::RestApp;
use super::connector::RestConnector;
use super::exec::{Executor, Outcome};
use crate::config::render_template;
use crate::connector::{AccountRef, LicenseOutcome, ManualTask};
use crate::error::{Error, Operation, Result};
use crate::manifest::{Capability, LicenseMode, LicenseSku, Manifest};

/// The connector operation that assigns (`assign`) or revokes a seat.
pub(crate) fn license_operation(assign: bool) -> Operation {
    if assign {
        Operation::AssignLicense
    } else {
        Operation::RevokeLicense
    }
}

/// [`Error::NotFound`] unless the manifest knows `sku`.
pub(crate) fn known_sku(manifest: &Manifest, sku: &LicenseSku) -> Result<()> {
    match manifest.license(sku.name) {
        Some(_) => Ok(()),
        None => Err(Error::NotFound {
            what: format!("licence `{}` of {}", sku.name, manifest.name),
        }),
    }
}

/// Assigns or revokes an `api`-mode seat with the declared operation: success and
/// `already_done` statuses are [`LicenseOutcome::Applied`], and so is a revoke whose
/// lookup finds nothing to remove. [`Error::Unsupported`] when the manifest declares no
/// such operation.
pub(crate) async fn api_license(
    exec: Executor<'_>,
    manifest: &Manifest,
    account: &AccountRef,
    sku: &LicenseSku,
    assign: bool,
) -> Result<LicenseOutcome> {
    let operation = license_operation(assign);
    let op = manifest
        .provisioning
        .rest
        .as_ref()
        .and_then(|rest| rest.operation(operation))
        .ok_or(Error::Unsupported {
            connector: manifest.name,
            operation,
        })?;
    let vars = exec.vars().account(account).sku(sku)?;
    match exec.run(op, &vars, None, &[]).await? {
        Outcome::Done(_) | Outcome::AlreadyDone => Ok(LicenseOutcome::Applied),
        Outcome::NoMatch(_) if !assign => Ok(LicenseOutcome::Applied),
        Outcome::NoMatch(what) => Err(Error::NotFound { what }),
        Outcome::NotFound(error) => Err(error),
    }
}

/// What a person must do in the vendor's console. An unset tenant variable leaves the
/// console URL template as it is: still a hint where to go.
pub(crate) fn manual_task(
    manifest: &Manifest,
    variables: &BTreeMap<String, String>,
    account: &AccountRef,
    sku: &LicenseSku,
    assign: bool,
) -> ManualTask {
    let (verb, preposition) = if assign {
        ("Assign", "to")
    } else {
        ("Revoke", "from")
    };
    let how = sku
        .instructions
        .map(str::to_owned)
        .unwrap_or_else(|| format!("use the {} admin console", manifest.display_name));
    let instructions = format!(
        "{verb} the {} seat {preposition} {}: {how}",
        sku.display_name, account.user_name
    );
    let url = sku.console_url.map(|template| {
        render_template(template, variables).unwrap_or_else(|_| template.to_owned())
    });
    ManualTask { instructions, url }
}

impl<A: RestApp> RestConnector<A> {
    /// Assigns (`assign`) or revokes the seat `sku` by its mode: automatic seats need
    /// nothing, manual ones return the task for a person, `api` ones run the declared
    /// licence operation; `attribute` and `group` seats are SCIM's and unsupported here.
    pub(super) async fn change_license(
        &self,
        account: &AccountRef,
        sku: &LicenseSku,
        assign: bool,
    ) -> Result<LicenseOutcome> {
        let manifest = A::manifest();
        let operation = license_operation(assign);
        self.require(Capability::License, operation)?;
        known_sku(manifest, sku)?;
        match sku.mode {
            LicenseMode::Automatic => Ok(LicenseOutcome::Automatic),
            LicenseMode::Manual => Ok(LicenseOutcome::ManualActionRequired(manual_task(
                manifest,
                self.variables(),
                account,
                sku,
                assign,
            ))),
            LicenseMode::Api => api_license(self.exec(), manifest, account, sku, assign).await,
            LicenseMode::Attribute | LicenseMode::Group => Err(self.unsupported(operation)),
        }
    }
}
