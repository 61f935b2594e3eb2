//! A running tenant: its fixed behaviour and credentials, and its mutable state (data,
//! rate limit, faults, counters, request log, issued tokens) behind one lock.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use connector_sdk::Manifest;
use connector_sdk::manifest::Protocol;
use serde::Serialize;

use super::auth::{AuthKind, TenantAuth, random_token};
use super::faults::{FaultState, Stats};
use super::group_rules::{GroupRules, MemberAddBudget};
use super::limiter::Bucket;
use super::rules::Rules;
use crate::config::{Faults, Limits, RateLimitConfig, RateLimitMode, UndeclaredAttributes};
use crate::store::Store;
use crate::tenant_spec::TenantSpec;
use crate::vendors::{Vendor, VendorState};

/// How many requests the log keeps.
const LOG_CAPACITY: usize = 1000;

/// One request as the tenant saw it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct LogEntry {
    /// The HTTP method.
    pub method: String,
    /// The path below the tenant's SCIM base (`/Users/42`), or below the tenant for a
    /// vendor API (`/v1.0/users/42`), with the query.
    pub path: String,
    /// The status answered; 0 when the connection was dropped.
    pub status: u16,
}

/// A running tenant.
#[derive(Debug)]
pub(crate) struct Tenant {
    /// The tenant's name (first path segment).
    pub name: String,
    /// The manifest it emulates; `None` for a generic tenant.
    pub manifest: Option<&'static Manifest>,
    /// Its SCIM behaviour.
    pub rules: Rules,
    /// The behaviour of its admin view.
    pub admin_rules: Rules,
    /// Its `/Groups` behaviour, from the vendor's documentation (not the manifest).
    pub group_rules: GroupRules,
    /// The User extension URNs it accepts.
    pub extensions: Vec<String>,
    /// What it does with attributes of a schema it does not declare.
    pub undeclared: UndeclaredAttributes,
    /// Its credentials.
    pub auth: TenantAuth,
    /// Its SCIM base URL.
    pub scim_url: String,
    /// Its OAuth token endpoint, for OAuth tenants.
    pub token_url: Option<String>,
    /// The vendor REST API it emulates besides (or instead of) SCIM.
    pub vendor: Option<Vendor>,
    /// Whether it serves SCIM (false for tenants of protocol `rest`).
    pub serves_scim: bool,
    /// The path below `/scim/v2/` where its SCIM API lives (GitHub's
    /// `enterprises/{enterprise}`), empty for most.
    pub scim_prefix: String,
    /// The base URL connectors use: the SCIM URL, or the vendor API's.
    pub api_url: String,
    /// `http://HOST/{tenant}`, below which its vendor APIs live.
    pub root_url: String,
    /// The tenant variables a connector needs to reach it (manifest examples, API URLs
    /// pointed at the sandbox).
    pub variables: BTreeMap<String, String>,
    /// The settings at start, restored by a reset.
    initial: (RateLimitConfig, Faults),
    /// The mutable state.
    state: Mutex<TenantState>,
}

/// What changes while a tenant runs.
#[derive(Debug)]
pub(crate) struct TenantState {
    /// Users and Groups.
    pub store: Store,
    /// The rate limit in force.
    pub rate_limit: RateLimitConfig,
    /// Its token bucket.
    pub bucket: Bucket,
    /// The faults in force.
    pub faults: FaultState,
    /// The counters.
    pub stats: Stats,
    /// The last requests.
    pub log: VecDeque<LogEntry>,
    /// Access tokens issued by the token endpoint, with their expiry.
    pub issued: HashMap<String, Instant>,
    /// The vendor API's data, for tenants emulating one.
    pub api: Option<VendorState>,
    /// Member additions per group this hour (vendors with an hourly budget).
    pub member_adds: MemberAddBudget,
}

impl Tenant {
    /// The tenant `spec` describes, served under `base_url` (`http://127.0.0.1:PORT`).
    pub(crate) fn new(spec: TenantSpec, base_url: &str) -> Self {
        let root = format!("{base_url}/{}", spec.name);
        let vendor = spec.manifest.and_then(Vendor::for_manifest);
        let mut variables: BTreeMap<String, String> = spec
            .manifest
            .map_or(&[][..], |m| m.variables)
            .iter()
            .map(|v| (v.name.to_owned(), v.example.to_owned()))
            .collect();
        if let Some(vendor) = vendor {
            vendor.set_variables(&root, &mut variables);
        }
        let scim_prefix = vendor
            .map(|v| v.scim_prefix(&variables))
            .unwrap_or_default();
        let scim_url = if scim_prefix.is_empty() {
            format!("{root}/scim/v2")
        } else {
            format!("{root}/scim/v2/{scim_prefix}")
        };
        let serves_scim = spec
            .manifest
            .is_none_or(|m| m.provisioning.protocol == Protocol::Scim2);
        let api_url = vendor
            .and_then(|v| v.base_url(&root))
            .unwrap_or_else(|| scim_url.clone());
        let api = spec
            .manifest
            .zip(vendor)
            .map(|(manifest, vendor)| vendor.new_state(manifest, &variables));
        let (rules, kind) = match spec.manifest {
            Some(manifest) => (
                Rules::from_manifest(manifest),
                AuthKind::from_manifest(&manifest.auth),
            ),
            None => (Rules::generic(), AuthKind::Bearer),
        };
        let token_url = matches!(kind, AuthKind::OAuth { .. })
            .then(|| format!("{base_url}/{}/oauth/token", spec.name));
        let (client_id, client_secret) = spec
            .client
            .clone()
            .unwrap_or_else(|| (random_token("client-"), random_token("secret-")));
        let auth = TenantAuth {
            kind,
            token: spec
                .token
                .clone()
                .unwrap_or_else(|| random_token("sandbox-")),
            client_id,
            client_secret,
            token_lifetime: spec.token_lifetime,
        };
        let store = Store::new(scim_url.clone());
        let limits = effective_limits(spec.manifest, &spec.rate_limit);
        let state = TenantState {
            store,
            rate_limit: spec.rate_limit,
            bucket: Bucket::new(limits),
            faults: FaultState::new(spec.faults),
            stats: Stats::default(),
            log: VecDeque::new(),
            issued: HashMap::new(),
            api,
            member_adds: MemberAddBudget::default(),
        };
        Self {
            name: spec.name,
            manifest: spec.manifest,
            admin_rules: rules.admin_view(),
            rules,
            group_rules: GroupRules::for_vendor(spec.manifest.map(|m| m.name)),
            extensions: spec.extensions,
            undeclared: spec.undeclared,
            auth,
            scim_url,
            token_url,
            vendor,
            serves_scim,
            scim_prefix,
            api_url,
            root_url: root,
            variables,
            initial: (spec.rate_limit, spec.faults),
            state: Mutex::new(state),
        }
    }

    /// The mutable state (a poisoned lock is taken over: the data stays usable).
    pub(crate) fn lock(&self) -> MutexGuard<'_, TenantState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Whether `token` is accepted: the tenant's token, or one its endpoint issued and
    /// that has not expired.
    pub(crate) fn token_ok(&self, token: &str) -> bool {
        if token == self.auth.token {
            return true;
        }
        let mut state = self.lock();
        let now = Instant::now();
        state.issued.retain(|_, expiry| *expiry > now);
        state.issued.contains_key(token)
    }

    /// Issues an access token; returns it.
    pub(crate) fn issue_token(&self) -> String {
        let token = random_token("access-");
        let mut state = self.lock();
        state
            .issued
            .insert(token.clone(), Instant::now() + self.auth.token_lifetime);
        state.stats.tokens_issued += 1;
        token
    }

    /// Replaces the rate limit (and refills the bucket).
    pub(crate) fn set_rate_limit(&self, config: RateLimitConfig) {
        let limits = effective_limits(self.manifest, &config);
        let mut state = self.lock();
        state.rate_limit = config;
        state.bucket = Bucket::new(limits);
    }

    /// Replaces the faults (and reseeds the generator).
    pub(crate) fn set_faults(&self, faults: Faults) {
        self.lock().faults = FaultState::new(faults);
    }

    /// Forgets all data, counters, the log and issued tokens, and restores the rate
    /// limit and faults of the start.
    pub(crate) fn reset(&self) {
        let (rate_limit, faults) = self.initial;
        let limits = effective_limits(self.manifest, &rate_limit);
        let mut state = self.lock();
        state.store.clear();
        state.rate_limit = rate_limit;
        state.bucket = Bucket::new(limits);
        state.faults = FaultState::new(faults);
        state.stats = Stats::default();
        state.log.clear();
        state.issued.clear();
        state.member_adds.clear();
        state.api = self
            .manifest
            .zip(self.vendor)
            .map(|(manifest, vendor)| vendor.new_state(manifest, &self.variables));
    }

    /// The budget in force.
    pub(crate) fn limits(&self) -> Option<Limits> {
        self.lock().bucket.limits()
    }
}

impl TenantState {
    /// Appends to the request log, dropping the oldest entry when full.
    pub(crate) fn record(&mut self, method: &str, path: String, status: u16) {
        if self.log.len() == LOG_CAPACITY {
            self.log.pop_front();
        }
        self.log.push_back(LogEntry {
            method: method.to_owned(),
            path,
            status,
        });
    }
}

/// The budget `config` gives a tenant emulating `manifest`.
fn effective_limits(manifest: Option<&Manifest>, config: &RateLimitConfig) -> Option<Limits> {
    match config.mode {
        RateLimitMode::Manifest => manifest
            .and_then(|m| m.provisioning.rate_limit)
            .map(Limits::from),
        RateLimitMode::Custom => config.limits,
        RateLimitMode::Off => None,
    }
}
