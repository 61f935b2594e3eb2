//! The plan for humans: grouped by app, one line per change, attribute diffs indented.
//!
//! Every value from the directory or an app is [escaped](connector_sdk::display::escape)
//! (a control character or a bidi override in a name cannot erase, reorder or fake a
//! line), and a login or user name that passes for another (invisible characters, several
//! scripts in one label) carries a `⚠` flag saying why.

use std::fmt::Write;

use connector_sdk::display::{Escaped, escape, suspicious};
use serde_json::Value;

use super::model::{
    Action, GroupAction, GroupSkipCode, GroupStep, InstancePlan, Member, Plan, SkipCode,
};

/// The plan as text.
pub fn render(plan: &Plan) -> String {
    let mut out = String::new();
    let source = &plan.source;
    let _ = writeln!(
        out,
        "Directory: {} ({} people, {} groups{})",
        Escaped(&source.description),
        source.people,
        source.groups,
        source
            .previous_people
            .map(|p| format!("; {p} at the last run"))
            .unwrap_or_default()
    );
    for warning in &plan.warnings {
        let _ = writeln!(out, "warning: {}", Escaped(warning));
    }
    for instance in &plan.instances {
        out.push('\n');
        render_instance(&mut out, instance);
    }
    let s = &plan.summary;
    out.push('\n');
    if s.changes == 0 && s.failed_instances == 0 && s.skipped == 0 {
        out.push_str("No changes. Every account matches the directory.\n");
    } else if s.changes == 0 && s.failed_instances == 0 {
        out.push_str("No changes to apply; what is left alone is listed above.\n");
    } else if s.changes == 0 {
        let _ = writeln!(
            out,
            "No changes planned for the instances reached; {} not reached, so their changes are unknown.",
            s.failed_instances
        );
    } else {
        let counts: Vec<String> = s
            .by_action
            .iter()
            .filter(|(name, _)| *name != "skip")
            .map(|(name, n)| format!("{n} {}", name.replace('_', " ")))
            .collect();
        let _ = writeln!(out, "Plan: {} changes ({}).", s.changes, counts.join(", "));
    }
    if s.skipped > 0 || s.protected > 0 {
        let _ = writeln!(
            out,
            "Left alone: {} skipped, {} protected accounts.",
            s.skipped, s.protected
        );
    }
    if s.reclaimed_seats > 0 {
        let currency = plan
            .instances
            .first()
            .map_or("", |i| i.reclaim.currency.as_str());
        let _ = writeln!(
            out,
            "Reclaim: {} seats, {:.2} {} a month.",
            s.reclaimed_seats,
            s.monthly_saving,
            Escaped(currency)
        );
    }
    if s.blocked {
        out.push_str(
            "STOP: the removal circuit breaker tripped; apply will touch nothing without --allow-removals.\n",
        );
    }
    if s.failed_instances > 0 {
        let _ = writeln!(
            out,
            "ERROR: {} instances could not be planned.",
            s.failed_instances
        );
    }
    out
}

/// One instance's section.
fn render_instance(out: &mut String, plan: &InstancePlan) {
    let (instance, display_name) = (Escaped(&plan.instance), Escaped(&plan.display_name));
    if let Some(error) = &plan.error {
        let _ = writeln!(
            out,
            "{instance} ({display_name}): not reached ({}); nothing planned for it",
            Escaped(error)
        );
        return;
    }
    if plan.from_links {
        let _ = writeln!(
            out,
            "{instance} ({display_name}): {} accounts of leavers in scope, taken from their links (not read)",
            plan.accounts
        );
    } else if plan.looked_up {
        let _ = writeln!(
            out,
            "{instance} ({display_name}): {} accounts of the people in scope, read by id",
            plan.accounts
        );
    } else {
        let _ = writeln!(
            out,
            "{instance} ({display_name}): {} accounts in the app",
            plan.accounts
        );
    }
    for warning in &plan.warnings {
        let _ = writeln!(out, "  warning: {}", Escaped(warning));
    }
    for step in &plan.steps {
        let who = name(step.target.label());
        let line = match &step.action {
            Action::Create => format!("+ create   {who}"),
            Action::Link => format!(
                "= link     {who} -> existing account {}",
                Escaped(step.target.account_id.as_deref().unwrap_or("?"))
            ),
            Action::Update { changes } => {
                let mut text = format!("~ update   {who}");
                for change in changes {
                    let _ = write!(
                        text,
                        "\n      {}: {} -> {}",
                        Escaped(&change.field),
                        show(&change.before),
                        show(&change.after)
                    );
                }
                text
            }
            Action::Enable => format!("+ enable   {who}"),
            Action::Disable => format!("- disable  {who}"),
            Action::Delete => format!("- DELETE   {who}"),
            Action::AssignLicense {
                sku,
                mode,
                monthly_price,
            } => {
                format!(
                    "$ assign   {} to {who} ({}{})",
                    Escaped(sku),
                    Escaped(mode),
                    price(*monthly_price)
                )
            }
            Action::RevokeLicense {
                sku,
                mode,
                monthly_price,
            } => {
                format!(
                    "$ revoke   {} from {who} ({}{})",
                    Escaped(sku),
                    Escaped(mode),
                    price(*monthly_price)
                )
            }
            Action::ManualTask {
                sku,
                operation,
                instructions,
                url,
                ..
            } => format!(
                "! manual   {} {} for {who}: {}{}",
                Escaped(operation),
                Escaped(sku),
                Escaped(instructions),
                url.as_ref()
                    .map(|u| format!(" <{}>", Escaped(u)))
                    .unwrap_or_default()
            ),
            Action::Skip { skipped, code } => format!(
                "? skip     {} {who} [{}]",
                Escaped(skipped),
                match code {
                    SkipCode::PolicyOff => "policy",
                    SkipCode::Unsupported => "unsupported",
                    SkipCode::ExistingAccountFlagged => "flagged",
                    SkipCode::AutomaticSeat => "automatic seat",
                    SkipCode::SharedAccount => "conflict",
                    SkipCode::DriftReported => "drift",
                }
            ),
        };
        let _ = writeln!(out, "  {line}\n      why: {}", Escaped(&step.reason));
    }
    for step in &plan.groups {
        render_group_step(out, step);
    }
    for account in &plan.protected {
        let _ = writeln!(
            out,
            "  # protect  {} ({}{}): {}",
            name(&account.user_name),
            Escaped(&account.account_id),
            if account.active { "" } else { ", inactive" },
            Escaped(&account.reason)
        );
    }
    let removals = &plan.removals;
    if removals.tripped {
        let _ = writeln!(
            out,
            "  STOP {} planned{}; the limit is {}{}",
            removals.counted(),
            if removals.earlier > 0 {
                format!(
                    ", after {} made by events in the last hour",
                    removals.earlier
                )
            } else {
                String::new()
            },
            removals.max,
            removals
                .max_percent
                .map(|p| format!(" or {p}% of the accounts"))
                .unwrap_or_default()
        );
    }
    if plan.reclaim.seats > 0 {
        let _ = writeln!(
            out,
            "  reclaim {} seats, {:.2} {} a month",
            plan.reclaim.seats,
            plan.reclaim.monthly_saving,
            Escaped(&plan.reclaim.currency)
        );
    }
    if plan.sso.managed {
        let _ = writeln!(
            out,
            "  sign-in: {} people ({} tile{}); {} sign-in only, {} provisioned without sign-in",
            plan.sso.assigned.len(),
            Escaped(&plan.sso.tile),
            plan.sso
                .login_url
                .as_ref()
                .map(|u| format!(" to {}", Escaped(u)))
                .unwrap_or_default(),
            plan.sso.sso_only.len(),
            plan.sso.provisioned_without_sso.len()
        );
    }
    if plan.steps.is_empty() && plan.groups.is_empty() && plan.protected.is_empty() {
        out.push_str("  no changes\n");
    }
}

/// One group push step, with its member diff.
fn render_group_step(out: &mut String, step: &GroupStep) {
    let group = format!(
        "group {} (directory group {})",
        name(&step.name),
        Escaped(&step.directory_group)
    );
    let line = match &step.action {
        GroupAction::CreateGroup { .. } => format!("+ create   {group}"),
        GroupAction::LinkGroup { origin, .. } => format!(
            "= link     {group} -> existing group {} ({})",
            Escaped(step.app_group_id.as_deref().unwrap_or("?")),
            Escaped(origin)
        ),
        GroupAction::RenameGroup { from } => {
            format!("~ rename   {group}, from {}", name(from))
        }
        GroupAction::AddMembers { members } => {
            format!(
                "+ members  {group}: +{}{}",
                members.len(),
                member_list('+', members)
            )
        }
        GroupAction::RemoveMembers { members } => {
            format!(
                "- members  {group}: -{}{}",
                members.len(),
                member_list('-', members)
            )
        }
        GroupAction::DeleteGroup => format!("- DELETE   {group}"),
        GroupAction::Skip { skipped, code } => format!(
            "? skip     {} {group} [{}]",
            Escaped(skipped),
            match code {
                GroupSkipCode::ExistingGroupFlagged => "flagged",
                GroupSkipCode::RenamedInApp => "renamed in the app",
            }
        ),
    };
    let _ = writeln!(out, "  {line}\n      why: {}", Escaped(&step.reason));
}

/// The members of a diff, one per line (the first 20, then a count).
fn member_list(sign: char, members: &[Member]) -> String {
    const SHOWN: usize = 20;
    let mut text = String::new();
    for member in members.iter().take(SHOWN) {
        let _ = write!(text, "\n      {sign} {}", name(&member.label));
        if member.account_id.is_none() {
            text.push_str(" (account created by this run)");
        }
    }
    if members.len() > SHOWN {
        let _ = write!(text, "\n      ... and {} more", members.len() - SHOWN);
    }
    text
}

/// A login or user name: escaped, and flagged when it passes for another name.
fn name(text: &str) -> String {
    match suspicious(text) {
        Some(why) => format!("{} [⚠ {why}]", escape(text)),
        None => escape(text).into_owned(),
    }
}

/// A value for a diff line: strings quoted (Rust's escapes, then the terminal's) and
/// flagged like names; other JSON as JSON (whose strings serde escapes).
fn show(value: &Value) -> String {
    match value {
        Value::Null => "(unset)".to_owned(),
        Value::String(text) => {
            let quoted = escape(&format!("{text:?}")).into_owned();
            match suspicious(text) {
                Some(why) => format!("{quoted} [⚠ {why}]"),
                None => quoted,
            }
        }
        other => escape(&other.to_string()).into_owned(),
    }
}

/// `, 5.00 a month` when a price is set.
fn price(monthly: Option<f64>) -> String {
    monthly
        .map(|p| format!(", {p:.2} a month"))
        .unwrap_or_default()
}
