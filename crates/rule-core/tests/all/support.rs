//! Builders and a recording key-facts double shared by the tests.

use std::cell::RefCell;
use std::collections::HashMap;

use rule_core::{
    Decision, KeyDescription, KeyFacts, KeyLookup, KeyManager, KeyRef, KeyState, QualifiedKeyRef,
    ReplicaFacts, RuleParameters, Scope, SecretFacts, Tag, Verdict, decide, key_lookups_needed,
};

pub(crate) const ACCOUNT: &str = "111122223333";
pub(crate) const OTHER_ACCOUNT: &str = "444455556666";
pub(crate) const REGION: &str = "us-east-1";
pub(crate) const REPLICA_REGION: &str = "eu-west-1";
pub(crate) const KEY_ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";
pub(crate) const OTHER_KEY_ID: &str = "0987dcba-09ba-87dc-65fe-abcdef012345";
pub(crate) const SECRET_ARN: &str =
    "arn:aws:secretsmanager:us-east-1:111122223333:secret:app/db-AbCdEf";

pub(crate) fn key_arn(region: &str, account: &str, key_id: &str) -> String {
    format!("arn:aws:kms:{region}:{account}:key/{key_id}")
}

pub(crate) fn alias_arn(region: &str, account: &str, alias: &str) -> String {
    format!("arn:aws:kms:{region}:{account}:{alias}")
}

/// The customer managed key the happy-path secrets use.
pub(crate) fn cmk_arn() -> String {
    key_arn(REGION, ACCOUNT, KEY_ID)
}

pub(crate) fn scope() -> Scope {
    Scope::from_secret_arn(SECRET_ARN).unwrap()
}

/// A live secret in us-east-1 on the default key, with no replicas.
pub(crate) fn secret() -> SecretFacts {
    SecretFacts {
        arn: SECRET_ARN.to_owned(),
        resource_id: SECRET_ARN.to_owned(),
        name: "app/db".to_owned(),
        scope: scope(),
        kms_key_id: None,
        deleted_date: None,
        owning_service: None,
        tags: vec![Tag::new("team", "payments")],
        replicas: Some(vec![]),
    }
}

pub(crate) fn secret_with_key(key: &str) -> SecretFacts {
    SecretFacts {
        kms_key_id: Some(key.to_owned()),
        ..secret()
    }
}

/// A secret on `key` with these replicas.
pub(crate) fn with_replicas(key: &str, replicas: Vec<ReplicaFacts>) -> SecretFacts {
    SecretFacts {
        replicas: Some(replicas),
        ..secret_with_key(key)
    }
}

pub(crate) fn replica(region: &str, key: Option<&str>) -> ReplicaFacts {
    ReplicaFacts {
        region: region.to_owned(),
        kms_key_id: key.map(str::to_owned),
        status: Some("InSync".to_owned()),
    }
}

pub(crate) fn described(arn: &str, manager: KeyManager, state: KeyState) -> KeyLookup {
    KeyLookup::Described(KeyDescription {
        arn: arn.to_owned(),
        manager,
        state,
    })
}

pub(crate) fn cmk(arn: &str) -> KeyLookup {
    described(arn, KeyManager::Customer, KeyState::Enabled)
}

/// DescribeKey results with the happy-path key only: `cmk_arn()`, customer managed and
/// enabled.
pub(crate) fn cmk_keys() -> Keys {
    Keys::new().with(&cmk_arn(), cmk(&cmk_arn()))
}

pub(crate) fn params() -> RuleParameters {
    RuleParameters::default()
}

pub(crate) fn approving(keys: &[&str]) -> RuleParameters {
    RuleParameters {
        approved_keys: Some(keys.iter().map(|k| KeyRef::parse(k).unwrap()).collect()),
        ..RuleParameters::default()
    }
}

/// `exemptionTagKey` and `executionRoleName` as read, to compare at once.
pub(crate) fn optional_names(params: &RuleParameters) -> (Option<&str>, Option<&str>) {
    (
        params.exemption_tag_key.as_deref(),
        params.execution_role_name.as_deref(),
    )
}

/// The default parameters with `allowedKeyAccounts` set to `accounts`.
pub(crate) fn allowing(accounts: &str) -> RuleParameters {
    RuleParameters::from_pairs([("allowedKeyAccounts", accounts)]).unwrap()
}

/// A reference qualified in `scope`, as the caller would look it up.
pub(crate) fn qualified(reference: &str, scope: &Scope) -> QualifiedKeyRef {
    KeyRef::parse(reference).unwrap().qualify(scope)
}

/// DescribeKey results by reference that record what was asked, and refuse (panic on)
/// `alias/aws/*`: the rule must never describe it.
#[derive(Default)]
pub(crate) struct Keys {
    results: HashMap<QualifiedKeyRef, KeyLookup>,
    asked: RefCell<Vec<QualifiedKeyRef>>,
}

impl Keys {
    pub(crate) fn new() -> Keys {
        Keys::default()
    }

    /// A result for `reference` qualified in the secret's own scope.
    pub(crate) fn with(self, reference: &str, lookup: KeyLookup) -> Keys {
        self.with_in(reference, &scope(), lookup)
    }

    /// A result for `reference` qualified in `scope`.
    pub(crate) fn with_in(mut self, reference: &str, scope: &Scope, lookup: KeyLookup) -> Keys {
        self.results.insert(qualified(reference, scope), lookup);
        self
    }

    pub(crate) fn asked(&self) -> Vec<QualifiedKeyRef> {
        self.asked.borrow().clone()
    }
}

impl KeyFacts for Keys {
    fn lookup(&self, key: &QualifiedKeyRef) -> Option<&KeyLookup> {
        assert!(
            !key.is_aws_managed_alias(),
            "the rule asked about AWS managed alias {key}"
        );
        self.asked.borrow_mut().push(key.clone());
        self.results.get(key)
    }
}

/// `decide`, checking that it only asks for lookups `key_lookups_needed` announced.
pub(crate) fn decide_checked(
    secret: &SecretFacts,
    params: &RuleParameters,
    keys: &Keys,
) -> Decision {
    let needed = key_lookups_needed(secret, params);
    let decision = decide(secret, params, keys);
    for asked in keys.asked() {
        assert!(
            needed.contains(&asked),
            "decide asked for {asked}, which key_lookups_needed did not announce: {needed:?}"
        );
    }
    decision
}

pub(crate) fn verdict_of(decision: Decision) -> Verdict {
    match decision {
        Decision::Verdict(verdict) => verdict,
        Decision::Unverifiable { reason } => {
            panic!("expected a verdict, got unverifiable: {reason}")
        }
    }
}

pub(crate) fn unverifiable_reason(decision: Decision) -> String {
    match decision {
        Decision::Unverifiable { reason } => reason,
        Decision::Verdict(verdict) => panic!("expected unverifiable, got {verdict:?}"),
    }
}
