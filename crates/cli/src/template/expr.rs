//! What a key expression of a template can be: `KmsKeyId`'s value, followed through
//! `Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::Join`, `Fn::If`, `Fn::FindInMap` and parameter
//! defaults, as far as the template itself tells.
//!
//! The result is every alternative (each `Fn::If` branch is one; the worst is what
//! counts), each a key reference as text, no key (the default key), or unknown with the
//! reason. A key the template creates is written as its [synthetic ARN](KeyNames): a key
//! ARN in the stack's scope that rule-core then sees as a described customer managed
//! key, so the decision stays rule-core's.

use super::limits::{MAX_BRANCHES, MAX_REFERENCE_DEPTH};
use super::model::{SubPart, Template, get_att, sub_parts};
use super::node::{Node, Value};
use rule_core::Scope;

/// Resource types whose `Ref` and `Fn::GetAtt` (`Arn`, `KeyId`) are a customer managed
/// KMS key in the stack's account and Region.
pub const KEY_TYPES: [&str; 2] = ["AWS::KMS::Key", "AWS::KMS::ReplicaKey"];

/// `AWS::KMS::Alias`: its `Ref` is its `AliasName`, pointing at its `TargetKeyId`.
pub const ALIAS_TYPE: &str = "AWS::KMS::Alias";

/// What one alternative of a key expression is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyValue {
    /// No key: the default key aws/secretsmanager.
    Absent,
    /// A key reference, fully rendered: `value` for rule-core, `shown` for people
    /// (pseudo parameters and the template's keys as written).
    Text {
        /// What rule-core judges.
        value: String,
        /// What the reason shows.
        shown: String,
    },
    /// Not known from the template.
    Unknown(String),
}

/// One alternative and how it was reached (`if condition C is false`, `the Default of
/// parameter P`), for the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alternative {
    /// The value.
    pub value: KeyValue,
    /// How it was reached, outermost first.
    pub notes: Vec<String>,
}

impl Alternative {
    fn new(value: KeyValue) -> Alternative {
        Alternative {
            value,
            notes: Vec::new(),
        }
    }

    fn unknown(reason: impl Into<String>) -> Alternative {
        Alternative::new(KeyValue::Unknown(reason.into()))
    }

    fn noted(mut self, note: &str) -> Alternative {
        self.notes.insert(0, note.to_owned());
        self
    }
}

/// The synthetic identities of the template's keys in one scope: key `i` of the template
/// is `arn:PARTITION:kms:REGION:ACCOUNT:key/00000000-0000-4000-8000-{i:012x}`.
#[derive(Debug, Clone)]
pub struct KeyNames {
    scope: Scope,
}

impl KeyNames {
    /// Names in `scope`, the stack's.
    pub fn new(scope: Scope) -> KeyNames {
        KeyNames { scope }
    }

    /// The scope.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// The synthetic key id of resource `index`.
    pub fn key_id(&self, index: usize) -> String {
        format!("00000000-0000-4000-8000-{index:012x}")
    }

    /// The synthetic key ARN of resource `index`.
    pub fn key_arn(&self, index: usize) -> String {
        format!(
            "arn:{}:kms:{}:{}:key/{}",
            self.scope.partition,
            self.scope.region,
            self.scope.account,
            self.key_id(index)
        )
    }
}

/// A rendered text: what rule-core judges, what the reason shows, how it was reached.
type Rendered = (String, String, Vec<String>);

/// Evaluates key expressions of one template.
#[derive(Debug)]
pub struct Evaluator<'t, 'a> {
    template: &'t Template<'a>,
    names: &'t KeyNames,
}

impl<'t, 'a> Evaluator<'t, 'a> {
    /// An evaluator for `template`, naming its keys with `names`.
    pub fn new(template: &'t Template<'a>, names: &'t KeyNames) -> Evaluator<'t, 'a> {
        Evaluator { template, names }
    }

    /// Every alternative of a key expression (`None`: the property is absent).
    pub fn key(&self, node: Option<&Node>) -> Vec<Alternative> {
        let Some(node) = node else {
            return vec![Alternative::new(KeyValue::Absent)];
        };
        let alternatives = self.eval(node, 0);
        if alternatives.len() > MAX_BRANCHES {
            return vec![Alternative::unknown(format!(
                "the key expression has more than {MAX_BRANCHES} Fn::If alternatives"
            ))];
        }
        alternatives
    }

    fn eval(&self, node: &Node, depth: usize) -> Vec<Alternative> {
        if depth > MAX_REFERENCE_DEPTH {
            return vec![Alternative::unknown(format!(
                "references nested deeper than {MAX_REFERENCE_DEPTH}"
            ))];
        }
        match &node.value {
            Value::Null => vec![Alternative::new(KeyValue::Absent)],
            Value::Text(text) if text.is_empty() => vec![Alternative::new(KeyValue::Absent)],
            Value::Bool(_) | Value::Text(_) => {
                let text = node.as_text().unwrap_or_default().to_owned();
                vec![Alternative::new(KeyValue::Text {
                    value: text.clone(),
                    shown: text,
                })]
            }
            Value::Seq(_) => vec![Alternative::unknown("a list is not a KMS key")],
            Value::Map(_) => self.eval_function(node, depth),
        }
    }

    fn eval_function(&self, node: &Node, depth: usize) -> Vec<Alternative> {
        let Some(entry) = node.single_entry() else {
            return vec![Alternative::unknown("a mapping is not a KMS key")];
        };
        let arg = &entry.node;
        match entry.key.as_str() {
            "Ref" => match arg.as_text() {
                Some(name) => self.eval_ref(name, depth),
                None => vec![Alternative::unknown("Ref of something that is not a name")],
            },
            "Fn::GetAtt" => match get_att(arg) {
                Some((resource, attribute)) => self.eval_get_att(resource, attribute),
                None => vec![Alternative::unknown(
                    "Fn::GetAtt without a resource and attribute",
                )],
            },
            "Fn::If" => match arg.as_seq() {
                Some([condition, yes, no]) => {
                    let condition = condition.as_text().unwrap_or("?");
                    let mut all: Vec<Alternative> = self
                        .eval(yes, depth + 1)
                        .into_iter()
                        .map(|a| a.noted(&format!("if condition {condition} is true")))
                        .collect();
                    all.extend(
                        self.eval(no, depth + 1)
                            .into_iter()
                            .map(|a| a.noted(&format!("if condition {condition} is false"))),
                    );
                    // Bounded at every level, so nested Fn::If never grows past the limit.
                    if all.len() > MAX_BRANCHES {
                        return vec![Alternative::unknown(format!(
                            "the key expression has more than {MAX_BRANCHES} Fn::If alternatives"
                        ))];
                    }
                    all
                }
                _ => vec![Alternative::unknown(
                    "Fn::If without [condition, then, else]",
                )],
            },
            "Fn::FindInMap" => match arg.as_seq() {
                Some([map, first, second]) => {
                    match (map.as_text(), first.as_text(), second.as_text()) {
                        (Some(map), Some(first), Some(second)) => {
                            match self.template.mapping(map, first, second) {
                                Some(value) => self
                                    .eval(value, depth + 1)
                                    .into_iter()
                                    .map(|a| {
                                        a.noted(&format!("from mapping {map}.{first}.{second}"))
                                    })
                                    .collect(),
                                None => vec![Alternative::unknown(format!(
                                    "mapping {map}.{first}.{second} is not in the template"
                                ))],
                            }
                        }
                        _ => vec![Alternative::unknown(
                            "Fn::FindInMap with keys known only at deployment",
                        )],
                    }
                }
                _ => vec![Alternative::unknown("Fn::FindInMap without three names")],
            },
            "Fn::ImportValue" => vec![Alternative::unknown(
                "Fn::ImportValue: the exported value is known only in the deployed account",
            )],
            "Fn::Sub" | "Fn::Join" => match self.render(node, depth) {
                Ok(texts) => texts
                    .into_iter()
                    .map(|(value, shown, notes)| {
                        let value = if value.is_empty() {
                            KeyValue::Absent
                        } else {
                            KeyValue::Text { value, shown }
                        };
                        Alternative { value, notes }
                    })
                    .collect(),
                Err(reason) => vec![Alternative::unknown(reason)],
            },
            other => vec![Alternative::unknown(format!(
                "{} cannot be evaluated from the template",
                bounded(other)
            ))],
        }
    }

    fn eval_ref(&self, name: &str, depth: usize) -> Vec<Alternative> {
        if name == "AWS::NoValue" {
            return vec![Alternative::new(KeyValue::Absent)];
        }
        if let Some(value) = self.pseudo(name) {
            return vec![Alternative::new(KeyValue::Text {
                value,
                shown: format!("${{{name}}}"),
            })];
        }
        if let Some(parameter) = self.template.parameter(name) {
            let kind = parameter
                .get("Type")
                .and_then(Node::as_text)
                .unwrap_or("String");
            if kind.starts_with("AWS::SSM::Parameter::Value") {
                return vec![Alternative::unknown(format!(
                    "parameter {name} is read from SSM Parameter Store at deployment"
                ))];
            }
            return match parameter.get("Default") {
                Some(default) => self
                    .eval(default, depth + 1)
                    .into_iter()
                    .map(|a| a.noted(&format!("judged by the Default of parameter {name}")))
                    .collect(),
                None => vec![Alternative::unknown(format!(
                    "parameter {name} has no Default: its value is given at deployment"
                ))],
            };
        }
        let Some(resource) = self.template.resource(name) else {
            return vec![Alternative::unknown(format!(
                "{} is neither a parameter nor a resource of this template",
                bounded(name)
            ))];
        };
        if KEY_TYPES.contains(&resource.resource_type) {
            return vec![self.template_key(resource.index, name)];
        }
        if resource.resource_type == ALIAS_TYPE {
            if let Some(alias) = resource.property("AliasName").and_then(Node::as_text)
                && alias.starts_with("alias/aws/")
            {
                return vec![Alternative::new(KeyValue::Text {
                    value: alias.to_owned(),
                    shown: alias.to_owned(),
                })];
            }
            return self
                .eval(
                    resource.property("TargetKeyId").unwrap_or(&Node {
                        value: Value::Null,
                        line: resource.line,
                    }),
                    depth + 1,
                )
                .into_iter()
                .map(|alternative| match alternative.value {
                    // An alias without a target is refused by CloudFormation.
                    KeyValue::Absent => {
                        Alternative::unknown(format!("alias {name} has no TargetKeyId"))
                    }
                    _ => alternative.noted(&format!("through alias {name}")),
                })
                .collect();
        }
        vec![Alternative::unknown(format!(
            "{name} is a {}, not a KMS key",
            resource.resource_type
        ))]
    }

    fn eval_get_att(&self, resource: &str, attribute: &str) -> Vec<Alternative> {
        match self.template.resource(resource) {
            Some(found)
                if KEY_TYPES.contains(&found.resource_type)
                    && matches!(attribute, "Arn" | "KeyId") =>
            {
                vec![self.template_key(found.index, resource)]
            }
            Some(found) => vec![Alternative::unknown(format!(
                "{resource}.{attribute} of a {} is not a KMS key",
                found.resource_type
            ))],
            None => vec![Alternative::unknown(format!(
                "{} is not a resource of this template",
                bounded(resource)
            ))],
        }
    }

    fn template_key(&self, index: usize, name: &str) -> Alternative {
        Alternative::new(KeyValue::Text {
            value: self.names.key_arn(index),
            shown: name.to_owned(),
        })
    }

    fn pseudo(&self, name: &str) -> Option<String> {
        let scope = self.names.scope();
        match name {
            "AWS::Region" => Some(scope.region.clone()),
            "AWS::AccountId" => Some(scope.account.clone()),
            "AWS::Partition" => Some(scope.partition.clone()),
            "AWS::URLSuffix" => Some(if scope.partition == "aws-cn" {
                "amazonaws.com.cn".to_owned()
            } else {
                "amazonaws.com".to_owned()
            }),
            _ => None,
        }
    }

    /// The texts a `Fn::Sub`, `Fn::Join` or scalar renders to: (value, shown, notes).
    fn render(&self, node: &Node, depth: usize) -> Result<Vec<Rendered>, String> {
        if depth > MAX_REFERENCE_DEPTH {
            return Err(format!(
                "references nested deeper than {MAX_REFERENCE_DEPTH}"
            ));
        }
        if let Some(text) = node.as_text() {
            return Ok(vec![(text.to_owned(), text.to_owned(), Vec::new())]);
        }
        let Some(entry) = node.single_entry() else {
            return Err("a value that is not text".to_owned());
        };
        let arg = &entry.node;
        let pieces: Vec<Vec<Rendered>> = match entry.key.as_str() {
            "Fn::Sub" => {
                let (text, variables) = match &arg.value {
                    Value::Seq(items) => match items.as_slice() {
                        [text, variables] => (text.as_text(), Some(variables)),
                        _ => (None, None),
                    },
                    _ => (arg.as_text(), None),
                };
                let text = text.ok_or("Fn::Sub without a string")?;
                let mut pieces = Vec::new();
                for part in sub_parts(text) {
                    pieces.push(match part {
                        SubPart::Text(text) => vec![(text.clone(), text, Vec::new())],
                        SubPart::Var(var) => match variables.and_then(|v| v.get(var)) {
                            Some(value) => self.render(value, depth + 1)?,
                            None => self.render_variable(var, depth)?,
                        },
                    });
                }
                pieces
            }
            "Fn::Join" => {
                let Some([separator, list]) = arg.as_seq() else {
                    return Err("Fn::Join without [separator, list]".to_owned());
                };
                let separator = separator
                    .as_text()
                    .ok_or("Fn::Join with a separator that is not text")?;
                let items = list
                    .as_seq()
                    .ok_or("Fn::Join of something that is not a list")?;
                let mut pieces = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        pieces.push(vec![(
                            separator.to_owned(),
                            separator.to_owned(),
                            Vec::new(),
                        )]);
                    }
                    pieces.push(self.render(item, depth + 1)?);
                }
                pieces
            }
            "Ref" => {
                let name = arg.as_text().ok_or("Ref of something that is not a name")?;
                vec![self.render_variable(name, depth)?]
            }
            "Fn::GetAtt" => {
                let (resource, attribute) =
                    get_att(arg).ok_or("Fn::GetAtt without a resource and attribute")?;
                vec![self.render_variable(&format!("{resource}.{attribute}"), depth)?]
            }
            _ => {
                let alternatives = self.eval(node, depth + 1);
                vec![texts_of(alternatives)?]
            }
        };
        // Every combination of the pieces' alternatives, bounded.
        let mut combined: Vec<Rendered> = vec![(String::new(), String::new(), Vec::new())];
        for piece in pieces {
            let mut next = Vec::new();
            for (value, shown, notes) in &combined {
                for (v, s, n) in &piece {
                    let mut notes = notes.clone();
                    notes.extend(n.iter().cloned());
                    next.push((format!("{value}{v}"), format!("{shown}{s}"), notes));
                }
            }
            if next.len() > MAX_BRANCHES {
                return Err(format!("more than {MAX_BRANCHES} Fn::If alternatives"));
            }
            combined = next;
        }
        Ok(combined)
    }

    /// A `${Name}` of `Fn::Sub`, or a `Ref` / `Fn::GetAtt` inside a rendered string.
    fn render_variable(&self, var: &str, depth: usize) -> Result<Vec<Rendered>, String> {
        let shown = format!("${{{var}}}");
        if let Some((resource, attribute)) = var.split_once('.') {
            return match self.template.resource(resource) {
                Some(found) if KEY_TYPES.contains(&found.resource_type) && attribute == "Arn" => {
                    Ok(vec![(self.names.key_arn(found.index), shown, Vec::new())])
                }
                Some(found) if KEY_TYPES.contains(&found.resource_type) && attribute == "KeyId" => {
                    Ok(vec![(self.names.key_id(found.index), shown, Vec::new())])
                }
                _ => Err(format!("{} is known only at deployment", bounded(&shown))),
            };
        }
        if let Some(value) = self.pseudo(var) {
            return Ok(vec![(value, shown, Vec::new())]);
        }
        if let Some(found) = self.template.resource(var)
            && KEY_TYPES.contains(&found.resource_type)
        {
            // A key's Ref is its key id.
            return Ok(vec![(self.names.key_id(found.index), shown, Vec::new())]);
        }
        if self.template.parameter(var).is_some() {
            return texts_of(self.eval_ref(var, depth + 1));
        }
        Err(format!("{} is known only at deployment", bounded(&shown)))
    }
}

/// The texts of alternatives that are all text; the first unknown's reason otherwise.
fn texts_of(alternatives: Vec<Alternative>) -> Result<Vec<Rendered>, String> {
    alternatives
        .into_iter()
        .map(|a| match a.value {
            KeyValue::Text { value, shown } => Ok((value, shown, a.notes)),
            KeyValue::Absent => Ok((String::new(), String::new(), a.notes)),
            KeyValue::Unknown(reason) => Err(reason),
        })
        .collect()
}

/// A name from the template, cut short for a message.
fn bounded(text: &str) -> String {
    let mut out: String = text.chars().take(80).collect();
    if out.len() < text.len() {
        out.push_str("...");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::read::parse;
    use super::*;

    fn alternatives(template: &str) -> Vec<Alternative> {
        let root = parse(template).unwrap();
        let template = Template::read(&root).unwrap();
        let names = KeyNames::new(Scope {
            partition: "aws".into(),
            account: "111122223333".into(),
            region: "eu-west-1".into(),
        });
        let evaluator = Evaluator::new(&template, &names);
        let secret = template.resource("S").unwrap();
        evaluator.key(secret.property("KmsKeyId"))
    }

    fn values(template: &str) -> Vec<KeyValue> {
        alternatives(template)
            .into_iter()
            .map(|a| a.value)
            .collect()
    }

    const HEAD: &str = "Mappings:\n  M:\n    prod:\n      Key: alias/aws/secretsmanager\nParameters:\n  FromSsm:\n    Type: AWS::SSM::Parameter::Value<String>\n    Default: /keys/secrets\nResources:\n  K:\n    Type: AWS::KMS::ReplicaKey\n  T:\n    Type: AWS::SNS::Topic\n  S:\n    Type: AWS::SecretsManager::Secret\n    Properties:\n      KmsKeyId: ";

    #[test]
    fn find_in_map_with_literal_names_is_followed() {
        let found = alternatives(&format!("{HEAD}!FindInMap [M, prod, Key]\n"));
        assert_eq!(
            found[0].value,
            KeyValue::Text {
                value: "alias/aws/secretsmanager".into(),
                shown: "alias/aws/secretsmanager".into()
            }
        );
        assert_eq!(found[0].notes, ["from mapping M.prod.Key"]);
        assert!(
            matches!(&values(&format!("{HEAD}!FindInMap [M, !Ref AWS::Region, Key]\n"))[0], KeyValue::Unknown(r) if r.contains("known only at deployment"))
        );
    }

    #[test]
    fn sub_renders_pseudo_parameters_and_template_keys_in_the_scope() {
        let found = values(&format!(
            "{HEAD}!Sub 'arn:${{AWS::Partition}}:kms:${{AWS::Region}}:${{AWS::AccountId}}:key/${{K}}'\n"
        ));
        assert_eq!(
            found,
            [KeyValue::Text {
                value:
                    "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-4000-8000-000000000000"
                        .into(),
                shown: "arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/${K}".into(),
            }]
        );
    }

    #[test]
    fn what_the_template_cannot_tell_is_unknown_with_a_reason() {
        for (expression, words) in [
            ("!Ref FromSsm", "SSM Parameter Store"),
            ("!Ref T", "is a AWS::SNS::Topic, not a KMS key"),
            ("!GetAtt T.TopicArn", "not a KMS key"),
            ("!Ref Nowhere", "neither a parameter nor a resource"),
            ("!Sub '${T.TopicName}'", "known only at deployment"),
            ("!Select [0, [a]]", "Fn::Select cannot be evaluated"),
            ("[a, b]", "a list is not a KMS key"),
        ] {
            let found = values(&format!("{HEAD}{expression}\n"));
            assert!(
                matches!(&found[0], KeyValue::Unknown(r) if r.contains(words)),
                "{expression}: {found:?}"
            );
        }
    }

    #[test]
    fn a_replica_key_of_the_template_is_a_template_key_and_no_value_is_no_key() {
        let names = KeyNames::new(Scope {
            partition: "aws".into(),
            account: "111122223333".into(),
            region: "eu-west-1".into(),
        });
        assert_eq!(
            values(&format!("{HEAD}!GetAtt K.Arn\n")),
            [KeyValue::Text {
                value: names.key_arn(0),
                shown: "K".into()
            }]
        );
        assert_eq!(
            values(&format!("{HEAD}!Ref AWS::NoValue\n")),
            [KeyValue::Absent]
        );
        assert_eq!(values(&format!("{HEAD}''\n")), [KeyValue::Absent]);
    }
}
