//! A running tenant: its fixed behaviour and credentials, and its mutable state (data,
//! rate limit, faults, counters, request log, issued tokens) behind one lock.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use connector_sdk::Manifest;
use serde::Serialize;

use super::auth::{AuthKind, TenantAuth, random_token};
use super::faults::{FaultState, Stats};
use super::limiter::Bucket;
use super::rules::Rules;
use crate::config::{Faults, Limits, RateLimitConfig, RateLimitMode};
use crate::store::Store;
use crate::tenant_spec::TenantSpec;

/// How many requests the log keeps.
const LOG_CAPACITY: usize = 1000;

/// One request as the tenant saw it.
#[derive(Debug, Clone, Serialize)]
pub struct LogEntry {
    /// The HTTP method.
    pub method: String,
    /// The path below the tenant's SCIM base (`/Users/42`), with the query.
    pub path: String,
    /// The status answered; 0 when the connection was dropped.
    pub status: u16,
}

/// A running tenant.
#[derive(Debug)]
pub struct Tenant {
    /// The tenant's name (first path segment).
    pub name: String,
    /// The manifest it emulates; `None` for a generic tenant.
    pub manifest: Option<&'static Manifest>,
    /// Its SCIM behaviour.
    pub rules: Rules,
    /// The behaviour of its admin view.
    pub admin_rules: Rules,
    /// The User extension URNs it accepts.
    pub extensions: Vec<String>,
    /// Its credentials.
    pub auth: TenantAuth,
    /// Its SCIM base URL.
    pub scim_url: String,
    /// Its OAuth token endpoint, for OAuth tenants.
    pub token_url: Option<String>,
    /// The settings at start, restored by a reset.
    initial: (RateLimitConfig, Faults),
    /// The mutable state.
    state: Mutex<TenantState>,
}

/// What changes while a tenant runs.
#[derive(Debug)]
pub struct TenantState {
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
}

impl Tenant {
    /// The tenant `spec` describes, served under `base_url` (`http://127.0.0.1:PORT`).
    pub fn new(spec: TenantSpec, base_url: &str) -> Self {
        let scim_url = format!("{base_url}/{}/scim/v2", spec.name);
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
        };
        Self {
            name: spec.name,
            manifest: spec.manifest,
            admin_rules: rules.admin_view(),
            rules,
            extensions: spec.extensions,
            auth,
            scim_url,
            token_url,
            initial: (spec.rate_limit, spec.faults),
            state: Mutex::new(state),
        }
    }

    /// The mutable state (a poisoned lock is taken over: the data stays usable).
    pub fn lock(&self) -> MutexGuard<'_, TenantState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Whether `token` is accepted: the tenant's token, or one its endpoint issued and
    /// that has not expired.
    pub fn token_ok(&self, token: &str) -> bool {
        if token == self.auth.token {
            return true;
        }
        let mut state = self.lock();
        let now = Instant::now();
        state.issued.retain(|_, expiry| *expiry > now);
        state.issued.contains_key(token)
    }

    /// Issues an access token; returns it.
    pub fn issue_token(&self) -> String {
        let token = random_token("access-");
        let mut state = self.lock();
        state
            .issued
            .insert(token.clone(), Instant::now() + self.auth.token_lifetime);
        state.stats.tokens_issued += 1;
        token
    }

    /// Replaces the rate limit (and refills the bucket).
    pub fn set_rate_limit(&self, config: RateLimitConfig) {
        let limits = effective_limits(self.manifest, &config);
        let mut state = self.lock();
        state.rate_limit = config;
        state.bucket = Bucket::new(limits);
    }

    /// Replaces the faults (and reseeds the generator).
    pub fn set_faults(&self, faults: Faults) {
        self.lock().faults = FaultState::new(faults);
    }

    /// Forgets all data, counters, the log and issued tokens, and restores the rate
    /// limit and faults of the start.
    pub fn reset(&self) {
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
    }

    /// The budget in force.
    pub fn limits(&self) -> Option<Limits> {
        self.lock().bucket.limits()
    }
}

impl TenantState {
    /// Appends to the request log, dropping the oldest entry when full.
    pub fn record(&mut self, method: &str, path: String, status: u16) {
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
