//! `[directory.okta.attributes]`: which Okta user-profile attributes fill which profile
//! values. Each key is an Okta attribute (a custom one such as `startDate`, or a base
//! one read into another field); each value is where it goes, written as a people
//! file's column: a base text field (`employee_number`, replacing its default Okta
//! source), `custom.NAME` (text) or `custom.NAME[]` (a list).

use std::collections::BTreeMap;

use serde_spanned::Spanned;

use super::diag::Diagnostics;
use super::suggest;
use crate::directory::ProfileColumn;
use connector_sdk::profile::Field;

/// Checks the table; returns the valid rows, in Okta attribute order.
pub(super) fn check(
    table: &BTreeMap<Spanned<String>, Spanned<String>>,
    diags: &mut Diagnostics,
) -> Vec<(String, ProfileColumn)> {
    let mut out: Vec<(String, ProfileColumn)> = Vec::new();
    for (okta, target) in table {
        let name = okta.get_ref();
        if !is_okta_attribute(name) {
            diags.error(
                okta.span(),
                format!(
                    "`{name}` is not an Okta profile attribute name (a letter, then letters, \
                     digits or `_`)"
                ),
            );
            continue;
        }
        let Some(column) = column(target, diags) else {
            continue;
        };
        if let Some((first, _)) = out.iter().find(|(_, c)| *c == column) {
            diags.error(
                target.span(),
                format!(
                    "`{}` is already filled from `{first}`: one Okta attribute per profile value",
                    column.name()
                ),
            );
            continue;
        }
        out.push((name.clone(), column));
    }
    out
}

/// The profile value `target` names, if it may be filled from Okta.
fn column(target: &Spanned<String>, diags: &mut Diagnostics) -> Option<ProfileColumn> {
    let text = target.get_ref().trim();
    match ProfileColumn::parse(text) {
        Some(ProfileColumn::Text(Field::Id)) => {
            diags.error(
                target.span(),
                "`id` is the Okta user's own id and cannot be filled from an attribute",
            );
            None
        }
        Some(ProfileColumn::Status | ProfileColumn::Groups) => {
            diags.error(
                target.span(),
                format!(
                    "`{text}` comes from the Okta user's {} and cannot be filled from an \
                     attribute",
                    if text == "status" {
                        "status"
                    } else {
                        "group memberships"
                    }
                ),
            );
            None
        }
        Some(column) => Some(column),
        None => {
            let known = crate::directory::text_columns();
            let hint = suggest::closest(text, known)
                .map(|m| format!("; did you mean `{m}`?"))
                .unwrap_or_default();
            diags.error(
                target.span(),
                format!(
                    "`{text}` is not a profile value: use a base profile field, \
                     `custom.NAME` (text) or `custom.NAME[]` (a list){hint}"
                ),
            );
            None
        }
    }
}

/// Whether `name` can be an Okta profile attribute (Okta's variable names).
fn is_okta_attribute(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}
