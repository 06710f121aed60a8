//! What a template holds, read from its tree: the resources with their lines, the
//! parameters and mappings a key expression may name, and the check that the resources
//! do not depend on each other in a circle (CloudFormation refuses such a template, and a
//! reference chain in one must not be followed for ever).

use super::limits::{ReadError, echo};
use super::node::{Entry, Node, Value};
use std::collections::HashMap;

/// One resource of a template.
#[derive(Debug, Clone, Copy)]
pub struct Resource<'a> {
    /// The logical id.
    pub logical_id: &'a str,
    /// The 1-based line where the logical id stands.
    pub line: usize,
    /// `Type`, e.g. `AWS::SecretsManager::Secret`.
    pub resource_type: &'a str,
    /// `Properties`, if any.
    pub properties: Option<&'a Node>,
    /// The resource's position among the template's resources (names its synthetic key).
    pub index: usize,
}

impl<'a> Resource<'a> {
    /// A property's value.
    pub fn property(&self, name: &str) -> Option<&'a Node> {
        self.properties?.get(name)
    }
}

/// A template, read.
#[derive(Debug)]
pub struct Template<'a> {
    /// The resources, in file order.
    pub resources: Vec<Resource<'a>>,
    by_id: HashMap<&'a str, usize>,
    parameters: Option<&'a Node>,
    mappings: Option<&'a Node>,
}

impl<'a> Template<'a> {
    /// Read the template's sections; a file without a `Resources` mapping, a resource
    /// without a `Type`, or resources that depend on each other in a circle are errors.
    pub fn read(root: &'a Node) -> Result<Template<'a>, ReadError> {
        let Some(resources) = root.get("Resources") else {
            return Err(ReadError::whole(
                "not a CloudFormation template: no Resources section",
            ));
        };
        let Some(entries) = resources.as_map() else {
            return Err(ReadError::at(resources.line, "Resources is not a mapping"));
        };
        let mut list = Vec::with_capacity(entries.len());
        let mut by_id = HashMap::new();
        for (index, Entry { key, line, node }) in entries.iter().enumerate() {
            let Some(resource_type) = node.get("Type").and_then(Node::as_text) else {
                return Err(ReadError::at(
                    *line,
                    format!("resource {} has no Type", echo(key)),
                ));
            };
            by_id.insert(key.as_str(), index);
            list.push(Resource {
                logical_id: key,
                line: *line,
                resource_type,
                properties: node.get("Properties"),
                index,
            });
        }
        let template = Template {
            resources: list,
            by_id,
            parameters: root.get("Parameters"),
            mappings: root.get("Mappings"),
        };
        template.refuse_cycles(entries)?;
        Ok(template)
    }

    /// The resource with this logical id.
    pub fn resource(&self, logical_id: &str) -> Option<&Resource<'a>> {
        self.by_id.get(logical_id).map(|&i| &self.resources[i])
    }

    /// The declaration of the parameter with this name.
    pub fn parameter(&self, name: &str) -> Option<&'a Node> {
        self.parameters?.get(name)
    }

    /// `Fn::FindInMap` with literal names.
    pub fn mapping(&self, map: &str, first: &str, second: &str) -> Option<&'a Node> {
        self.mappings?.get(map)?.get(first)?.get(second)
    }

    /// CloudFormation refuses a template whose resources depend on each other in a
    /// circle (`DependsOn`, `Ref`, `Fn::GetAtt`, `Fn::Sub` variables); so does this, by
    /// name, before any reference is followed.
    fn refuse_cycles(&self, entries: &[Entry]) -> Result<(), ReadError> {
        let edges: Vec<Vec<usize>> = entries
            .iter()
            .map(|entry| {
                let mut names = Vec::new();
                if let Some(depends) = entry.node.get("DependsOn") {
                    match &depends.value {
                        Value::Seq(items) => names.extend(items.iter().filter_map(Node::as_text)),
                        _ => names.extend(depends.as_text()),
                    }
                }
                let mut targets: Vec<usize> = names
                    .into_iter()
                    .filter_map(|name| self.by_id.get(name).copied())
                    .collect();
                if let Some(properties) = entry.node.get("Properties") {
                    references(properties, &mut |name| {
                        if let Some(&i) = self.by_id.get(name) {
                            targets.push(i);
                        }
                    });
                }
                targets
            })
            .collect();
        // Iterative depth-first search: 0 unvisited, 1 on the path, 2 done.
        let mut state = vec![0u8; edges.len()];
        for start in 0..edges.len() {
            if state[start] != 0 {
                continue;
            }
            let mut path: Vec<(usize, usize)> = vec![(start, 0)];
            state[start] = 1;
            while let Some(&mut (node, ref mut next)) = path.last_mut() {
                if let Some(&target) = edges[node].get(*next) {
                    *next += 1;
                    match state[target] {
                        0 => {
                            state[target] = 1;
                            path.push((target, 0));
                        }
                        1 => {
                            let from = path.iter().position(|&(n, _)| n == target).unwrap_or(0);
                            let mut names: Vec<String> = path[from..]
                                .iter()
                                .take(8)
                                .map(|&(n, _)| echo(self.resources[n].logical_id))
                                .collect();
                            if path.len() - from > 8 {
                                names.push("...".to_owned());
                            }
                            names.push(echo(self.resources[target].logical_id));
                            return Err(ReadError::at(
                                self.resources[target].line,
                                format!(
                                    "circular dependency between resources: {} (CloudFormation \
                                     refuses this template)",
                                    names.join(" -> ")
                                ),
                            ));
                        }
                        _ => {}
                    }
                } else {
                    state[node] = 2;
                    path.pop();
                }
            }
        }
        Ok(())
    }
}

/// Every logical id `node` refers to by `Ref`, `Fn::GetAtt` or a `Fn::Sub` variable.
fn references<'n>(node: &'n Node, found: &mut dyn FnMut(&'n str)) {
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        match &node.value {
            Value::Seq(items) => stack.extend(items),
            Value::Map(entries) => {
                if let [entry] = entries.as_slice() {
                    match entry.key.as_str() {
                        "Ref" => {
                            if let Some(name) = entry.node.as_text() {
                                found(name);
                            }
                        }
                        "Fn::GetAtt" => {
                            if let Some((name, _)) = get_att(&entry.node) {
                                found(name);
                            }
                        }
                        "Fn::Sub" => {
                            let text = match &entry.node.value {
                                Value::Seq(items) => items.first().and_then(Node::as_text),
                                _ => entry.node.as_text(),
                            };
                            for part in sub_parts(text.unwrap_or_default()) {
                                if let SubPart::Var(var) = part {
                                    found(var.split('.').next().unwrap_or(var));
                                }
                            }
                        }
                        _ => {}
                    }
                }
                stack.extend(entries.iter().map(|entry| &entry.node));
            }
            Value::Null | Value::Bool(_) | Value::Text(_) => {}
        }
    }
}

/// `Fn::GetAtt`'s resource and attribute, from `[R, Attr]` or `"R.Attr"`.
pub fn get_att(node: &Node) -> Option<(&str, &str)> {
    match &node.value {
        Value::Text(text) => text.split_once('.'),
        Value::Seq(items) => match items.as_slice() {
            [resource, attribute] => Some((resource.as_text()?, attribute.as_text()?)),
            _ => None,
        },
        _ => None,
    }
}

/// A piece of a `Fn::Sub` string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubPart<'a> {
    /// Literal text (`${!x}` already unescaped to `${x}`).
    Text(String),
    /// A variable: `${Name}` or `${Resource.Attribute}`.
    Var(&'a str),
}

/// Split a `Fn::Sub` string into text and variables.
pub fn sub_parts(text: &str) -> Vec<SubPart<'_>> {
    let mut parts = Vec::new();
    let mut literal = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        literal.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            literal.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let name = &after[..end];
        if let Some(escaped) = name.strip_prefix('!') {
            literal.push_str("${");
            literal.push_str(escaped);
            literal.push('}');
        } else {
            if !literal.is_empty() {
                parts.push(SubPart::Text(std::mem::take(&mut literal)));
            }
            parts.push(SubPart::Var(name.trim()));
        }
        rest = &after[end + 1..];
    }
    literal.push_str(rest);
    if !literal.is_empty() {
        parts.push(SubPart::Text(literal));
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_strings_split_into_text_and_variables() {
        assert_eq!(
            sub_parts("arn:${AWS::Partition}:kms:${!Literal}:${Key.Arn}"),
            [
                SubPart::Text("arn:".into()),
                SubPart::Var("AWS::Partition"),
                SubPart::Text(":kms:${Literal}:".into()),
                SubPart::Var("Key.Arn"),
            ]
        );
        assert_eq!(
            sub_parts("no variables"),
            [SubPart::Text("no variables".into())]
        );
        assert_eq!(sub_parts("open ${"), [SubPart::Text("open ${".into())]);
    }
}
