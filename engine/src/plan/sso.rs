//! The sign-in side of a plan: who holds the IdP assignment and how the tile works.

use super::desired::Desired;
use super::model::SsoPlan;
use crate::config::Instance;
use crate::directory::Directory;

/// The sign-in side: who holds the assignment and how the tile works.
pub(super) fn plan(instance: &Instance, directory: &Directory, desired: &Desired) -> SsoPlan {
    let sso = &instance.manifest.sso;
    let people = &directory.people;
    let mut plan = SsoPlan {
        managed: desired.sso_managed,
        tile: if sso.sp_initiated_only {
            "bookmark"
        } else {
            "app"
        }
        .to_owned(),
        login_url: sso.login_url.map(|url| {
            connector_sdk::config::render_template(url, &instance.connection.variables)
                .unwrap_or_else(|_| url.to_owned())
        }),
        ..SsoPlan::default()
    };
    // People holding the sign-in assignment, in id order.
    let mut signing_in: Vec<usize> = (0..people.len()).filter(|p| desired.signs_in(*p)).collect();
    signing_in.sort_by(|a, b| people[*a].id.cmp(&people[*b].id));
    signing_in.dedup_by(|a, b| people[*a].id == people[*b].id);
    let login = |p: &usize| people[*p].login.clone();
    plan.assigned = signing_in.iter().map(login).collect();
    if desired.sso_managed {
        let provisioned = |p: usize| desired.grant(p).is_some() && people[p].status.is_active();
        plan.sso_only = signing_in
            .iter()
            .filter(|p| !provisioned(**p))
            .map(login)
            .collect();
        plan.provisioned_without_sso = (0..people.len())
            .filter(|p| provisioned(*p) && !desired.signs_in(*p))
            .map(|p| login(&p))
            .collect();
        plan.provisioned_without_sso.sort();
    }
    plan
}
