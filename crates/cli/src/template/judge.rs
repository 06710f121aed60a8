//! From a template's resources to findings, with rule-core's decision table.
//!
//! Each secret (and each secret RDS manages for a master user) becomes the same
//! [`SecretFacts`] the Lambda builds from AWS, once per combination of its key
//! expressions' alternatives; the keys the template creates become described customer
//! managed keys ([`KeyLookup::Described`], Disabled when `Enabled: false`) under their
//! synthetic ARNs, and an alias the template creates points at its key. rule-core's
//! [`decide`] then judges every combination and the worst wins. Nothing here knows a
//! row of the table: what is not known from the template is passed as a reference that
//! has no facts, which rule-core itself reports as unverifiable; the reason is then
//! replaced by the template's own (a parameter without Default, `Fn::ImportValue`, ...).

use super::expr::{ALIAS_TYPE, Alternative, Evaluator, KEY_TYPES, KeyNames, KeyValue};
use super::facts::{Facts, capitalize, described, lowercase_first, tags};
use super::limits::MAX_BRANCHES;
use super::model::{Resource, Template};
use super::node::{Node, Value};
use rule_core::{
    Compliance, Decision, KeyFacts, KeyLookup, KeyRef, KeyState, QualifiedKeyRef, ReplicaFacts,
    Row, RuleParameters, Scope, SecretFacts, Tag, decide, key_lookups_needed,
};
use std::collections::HashMap;

/// The resource type of a Secrets Manager secret.
pub const SECRET_TYPE: &str = "AWS::SecretsManager::Secret";
/// The RDS resource types whose managed master user secret is judged.
pub const RDS_TYPES: [&str; 2] = ["AWS::RDS::DBInstance", "AWS::RDS::DBCluster"];

/// A reference that names nothing: what a key not known from the template is passed to
/// rule-core as. Never looked up.
const NOT_KNOWN: &str = "alias/secrets-cmk-check-template-not-known";
/// A Region name that is none: a replica Region not known from the template.
const NO_REGION: &str = "not-known";

/// A replica's Region (`None` when set by an expression) and its key's alternatives.
type Replica = (Option<String>, Vec<Alternative>);

/// The verdict on one resource.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// The template file, as shown.
    pub template: String,
    /// The resource's logical id.
    pub logical_id: String,
    /// The resource's type.
    pub resource_type: String,
    /// The compliance; `None` when the template does not settle it.
    pub compliance: Option<Compliance>,
    /// The decision-table row that decided; `None` when unverified.
    pub row: Option<Row>,
    /// Why.
    pub reason: String,
    /// The 1-based line of the logical id.
    pub line: usize,
}

/// One combination of a subject's key alternatives, as rule-core facts.
#[derive(Debug, Clone)]
struct Case {
    secret: SecretFacts,
    notes: Vec<String>,
    /// Why parts of it are not known, when they are not.
    unknown: Vec<String>,
    /// The primary key is one the template creates.
    template_key: bool,
    /// Rendered references and how the template writes them, for the reason.
    shown: Vec<(String, String)>,
}

/// A resource to judge, with every combination to decide.
#[derive(Debug, Clone)]
pub struct Subject {
    logical_id: String,
    resource_type: String,
    line: usize,
    cases: Result<Vec<Case>, String>,
}

/// The judging of one template in one scope.
#[derive(Debug)]
pub struct Judge<'t, 'a> {
    template: &'t Template<'a>,
    names: KeyNames,
    known: HashMap<QualifiedKeyRef, KeyLookup>,
    resolve: bool,
    offline_region: Option<String>,
    /// Each synthetic key ARN and key id, and the words for it in a reason.
    key_words: Vec<(String, String)>,
}

impl<'t, 'a> Judge<'t, 'a> {
    /// Judge `template` as deployed in `scope`. `resolve`: keys not known from the
    /// template will be looked up (else they are unverifiable). `offline_region`: the
    /// placeholder Region of an offline scope, to say "the stack's Region" instead.
    pub fn new(
        template: &'t Template<'a>,
        scope: Scope,
        resolve: bool,
        offline_region: Option<String>,
    ) -> Judge<'t, 'a> {
        let names = KeyNames::new(scope);
        let mut judge = Judge {
            template,
            names,
            known: HashMap::new(),
            resolve,
            offline_region,
            key_words: Vec::new(),
        };
        judge.known = judge.template_keys();
        for resource in &template.resources {
            if KEY_TYPES.contains(&resource.resource_type) {
                let name = format!("{} (a key of this template)", resource.logical_id);
                judge
                    .key_words
                    .push((judge.names.key_arn(resource.index), name.clone()));
                judge
                    .key_words
                    .push((judge.names.key_id(resource.index), name));
            }
        }
        judge
    }

    /// The facts of the keys and aliases the template creates.
    fn template_keys(&self) -> HashMap<QualifiedKeyRef, KeyLookup> {
        let scope = self.names.scope();
        let mut known = HashMap::new();
        let mut by_arn: HashMap<String, KeyLookup> = HashMap::new();
        for resource in &self.template.resources {
            if !KEY_TYPES.contains(&resource.resource_type) {
                continue;
            }
            let arn = self.names.key_arn(resource.index);
            let lookup = match resource.property("Enabled").map(|n| &n.value) {
                None | Some(Value::Bool(true)) => described(&arn, KeyState::Enabled),
                Some(Value::Bool(false)) => described(&arn, KeyState::Disabled),
                Some(Value::Text(text)) if text.eq_ignore_ascii_case("true") => {
                    described(&arn, KeyState::Enabled)
                }
                Some(Value::Text(text)) if text.eq_ignore_ascii_case("false") => {
                    described(&arn, KeyState::Disabled)
                }
                Some(_) => KeyLookup::Failed {
                    reason: format!(
                        "whether key {} is Enabled is set by an expression",
                        resource.logical_id
                    ),
                },
            };
            if let Ok(key) = KeyRef::parse(&arn) {
                known.insert(key.qualify(scope), lookup.clone());
            }
            by_arn.insert(arn, lookup);
        }
        let evaluator = Evaluator::new(self.template, &self.names);
        for resource in &self.template.resources {
            if resource.resource_type != ALIAS_TYPE {
                continue;
            }
            let Some(alias) = resource.property("AliasName").and_then(Node::as_text) else {
                continue;
            };
            let target = evaluator.key(resource.property("TargetKeyId"));
            if let [
                Alternative {
                    value: KeyValue::Text { value, .. },
                    ..
                },
            ] = target.as_slice()
                && let Some(lookup) = by_arn.get(value)
                && let Ok(alias) = KeyRef::parse(alias)
                && alias.is_alias()
                && !alias.is_aws_managed_alias()
            {
                known.insert(alias.qualify(scope), lookup.clone());
            }
        }
        known
    }

    /// Every resource to judge, in file order.
    pub fn subjects(&self, params: &RuleParameters) -> Vec<Subject> {
        let evaluator = Evaluator::new(self.template, &self.names);
        self.template
            .resources
            .iter()
            .filter_map(|resource| self.subject(resource, &evaluator, params))
            .collect()
    }

    fn subject(
        &self,
        resource: &Resource<'a>,
        evaluator: &Evaluator<'_, 'a>,
        params: &RuleParameters,
    ) -> Option<Subject> {
        let subject = |cases| Subject {
            logical_id: resource.logical_id.to_owned(),
            resource_type: resource.resource_type.to_owned(),
            line: resource.line,
            cases,
        };
        if resource.resource_type == SECRET_TYPE {
            let primary = evaluator.key(resource.property("KmsKeyId"));
            let replicas = Judge::replicas(resource, evaluator, params);
            let tags = tags(resource.property("Tags"));
            return Some(subject(self.cases(resource, primary, replicas, tags, None)));
        }
        if RDS_TYPES.contains(&resource.resource_type) {
            let managed = resource.property("ManageMasterUserPassword");
            match managed.map(|n| &n.value) {
                None | Some(Value::Bool(false) | Value::Null) => return None,
                Some(Value::Bool(true)) => {}
                Some(Value::Text(text)) if text.eq_ignore_ascii_case("false") => return None,
                Some(Value::Text(text)) if text.eq_ignore_ascii_case("true") => {}
                Some(_) => {
                    return Some(subject(Err(
                        "whether RDS manages the master user password (ManageMasterUserPassword) \
                         is set by an expression"
                            .to_owned(),
                    )));
                }
            }
            let key = resource
                .property("MasterUserSecret")
                .and_then(|secret| secret.get("KmsKeyId"));
            let primary = evaluator.key(key);
            return Some(subject(self.cases(
                resource,
                primary,
                Ok(Vec::new()),
                Vec::new(),
                Some("rds"),
            )));
        }
        None
    }

    /// Each `ReplicaRegions` entry: its Region and its key's alternatives.
    fn replicas(
        resource: &Resource<'a>,
        evaluator: &Evaluator<'_, 'a>,
        params: &RuleParameters,
    ) -> Result<Vec<Replica>, String> {
        let Some(node) = resource.property("ReplicaRegions") else {
            return Ok(Vec::new());
        };
        if !params.check_replicas {
            return Ok(Vec::new());
        }
        let Some(items) = node.as_seq() else {
            return Err("ReplicaRegions is set by an expression".to_owned());
        };
        Ok(items
            .iter()
            .map(|item| {
                let region = item
                    .get("Region")
                    .and_then(Node::as_text)
                    .map(str::to_owned);
                (region, evaluator.key(item.get("KmsKeyId")))
            })
            .collect())
    }

    /// Every combination of the primary's and the replicas' alternatives, as facts.
    fn cases(
        &self,
        resource: &Resource<'a>,
        primary: Vec<Alternative>,
        replicas: Result<Vec<Replica>, String>,
        tags: Vec<Tag>,
        owning_service: Option<&str>,
    ) -> Result<Vec<Case>, String> {
        let replicas = replicas?;
        let count = replicas.iter().try_fold(primary.len(), |n, (_, alts)| {
            n.checked_mul(alts.len()).filter(|&n| n <= MAX_BRANCHES)
        });
        if count.is_none() {
            return Err(format!(
                "more than {MAX_BRANCHES} combinations of Fn::If alternatives"
            ));
        }
        let scope = self.names.scope().clone();
        let mut combinations: Vec<Vec<&Alternative>> = primary.iter().map(|a| vec![a]).collect();
        for (_, alternatives) in &replicas {
            combinations = combinations
                .into_iter()
                .flat_map(|done| {
                    alternatives.iter().map(move |a| {
                        let mut next = done.clone();
                        next.push(a);
                        next
                    })
                })
                .collect();
        }
        let arn = format!(
            "arn:{}:secretsmanager:{}:{}:secret:{}",
            scope.partition, scope.region, scope.account, resource.logical_id
        );
        Ok(combinations
            .into_iter()
            .map(|combination| {
                let mut unknown = Vec::new();
                let mut notes = Vec::new();
                let mut shown = Vec::new();
                for alternative in &combination {
                    if let KeyValue::Text {
                        value,
                        shown: written,
                    } = &alternative.value
                        && value != written
                        && !self.is_template_key(value, &scope)
                    {
                        shown.push((value.clone(), written.clone()));
                    }
                }
                let first = combination[0];
                notes.extend(first.notes.iter().cloned());
                let kms_key_id = self.for_rule_core(&first.value, &scope, &mut unknown, "");
                let template_key = kms_key_id
                    .as_deref()
                    .is_some_and(|key| self.is_template_key(key, &scope));
                let replica_facts = replicas
                    .iter()
                    .zip(&combination[1..])
                    .map(|((region, _), alternative)| {
                        let region = match region {
                            Some(region) => region.clone(),
                            None => {
                                unknown
                                    .push("a replica's Region is set by an expression".to_owned());
                                NO_REGION.to_owned()
                            }
                        };
                        notes.extend(
                            alternative
                                .notes
                                .iter()
                                .map(|n| format!("replica in {region}: {n}")),
                        );
                        let kms_key_id = self.for_rule_core(
                            &alternative.value,
                            &scope.in_region(&region),
                            &mut unknown,
                            &format!("replica in {region}: "),
                        );
                        ReplicaFacts {
                            region,
                            kms_key_id,
                            status: None,
                        }
                    })
                    .collect();
                Case {
                    secret: SecretFacts {
                        arn: arn.clone(),
                        resource_id: arn.clone(),
                        name: resource.logical_id.to_owned(),
                        scope: scope.clone(),
                        kms_key_id,
                        deleted_date: None,
                        owning_service: owning_service.map(str::to_owned),
                        tags: tags.clone(),
                        replicas: Some(replica_facts),
                    },
                    notes,
                    unknown,
                    template_key,
                    shown,
                }
            })
            .collect())
    }

    /// What rule-core is given for one key alternative in `scope`.
    fn for_rule_core(
        &self,
        value: &KeyValue,
        scope: &Scope,
        unknown: &mut Vec<String>,
        prefix: &str,
    ) -> Option<String> {
        match value {
            KeyValue::Absent => None,
            KeyValue::Unknown(reason) => {
                unknown.push(format!("{prefix}{reason}"));
                Some(NOT_KNOWN.to_owned())
            }
            KeyValue::Text { value, shown } => {
                let Ok(key) = KeyRef::parse(value) else {
                    // rule-core says why it cannot be read.
                    return Some(value.clone());
                };
                if key.is_aws_managed_alias()
                    || self.known.contains_key(&key.qualify(scope))
                    || self.resolve
                {
                    return Some(value.clone());
                }
                unknown.push(format!(
                    "{prefix}KmsKeyId {shown} names a key of the account the template is \
                     deployed to, which the template does not show: not verifiable offline \
                     (--resolve looks it up)"
                ));
                Some(NOT_KNOWN.to_owned())
            }
        }
    }

    fn is_template_key(&self, key: &str, scope: &Scope) -> bool {
        KeyRef::parse(key).is_ok_and(|key| self.known.contains_key(&key.qualify(scope)))
    }

    /// The DescribeKey lookups the subjects need: never a key of the template, never the
    /// placeholder of an unknown key, and (rule-core's own rule) never a key of an
    /// untrusted account or another Region.
    pub fn lookups(&self, subjects: &[Subject], params: &RuleParameters) -> Vec<QualifiedKeyRef> {
        let mut needed = Vec::new();
        for subject in subjects {
            for case in subject.cases.iter().flatten() {
                for key in key_lookups_needed(&case.secret, params) {
                    let placeholder = key.as_str().ends_with(NOT_KNOWN);
                    if !placeholder && !self.known.contains_key(&key) && !needed.contains(&key) {
                        needed.push(key);
                    }
                }
            }
        }
        needed
    }

    /// The finding on one subject, deciding each case with rule-core.
    pub fn finding(
        &self,
        subject: &Subject,
        params: &RuleParameters,
        looked_up: &dyn KeyFacts,
        template: &str,
    ) -> Finding {
        let facts = Facts {
            known: &self.known,
            looked_up,
        };
        let (compliance, row, reason) = match &subject.cases {
            Err(reason) => (None, None, format!("not verified: {reason}")),
            Ok(cases) => {
                let mut worst: Option<(u8, Option<Compliance>, Option<Row>, String)> = None;
                for case in cases {
                    let (compliance, row, reason) = self.decide_case(case, params, &facts);
                    let rank = match compliance {
                        Some(Compliance::NonCompliant) => 3,
                        None => 2,
                        Some(Compliance::Compliant) => 1,
                        Some(Compliance::NotApplicable) => 0,
                    };
                    if worst.as_ref().is_none_or(|(r, ..)| rank > *r) {
                        worst = Some((rank, compliance, row, reason));
                    }
                }
                match worst {
                    Some((_, compliance, row, reason)) => (compliance, row, reason),
                    None => (
                        None,
                        None,
                        "not verified: no alternative to judge".to_owned(),
                    ),
                }
            }
        };
        Finding {
            template: template.to_owned(),
            logical_id: subject.logical_id.clone(),
            resource_type: subject.resource_type.clone(),
            compliance,
            row,
            reason,
            line: subject.line,
        }
    }

    fn decide_case(
        &self,
        case: &Case,
        params: &RuleParameters,
        facts: &dyn KeyFacts,
    ) -> (Option<Compliance>, Option<Row>, String) {
        let lead = match case.notes.as_slice() {
            [] => String::new(),
            notes => format!("{}: ", notes.join(", ")),
        };
        let with_lead = |text: &str| {
            let text = self.readable(text, &case.shown);
            if lead.is_empty() {
                text
            } else {
                capitalize(&format!("{lead}{}", lowercase_first(&text)))
            }
        };
        match decide(&case.secret, params, facts) {
            Decision::Verdict(verdict) if verdict.row == Row::NotApproved && case.template_key => (
                None,
                None,
                format!(
                    "not verified: {lead}the key is created by this template, so its ARN is \
                     known only after deployment and whether it is one of kmsKeyArns cannot be \
                     told; approve it by an alias the template creates"
                ),
            ),
            Decision::Verdict(verdict) => (
                Some(verdict.compliance),
                Some(verdict.row),
                with_lead(verdict.annotation.as_str()),
            ),
            Decision::Unverifiable { reason } => {
                let reason = if case.unknown.is_empty() {
                    self.readable(&reason, &case.shown)
                } else {
                    case.unknown.join("; ")
                };
                (
                    None,
                    None,
                    format!("not verified: {lead}{}", lowercase_first(&reason)),
                )
            }
        }
    }

    /// rule-core's text with the template's own words: rendered references as written
    /// (`shown`), its keys by logical id, the placeholder Region as the stack's.
    fn readable(&self, text: &str, shown: &[(String, String)]) -> String {
        let mut text = text.to_owned();
        for (value, written) in shown {
            text = text.replace(value, written);
        }
        for (synthetic, name) in &self.key_words {
            text = text.replace(synthetic, name);
        }
        if let Some(region) = &self.offline_region {
            text = text.replace(&format!("Region {region}"), "the stack's Region");
        }
        text
    }
}
