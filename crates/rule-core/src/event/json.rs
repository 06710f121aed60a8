//! The small JSON-path helper: field access on a JSON object that remembers the object's
//! path, so that every error names the field at fault (`invokingEvent.messageType`).

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::error::EventError;
use super::item::ConfigurationItemStatus;
use super::time::parse_time;
use crate::key_ref::{bounded, is_account_id};
use crate::params::json_type;

/// A JSON object and its path, for field access with errors that name the field.
pub(super) struct Obj<'a> {
    pub(super) map: &'a Map<String, Value>,
    pub(super) path: String,
}

impl<'a> Obj<'a> {
    pub(super) fn root(value: &'a Value) -> Result<Obj<'a>, EventError> {
        match value {
            Value::Object(map) => Ok(Obj {
                map,
                path: String::new(),
            }),
            other => Err(EventError::WrongType {
                path: "(event)".to_owned(),
                expected: "an object",
                found: json_type(other),
            }),
        }
    }

    pub(super) fn new(value: &'a Value, path: String) -> Result<Obj<'a>, EventError> {
        match value {
            Value::Object(map) => Ok(Obj { map, path }),
            other => Err(EventError::WrongType {
                path,
                expected: "an object",
                found: json_type(other),
            }),
        }
    }

    pub(super) fn path_of(&self, field: &str) -> String {
        if self.path.is_empty() {
            field.to_owned()
        } else {
            format!("{}.{field}", self.path)
        }
    }

    /// The field, `None` when absent.
    pub(super) fn optional(&self, field: &str) -> Option<&'a Value> {
        self.map.get(field)
    }

    fn required(&self, field: &str) -> Result<&'a Value, EventError> {
        match self.map.get(field) {
            None | Some(Value::Null) => Err(EventError::Missing {
                path: self.path_of(field),
            }),
            Some(value) => Ok(value),
        }
    }

    pub(super) fn required_obj(&self, field: &str) -> Result<Obj<'a>, EventError> {
        Obj::new(self.required(field)?, self.path_of(field))
    }

    pub(super) fn required_str(&self, field: &str) -> Result<&'a str, EventError> {
        let value = self.required(field)?;
        value.as_str().ok_or_else(|| EventError::WrongType {
            path: self.path_of(field),
            expected: "a string",
            found: json_type(value),
        })
    }

    /// A string field; null and absent are both `None`.
    pub(super) fn optional_str(&self, field: &str) -> Result<Option<&'a str>, EventError> {
        match self.map.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(other) => Err(EventError::WrongType {
                path: self.path_of(field),
                expected: "a string",
                found: json_type(other),
            }),
        }
    }

    pub(super) fn optional_string(&self, field: &str) -> Result<Option<String>, EventError> {
        Ok(self.optional_str(field)?.map(str::to_owned))
    }

    pub(super) fn optional_bool(&self, field: &str) -> Result<Option<bool>, EventError> {
        match self.map.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(flag)) => Ok(Some(*flag)),
            Some(other) => Err(EventError::WrongType {
                path: self.path_of(field),
                expected: "a boolean",
                found: json_type(other),
            }),
        }
    }

    pub(super) fn optional_time(&self, field: &str) -> Result<Option<DateTime<Utc>>, EventError> {
        match self.optional_str(field)? {
            None => Ok(None),
            Some(text) => parse_time(text, || self.path_of(field)).map(Some),
        }
    }

    pub(super) fn required_account(&self, field: &str) -> Result<String, EventError> {
        let account = self.required_str(field)?;
        if is_account_id(account) {
            Ok(account.to_owned())
        } else {
            Err(EventError::BadAccountId {
                path: self.path_of(field),
                value: bounded(account),
            })
        }
    }

    pub(super) fn required_status(
        &self,
        field: &str,
    ) -> Result<ConfigurationItemStatus, EventError> {
        let text = self.required_str(field)?;
        ConfigurationItemStatus::parse(text).ok_or_else(|| EventError::UnknownStatus {
            path: self.path_of(field),
            value: bounded(text),
        })
    }
}
