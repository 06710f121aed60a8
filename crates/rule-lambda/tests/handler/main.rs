//! The handler over the in-memory fakes of `secrets_cmk_aws::testing`: message
//! dispatch, what is reported and what is not, errors and their retryability. Fast; the
//! real adapters and binary are covered by the adapter tests and the end-to-end tests
//! against the emulator.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

/// Events, an invocation, and the fake account behind a connector.
mod support;

/// A configuration item change: its one resource; a deleted one without calls.
mod change_notifications;

/// An oversized change: the item from Config's history; another type without a call.
mod oversized;

/// reportChangesOnly: only new and changed results are put.
mod report_changes_only;
/// The scheduled sweep: batching, fewest calls, cleanup, test mode, what is skipped.
mod scheduled_sweep;

/// The deadline: report what is decided, start nothing that cannot finish.
mod deadline;

/// Member accounts and refusals: the role to assume, events not to act on.
mod accounts;

/// Bad input: unknown parameters, an event that is not JSON.
mod bad_input;
