//! `secrets-cmk-bench`, the driver behind `make bench`: how cheap and fast the rule is,
//! against the emulator on loopback, beside Cloud Custodian on the same estates.
//!
//! For each N (1,000 and 10,000 secrets over 20 keys): a fresh emulator, the estate
//! seeded through the API (not timed), the release Lambda binary under our runtime API
//! server; then rounds of (bare ListSecrets floor, one periodic sweep, one c7n run),
//! order rotated each round; then, on the same estate, the sweep against the listing
//! under 25 ms of latency a request and the evaluations a steady-state sweep records
//! with and without `reportChangesOnly` (`paid`). Once: cold starts and the asset's zip
//! size, and `audit --organization` over an organization of 20 accounts (`org_audit`).
//! Writes
//! `bench/work/results.json`, the plot `bench/sweep-time.png` and `bench/RESULTS.md`,
//! and prints the latter.

// A benchmark driver's output is its report: it prints on stdout (progress goes to stderr).
#![allow(clippy::print_stdout)]

mod error;
mod estate;
mod machine;
mod measure;
mod org_audit;
mod paid;
mod peer;
mod report;
mod results;
mod stats;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use clap::Parser;
use secrets_cmk_harness::{DEFAULT_REGION, Emulator, LambdaOptions, LambdaProcess, paths};

use crate::error::{BenchError, Result};
use crate::estate::EstatePlan;
use crate::machine::{LoadSample, Machine};
use crate::peer::{Custodian, PeerRun};
use crate::results::{Asset, ColdStart, EstateFacts, EstateResult, Peer, Results};

/// The benchmark. Relative paths are relative to the workspace root.
#[derive(Debug, Parser)]
#[command(name = "secrets-cmk-bench", version, about)]
struct Args {
    /// The Lambda binary to measure: the release build of `cargo lambda build --release`.
    #[arg(long, default_value = "target/lambda/secrets-cmk-rule/bootstrap")]
    rule_binary: PathBuf,
    /// The bench venv's Python (matplotlib; zips the asset).
    #[arg(long, default_value = "bench/work/venv/bin/python")]
    python: PathBuf,
    /// The bench venv's `custodian`.
    #[arg(long, default_value = "bench/work/venv/bin/custodian")]
    custodian: PathBuf,
    /// Estate sizes (N), comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1000,10000")]
    sizes: Vec<usize>,
    /// Customer-managed keys (K).
    #[arg(long, default_value_t = 20)]
    keys: usize,
    /// Repetitions of every timed measurement (the median is reported).
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// The release CLI binary `audit --organization` is measured with (empty: skip it).
    #[arg(long, default_value = "target/bench/release/secrets-cmk")]
    cli_binary: PathBuf,
    /// Cold starts to sample.
    #[arg(long, default_value_t = 20)]
    cold_starts: usize,
    /// Where RESULTS.md and sweep-time.png go.
    #[arg(long, default_value = "bench")]
    out_dir: PathBuf,
    /// Scratch space (results.json, the zip, c7n's output).
    #[arg(long, default_value = "bench/work")]
    work_dir: PathBuf,
    /// Measure nothing: render RESULTS.md and the plot again from a results.json.
    #[arg(long, value_name = "RESULTS_JSON")]
    report_from: Option<PathBuf>,
}

/// One timed step of a round.
#[derive(Clone, Copy, Debug)]
enum Step {
    Floor,
    CallsFloor,
    Sweep,
    Peer,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let root = paths::workspace_root();
    let at_root = |p: &Path| {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            root.join(p)
        }
    };
    let binary = at_root(&args.rule_binary);
    let python = at_root(&args.python);
    let out_dir = at_root(&args.out_dir);
    let work = at_root(&args.work_dir);
    let bench_dir = root.join("bench");
    require(
        &python,
        "the bench venv's Python",
        "run make bench (it creates bench/work/venv)",
    )?;
    std::fs::create_dir_all(&work)
        .map_err(BenchError::io(format!("creating {}", work.display())))?;
    std::fs::create_dir_all(&out_dir)
        .map_err(BenchError::io(format!("creating {}", out_dir.display())))?;

    let json_path = match &args.report_from {
        Some(path) => at_root(path),
        None => {
            require(
                &binary,
                "the release Lambda binary",
                "run make bench (it builds it with cargo lambda)",
            )?;
            let custodian = Custodian {
                executable: at_root(&args.custodian),
                policy: bench_dir.join("c7n-policy.yml"),
                work: work.clone(),
            };
            let zip_script = bench_dir.join("zip_asset.py");
            let results = run(&args, &binary, &python, &custodian, &zip_script, &work).await?;
            let json_path = work.join("results.json");
            let json = serde_json::to_string_pretty(&results)
                .map_err(BenchError::json("serializing the results"))?;
            std::fs::write(&json_path, json)
                .map_err(BenchError::io(format!("writing {}", json_path.display())))?;
            json_path
        }
    };
    let text = std::fs::read_to_string(&json_path)
        .map_err(BenchError::io(format!("reading {}", json_path.display())))?;
    let results: Results = serde_json::from_str(&text)
        .map_err(BenchError::json(format!("reading {}", json_path.display())))?;
    let plot = out_dir.join("sweep-time.png");
    run_tool(
        Command::new(&python)
            .arg(bench_dir.join("plot.py"))
            .arg(&json_path)
            .arg(&plot),
        "plotting sweep time against N",
    )?;
    let markdown = report::render(&results);
    let results_path = out_dir.join("RESULTS.md");
    std::fs::write(&results_path, &markdown).map_err(BenchError::io(format!(
        "writing {}",
        results_path.display()
    )))?;
    println!("{markdown}");
    eprintln!(
        "bench: wrote {} and {}",
        results_path.display(),
        plot.display()
    );
    Ok(())
}

async fn run(
    args: &Args,
    binary: &Path,
    python: &Path,
    custodian: &Custodian,
    zip_script: &Path,
    work: &Path,
) -> Result<Results> {
    let date = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let machine = Machine::detect();
    let mut load: Vec<LoadSample> = LoadSample::now("start").into_iter().collect();
    let asset = measure_asset(
        python,
        zip_script,
        binary,
        &work.join("secrets-cmk-rule.zip"),
    )?;
    let peer_version = custodian.version();
    let mut estates = Vec::new();
    let mut paid_for = Vec::new();
    let mut cold_start = None;

    for &n in &args.sizes {
        let plan = EstatePlan::new(n, args.keys);
        eprintln!(
            "bench: N={n}: starting the emulator, seeding {n} secrets over {} keys",
            plan.keys
        );
        let emulator = Emulator::start().await?;
        let seeded = estate::seed(&emulator, &plan).await?;
        eprintln!("bench: N={n}: seeded in {:.1} s", seeded.time.as_secs_f64());
        let options = LambdaOptions::new(binary, &emulator);
        let lambda = LambdaProcess::start(options.clone()).await?;
        let idle_rss = lambda.pid().and_then(measure::rss_kib);
        let secretsmanager = emulator.secretsmanager(DEFAULT_REGION);
        load.extend(LoadSample::now(format!(
            "N = {}, before the timed runs",
            report::int(n)
        )));

        // One untimed sweep first, so Config holds the estate's results as it does for a
        // deployed rule: the sweep reads them back while it lists, and on a fresh rule
        // there would be nothing to read (fewer GetComplianceDetailsByConfigRule pages
        // than the steady-state minimum).
        measure::sweep(&emulator, &lambda).await?;
        let mut sweeps = Vec::new();
        let mut floors = Vec::new();
        let mut calls_floors = Vec::new();
        let mut peer_runs: Vec<PeerRun> = Vec::new();
        let mut peer_failure: Option<String> = None;
        for round in 0..args.runs {
            // Rotated, so each step takes each place once in 4 rounds; the calls floor
            // reads back the results a sweep stored, so the first round sweeps before it.
            let mut steps = [Step::Floor, Step::Sweep, Step::CallsFloor, Step::Peer];
            let len = steps.len();
            steps.rotate_left(round % len);
            for step in steps {
                match step {
                    Step::Floor => {
                        let floor = measure::list_floor(&secretsmanager).await?;
                        check(floor.secrets == n, || {
                            format!("the floor listed {} secrets, not {n}", floor.secrets)
                        })?;
                        floors.push(floor);
                    }
                    Step::CallsFloor => {
                        let floor = measure::calls_floor(&emulator, &plan, &seeded).await?;
                        check(floor.secrets == n, || {
                            format!("the calls floor listed {} secrets, not {n}", floor.secrets)
                        })?;
                        calls_floors.push(floor);
                    }
                    Step::Sweep => {
                        let sweep = measure::sweep(&emulator, &lambda).await?;
                        let reported: u64 = sweep.reported.values().sum();
                        check(reported == n as u64, || {
                            format!("the sweep reported {reported} evaluations, not {n}")
                        })?;
                        sweeps.push(sweep);
                    }
                    Step::Peer if peer_failure.is_none() => match custodian.run(&emulator).await {
                        Ok(run) => peer_runs.push(run),
                        Err(e) => {
                            eprintln!("bench: N={n}: c7n failed: {e}");
                            peer_failure = Some(e.to_string());
                        }
                    },
                    Step::Peer => {}
                }
            }
            eprintln!(
                "bench: N={n}: round {}/{}: sweep {:.0} ms, floor {:.0} ms, calls floor {:.0} ms{}",
                round + 1,
                args.runs,
                sweeps.last().map_or(0.0, |s| stats::ms(s.wall)),
                floors.last().map_or(0.0, |f| stats::ms(f.wall)),
                calls_floors.last().map_or(0.0, |f| stats::ms(f.wall)),
                peer_runs
                    .last()
                    .map(|p| format!(", c7n {:.0} ms", stats::ms(p.wall)))
                    .unwrap_or_default()
            );
        }
        let peak_rss = lambda.pid().and_then(measure::peak_rss_kib);
        let minimum: measure::Calls = plan
            .minimum_calls()
            .by_operation()
            .iter()
            .filter(|(_, calls)| *calls > 0)
            .map(|(op, calls)| ((*op).to_owned(), *calls))
            .collect();
        paid_for.push(paid::measure(&emulator, &lambda, n, args.runs, &minimum).await?);
        load.extend(LoadSample::now(format!(
            "N = {}, after the timed runs",
            report::int(n)
        )));
        lambda.stop();

        if cold_start.is_none() {
            eprintln!("bench: {} cold starts", args.cold_starts);
            let samples = measure::cold_starts(&options, args.cold_starts).await?;
            cold_start = Some(ColdStart::new(&samples));
        }
        emulator.stop();

        estates.push(EstateResult::new(
            EstateFacts {
                n,
                composition: plan.composition(),
                seed_secs: seeded.time.as_secs_f64(),
                minimum: plan.minimum_calls(),
            },
            &sweeps,
            (&floors, &calls_floors),
            (idle_rss, peak_rss),
            Peer::from_runs(&peer_runs, peer_failure),
        ));
    }
    let org_audit = if args.cli_binary.as_os_str().is_empty() {
        None
    } else {
        let cli = paths::workspace_root().join(&args.cli_binary);
        require(
            &cli,
            "the release CLI binary",
            "run make bench (it builds it)",
        )?;
        eprintln!("bench: organization audit");
        Some(org_audit::measure(&cli, args.runs).await?)
    };
    load.extend(LoadSample::now("end"));

    Ok(Results {
        date,
        machine,
        load,
        runs: args.runs,
        keys: args.keys,
        asset,
        cold_start: cold_start.unwrap_or_else(|| ColdStart::new(&[] as &[Duration])),
        peer_version,
        estates,
        paid_for,
        org_audit,
    })
}

/// The binary's size and its deployable zip's.
fn measure_asset(python: &Path, zip_script: &Path, binary: &Path, zip: &Path) -> Result<Asset> {
    let binary_bytes = std::fs::metadata(binary)
        .map_err(BenchError::io(format!("reading {}", binary.display())))?
        .len();
    run_tool(
        Command::new(python).arg(zip_script).arg(binary).arg(zip),
        "zipping the Lambda asset",
    )?;
    let zip_bytes = std::fs::metadata(zip)
        .map_err(BenchError::io(format!("reading {}", zip.display())))?
        .len();
    Ok(Asset {
        binary: binary.display().to_string(),
        binary_bytes,
        zip_bytes,
    })
}

fn run_tool(command: &mut Command, what: &str) -> Result<()> {
    let output = command.output().map_err(BenchError::io(what.to_owned()))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(BenchError::Failed(format!(
            "{what} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )))
    }
}

fn require(path: &Path, what: &'static str, hint: &'static str) -> Result<()> {
    if path.is_file() {
        Ok(())
    } else {
        Err(BenchError::Missing {
            what,
            path: path.display().to_string(),
            hint,
        })
    }
}

fn check(holds: bool, message: impl FnOnce() -> String) -> Result<()> {
    if holds {
        Ok(())
    } else {
        Err(BenchError::Failed(message()))
    }
}
