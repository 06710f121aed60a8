//! The rows of the decision table, as one type.
//!
//! Every verdict names the row that decided it. The row is what the handler reports in
//! its logs, what the CLI shows as a finding's cause, what the remediation refuses on,
//! and what every test asserts: one enum, so that a new row is added in one place and
//! the compiler finds every `match` that must learn about it. The table itself, with
//! the AWS facts behind each row, is `docs/design.md`.

use std::fmt;

use crate::decision::Compliance;

/// A row of the decision table. The first matching row wins, in the order declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Row {
    /// Row 1: The configuration item says the resource was deleted or is not recorded
    /// (`ResourceDeleted`, `ResourceDeletedNotRecorded`, `ResourceNotRecorded`), or the
    /// event left the rule's scope: NOT_APPLICABLE, without any API call.
    Gone,
    /// Row 2: The secret is scheduled for deletion (`DeletedDate`): NOT_APPLICABLE,
    /// annotated with the date.
    ScheduledForDeletion,
    /// Row 3: The secret carries the `exemptionTagKey` tag: NOT_APPLICABLE, annotated with
    /// the tag.
    Exempt,
    /// Row 4: No key id (absent or empty): the default AWS managed key
    /// `aws/secretsmanager`, NON_COMPLIANT.
    DefaultKey,
    /// Row 5: The key id is an `alias/aws/...` name or alias ARN: NON_COMPLIANT, and
    /// DescribeKey is never called on it (that call can create the AWS managed key).
    AwsManagedAlias,
    /// Row 5a: The key's ARN names an account that is not the secret's own, not in
    /// `allowedKeyAccounts`, and not the account of a `kmsKeyArns` entry:
    /// NON_COMPLIANT, without DescribeKey. Whoever owns such a key can disable it (the
    /// secret becomes unreadable: ransom) and sees every decrypt in their CloudTrail.
    UntrustedKeyAccount,
    /// Row 5b: The key's ARN names another Region than the secret's (for a replica, than
    /// the replica's): NON_COMPLIANT, without DescribeKey. Secrets Manager encrypts with
    /// a key of the secret's own Region only, so such a reference cannot be the key that
    /// protects it.
    KeyInAnotherRegion,
    /// Row 6: DescribeKey says `KeyManager` AWS (e.g. aws/secretsmanager named by its key
    /// ARN): NON_COMPLIANT.
    AwsManagedKey,
    /// Row 7: The key does not exist (`NotFoundException`): NON_COMPLIANT.
    KeyNotFound,
    /// Row 8: `requireEnabledKey` and the key's state is not Enabled (Disabled,
    /// PendingDeletion, ...): NON_COMPLIANT, naming the state.
    KeyNotEnabled,
    /// Row 9: `kmsKeyArns` is set and the key is none of them (resolved key ARNs are
    /// compared, not strings): NON_COMPLIANT.
    NotApproved,
    /// Row 10: The key is in another *allowed* account and DescribeKey was denied: treated
    /// as customer managed (an AWS managed key cannot be used across accounts),
    /// annotated "not verified"; row 9 still applies. COMPLIANT.
    CrossAccountUnverified,
    /// Row 11: `checkReplicas` and a replica's key fails rows 4 to 10 in the replica's
    /// Region: NON_COMPLIANT, naming the Region.
    ReplicaFails,
    /// Row 12: Otherwise: COMPLIANT, annotated with the key ARN.
    Compliant,
}

impl Row {
    /// Every row, in table order.
    pub const ALL: [Row; 14] = [
        Row::Gone,
        Row::ScheduledForDeletion,
        Row::Exempt,
        Row::DefaultKey,
        Row::AwsManagedAlias,
        Row::UntrustedKeyAccount,
        Row::KeyInAnotherRegion,
        Row::AwsManagedKey,
        Row::KeyNotFound,
        Row::KeyNotEnabled,
        Row::NotApproved,
        Row::CrossAccountUnverified,
        Row::ReplicaFails,
        Row::Compliant,
    ];

    /// The row's number in the table: `"1"` to `"12"`, `"5a"`, `"5b"`.
    pub fn number(self) -> &'static str {
        match self {
            Row::Gone => "1",
            Row::ScheduledForDeletion => "2",
            Row::Exempt => "3",
            Row::DefaultKey => "4",
            Row::AwsManagedAlias => "5",
            Row::UntrustedKeyAccount => "5a",
            Row::KeyInAnotherRegion => "5b",
            Row::AwsManagedKey => "6",
            Row::KeyNotFound => "7",
            Row::KeyNotEnabled => "8",
            Row::NotApproved => "9",
            Row::CrossAccountUnverified => "10",
            Row::ReplicaFails => "11",
            Row::Compliant => "12",
        }
    }

    /// A short cause, for one line of a table: the full reason is the annotation.
    pub fn label(self) -> &'static str {
        match self {
            Row::Gone => "deleted or out of scope",
            Row::ScheduledForDeletion => "scheduled for deletion",
            Row::Exempt => "exempt by tag",
            Row::DefaultKey => "default key",
            Row::AwsManagedAlias => "AWS managed alias",
            Row::UntrustedKeyAccount => "key of an untrusted account",
            Row::KeyInAnotherRegion => "key of another Region",
            Row::AwsManagedKey => "AWS managed key",
            Row::KeyNotFound => "key does not exist",
            Row::KeyNotEnabled => "key not Enabled",
            Row::NotApproved => "key not approved",
            Row::CrossAccountUnverified => "cross-account key, not verified",
            Row::ReplicaFails => "replica fails",
            Row::Compliant => "customer managed key",
        }
    }

    /// The compliance type this row reports.
    pub fn compliance(self) -> Compliance {
        match self {
            Row::Gone | Row::ScheduledForDeletion | Row::Exempt => Compliance::NotApplicable,
            Row::DefaultKey
            | Row::AwsManagedAlias
            | Row::UntrustedKeyAccount
            | Row::KeyInAnotherRegion
            | Row::AwsManagedKey
            | Row::KeyNotFound
            | Row::KeyNotEnabled
            | Row::NotApproved
            | Row::ReplicaFails => Compliance::NonCompliant,
            Row::CrossAccountUnverified | Row::Compliant => Compliance::Compliant,
        }
    }

    /// The row with this number (`"5a"`, `"12"`), if there is one.
    pub fn from_number(number: &str) -> Option<Row> {
        Row::ALL.into_iter().find(|row| row.number() == number)
    }
}

impl fmt::Display for Row {
    /// The row's number, as the table writes it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.number())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_in_table_order_and_numbers_round_trip() {
        // GIVEN every row / WHEN numbered / THEN in order, distinct, and parsed back
        let mut sorted = Row::ALL;
        sorted.sort();
        assert_eq!(sorted, Row::ALL);
        for row in Row::ALL {
            assert_eq!(Row::from_number(row.number()), Some(row));
            assert_eq!(row.to_string(), row.number());
            assert!(!row.label().is_empty());
        }
        assert_eq!(Row::from_number("13"), None);
    }

    #[test]
    fn only_rows_10_and_12_are_compliant() {
        let compliant: Vec<Row> = Row::ALL
            .into_iter()
            .filter(|row| row.compliance() == Compliance::Compliant)
            .collect();
        assert_eq!(compliant, [Row::CrossAccountUnverified, Row::Compliant]);
    }
}
