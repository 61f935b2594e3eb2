//! Group push on a REST service, from the spec's declared group operations:
//! `list_groups` (paged like `list`), `list_members` for the groups a caller needs,
//! `create_group`,
//! `rename_group`, `delete_group`, and `add_members` / `remove_members`, which send one
//! request per member (Box, Microsoft Graph and Google take one member per call).
//! Templates read `{group.id}`, `{group.name}`, `{group.external_id}` and `{member.id}`;
//! `[rest.group]` says where a group's fields and a member's account id are.

use serde_json::Value;

use super::RestApp;
use super::connector::RestConnector;
use super::exec::Outcome;
use super::json;
use super::template::Vars;
use crate::connector::{AppGroup, PageRequest};
use crate::error::{Error, Operation, Result};
use crate::manifest::{Capability, GroupPointers, RestOperation};

impl<A: RestApp> RestConnector<A> {
    /// The declared group operation `name`, once capability `groups` is checked.
    fn group_operation(&self, name: Operation) -> Result<&'static RestOperation> {
        self.require(Capability::Groups, name)?;
        self.operation(name, name)
    }

    /// `[rest.group]`, or [`Error::Config`] when the manifest lacks it.
    fn group_pointers(&self) -> Result<&'static GroupPointers> {
        A::manifest()
            .provisioning
            .rest
            .as_ref()
            .and_then(|rest| rest.group.as_ref())
            .ok_or_else(|| {
                Error::Config(format!(
                    "{} declares capability `groups` without `[rest.group]`",
                    A::manifest().name
                ))
            })
    }

    /// Every item of the listing `op`, page after page.
    async fn every_item(&self, op: &RestOperation, vars: &Vars) -> Result<Vec<Value>> {
        let page_size = A::manifest().provisioning.dialect.page_size;
        let mut items = Vec::new();
        let mut request = Some(PageRequest::first(page_size));
        while let Some(page) = request {
            let page = self.page_of(op, vars, page).await?;
            items.extend(page.items);
            request = page.next;
        }
        Ok(items)
    }

    /// Every group, without its members (`list_groups`, page by page): an org has many
    /// groups and lists members per group, so they are read only for the groups a caller
    /// needs ([`rest_group_members`](Self::rest_group_members)).
    pub(super) async fn rest_list_groups(&self) -> Result<Vec<AppGroup>> {
        let list = self.group_operation(Operation::ListGroups)?;
        let pointers = self.group_pointers()?;
        let vars = self.exec().vars();
        self.every_item(list, &vars)
            .await?
            .iter()
            .map(|item| self.group_from(pointers, item))
            .collect()
    }

    /// The members of one group: `list_members`, page by page.
    pub(super) async fn rest_group_members(&self, group_id: &str) -> Result<Vec<String>> {
        let list = self.group_operation(Operation::ListMembers)?;
        let pointers = self.group_pointers()?;
        let vars = self.exec().vars().with("group.id", group_id);
        self.every_item(list, &vars)
            .await?
            .iter()
            .map(|member| {
                json::text_at(member, pointers.member_id).ok_or_else(|| {
                    self.invalid(format!(
                        "a member of group {group_id} without `{}`",
                        pointers.member_id
                    ))
                })
            })
            .collect()
    }

    /// `create_group` with `{group.name}` and `{group.external_id}`; the answer must hold
    /// the new group.
    pub(super) async fn rest_create_group(
        &self,
        name: &str,
        external_id: &str,
    ) -> Result<AppGroup> {
        let op = self.group_operation(Operation::CreateGroup)?;
        let pointers = self.group_pointers()?;
        let vars = self
            .exec()
            .vars()
            .with("group.name", name)
            .with("group.external_id", external_id);
        match self.exec().run(op, &vars, None, &[]).await? {
            Outcome::Done(Some(body)) => self.group_from(pointers, &body),
            Outcome::NotFound(error) => Err(error),
            Outcome::NoMatch(what) => Err(Error::NotFound { what }),
            Outcome::Done(None) | Outcome::AlreadyDone => Err(self.invalid(format!(
                "`create_group` answered without the group `{name}`"
            ))),
        }
    }

    /// `rename_group` with `{group.id}` and `{group.name}`.
    pub(super) async fn rest_rename_group(&self, group_id: &str, name: &str) -> Result<()> {
        let op = self.group_operation(Operation::RenameGroup)?;
        let vars = self
            .exec()
            .vars()
            .with("group.id", group_id)
            .with("group.name", name);
        match self.exec().run(op, &vars, None, &[]).await? {
            Outcome::Done(_) | Outcome::AlreadyDone => Ok(()),
            Outcome::NotFound(error) => Err(error),
            Outcome::NoMatch(what) => Err(Error::NotFound { what }),
        }
    }

    /// `delete_group` with `{group.id}`; a group already gone is deleted.
    pub(super) async fn rest_delete_group(&self, group_id: &str) -> Result<()> {
        let op = self.group_operation(Operation::DeleteGroup)?;
        let vars = self.exec().vars().with("group.id", group_id);
        match self.exec().run(op, &vars, None, &[]).await? {
            Outcome::Done(_)
            | Outcome::AlreadyDone
            | Outcome::NotFound(_)
            | Outcome::NoMatch(_) => Ok(()),
        }
    }

    /// `add_members` (`add`) or `remove_members`, one request per member with
    /// `{group.id}` and `{member.id}`. A member already in (an `already_done` status) is
    /// added; a member already out (not found, its lookup finding no membership or no
    /// such account) is removed. Stops at the first failure.
    pub(super) async fn rest_change_members(
        &self,
        group_id: &str,
        account_ids: &[String],
        add: bool,
    ) -> Result<()> {
        let name = if add {
            Operation::AddMembers
        } else {
            Operation::RemoveMembers
        };
        let op = self.group_operation(name)?;
        let vars = self.exec().vars().with("group.id", group_id);
        for account_id in account_ids {
            let vars = vars.clone().with("member.id", account_id.as_str());
            let outcome = match self.exec().run(op, &vars, None, &[]).await {
                // The lookup's GET of a member whose account is gone.
                Err(Error::NotFound { .. }) if !add => continue,
                outcome => outcome?,
            };
            match outcome {
                Outcome::Done(_) | Outcome::AlreadyDone => {}
                Outcome::NotFound(_) | Outcome::NoMatch(_) if !add => {}
                Outcome::NotFound(error) => return Err(error),
                Outcome::NoMatch(what) => return Err(Error::NotFound { what }),
            }
        }
        Ok(())
    }

    /// A group's JSON as an [`AppGroup`] whose members are not read; an id or name
    /// missing is an invalid response.
    fn group_from(&self, pointers: &GroupPointers, item: &Value) -> Result<AppGroup> {
        let field = |pointer: &str| {
            json::text_at(item, pointer)
                .ok_or_else(|| self.invalid(format!("a group without `{pointer}`: {item}")))
        };
        Ok(AppGroup {
            id: field(pointers.id)?,
            name: field(pointers.name)?,
            external_id: pointers
                .external_id
                .and_then(|pointer| json::text_at(item, pointer))
                .filter(|id| !id.is_empty()),
            members: None,
        })
    }
}
