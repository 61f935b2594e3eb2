//! Group push on a SCIM service: `/Groups` listed, created, renamed and deleted, members
//! added and removed in requests no larger than the vendor's cap
//! (`group_members_per_request`), PATCH operations in the dialect's style.

use serde_json::{Value, json};

use super::ScimApp;
use super::connector::ScimConnector;
use crate::connector::{AppGroup, PageRequest};
use crate::error::{Error, Operation, Result};
use crate::manifest::{Capability, PatchStyle};

/// The SCIM core schema of a Group (RFC 7643 §4.2).
const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";

impl<A: ScimApp> ScimConnector<A> {
    /// Every Group, page by page at the dialect's page size.
    pub(super) async fn all_groups(&self) -> Result<Vec<AppGroup>> {
        self.require(Capability::Groups, Operation::ListGroups)?;
        let mut groups = Vec::new();
        let mut page = Some(PageRequest::first(self.dialect().page_size.max(1)));
        while let Some(request) = page {
            let list = self.client().list_groups(request.clone()).await?;
            page = list.next_page(request);
            for resource in list.resources {
                groups.push(self.group(resource)?);
            }
        }
        Ok(groups)
    }

    /// `POST /Groups` with no members.
    pub(super) async fn new_group(&self, name: &str, external_id: &str) -> Result<AppGroup> {
        self.require(Capability::Groups, Operation::CreateGroup)?;
        let body = json!({
            "schemas": [GROUP_SCHEMA],
            "displayName": name,
            "externalId": external_id,
            "members": [],
        });
        match self.client().create_group(&body).await? {
            Some(created) => self.group(created),
            None => Err(self
                .client()
                .invalid(&["Groups"], "the created Group was not returned".to_owned())),
        }
    }

    /// A `replace` of `displayName`, in the dialect's PATCH style.
    pub(super) async fn set_group_name(&self, group_id: &str, name: &str) -> Result<()> {
        self.require(Capability::Groups, Operation::RenameGroup)?;
        let operation = match self.dialect().patch_style {
            PatchStyle::Path => json!({"op": "replace", "path": "displayName", "value": name}),
            PatchStyle::Pathless => json!({"op": "replace", "value": {"displayName": name}}),
        };
        self.client().patch_group(group_id, vec![operation]).await
    }

    /// `DELETE /Groups/{id}`.
    pub(super) async fn remove_group(&self, group_id: &str) -> Result<()> {
        self.require(Capability::Groups, Operation::DeleteGroup)?;
        self.client().delete_group(group_id).await
    }

    /// Adds (`add`) or removes the members, in chunks of the vendor's cap.
    pub(super) async fn change_members(
        &self,
        group_id: &str,
        account_ids: &[String],
        add: bool,
    ) -> Result<()> {
        let operation = if add {
            Operation::AddMembers
        } else {
            Operation::RemoveMembers
        };
        self.require(Capability::Groups, operation)?;
        let cap =
            usize::try_from(self.dialect().group_members_per_request.max(1)).unwrap_or(usize::MAX);
        for chunk in account_ids.chunks(cap) {
            if add {
                self.client().add_group_members(group_id, chunk).await?;
            } else {
                self.client().remove_group_members(group_id, chunk).await?;
            }
        }
        Ok(())
    }

    /// A Group resource as an [`AppGroup`]; an answer without `id` or `displayName` is
    /// an invalid response.
    fn group(&self, resource: Value) -> Result<AppGroup> {
        let text = |key: &str| resource.get(key).and_then(Value::as_str).map(str::to_owned);
        let missing = |key: &str| -> Error {
            self.client()
                .invalid(&["Groups"], format!("a Group without `{key}`: {resource}"))
        };
        let members = resource
            .get("members")
            .and_then(Value::as_array)
            .map(|members| {
                members
                    .iter()
                    .filter_map(|m| m.get("value").and_then(Value::as_str))
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        // A SCIM Group carries its members (RFC 7643 §4.2); absent means none.
        let members = Some(members);
        Ok(AppGroup {
            id: text("id").ok_or_else(|| missing("id"))?,
            name: text("displayName").ok_or_else(|| missing("displayName"))?,
            external_id: text("externalId"),
            members,
        })
    }
}
