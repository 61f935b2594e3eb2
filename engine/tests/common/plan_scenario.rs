//! Random but reproducible plan scenarios for the differential plan test: from one seed,
//! a directory of awkward people, the instances and their policies, the rules, the
//! accounts already in each app, a prior apply and the directory edits that follow it.
//!
//! Everything is drawn from [`Rng`] (SplitMix64, written here so that no dependency and
//! no library version can change the sequence): a seed always gives the same scenario.

use connector_engine::Directory;
use connector_engine::directory::Group;
use connector_sdk::{CustomValue, Identity, IdentityStatus};
use serde_json::{Value, json};

/// SplitMix64: tiny, fast and fully specified, so the scenarios never change under us.
pub(crate) struct Rng(u64);

impl Rng {
    /// A generator starting at `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// A number in `low..=high`.
    pub(crate) fn between(&mut self, low: usize, high: usize) -> usize {
        low + self.below(high - low + 1)
    }

    /// True with probability `percent` / 100.
    pub(crate) fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    /// One of `items`.
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The seed of scenario `n` derived from the test's base seed.
pub(crate) fn scenario_seed(base: u64, n: usize) -> u64 {
    Rng::new(base ^ (n as u64).wrapping_mul(0xA24B_AED4_963E_E407)).next_u64()
}

/// Given names: accents, apostrophes, hyphens, spaces, non-Latin scripts.
const FIRST: &[&str] = &[
    "Ada",
    "Grace",
    "Zoë",
    "Ólafur",
    "Siobhán",
    "Jean-Luc",
    "Ming",
    "Łukasz",
    "Ana María",
    "Ren",
    "Chloé",
    "Dmitri",
    "Søren",
    "Aigerim",
    "José",
];
/// Family names, as awkward.
const LAST: &[&str] = &[
    "Lovelace",
    "Hopper",
    "O'Brien",
    "de la Cruz",
    "Nguyễn",
    "Müller",
    "Smith-Jones",
    "李",
    "van der Berg",
    "D'Arcy",
    "Øberg",
    "Ivanova",
    "Żółć",
    "Kowalski",
    "MacDonald",
];
/// The directory's groups (far enough apart that none reads as a typo of another).
pub(crate) const GROUPS: &[&str] = &[
    "engineering",
    "sales",
    "research",
    "contractors",
    "ai-pilot",
];
/// A group some rules name that nobody is in (a warning, not an error).
const EMPTIED_GROUP: &str = "alumni";
const DEPARTMENTS: &[&str] = &["R&D", "Sales", "Support", "Finance", "Légal"];
const DOMAINS: &[&str] = &["example.com", "Example.COM", "eng.example.com"];

/// One instance of the scenario: its tenant, connector and assignments lines.
#[derive(Debug, Clone)]
pub(crate) struct InstanceSetup {
    /// The instance (and tenant) name.
    pub name: String,
    /// The connector's machine name.
    pub connector: &'static str,
    /// The lines after the generated `[instances.<name>]` header lines.
    pub lines: String,
}

/// An account put into a tenant before anything is applied.
#[derive(Debug, Clone)]
pub(crate) struct SeedAccount {
    /// The instance whose tenant holds it.
    pub instance: String,
    /// The SCIM User.
    pub user: Value,
}

/// A change made by hand in an app after the prior apply.
#[derive(Debug, Clone)]
pub(crate) enum HandEdit {
    /// Replace an attribute of the account with this user name.
    Replace {
        instance: String,
        user_name_index: usize,
        attribute: &'static str,
        value: Value,
    },
    /// Deactivate the account with this index (in user-name order).
    Deactivate {
        instance: String,
        user_name_index: usize,
    },
    /// A new account nobody made through the engine.
    Seed(SeedAccount),
}

/// A whole scenario.
#[derive(Debug, Clone)]
pub(crate) struct Scenario {
    /// The instances, in name order.
    pub instances: Vec<InstanceSetup>,
    /// The `[[provision]]` and `[[sso]]` rules (and `[settings]`).
    pub rules: String,
    /// Accounts in the apps before the prior apply.
    pub seeds: Vec<SeedAccount>,
    /// The directory of the prior apply.
    pub before: Directory,
    /// Whether the prior apply may exceed the removal breaker.
    pub allow_removals_before: bool,
    /// Hand edits in the apps after the prior apply.
    pub hand_edits: Vec<HandEdit>,
    /// The directory planned.
    pub after: Directory,
    /// Whether the plan may exceed the removal breaker.
    pub allow_removals: bool,
}

/// The scenario of `seed`.
pub(crate) fn generate(seed: u64) -> Scenario {
    let mut rng = Rng::new(seed);
    let people_count = rng.between(16, 30);
    let mut people: Vec<Identity> = (1..=people_count).map(|i| person(&mut rng, i)).collect();
    // Now and then two people whose Slack handle is the same (one account, two people).
    if rng.chance(40) && people.len() > 3 {
        let (a, b) = (rng.below(people.len()), rng.below(people.len()));
        if a != b {
            let local = local_part(&people[a].email).to_owned();
            people[b].email = format!("{local}@sales.example.com");
            people[b].login = people[b].email.clone();
        }
    }
    let instances = instances(&mut rng);
    let rules = rules(&mut rng, &instances, &people);
    let mut seeds = Vec::new();
    for instance in &instances {
        seeds.extend(seed_accounts(&mut rng, instance, &people));
    }
    let mut groups = Vec::new();
    if rng.chance(30) {
        groups.push(Group {
            name: EMPTIED_GROUP.to_owned(),
            description: Some("declared empty on purpose".to_owned()),
            members: Vec::new(),
        });
    }
    let before = Directory {
        people: people.clone(),
        groups: groups.clone(),
    };
    let hand_edits = hand_edits(&mut rng, &instances, &people);
    let after = edit(&mut rng, people, people_count);
    Scenario {
        instances,
        rules,
        seeds,
        before,
        allow_removals_before: rng.chance(50),
        hand_edits,
        after: Directory {
            people: after,
            groups,
        },
        allow_removals: rng.chance(40),
    }
}

/// The ASCII letters of `name`, lower-cased, at most `max`.
fn ascii_stem(name: &str, max: usize) -> String {
    let stem: String = name
        .chars()
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_lowercase())
        .take(max)
        .collect();
    if stem.is_empty() {
        "x".to_owned()
    } else {
        stem
    }
}

/// The part of `email` before the `@`.
fn local_part(email: &str) -> &str {
    email.split('@').next().unwrap_or(email)
}

/// Person `i`: awkward names, mixed-case addresses, missing fields, some not active.
fn person(rng: &mut Rng, i: usize) -> Identity {
    let first = *rng.pick(FIRST);
    let last = *rng.pick(LAST);
    let mut local = format!("{}.{}{i}", ascii_stem(first, 5), ascii_stem(last, 5));
    if rng.chance(20) {
        // Case the directory keeps but the apps compare without.
        local = local.to_uppercase();
    }
    let email = format!("{local}@{}", rng.pick(DOMAINS));
    let login = if rng.chance(15) {
        format!("{}@corp.example.com", ascii_stem(first, 5)).replace('@', &format!("{i}@"))
    } else {
        email.clone()
    };
    let status = match rng.below(100) {
        0..=7 => IdentityStatus::Suspended,
        8..=12 => IdentityStatus::Deprovisioned,
        _ => IdentityStatus::Active,
    };
    let groups = GROUPS
        .iter()
        .filter(|_| rng.chance(35))
        .map(|g| (*g).to_owned())
        .collect();
    let mut custom = std::collections::BTreeMap::new();
    if rng.chance(50) {
        custom.insert(
            "start_date".to_owned(),
            CustomValue::Text(format!("2025-{:02}-01T00:00:00Z", rng.between(1, 12))),
        );
    }
    Identity {
        id: if rng.chance(10) {
            format!("HR-{i:04}")
        } else {
            format!("00u{i:06}")
        },
        login,
        email,
        first_name: (!rng.chance(10)).then(|| first.to_owned()),
        last_name: (!rng.chance(10)).then(|| last.to_owned()),
        display_name: rng.chance(60).then(|| format!("{first} {last}")),
        department: rng.chance(70).then(|| (*rng.pick(DEPARTMENTS)).to_owned()),
        title: rng.chance(50).then(|| "Engineer".to_owned()),
        employee_number: rng.chance(60).then(|| format!("E{i:05}")),
        organization: rng.chance(30).then(|| "Example Corp".to_owned()),
        phone: rng.chance(50).then(|| format!("+1555{i:07}")),
        status,
        groups,
        custom,
        ..Identity::default()
    }
}

/// The connectors of the scenarios and their SKUs.
const CONNECTORS: &[(&str, &[&str])] = &[
    ("chatgpt", &["enterprise_seat"]),
    ("slack", &["member", "slack_ai"]),
    (
        "zoom",
        &["whiteboard", "translated_captions", "custom_ai_companion"],
    ),
];

/// The SKUs of `connector`.
fn skus(connector: &str) -> &'static [&'static str] {
    CONNECTORS
        .iter()
        .find(|(c, _)| *c == connector)
        .map_or(&[], |(_, skus)| skus)
}

/// Two or three instances (sometimes a second Slack workspace), each with random policy.
fn instances(rng: &mut Rng) -> Vec<InstanceSetup> {
    let mut out = Vec::new();
    for (connector, skus) in CONNECTORS {
        if out.is_empty() || rng.chance(75) {
            out.push(instance(rng, connector, connector, skus));
        }
    }
    if rng.chance(25) {
        out.push(instance(rng, "slack-sales", "slack", skus("slack")));
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

fn instance(rng: &mut Rng, name: &str, connector: &'static str, skus: &[&str]) -> InstanceSetup {
    let mut lines = String::new();
    match connector {
        "slack" => lines.push_str(&format!("variables = {{ domain = \"{name}\" }}\n")),
        "zoom" => lines.push_str("variables = { vanity = \"acme\", account_id = \"A1\" }\n"),
        _ => {}
    }
    lines.push_str("client_rate_limit = false\n");
    lines.push_str(&format!("[instances.{name}.policy]\n"));
    // One call at a time per app: the prior apply creates accounts in plan order, so
    // the tenants hand out the same ids every run.
    lines.push_str("concurrency = 1\n");
    lines.push_str(&format!(
        "existing_accounts = \"{}\"\n",
        rng.pick(&["adopt", "flag"])
    ));
    lines.push_str(&format!(
        "drift = \"{}\"\n",
        rng.pick(&["correct", "report"])
    ));
    // Slack cannot delete accounts (its DELETE deactivates): no `delete` there.
    let deletes = connector != "slack";
    let prune: &[&str] = if deletes {
        &["protect", "protect", "disable", "delete"]
    } else {
        &["protect", "protect", "disable"]
    };
    lines.push_str(&format!("prune = \"{}\"\n", rng.pick(prune)));
    let removal: &[&str] = if deletes {
        &["disable", "disable", "delete"]
    } else {
        &["disable"]
    };
    lines.push_str(&format!("removal = \"{}\"\n", rng.pick(removal)));
    lines.push_str(&format!("max_removals = {}\n", rng.pick(&[1, 3, 20])));
    if rng.chance(25) {
        lines.push_str(&format!("max_removal_percent = {}\n", rng.pick(&[10, 50])));
    }
    if rng.chance(30) {
        lines.push_str("reclaim_disabled = false\n");
    }
    for switch in ["create", "update", "deactivate", "license"] {
        if rng.chance(8) {
            lines.push_str(&format!("{switch} = false\n"));
        }
    }
    if rng.chance(60) {
        lines.push_str(&format!("[instances.{name}.prices]\n"));
        for sku in skus {
            if rng.chance(70) {
                lines.push_str(&format!("{sku} = {}.5\n", rng.between(1, 40)));
            }
        }
    }
    InstanceSetup {
        name: name.to_owned(),
        connector,
        lines,
    }
}

/// A rule's time window: none, ended between the prior apply and the plan, future,
/// current, or ending at a date-time with an offset.
const WINDOWS: &[&str] = &[
    "",
    "",
    "until = 2026-02-15\n",
    "from = 2026-04-01\n",
    "from = 2026-01-01\nuntil = 2026-12-31\n",
    "until = 2026-02-20T18:00:00+02:00\n",
    "from = 2026-02-10\n",
];

/// One of [`WINDOWS`].
fn window(rng: &mut Rng) -> &'static str {
    rng.pick::<&str>(WINDOWS)
}

/// Some people named by id, login or email (in another case).
fn named_people(rng: &mut Rng, people: &[Identity]) -> Vec<String> {
    (0..rng.between(1, 3))
        .map(|_| {
            let who = rng.pick(people);
            match rng.below(3) {
                0 => who.id.clone(),
                1 => who.login.clone(),
                _ => who.email.to_lowercase(),
            }
        })
        .collect()
}

/// A TOML array of strings.
fn array(items: &[String]) -> String {
    let quoted: Vec<String> = items
        .iter()
        .map(|s| serde_json::to_string(s).unwrap())
        .collect();
    format!("[{}]", quoted.join(", "))
}

/// `[settings]`, then per instance one to three `[[provision]]` rules and maybe `[[sso]]`.
fn rules(rng: &mut Rng, instances: &[InstanceSetup], people: &[Identity]) -> String {
    let mut out = String::from("[settings]\nmax_source_shrink = 0.5\n\n");
    for instance in instances {
        let skus = skus(instance.connector);
        for _ in 0..rng.between(1, 3) {
            out.push_str(&format!(
                "[[provision]]\ninstance = \"{}\"\n",
                instance.name
            ));
            let mut groups: Vec<String> = GROUPS
                .iter()
                .filter(|_| rng.chance(30))
                .map(|g| (*g).to_owned())
                .collect();
            if rng.chance(10) {
                groups.push(EMPTIED_GROUP.to_owned());
            }
            let by_people = groups.is_empty() || rng.chance(25);
            if !groups.is_empty() {
                out.push_str(&format!("groups = {}\n", array(&groups)));
            }
            if by_people {
                out.push_str(&format!("people = {}\n", array(&named_people(rng, people))));
            }
            let licences: Vec<String> = skus
                .iter()
                .filter(|_| rng.chance(50))
                .map(|s| (*s).to_owned())
                .collect();
            if !licences.is_empty() {
                out.push_str(&format!("licenses = {}\n", array(&licences)));
            }
            out.push_str(window(rng));
            out.push('\n');
        }
        if rng.chance(50) {
            out.push_str(&format!("[[sso]]\ninstance = \"{}\"\n", instance.name));
            let groups: Vec<String> = GROUPS
                .iter()
                .filter(|_| rng.chance(40))
                .map(|g| (*g).to_owned())
                .collect();
            if !groups.is_empty() {
                out.push_str(&format!("groups = {}\n", array(&groups)));
            }
            if groups.is_empty() || rng.chance(30) {
                out.push_str(&format!("people = {}\n", array(&named_people(rng, people))));
            }
            if rng.chance(30) {
                out.push_str("until = 2026-02-15\n");
            }
            out.push('\n');
        }
    }
    out
}

/// The user name `connector` maps `email` to.
fn user_name(connector: &str, email: &str) -> String {
    match connector {
        "slack" => local_part(email).to_lowercase(),
        _ => email.to_owned(),
    }
}

/// A SCIM User for `connector`.
fn user(
    connector: &str,
    user_name: &str,
    email: &str,
    given: &str,
    family: &str,
    active: bool,
) -> Value {
    let mut user = json!({
        "userName": user_name,
        "name": { "givenName": given, "familyName": family },
        "displayName": format!("{given} {family}"),
        "emails": [{ "value": email, "type": "work", "primary": true }],
        "active": active,
    });
    if connector == "chatgpt" {
        user.as_object_mut().unwrap().remove("emails");
    }
    user
}

/// Accounts already in `instance`'s app: matching people, drifted, unlinked, duplicates.
fn seed_accounts(rng: &mut Rng, instance: &InstanceSetup, people: &[Identity]) -> Vec<SeedAccount> {
    let connector = instance.connector;
    let mut taken: Vec<String> = Vec::new();
    let mut out = Vec::new();
    let mut push = |user: Value, taken: &mut Vec<String>| {
        let name = user["userName"].as_str().unwrap().to_lowercase();
        if !taken.contains(&name) {
            taken.push(name);
            out.push(SeedAccount {
                instance: instance.name.clone(),
                user,
            });
        }
    };
    for _ in 0..rng.between(2, 7) {
        let who = rng.pick(people);
        let name = user_name(connector, &who.email);
        let given = who.first_name.clone().unwrap_or_default();
        let family = who.last_name.clone().unwrap_or_default();
        match rng.below(5) {
            // Matches the person as the directory has them.
            0 | 1 => push(
                user(connector, &name, &who.email, &given, &family, true),
                &mut taken,
            ),
            // Matches, but holds other values (or is deactivated).
            2 => {
                let active = rng.chance(50);
                push(
                    user(connector, &name, &who.email, "Renamed", &family, active),
                    &mut taken,
                );
            }
            // Two accounts for one person: one by user name, one by email or externalId.
            3 => {
                push(
                    user(connector, &name, &who.email, &given, &family, true),
                    &mut taken,
                );
                let other = format!("dup.{}", user_name(connector, &who.email));
                let mut dup = user(connector, &other, &who.email, &given, &family, true);
                if connector == "chatgpt" {
                    dup["externalId"] = json!(who.id);
                }
                push(dup, &mut taken);
            }
            // Nobody's account.
            _ => {
                let k = rng.between(1, 99);
                let email = format!("orphan{k}@example.com");
                push(
                    user(
                        connector,
                        &user_name(connector, &email),
                        &email,
                        "Orphan",
                        "Account",
                        rng.chance(80),
                    ),
                    &mut taken,
                );
            }
        }
    }
    out
}

/// Hand edits in the apps after the prior apply.
fn hand_edits(rng: &mut Rng, instances: &[InstanceSetup], people: &[Identity]) -> Vec<HandEdit> {
    let mut out = Vec::new();
    for _ in 0..rng.between(0, 4) {
        let instance = rng.pick(instances).clone();
        let index = rng.below(64);
        out.push(match rng.below(4) {
            0 => HandEdit::Replace {
                instance: instance.name,
                user_name_index: index,
                attribute: "name.familyName",
                value: json!("Edited-by-hand"),
            },
            1 => HandEdit::Replace {
                instance: instance.name,
                user_name_index: index,
                attribute: "displayName",
                value: json!("Zoë Édité"),
            },
            2 => HandEdit::Deactivate {
                instance: instance.name,
                user_name_index: index,
            },
            _ => {
                let who = rng.pick(people);
                let email = format!("late.{}", who.email.to_lowercase());
                HandEdit::Seed(SeedAccount {
                    user: user(
                        instance.connector,
                        &user_name(instance.connector, &email),
                        &email,
                        "Late",
                        "Arrival",
                        true,
                    ),
                    instance: instance.name,
                })
            }
        });
    }
    out
}

/// The directory after the prior apply: leavers, status changes, renames, new emails,
/// group moves (licence changes), fields gone, joiners.
fn edit(rng: &mut Rng, mut people: Vec<Identity>, count: usize) -> Vec<Identity> {
    for _ in 0..rng.between(0, 3) {
        if people.len() > 2 {
            let gone = rng.below(people.len());
            people.remove(gone);
        }
    }
    for _ in 0..rng.between(2, 8) {
        let who = rng.below(people.len());
        let person = &mut people[who];
        match rng.below(7) {
            0 => {
                person.status = *rng.pick(&[
                    IdentityStatus::Suspended,
                    IdentityStatus::Deprovisioned,
                    IdentityStatus::Active,
                ]);
            }
            1 => person.last_name = Some((*rng.pick(LAST)).to_owned()),
            2 => {
                let local = format!("new.{}", local_part(&person.email).to_lowercase());
                person.email = format!("{local}@example.com");
                person.login = person.email.clone();
            }
            3 => {
                let group = (*rng.pick(GROUPS)).to_owned();
                if let Some(at) = person.groups.iter().position(|g| *g == group) {
                    person.groups.remove(at);
                } else {
                    person.groups.push(group);
                }
            }
            4 => {
                person.phone = None;
                person.title = None;
            }
            5 => person.first_name = Some("Zoë".to_owned()),
            _ => person.groups.clear(),
        }
    }
    for k in 0..rng.between(0, 4) {
        let mut joiner = person(rng, count + 1 + k);
        joiner.groups.push((*rng.pick(GROUPS)).to_owned());
        people.push(joiner);
    }
    people
}
