//! Assigning and revoking paid seats, by each SKU's [`LicenseMode`].

use serde_json::Value;

use super::ScimApp;
use super::connector::ScimConnector;
use super::patch::Change;
use super::path::value_at;
use crate::connector::{AccountRef, LicenseOutcome};
use crate::error::{Error, Result};
use crate::manifest::{Capability, LicenseMode, LicenseSku};
use crate::rest::exec::Executor;
use crate::rest::license::{api_license, known_sku, license_operation, manual_task};

impl<A: ScimApp> ScimConnector<A> {
    /// Assigns (`assign`) or revokes the seat `sku` of `account`.
    ///
    /// Automatic seats need nothing; attribute seats set the SKU's attribute to its
    /// `assign`/`revoke` JSON with the dialect's update method (for exclusive seats, which
    /// share the attribute, a revoke first reads the account and writes only when it
    /// holds this SKU's value); group seats add or remove
    /// membership of the SKU's group; manual seats return the task for a person; API
    /// seats run the manifest's declared `assign_license` / `revoke_license` REST
    /// operation ([`Error::Unsupported`] when it declares none).
    pub(super) async fn change_license(
        &self,
        account: &AccountRef,
        sku: &LicenseSku,
        assign: bool,
    ) -> Result<LicenseOutcome> {
        let manifest = A::manifest();
        self.require(Capability::License, license_operation(assign))?;
        known_sku(manifest, sku)?;
        match sku.mode {
            LicenseMode::Automatic => Ok(LicenseOutcome::Automatic),
            LicenseMode::Attribute => {
                let attribute = sku.attribute.as_ref().ok_or_else(|| {
                    Error::Config(format!("licence `{}` names no attribute", sku.name))
                })?;
                let json = if assign {
                    attribute.assign
                } else {
                    attribute.revoke
                };
                let value: Value = serde_json::from_str(json).map_err(|e| {
                    Error::Config(format!(
                        "licence `{}`: `{json}` is not a JSON value: {e}",
                        sku.name
                    ))
                })?;
                // Exclusive seats (several SKUs on one attribute): revoking one the account
                // does not hold must not take away the one it holds.
                let shared = manifest.licenses.iter().any(|other| {
                    other.name != sku.name
                        && other
                            .attribute
                            .as_ref()
                            .is_some_and(|o| o.path == attribute.path)
                });
                if !assign && shared {
                    let user = self.client().get_user(&account.id).await?;
                    let held = serde_json::from_str::<Value>(attribute.assign).ok();
                    if value_at(&user, attribute.path) != held.as_ref() {
                        return Ok(LicenseOutcome::Applied);
                    }
                }
                self.apply(&account.id, &[Change::set(attribute.path, value)])
                    .await?;
                Ok(LicenseOutcome::Applied)
            }
            LicenseMode::Group => {
                let name = sku.group.ok_or_else(|| {
                    Error::Config(format!("licence `{}` names no group", sku.name))
                })?;
                let group = self.client().find_group(name).await?;
                let group_id = group
                    .as_ref()
                    .and_then(|g| g.get("id"))
                    .and_then(Value::as_str)
                    .ok_or_else(|| Error::NotFound {
                        what: format!("SCIM group `{name}` in {}", manifest.name),
                    })?;
                let member = [account.id.clone()];
                if assign {
                    self.client().add_group_members(group_id, &member).await?;
                } else {
                    self.client()
                        .remove_group_members(group_id, &member)
                        .await?;
                }
                Ok(LicenseOutcome::Applied)
            }
            LicenseMode::Manual => Ok(LicenseOutcome::ManualActionRequired(manual_task(
                manifest,
                self.variables(),
                account,
                sku,
                assign,
            ))),
            LicenseMode::Api => {
                let exec = Executor::new(self.client().http(), self.variables());
                api_license(exec, manifest, account, sku, assign).await
            }
        }
    }
}
