//! `audit --organization` at scale: an organization of [`ACCOUNTS`] accounts, each with
//! [`SECRETS_PER_REGION`] secrets in each of [`REGIONS`], audited through the release CLI
//! at concurrency 1, 4 and 16 under the emulator's latency model, against the ideal of
//! one account-Region's audit times the number of pairs over the concurrency.
//!
//! The single account-Region audit is the same binary, the same latency and the same
//! emulator (the management account's first Region), so the ratio shows what running
//! pairs side by side costs or saves, and where the emulator's one-at-a-time section
//! (not AWS) becomes the limit.

use std::path::Path;
use std::time::Instant;

use secrets_cmk_harness::organization::create_organization_with;
use secrets_cmk_harness::seed::{assume_role, create_cmk, create_secrets};
use secrets_cmk_harness::{Credentials, DEFAULT_ACCOUNT, Emulator};
use serde::{Deserialize, Serialize};
use tokio::process::Command;

use crate::error::{BenchError, Result};
use crate::paid::LATENCY_MS;
use crate::stats::{median, ms};

/// Accounts in the organization, the management account included.
pub(crate) const ACCOUNTS: usize = 20;
/// The Regions every account is audited in.
pub(crate) const REGIONS: [&str; 2] = ["us-east-1", "us-west-2"];
/// Secrets in each account and Region.
pub(crate) const SECRETS_PER_REGION: usize = 200;
/// The concurrencies measured.
pub(crate) const CONCURRENCY: [usize; 3] = [1, 4, 16];
/// The role every member is audited through (the one AWS Organizations creates in the
/// accounts it creates).
const ROLE_NAME: &str = "OrganizationAccountAccessRole";

/// The organization audit's figures.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct OrgAudit {
    /// Accounts audited.
    pub(crate) accounts: usize,
    /// Regions per account.
    pub(crate) regions: usize,
    /// Secrets per account and Region.
    pub(crate) secrets_per_region: usize,
    /// The latency of every request, ms.
    pub(crate) latency_ms: f64,
    /// Each audit of one account and Region, ms.
    pub(crate) single_ms: Vec<f64>,
    /// Per concurrency: each organization audit's wall time, ms.
    pub(crate) runs: Vec<OrgRuns>,
    /// Each organization audit at the highest concurrency with no latency, ms: moto's
    /// one-at-a-time time for all the audit's calls plus the process, a floor no
    /// concurrency can go below on this emulator (empty in runs before it was measured).
    #[serde(default)]
    pub(crate) no_latency_ms: Vec<f64>,
}

/// The runs at one concurrency.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct OrgRuns {
    /// `--concurrency`.
    pub(crate) concurrency: usize,
    /// Wall time of each run, ms.
    pub(crate) wall_ms: Vec<f64>,
}

impl OrgAudit {
    /// Account-Region pairs.
    pub(crate) fn pairs(&self) -> usize {
        self.accounts * self.regions
    }

    /// The ideal wall time at `concurrency`: the single audit × pairs / concurrency.
    pub(crate) fn ideal_ms(&self, concurrency: usize) -> f64 {
        median(&self.single_ms) * self.pairs() as f64 / concurrency.max(1) as f64
    }

    /// The emulator's floor (median of [`OrgAudit::no_latency_ms`]), if measured.
    pub(crate) fn emulator_floor_ms(&self) -> Option<f64> {
        (!self.no_latency_ms.is_empty()).then(|| median(&self.no_latency_ms))
    }
}

impl OrgRuns {
    /// Median wall time over the ideal.
    pub(crate) fn over_ideal(&self, audit: &OrgAudit) -> f64 {
        median(&self.wall_ms) / audit.ideal_ms(self.concurrency).max(f64::EPSILON)
    }
}

/// Seed the organization in a fresh emulator and measure `runs` audits at each
/// concurrency (and `runs` single account-Region audits) with the CLI at `cli`.
pub(crate) async fn measure(cli: &Path, runs: usize) -> Result<OrgAudit> {
    let emulator = Emulator::start().await?;
    let started = Instant::now();
    let accounts = seed(&emulator).await?;
    eprintln!(
        "bench: organization: {} accounts × {} Regions × {SECRETS_PER_REGION} secrets seeded in {:.1} s",
        accounts.len(),
        REGIONS.len(),
        started.elapsed().as_secs_f64()
    );
    emulator.set_latency(LATENCY_MS, 0.0, 0).await?;
    let expected = accounts.len() * REGIONS.len() * SECRETS_PER_REGION;
    let mut single_ms = Vec::new();
    let mut by_concurrency: Vec<OrgRuns> = CONCURRENCY
        .iter()
        .map(|&concurrency| OrgRuns {
            concurrency,
            wall_ms: Vec::new(),
        })
        .collect();
    let highest = CONCURRENCY[CONCURRENCY.len() - 1].to_string();
    let org_args = |concurrency: &str| -> Vec<String> {
        let mut args: Vec<String> = ["--organization", "--role-name", ROLE_NAME, "--concurrency"]
            .iter()
            .map(|a| (*a).to_owned())
            .collect();
        args.push(concurrency.to_owned());
        for region in REGIONS {
            args.extend(["--region".to_owned(), region.to_owned()]);
        }
        args
    };
    for round in 0..runs {
        let single = audit(
            &emulator,
            cli,
            &["--region".to_owned(), REGIONS[0].to_owned()],
        )
        .await?;
        check_count(
            single.0,
            SECRETS_PER_REGION,
            "the single account-Region audit",
        )?;
        single_ms.push(single.1);
        for entry in &mut by_concurrency {
            let args = org_args(&entry.concurrency.to_string());
            let (rows, wall) = audit(&emulator, cli, &args).await?;
            check_count(rows, expected, "the organization audit")?;
            entry.wall_ms.push(wall);
            eprintln!(
                "bench: organization: round {}/{runs}: concurrency {}: {wall:.0} ms",
                round + 1,
                entry.concurrency
            );
        }
    }
    // The same audit without latency: what moto's one-at-a-time section costs.
    emulator.set_latency(0.0, 0.0, 0).await?;
    let mut no_latency_ms = Vec::new();
    for _ in 0..runs {
        let (rows, wall) = audit(&emulator, cli, &org_args(&highest)).await?;
        check_count(rows, expected, "the organization audit without latency")?;
        no_latency_ms.push(wall);
    }
    eprintln!("bench: organization: without latency, concurrency {highest}: {no_latency_ms:?} ms");
    emulator.stop();
    Ok(OrgAudit {
        accounts: accounts.len(),
        regions: REGIONS.len(),
        secrets_per_region: SECRETS_PER_REGION,
        latency_ms: LATENCY_MS,
        single_ms,
        runs: by_concurrency,
        no_latency_ms,
    })
}

/// The organization (the default account manages it), and in every account and Region
/// two customer managed keys and the secrets, every fourth on the default key. Returns
/// the account ids.
async fn seed(emulator: &Emulator) -> Result<Vec<String>> {
    let management = Credentials::default_account();
    let names: Vec<String> = (1..ACCOUNTS)
        .map(|i| format!("bench-member-{i:02}"))
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut accounts = vec![DEFAULT_ACCOUNT.to_owned()];
    accounts.extend(create_organization_with(emulator, &names).await?);
    for account in &accounts {
        let credentials = if account == DEFAULT_ACCOUNT {
            management.clone()
        } else {
            assume_role(&emulator.sts(), account, ROLE_NAME).await?
        };
        for region in REGIONS {
            let kms = emulator.kms_as(&credentials, region);
            let keys = [
                create_cmk(&kms, "bench org key 1").await?,
                create_cmk(&kms, "bench org key 2").await?,
            ];
            let secretsmanager = emulator.secretsmanager_as(&credentials, region);
            create_secrets(&secretsmanager, "org", SECRETS_PER_REGION, |i| {
                (i % 4 != 0).then(|| keys[i % 2].arn.clone())
            })
            .await?;
        }
    }
    Ok(accounts)
}

/// One `secrets-cmk audit --format json` with `args`, as the management account: the
/// rows it printed and its wall time (ms). Exit 0 or 1 both mean every secret was
/// judged; anything else fails the bench.
async fn audit(emulator: &Emulator, cli: &Path, args: &[String]) -> Result<(usize, f64)> {
    let started = Instant::now();
    let output = Command::new(cli)
        .arg("audit")
        .args(args)
        .args(["--format", "json"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AWS_ENDPOINT_URL", emulator.endpoint())
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", REGIONS[0])
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .await
        .map_err(BenchError::io(format!("running {}", cli.display())))?;
    let wall = ms(started.elapsed());
    if !matches!(output.status.code(), Some(0 | 1)) {
        return Err(BenchError::Failed(format!(
            "secrets-cmk audit {} exited with {}: {}",
            args.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout)
        .map_err(BenchError::json("reading the audit's JSON"))?;
    Ok((rows.len(), wall))
}

fn check_count(found: usize, expected: usize, what: &str) -> Result<()> {
    if found == expected {
        Ok(())
    } else {
        Err(BenchError::Failed(format!(
            "{what} gave {found}, not {expected}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ideal_is_the_single_audit_times_the_pairs_over_the_concurrency() {
        // GIVEN a single audit of 100 ms and 40 pairs
        let audit = OrgAudit {
            accounts: 20,
            regions: 2,
            secrets_per_region: 200,
            latency_ms: 25.0,
            single_ms: vec![90.0, 100.0, 110.0],
            runs: vec![OrgRuns {
                concurrency: 4,
                wall_ms: vec![1_500.0],
            }],
            no_latency_ms: vec![],
        };
        // THEN the ideal at 4 is 1,000 ms and the run is 1.5× it
        assert_eq!(audit.pairs(), 40);
        assert!((audit.ideal_ms(4) - 1_000.0).abs() < 1e-9);
        assert!((audit.runs[0].over_ideal(&audit) - 1.5).abs() < 1e-9);
        // AND without a no-latency run there is no emulator floor
        assert_eq!(audit.emulator_floor_ms(), None);
    }
}
