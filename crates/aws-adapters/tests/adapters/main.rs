//! The real adapters against mocked SDK clients (aws-smithy-mocks): what each AWS
//! answer becomes, retries of throttling, FailedEvaluations re-sends, error mapping.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod accounts;
mod config_service;
mod key_directory;
mod secret_store;
mod support;
