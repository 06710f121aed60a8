//! The peer: Cloud Custodian (`c7n`) running the equivalent policy
//! (`bench/c7n-policy.yml`) on the same estate, against the same emulator.
//!
//! `custodian run --dryrun --cache-period 0` (no actions, no cache), pointed at the
//! emulator with `AWS_ENDPOINT_URL` (botocore >= 1.31 honours it for every client),
//! dummy credentials and nothing from the developer's AWS configuration. Its calls are
//! counted in the emulator's request log like ours.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use secrets_cmk_harness::{DEFAULT_REGION, Emulator};

use crate::error::{BenchError, Result};
use crate::measure::{Calls, calls_since};

/// The policy's name in `bench/c7n-policy.yml` (c7n writes `<output>/<name>/resources.json`).
pub(crate) const POLICY_NAME: &str = "secrets-not-on-a-customer-managed-key";

/// Where c7n comes from and where it may write.
#[derive(Clone, Debug)]
pub(crate) struct Custodian {
    /// The `custodian` executable (the bench venv's).
    pub(crate) executable: PathBuf,
    /// The policy file.
    pub(crate) policy: PathBuf,
    /// A scratch directory (output, an empty home).
    pub(crate) work: PathBuf,
}

/// One run of the policy.
#[derive(Clone, Debug)]
pub(crate) struct PeerRun {
    /// The `custodian run` process, start to exit (interpreter start-up included).
    pub(crate) wall: Duration,
    /// The policy's own execution time as c7n logs it (`count:N time:T`): listing,
    /// describing and filtering, without start-up.
    pub(crate) policy_time: Option<Duration>,
    /// Calls the emulator served during the run.
    pub(crate) calls: Calls,
    /// Secrets the policy matched (not on a customer-managed key).
    pub(crate) flagged: usize,
}

impl Custodian {
    /// `custodian version`, for the results.
    pub(crate) fn version(&self) -> Option<String> {
        let output = Command::new(&self.executable)
            .arg("version")
            .output()
            .ok()?;
        let text = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        (!text.is_empty()).then_some(text)
    }

    /// Runs the policy once against `emulator`.
    pub(crate) async fn run(&self, emulator: &Emulator) -> Result<PeerRun> {
        let output_dir = self.work.join("c7n-output");
        let home = self.work.join("c7n-home");
        std::fs::create_dir_all(&home)
            .map_err(BenchError::io(format!("creating {}", home.display())))?;
        let empty = home.join("empty");
        std::fs::write(&empty, "")
            .map_err(BenchError::io(format!("creating {}", empty.display())))?;

        let mut command = Command::new(&self.executable);
        command
            .args([
                "run",
                "--dryrun",
                "--cache-period",
                "0",
                "--region",
                DEFAULT_REGION,
            ])
            .arg("--output-dir")
            .arg(&output_dir)
            .arg(&self.policy)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &home)
            .env("AWS_ENDPOINT_URL", emulator.endpoint())
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_DEFAULT_REGION", DEFAULT_REGION)
            .env("AWS_REGION", DEFAULT_REGION)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_CONFIG_FILE", &empty)
            .env("AWS_SHARED_CREDENTIALS_FILE", &empty);

        let log_before = emulator.requests().await?.len();
        let started = Instant::now();
        let output = tokio::task::spawn_blocking(move || command.output())
            .await
            .map_err(|e| BenchError::Failed(format!("the custodian task failed: {e}")))?
            .map_err(BenchError::io(format!(
                "running {}",
                self.executable.display()
            )))?;
        let wall = started.elapsed();
        let calls = calls_since(emulator, log_before).await?;

        let stderr = String::from_utf8_lossy(&output.stderr);
        if !output.status.success() {
            return Err(BenchError::Failed(format!(
                "custodian run exited with {}:\n{}",
                output.status,
                tail(&stderr, 40)
            )));
        }
        let flagged = read_flagged(&output_dir.join(POLICY_NAME).join("resources.json"))?;
        Ok(PeerRun {
            wall,
            policy_time: policy_time(&stderr),
            calls,
            flagged,
        })
    }
}

/// How many resources the policy matched, from c7n's `resources.json`.
fn read_flagged(path: &Path) -> Result<usize> {
    let text = std::fs::read_to_string(path)
        .map_err(BenchError::io(format!("reading {}", path.display())))?;
    let resources: Vec<serde_json::Value> = serde_json::from_str(&text)
        .map_err(BenchError::json(format!("reading {}", path.display())))?;
    Ok(resources.len())
}

/// The policy's execution time from c7n's log line
/// `custodian.policy:INFO policy:NAME resource:aws.secrets-manager region:R count:N time:T`.
fn policy_time(log: &str) -> Option<Duration> {
    log.lines()
        .filter(|line| line.contains("resource:aws.secrets-manager") && line.contains(" count:"))
        .find_map(|line| line.rsplit_once(" time:"))
        .and_then(|(_, seconds)| seconds.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(Duration::from_secs_f64)
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_policy_time_from_the_log() {
        // GIVEN c7n's log
        let log = "2026-11-28 18:05:27,396: custodian.policy:INFO policy:x resource:aws.secrets-manager region:us-east-1 count:2 time:0.62\n";

        // WHEN / THEN the time is read
        assert_eq!(policy_time(log), Some(Duration::from_millis(620)));
        assert_eq!(policy_time("nothing here"), None);
    }
}
