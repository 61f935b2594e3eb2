//! The plan for humans: grouped by app, one line per change, attribute diffs indented.

use std::fmt::Write;

use serde_json::Value;

use super::model::{Action, InstancePlan, Plan, SkipCode};

/// The plan as text.
pub fn render(plan: &Plan) -> String {
    let mut out = String::new();
    let source = &plan.source;
    let _ = writeln!(
        out,
        "Directory: {} ({} people, {} groups{})",
        source.description,
        source.people,
        source.groups,
        source
            .previous_people
            .map(|p| format!("; {p} at the last run"))
            .unwrap_or_default()
    );
    for instance in &plan.instances {
        out.push('\n');
        render_instance(&mut out, instance);
    }
    let s = &plan.summary;
    out.push('\n');
    if s.changes == 0 {
        out.push_str("No changes. Every account matches the directory.\n");
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
            "Reclaim: {} seats, {:.2} {currency} a month.",
            s.reclaimed_seats, s.monthly_saving
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
    let _ = writeln!(
        out,
        "{} ({}): {} accounts in the app",
        plan.instance, plan.display_name, plan.accounts
    );
    if let Some(error) = &plan.error {
        let _ = writeln!(out, "  ERROR {error}");
        return;
    }
    for step in &plan.steps {
        let who = step.target.label();
        let line = match &step.action {
            Action::Create => format!("+ create   {who}"),
            Action::Link => format!(
                "= link     {who} -> existing account {}",
                step.target.account_id.as_deref().unwrap_or("?")
            ),
            Action::Update { changes } => {
                let mut text = format!("~ update   {who}");
                for change in changes {
                    let _ = write!(
                        text,
                        "\n      {}: {} -> {}",
                        change.field,
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
                    "$ assign   {sku} to {who} ({mode}{})",
                    price(*monthly_price)
                )
            }
            Action::RevokeLicense {
                sku,
                mode,
                monthly_price,
            } => {
                format!(
                    "$ revoke   {sku} from {who} ({mode}{})",
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
                "! manual   {operation} {sku} for {who}: {instructions}{}",
                url.as_ref().map(|u| format!(" <{u}>")).unwrap_or_default()
            ),
            Action::Skip { skipped, code } => format!(
                "? skip     {skipped} {who} [{}]",
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
        let _ = writeln!(out, "  {line}\n      why: {}", step.reason);
    }
    for account in &plan.protected {
        let _ = writeln!(
            out,
            "  # protect  {} ({}{}): {}",
            account.user_name,
            account.account_id,
            if account.active { "" } else { ", inactive" },
            account.reason
        );
    }
    let removals = &plan.removals;
    if removals.tripped {
        let _ = writeln!(
            out,
            "  STOP {} removals planned; the limit is {}{}",
            removals.count,
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
            plan.reclaim.seats, plan.reclaim.monthly_saving, plan.reclaim.currency
        );
    }
    if plan.sso.managed {
        let _ = writeln!(
            out,
            "  sign-in: {} people ({} tile{}); {} sign-in only, {} provisioned without sign-in",
            plan.sso.assigned.len(),
            plan.sso.tile,
            plan.sso
                .login_url
                .as_ref()
                .map(|u| format!(" to {u}"))
                .unwrap_or_default(),
            plan.sso.sso_only.len(),
            plan.sso.provisioned_without_sso.len()
        );
    }
    if plan.steps.is_empty() && plan.protected.is_empty() {
        out.push_str("  no changes\n");
    }
}

/// A value for a diff line.
fn show(value: &Value) -> String {
    match value {
        Value::Null => "(unset)".to_owned(),
        Value::String(text) => format!("{text:?}"),
        other => other.to_string(),
    }
}

/// `, 5.00 a month` when a price is set.
fn price(monthly: Option<f64>) -> String {
    monthly
        .map(|p| format!(", {p:.2} a month"))
        .unwrap_or_default()
}
