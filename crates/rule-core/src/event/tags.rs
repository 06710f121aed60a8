//! Tags in the two shapes Config uses: a map (`{"k": "v"}`) or a list of key/value
//! objects; the first occurrence of a key wins.

use serde_json::Value;

use super::error::EventError;
use super::json::Obj;
use crate::facts::Tag;
use crate::key_ref::prefix;
use crate::params::json_type;

/// Tags as a map (`{"k": "v"}`) or a list (`[{"Key": "k", "Value": "v"}]`, also
/// `key`/`value`); a key seen before is skipped.
pub(super) fn parse_tags(value: &Value, path: &str, out: &mut Vec<Tag>) -> Result<(), EventError> {
    let mut push = |key: String, value: String| {
        if !out.iter().any(|tag| tag.key == key) {
            out.push(Tag { key, value });
        }
    };
    match value {
        Value::Null => {}
        Value::Object(map) => {
            for (key, value) in map {
                let value = match value {
                    Value::String(text) => text.clone(),
                    Value::Null => String::new(),
                    other => {
                        // The key is input of any length: the path echoes it bounded.
                        return Err(EventError::WrongType {
                            path: format!("{path}.{}", prefix(key)),
                            expected: "a string",
                            found: json_type(other),
                        });
                    }
                };
                push(key.clone(), value);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                let obj = Obj::new(item, format!("{path}[{index}]"))?;
                let key = match obj.optional_string("Key")? {
                    Some(key) => key,
                    None => obj.required_str("key")?.to_owned(),
                };
                let value = match obj.optional_string("Value")? {
                    Some(value) => value,
                    None => obj.optional_string("value")?.unwrap_or_default(),
                };
                push(key, value);
            }
        }
        other => {
            return Err(EventError::WrongType {
                path: path.to_owned(),
                expected: "an object of tags",
                found: json_type(other),
            });
        }
    }
    Ok(())
}
