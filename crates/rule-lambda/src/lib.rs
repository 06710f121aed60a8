//! The secrets-cmk AWS Config custom rule as a Lambda function.
//!
//! [`handler::RuleHandler`] turns one Config event into evaluations; `main.rs` only
//! wires it to the Lambda runtime with the real AWS adapters ([`connector::AwsConnector`]).

pub mod connector;
pub mod error;
pub mod handler;
pub mod report;
pub mod settings;

pub use connector::{AccountServices, AwsConnector, Connector};
pub use error::RuleError;
pub use handler::{HandlerSettings, Invocation, RuleHandler};
