//! `--security-hub`: ASFF findings imported with BatchImportFindings.
//!
//! Security Hub's rules (botocore's model and the partner guide's "Guidelines for using
//! the BatchImportFindings API"): at most 100 findings a call, 240 KB a finding, 6 MB a
//! call; with the default product ARN a finding is imported by its own account
//! (`AwsAccountId` = the caller, else the whole call is AccessDenied) in the Region of its
//! `ProductArn`. So findings go in groups of one account and Region ([`ImportGroup`]),
//! each with that account's credentials in that Region (the caller supplies them).
//!
//! Findings that come back in `FailedFindings` are sent again, a bounded number of times
//! with a growing pause, unless their error is `InvalidInput` (the same finding would be
//! refused again); what still fails is reported by `Id` with AWS's code and message. A
//! call that fails as a whole (after the SDK's own retries) fails its batch.

mod client;

pub use client::{SecurityHubImporter, to_sdk};

use crate::output::AuditRow;
use crate::output::asff::{AsffFinding, AsffRun, AsffSubject, DEFAULT_GENERATOR_ID, findings};
use crate::term::Progress;
use secrets_cmk_aws::clients::in_region;
use secrets_cmk_aws::{ApiCalls, AwsError, SdkConfig};
use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;

/// The operation, as counted and named in errors.
pub const BATCH_IMPORT_FINDINGS: &str = "securityhub:BatchImportFindings";
/// Findings per call (the model's `BatchImportFindingsRequestFindingList` max).
pub const MAX_FINDINGS_PER_CALL: usize = 100;
/// Bytes per finding, as JSON (240 KB).
pub const MAX_FINDING_BYTES: usize = 240 * 1024;
/// Bytes of findings per call (6 MB, less room for the request's own JSON).
pub const MAX_BATCH_BYTES: usize = 6 * 1024 * 1024 - 1024;
/// How many times findings in `FailedFindings` are sent again.
pub const FAILED_FINDING_RESENDS: u32 = 3;
/// The pause before the first resend; doubled for each next one.
pub const RESEND_PAUSE: Duration = Duration::from_millis(500);
/// The error code of a finding Security Hub refuses as malformed: never resent.
pub const INVALID_INPUT: &str = "InvalidInput";

/// The findings of one account and Region, and the SDK configuration to import them
/// with: that account's credentials, that Region.
#[derive(Debug, Clone)]
pub struct ImportGroup {
    /// The account every finding names (`AwsAccountId`).
    pub account: String,
    /// The Region of every finding's `ProductArn`.
    pub region: String,
    /// Credentials of `account`, Region `region`.
    pub config: SdkConfig,
    /// The findings.
    pub findings: Vec<AsffFinding>,
}

/// A finding Security Hub (or the importer) did not take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedFinding {
    /// Its account.
    pub account: String,
    /// Its Region.
    pub region: String,
    /// The finding `Id`.
    pub id: String,
    /// AWS's error code (or the importer's: `WrongGroup`, `TooLarge`).
    pub code: String,
    /// AWS's message.
    pub message: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Findings Security Hub took (created or updated).
    pub imported: usize,
    /// Findings it did not, in account, Region, Id order.
    pub failed: Vec<FailedFinding>,
    /// BatchImportFindings calls made.
    pub calls: usize,
}

impl ImportReport {
    /// One line for stderr.
    pub fn line(&self) -> String {
        format!(
            "Security Hub: {} finding(s) imported, {} failed ({} BatchImportFindings call(s))",
            self.imported,
            self.failed.len(),
            self.calls
        )
    }

    /// Write the report to stderr (its line, then each failed finding); the failure for
    /// the exit status (2), if any finding was not imported.
    pub fn announce(&self) -> Option<String> {
        eprintln!("{}", self.line());
        for line in self.failure_lines() {
            eprintln!("{line}");
        }
        (!self.failed.is_empty()).then(|| {
            format!(
                "{} finding(s) were not imported into Security Hub (listed above)",
                self.failed.len()
            )
        })
    }

    /// One line per failed finding: where, its `Id`, and why.
    pub fn failure_lines(&self) -> Vec<String> {
        self.failed
            .iter()
            .map(|f| {
                format!(
                    "  {} {} {}: {} {}",
                    f.account, f.region, f.id, f.code, f.message
                )
            })
            .collect()
    }
}

/// One finding a call did not take, as Security Hub says (`FailedFindings`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// The finding `Id`.
    pub id: String,
    /// `ErrorCode`.
    pub code: String,
    /// `ErrorMessage`.
    pub message: String,
}

/// BatchImportFindings, in one account and Region.
pub trait FindingImporter {
    /// Import one batch (at most [`MAX_FINDINGS_PER_CALL`]); `Ok` with the findings it
    /// did not take.
    fn batch_import(
        &self,
        batch: &[AsffFinding],
    ) -> impl Future<Output = Result<Vec<Rejected>, AwsError>> + Send;
}

/// The findings by (account, Region) of their `ProductArn`, for [`ImportGroup`]s.
pub fn by_account_and_region(
    findings: Vec<AsffFinding>,
) -> BTreeMap<(String, String), Vec<AsffFinding>> {
    let mut groups: BTreeMap<(String, String), Vec<AsffFinding>> = BTreeMap::new();
    for finding in findings {
        let key = (
            finding.aws_account_id.clone(),
            product_region(&finding).to_owned(),
        );
        groups.entry(key).or_default().push(finding);
    }
    groups
}

/// Import every group with the real client, one group after the other.
pub async fn import(groups: Vec<ImportGroup>, progress: &Progress) -> ImportReport {
    let calls = ApiCalls::new();
    let groups = groups
        .into_iter()
        .map(|group| {
            let importer = SecurityHubImporter::from_config(&group.config, calls.clone());
            (group.account, group.region, importer, group.findings)
        })
        .collect();
    import_with(groups, progress).await
}

/// Import `subjects` as findings, each (account, Region) group with that account's own
/// configuration from `reach` (the default product ARN takes only the caller's own
/// findings). Groups whose account cannot be reached are not sent and are reported.
/// Every failure, for the exit status (each is also printed).
pub async fn import_reaching(
    subjects: &[AsffSubject<'_>],
    reach: &crate::organization::Reach,
    progress: &Progress,
) -> Vec<String> {
    let found = findings(subjects, &AsffRun::now(DEFAULT_GENERATOR_ID));
    let mut groups = Vec::new();
    let mut failures = Vec::new();
    for ((account, region), findings) in by_account_and_region(found) {
        match reach.config_for(&account).await {
            Ok(config) => groups.push(ImportGroup {
                config: in_region(&config, &region),
                account,
                region,
                findings,
            }),
            Err(reason) => failures.push(format!(
                "{} finding(s) of {account} {region} were not imported into Security Hub: {reason}",
                findings.len()
            )),
        }
    }
    for failure in &failures {
        eprintln!("{failure}");
    }
    failures.extend(import(groups, progress).await.announce());
    failures
}

/// Import an audit of the caller's own account: its rows as findings, one group per
/// Region, each with the caller's configuration in that Region.
pub async fn import_own_account(
    base: &SdkConfig,
    rows: &[AuditRow],
    progress: &Progress,
) -> ImportReport {
    let subjects: Vec<AsffSubject<'_>> = rows.iter().map(AsffSubject::from_audit_row).collect();
    let found = findings(&subjects, &AsffRun::now(DEFAULT_GENERATOR_ID));
    let groups = by_account_and_region(found)
        .into_iter()
        .map(|((account, region), findings)| ImportGroup {
            config: in_region(base, &region),
            account,
            region,
            findings,
        })
        .collect();
    import(groups, progress).await
}

/// Import every (account, Region, importer, findings) group: the logic of [`import`]
/// over any [`FindingImporter`].
pub async fn import_with<I: FindingImporter>(
    groups: Vec<(String, String, I, Vec<AsffFinding>)>,
    progress: &Progress,
) -> ImportReport {
    let mut report = ImportReport::default();
    let total = groups.len() as u64;
    for (done, (account, region, importer, findings)) in (0_u64..).zip(groups) {
        progress.counted(
            done,
            total,
            format!(
                "Security Hub: importing {} finding(s) in {account} {region}",
                findings.len()
            ),
        );
        let failed_at = |id: &str, code: &str, message: String| FailedFinding {
            account: account.clone(),
            region: region.clone(),
            id: id.to_owned(),
            code: code.to_owned(),
            message,
        };
        let mut sendable = Vec::new();
        for finding in findings {
            match refusal(&finding, &account, &region) {
                Some((code, message)) => report.failed.push(failed_at(&finding.id, code, message)),
                None => sendable.push(finding),
            }
        }
        for batch in batches(sendable) {
            let outcome = import_batch(&importer, batch, &mut report.calls).await;
            report.imported += outcome.imported;
            report.failed.extend(
                outcome
                    .failed
                    .into_iter()
                    .map(|r| failed_at(&r.id, &r.code, r.message)),
            );
        }
    }
    progress.clear();
    report
        .failed
        .sort_by(|a, b| (&a.account, &a.region, &a.id).cmp(&(&b.account, &b.region, &b.id)));
    report
}

/// Why a finding cannot go in this group's call, if it cannot: another account or Region
/// than the group's (the call would be refused whole), or too large.
fn refusal(finding: &AsffFinding, account: &str, region: &str) -> Option<(&'static str, String)> {
    let finding_region = product_region(finding);
    if finding.aws_account_id != account || finding_region != region {
        return Some((
            "WrongGroup",
            format!(
                "a finding of account {} in {finding_region} cannot be imported by account \
                 {account} in {region} (the default product ARN needs its own account and \
                 Region)",
                finding.aws_account_id
            ),
        ));
    }
    let size = json_size(finding);
    (size > MAX_FINDING_BYTES).then(|| {
        (
            "TooLarge",
            format!("the finding is {size} bytes; Security Hub takes {MAX_FINDING_BYTES} at most"),
        )
    })
}

/// The Region of a finding's `ProductArn` (`arn:partition:securityhub:REGION:...`).
fn product_region(finding: &AsffFinding) -> &str {
    finding.product_arn.split(':').nth(3).unwrap_or_default()
}

fn json_size(finding: &AsffFinding) -> usize {
    serde_json::to_vec(finding).map_or(usize::MAX, |bytes| bytes.len())
}

/// The findings in calls of at most 100 findings and [`MAX_BATCH_BYTES`].
fn batches(findings: Vec<AsffFinding>) -> Vec<Vec<AsffFinding>> {
    let mut batches: Vec<Vec<AsffFinding>> = Vec::new();
    let mut bytes = 0;
    for finding in findings {
        let size = json_size(&finding) + 1;
        let full = batches.last().is_none_or(|batch| {
            batch.len() >= MAX_FINDINGS_PER_CALL || bytes + size > MAX_BATCH_BYTES
        });
        if full {
            batches.push(Vec::new());
            bytes = 0;
        }
        bytes += size;
        if let Some(batch) = batches.last_mut() {
            batch.push(finding);
        }
    }
    batches
}

/// What one batch came to, after its resends.
#[derive(Debug, Default)]
struct BatchOutcome {
    imported: usize,
    failed: Vec<Rejected>,
}

/// Send one batch; resend what comes back failed (not `InvalidInput`), pausing
/// [`RESEND_PAUSE`] and twice as long each next time, at most
/// [`FAILED_FINDING_RESENDS`] times.
async fn import_batch<I: FindingImporter>(
    importer: &I,
    batch: Vec<AsffFinding>,
    calls: &mut usize,
) -> BatchOutcome {
    let mut outcome = BatchOutcome::default();
    let mut pending = batch;
    let mut pause = RESEND_PAUSE;
    for attempt in 0..=FAILED_FINDING_RESENDS {
        if attempt > 0 {
            tokio::time::sleep(pause).await;
            pause *= 2;
        }
        *calls += 1;
        let rejected = match importer.batch_import(&pending).await {
            Ok(rejected) => rejected,
            Err(error) => {
                // The SDK has already retried what is worth retrying (throttling, 5xx).
                outcome.failed.extend(pending.iter().map(|f| Rejected {
                    id: f.id.clone(),
                    code: error.code.clone(),
                    message: error.message.clone(),
                }));
                return outcome;
            }
        };
        let mut rejected_by_id: BTreeMap<&str, &Rejected> =
            rejected.iter().map(|r| (r.id.as_str(), r)).collect();
        let mut resend = Vec::new();
        for finding in pending {
            match rejected_by_id.remove(finding.id.as_str()) {
                None => outcome.imported += 1,
                Some(why) if why.code == INVALID_INPUT || attempt == FAILED_FINDING_RESENDS => {
                    outcome.failed.push(why.clone());
                }
                Some(_) => resend.push(finding),
            }
        }
        if resend.is_empty() {
            break;
        }
        pending = resend;
    }
    outcome
}

#[cfg(test)]
mod tests;
