//! Assigning and revoking paid seats, by each SKU's [`LicenseMode`].

use serde_json::Value;

use super::ScimApp;
use super::connector::ScimConnector;
use super::patch::Change;
use crate::config::render_template;
use crate::connector::{AccountRef, LicenseOutcome, ManualTask};
use crate::error::{Error, Operation, Result};
use crate::manifest::{Capability, LicenseMode, LicenseSku};

impl<A: ScimApp> ScimConnector<A> {
    /// Assigns (`assign`) or revokes the seat `sku` of `account`.
    ///
    /// Automatic seats need nothing; attribute seats set the SKU's attribute to its
    /// `assign`/`revoke` JSON with the dialect's update method; group seats add or remove
    /// membership of the SKU's group; manual seats return the task for a person; API
    /// seats are [`Error::Unsupported`] (a vendor REST layer handles them).
    pub(super) async fn change_license(
        &self,
        account: &AccountRef,
        sku: &LicenseSku,
        assign: bool,
    ) -> Result<LicenseOutcome> {
        let manifest = A::manifest();
        let operation = if assign {
            Operation::AssignLicense
        } else {
            Operation::RevokeLicense
        };
        self.require(Capability::License, operation)?;
        if manifest.license(sku.name).is_none() {
            return Err(Error::NotFound {
                what: format!("licence `{}` of {}", sku.name, manifest.name),
            });
        }
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
                if assign {
                    self.client()
                        .add_group_member(group_id, &account.id)
                        .await?;
                } else {
                    self.client()
                        .remove_group_member(group_id, &account.id)
                        .await?;
                }
                Ok(LicenseOutcome::Applied)
            }
            LicenseMode::Manual => Ok(LicenseOutcome::ManualActionRequired(
                self.manual_task(account, sku, assign),
            )),
            LicenseMode::Api => Err(Error::Unsupported {
                connector: manifest.name,
                operation,
            }),
        }
    }

    /// What a person must do in the vendor's console.
    fn manual_task(&self, account: &AccountRef, sku: &LicenseSku, assign: bool) -> ManualTask {
        let manifest = A::manifest();
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
        // An unset tenant variable leaves the template as is: still a hint where to go.
        let url = sku.console_url.map(|template| {
            render_template(template, self.variables()).unwrap_or_else(|_| template.to_owned())
        });
        ManualTask { instructions, url }
    }
}
