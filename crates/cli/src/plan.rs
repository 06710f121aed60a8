//! The backout plan: the file `remediate --apply` writes and `backout` reads. It records,
//! per secret, the key it was on and the key it was moved to, each both as the stored
//! reference and as the key ARN that reference resolved to when the plan was written, so
//! the change can be undone exactly, and only to what it was: `backout` compares resolved
//! ARNs (an alias may have been pointed elsewhere since) and checks every key against the
//! accounts it trusts (a plan is a file anyone may have edited).
//!
//! The file is versioned (`"version": 2`; version 1 lacked the resolved ARNs): a reader
//! refuses a version it does not know rather than guess at its meaning. Unknown extra
//! fields are ignored, so a later minor addition does not break older readers.
//!
//! Written before the first change and again after each one (write to a temporary file,
//! then rename), so a run that is interrupted still leaves a plan that covers every
//! secret it may have touched. An existing file is never overwritten: it may be the only
//! record of an earlier change.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The plan format this build writes and reads.
pub const PLAN_VERSION: u64 = 2;

/// A backout plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Format version ([`PLAN_VERSION`]).
    pub version: u64,
    /// The program that wrote it, e.g. `secrets-cmk 0.1.0`.
    pub tool: String,
    /// When the remediation started.
    pub created_at: DateTime<Utc>,
    /// The Region every secret of the plan lives in.
    pub region: String,
    /// The target key as given on the command line.
    pub target_kms_key_id: String,
    /// One entry per secret the remediation set out to change.
    pub entries: Vec<PlanEntry>,
}

/// One secret of a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanEntry {
    /// The secret ARN.
    pub secret_arn: String,
    /// The secret name.
    pub secret_name: String,
    /// The secret's Region.
    pub region: String,
    /// The key it was on, exactly as stored; `null` = the default key aws/secretsmanager.
    pub previous_kms_key_id: Option<String>,
    /// The key ARN `previous_kms_key_id` resolved to; `null` for the default key (an
    /// `alias/aws/*` reference is never described) or when it could not be resolved
    /// (then `backout` refuses the entry).
    pub previous_key_arn: Option<String>,
    /// The key reference UpdateSecret was sent (the target's key ARN, never an alias:
    /// an alias could be pointed at another key between the check and the change).
    pub new_kms_key_id: String,
    /// The key ARN of the target, as DescribeKey resolved it before the change.
    pub new_key_arn: String,
    /// Where the change stands.
    pub status: EntryStatus,
    /// When UpdateSecret succeeded.
    pub changed_at: Option<DateTime<Utc>>,
    /// Why the change failed, if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Where one secret's change stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    /// Not attempted yet (the run stopped before it, or is still going).
    Pending,
    /// UpdateSecret succeeded and DescribeSecret showed the new key.
    Changed,
    /// UpdateSecret failed, or DescribeSecret did not show the new key.
    Failed,
}

/// Why a plan file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// The file could not be read or written.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// Not JSON, or not shaped like a plan.
    #[error("not a valid backout plan: {0}")]
    Json(#[from] serde_json::Error),
    /// No `version` field: not one of our plans.
    #[error("not a secrets-cmk backout plan (no \"version\" field)")]
    NoVersion,
    /// A version 1 plan: written before plans recorded resolved key ARNs, so this build
    /// cannot check that a backout restores only what was there.
    #[error(
        "plan version 1 records no resolved key ARNs, so this secrets-cmk cannot verify \
         what it would restore; restore by hand (aws secretsmanager update-secret \
         --kms-key-id with each entry's previous_kms_key_id, after checking it) or with the \
         secrets-cmk that wrote it"
    )]
    VersionOne,
    /// A version this build does not read.
    #[error(
        "plan version {found} is not supported (this secrets-cmk reads version {PLAN_VERSION})"
    )]
    Version {
        /// The version found.
        found: String,
    },
    /// The file exists and would be overwritten.
    #[error(
        "the file already exists; refusing to overwrite a backout plan (choose another --plan FILE)"
    )]
    Exists,
}

impl Plan {
    /// Parse a plan, checking the version before anything else.
    pub fn from_json(text: &str) -> Result<Plan, PlanError> {
        let value: serde_json::Value = serde_json::from_str(text)?;
        match value.get("version") {
            None => return Err(PlanError::NoVersion),
            Some(version) if version.as_u64() == Some(PLAN_VERSION) => {}
            Some(version) if version.as_u64() == Some(1) => return Err(PlanError::VersionOne),
            Some(other) => {
                return Err(PlanError::Version {
                    found: other.to_string(),
                });
            }
        }
        Ok(serde_json::from_value(value)?)
    }

    /// Read a plan file.
    pub fn load(path: &Path) -> Result<Plan, PlanError> {
        Plan::from_json(&std::fs::read_to_string(path)?)
    }

    /// The plan as pretty JSON.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        let mut text = serde_json::to_string_pretty(self)?;
        text.push('\n');
        Ok(text)
    }
}

/// The default plan file name for a run started at `now`:
/// `secrets-cmk-plan-YYYYMMDDTHHMMSSZ.json` (in the current directory).
pub fn default_plan_path(now: DateTime<Utc>) -> PathBuf {
    PathBuf::from(format!(
        "secrets-cmk-plan-{}.json",
        now.format("%Y%m%dT%H%M%SZ")
    ))
}

/// A plan file being written by one run: created once (never over an existing file),
/// then replaced atomically on every save.
#[derive(Debug)]
pub struct PlanFile {
    path: PathBuf,
    created: bool,
}

impl PlanFile {
    /// A plan file at `path`, not written yet.
    pub fn new(path: PathBuf) -> PlanFile {
        PlanFile {
            path,
            created: false,
        }
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Write `plan`. The first save fails with [`PlanError::Exists`] if the file exists.
    pub fn save(&mut self, plan: &Plan) -> Result<(), PlanError> {
        let text = plan.to_json()?;
        if self.created {
            // Replace atomically: a crash mid-write must not leave half a plan.
            let temp = self.path.with_extension("json.tmp");
            write_new_or_truncate(&temp, &text, false)?;
            std::fs::rename(&temp, &self.path)?;
        } else {
            write_new_or_truncate(&self.path, &text, true)?;
            self.created = true;
        }
        Ok(())
    }
}

fn write_new_or_truncate(path: &Path, text: &str, create_new: bool) -> Result<(), PlanError> {
    let mut options = OpenOptions::new();
    options.write(true);
    if create_new {
        options.create_new(true);
    } else {
        options.create(true).truncate(true);
    }
    let mut file = options.open(path).map_err(|err| match err.kind() {
        std::io::ErrorKind::AlreadyExists => PlanError::Exists,
        _ => PlanError::Io(err),
    })?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn plan() -> Plan {
        let at = Utc.with_ymd_and_hms(2025, 1, 2, 3, 4, 5).unwrap();
        Plan {
            version: PLAN_VERSION,
            tool: "secrets-cmk 0.1.0".into(),
            created_at: at,
            region: "us-east-1".into(),
            target_kms_key_id: "alias/secrets".into(),
            entries: vec![
                PlanEntry {
                    secret_arn: "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf"
                        .into(),
                    secret_name: "db".into(),
                    region: "us-east-1".into(),
                    previous_kms_key_id: None,
                    previous_key_arn: None,
                    new_kms_key_id: "arn:aws:kms:us-east-1:111122223333:key/k".into(),
                    new_key_arn: "arn:aws:kms:us-east-1:111122223333:key/k".into(),
                    status: EntryStatus::Changed,
                    changed_at: Some(at),
                    error: None,
                },
                PlanEntry {
                    secret_arn: "arn:aws:secretsmanager:us-east-1:111122223333:secret:app-AbCdEf"
                        .into(),
                    secret_name: "app".into(),
                    region: "us-east-1".into(),
                    previous_kms_key_id: Some("alias/old".into()),
                    previous_key_arn: Some("arn:aws:kms:us-east-1:111122223333:key/o".into()),
                    new_kms_key_id: "arn:aws:kms:us-east-1:111122223333:key/k".into(),
                    new_key_arn: "arn:aws:kms:us-east-1:111122223333:key/k".into(),
                    status: EntryStatus::Failed,
                    changed_at: None,
                    error: Some("AccessDenied".into()),
                },
            ],
        }
    }

    #[test]
    fn a_plan_round_trips_through_a_file() {
        // GIVEN a plan saved twice (created, then replaced)
        let dir = tempfile::tempdir().unwrap();
        let mut file = PlanFile::new(dir.path().join("plan.json"));
        let mut original = plan();
        file.save(&original).unwrap();
        original.entries[1].status = EntryStatus::Changed;
        file.save(&original).unwrap();
        // WHEN it is loaded
        let loaded = Plan::load(file.path()).unwrap();
        // THEN it is the last plan saved, and no temporary file is left behind
        assert_eq!(loaded, original);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn the_default_key_is_null_and_times_are_rfc3339() {
        let value: serde_json::Value = serde_json::from_str(&plan().to_json().unwrap()).unwrap();
        assert_eq!(value["version"], 2);
        assert_eq!(
            value["entries"][0]["previous_kms_key_id"],
            serde_json::Value::Null
        );
        assert_eq!(value["entries"][0]["status"], "changed");
        assert_eq!(value["entries"][0]["changed_at"], "2025-01-02T03:04:05Z");
        assert_eq!(value["entries"][1]["previous_kms_key_id"], "alias/old");
        assert_eq!(
            value["entries"][1]["previous_key_arn"],
            "arn:aws:kms:us-east-1:111122223333:key/o"
        );
        assert_eq!(
            value["entries"][0]["previous_key_arn"],
            serde_json::Value::Null
        );
        assert!(value["entries"][0].get("error").is_none());
    }

    #[test]
    fn an_existing_file_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan.json");
        std::fs::write(&path, "precious").unwrap();
        let err = PlanFile::new(path.clone()).save(&plan()).unwrap_err();
        assert!(matches!(err, PlanError::Exists), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "precious");
    }

    #[test]
    fn unknown_versions_and_foreign_files_are_refused() {
        let mut value: serde_json::Value =
            serde_json::from_str(&plan().to_json().unwrap()).unwrap();
        value["version"] = 3.into();
        let err = Plan::from_json(&value.to_string()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "plan version 3 is not supported (this secrets-cmk reads version 2)"
        );
        // AND a version 1 plan (no resolved key ARNs) says how to go on
        value["version"] = 1.into();
        let old = Plan::from_json(&value.to_string()).unwrap_err();
        assert!(old.to_string().contains("version 1"), "{old}");
        assert!(old.to_string().contains("previous_kms_key_id"), "{old}");
        value["version"] = "2".into();
        assert!(matches!(
            Plan::from_json(&value.to_string()),
            Err(PlanError::Version { .. })
        ));
        assert!(matches!(
            Plan::from_json("{\"entries\": []}"),
            Err(PlanError::NoVersion)
        ));
        assert!(matches!(
            Plan::from_json("not json"),
            Err(PlanError::Json(_))
        ));
        assert!(matches!(
            Plan::from_json("{\"version\": 2}"),
            Err(PlanError::Json(_))
        ));
    }

    #[test]
    fn unknown_fields_are_ignored() {
        let mut value: serde_json::Value =
            serde_json::from_str(&plan().to_json().unwrap()).unwrap();
        value["note"] = "added by a later version".into();
        assert_eq!(Plan::from_json(&value.to_string()).unwrap(), plan());
    }

    #[test]
    fn the_default_file_name_carries_the_utc_time() {
        let at = Utc.with_ymd_and_hms(2025, 11, 30, 23, 59, 1).unwrap();
        assert_eq!(
            default_plan_path(at),
            PathBuf::from("secrets-cmk-plan-20251130T235901Z.json")
        );
    }
}
