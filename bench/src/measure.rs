//! The rule's own figures: one periodic sweep (wall time, API calls, CPU time), the bare
//! ListSecrets floor it is compared with, cold start, and the Lambda process's memory.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use aws_sdk_config::types::{ComplianceType, Evaluation};
use secrets_cmk_harness::events::{
    RULE_NAME, RuleContext, SECRET_RESOURCE_TYPE, now, scheduled_event,
};
use secrets_cmk_harness::{
    Context, DEFAULT_ACCOUNT, DEFAULT_REGION, Emulator, LambdaOptions, LambdaProcess,
};
use serde_json::Value;

use crate::error::{BenchError, Result};
use crate::estate::{EstatePlan, REPLICA_REGION, Seeded};

/// The deadline a sweep gets: Lambda's maximum, 15 minutes.
pub(crate) const SWEEP_DEADLINE: Duration = Duration::from_secs(900);

/// Linux reports process CPU times in clock ticks of 1/100 s (`USER_HZ`, fixed at 100
/// on every architecture Lambda runs).
const USER_HZ: u64 = 100;

/// API calls by operation, as the emulator logged them.
pub(crate) type Calls = BTreeMap<String, usize>;

/// One periodic sweep of the Lambda.
#[derive(Clone, Debug)]
pub(crate) struct SweepRun {
    /// From queueing the invocation to its response.
    pub(crate) wall: Duration,
    /// CPU time the Lambda process spent on it (all threads).
    pub(crate) cpu: Option<Duration>,
    /// Calls the emulator served during it.
    pub(crate) calls: Calls,
    /// Evaluations reported, by compliance type (the invocation's response).
    pub(crate) reported: BTreeMap<String, u64>,
}

/// Invokes one scheduled (periodic) sweep, with a result token minted for the rule so
/// its results are stored and read back by the cleanup, as Config does.
pub(crate) async fn sweep(emulator: &Emulator, lambda: &LambdaProcess) -> Result<SweepRun> {
    sweep_with(emulator, lambda, None).await
}

/// [`sweep`] with these rule parameters (a JSON object in a string; `None`: defaults).
pub(crate) async fn sweep_with(
    emulator: &Emulator,
    lambda: &LambdaProcess,
    rule_parameters: Option<&str>,
) -> Result<SweepRun> {
    let token = emulator.mint_result_token(RULE_NAME).await?;
    let mut context = RuleContext::new(DEFAULT_ACCOUNT, DEFAULT_REGION).with_result_token(token);
    if let Some(parameters) = rule_parameters {
        context = context.with_parameters(parameters);
    }
    let event = scheduled_event(&context, now());
    let log_before = emulator.requests().await?.len();
    let pid = lambda.pid();
    let cpu_before = pid.and_then(process_cpu);

    let started = Instant::now();
    let outcome = lambda
        .invoke(&event, &lambda.function_arn(), SWEEP_DEADLINE)
        .await?;
    let wall = started.elapsed();

    let cpu_after = pid.and_then(process_cpu);
    let response = outcome.into_response()?;
    let calls = calls_since(emulator, log_before).await?;
    let reported = response
        .get("reported")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0)))
                .collect()
        })
        .unwrap_or_default();
    Ok(SweepRun {
        wall,
        cpu: cpu_before.zip(cpu_after).map(|(b, a)| a.saturating_sub(b)),
        calls,
        reported,
    })
}

/// Calls the emulator logged after the first `offset` entries, by operation.
pub(crate) async fn calls_since(emulator: &Emulator, offset: usize) -> Result<Calls> {
    let mut calls = Calls::new();
    for request in emulator.requests().await?.into_iter().skip(offset) {
        *calls.entry(request.operation).or_default() += 1;
    }
    Ok(calls)
}

/// One run of a floor: the bare listing, or the calls floor.
#[derive(Clone, Debug)]
pub(crate) struct FloorRun {
    /// From the first request to the last page.
    pub(crate) wall: Duration,
    /// ListSecrets calls.
    pub(crate) pages: usize,
    /// Secrets listed.
    pub(crate) secrets: usize,
    /// Time per operation, in the order made (the calls floor only).
    pub(crate) phases: Vec<(&'static str, Duration)>,
}

/// The floor: ListSecrets paged in a tight loop, 100 a page with scheduled deletions,
/// as the sweep lists. Pages cannot be fetched in parallel (each needs the previous
/// page's token), so no sweep can be faster than this.
pub(crate) async fn list_floor(
    secretsmanager: &aws_sdk_secretsmanager::Client,
) -> Result<FloorRun> {
    let started = Instant::now();
    let (pages, listed) = list_all(secretsmanager, "ListSecrets (floor)").await?;
    Ok(FloorRun {
        wall: started.elapsed(),
        pages,
        secrets: listed.len(),
        phases: Vec::new(),
    })
}

/// Page ListSecrets to the end as the sweep does (100 a page, scheduled deletions
/// included): the number of pages and each secret's ARN with whether it is scheduled
/// for deletion.
async fn list_all(
    secretsmanager: &aws_sdk_secretsmanager::Client,
    what: &'static str,
) -> Result<(usize, Vec<(String, bool)>)> {
    let mut pages = 0;
    let mut listed = Vec::new();
    let mut next_token = None;
    loop {
        let page = secretsmanager
            .list_secrets()
            .max_results(100)
            .include_planned_deletion(true)
            .set_next_token(next_token)
            .send()
            .await
            .context(what)?;
        pages += 1;
        listed.extend(page.secret_list().iter().map(|s| {
            (
                s.arn().unwrap_or_default().to_owned(),
                s.deleted_date().is_some(),
            )
        }));
        next_token = page
            .next_token()
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        if next_token.is_none() {
            return Ok((pages, listed));
        }
    }
}

/// An annotation about as long as the rule's, so PutEvaluations carries as much.
const FLOOR_ANNOTATION: &str = "calls floor: encrypted with the customer managed key \
     arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000 (Enabled)";

/// The second floor: the sweep's minimum calls, made one after another by the driver
/// with no rule logic around them: every ListSecrets page, DescribeKey for each distinct
/// reference, DescribeSecret for each live multi-Region secret, the evaluations 100 a
/// call, the rule's compliance results read back 100 a page. The emulator serves
/// requests in effect one at a time (one Python process), so this is what serving those
/// calls costs it. The evaluations are put in TestMode: they are validated like the
/// rule's but not stored, so the calls floor leaves the emulator's state (and the next
/// sweep's cost) as it found it; it reads back the results the rule's sweeps stored, so
/// at least one sweep must have run.
pub(crate) async fn calls_floor(
    emulator: &Emulator,
    plan: &EstatePlan,
    seeded: &Seeded,
) -> Result<FloorRun> {
    let secretsmanager = emulator.secretsmanager(DEFAULT_REGION);
    let config = emulator.config(DEFAULT_REGION);
    let kms_home = emulator.kms(DEFAULT_REGION);
    let kms_replica = emulator.kms(REPLICA_REGION);
    let lookups: Vec<(&str, String)> = plan
        .key_references()
        .into_iter()
        .filter_map(|r| seeded.keys.lookup(r))
        .collect();
    let multi_region: Vec<&str> = plan
        .live()
        .filter(|s| s.replica.is_some())
        .filter_map(|s| {
            seeded
                .secrets
                .get(s.index)
                .map(|secret| secret.arn.as_str())
        })
        .collect();
    let timestamp = aws_smithy_types::DateTime::from_secs(now().timestamp());

    let started = Instant::now();
    let (pages, listed) = list_all(&secretsmanager, "ListSecrets (calls floor)").await?;
    let mut phases = Vec::new();
    let mut phase = started;
    let mut lap = |name: &'static str, phases: &mut Vec<(&'static str, Duration)>| {
        phases.push((name, phase.elapsed()));
        phase = Instant::now();
    };
    lap("ListSecrets", &mut phases);
    for (region, arn) in &lookups {
        let kms = if *region == REPLICA_REGION {
            &kms_replica
        } else {
            &kms_home
        };
        kms.describe_key()
            .key_id(arn)
            .send()
            .await
            .context(format!("DescribeKey {arn} (calls floor)"))?;
    }
    lap("DescribeKey", &mut phases);
    for arn in &multi_region {
        secretsmanager
            .describe_secret()
            .secret_id(*arn)
            .send()
            .await
            .context(format!("DescribeSecret {arn} (calls floor)"))?;
    }
    lap("DescribeSecret", &mut phases);
    for batch in listed.chunks(100) {
        let mut request = config
            .put_evaluations()
            .result_token("TESTMODE")
            .test_mode(true);
        for (arn, deleted) in batch {
            let compliance = if *deleted {
                ComplianceType::NotApplicable
            } else {
                ComplianceType::Compliant
            };
            let evaluation = Evaluation::builder()
                .compliance_resource_type(SECRET_RESOURCE_TYPE)
                .compliance_resource_id(arn)
                .compliance_type(compliance)
                .annotation(FLOOR_ANNOTATION)
                .ordering_timestamp(timestamp)
                .build()
                .map_err(|e| BenchError::Failed(format!("building an evaluation: {e}")))?;
            request = request.evaluations(evaluation);
        }
        request
            .send()
            .await
            .context("PutEvaluations (calls floor)")?;
    }
    lap("PutEvaluations", &mut phases);
    let mut next_token = None;
    let mut compliance_pages = 0;
    loop {
        compliance_pages += 1;
        let page = config
            .get_compliance_details_by_config_rule()
            .config_rule_name(RULE_NAME)
            .compliance_types(ComplianceType::Compliant)
            .compliance_types(ComplianceType::NonCompliant)
            .limit(100)
            .set_next_token(next_token)
            .send()
            .await
            .context("GetComplianceDetailsByConfigRule (calls floor)")?;
        next_token = page
            .next_token()
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        if next_token.is_none() {
            break;
        }
    }
    lap("GetComplianceDetailsByConfigRule", &mut phases);
    let expected = plan.minimum_calls().compliance_pages;
    if compliance_pages != expected {
        return Err(BenchError::Failed(format!(
            "the calls floor read {compliance_pages} pages of the rule's results, not \
             {expected}: run a sweep before it"
        )));
    }
    Ok(FloorRun {
        wall: started.elapsed(),
        pages,
        secrets: listed.len(),
        phases,
    })
}

/// Cold starts: each a fresh process, timed from just before spawning it to its first
/// `/next` poll of the runtime API (init done, ready for the event). The time to bind
/// the runtime API server on loopback is included: the figure is an upper bound.
pub(crate) async fn cold_starts(options: &LambdaOptions, count: usize) -> Result<Vec<Duration>> {
    let mut samples = Vec::with_capacity(count);
    for _ in 0..count {
        let started = Instant::now();
        let lambda = LambdaProcess::start(options.clone()).await?;
        samples.push(started.elapsed());
        if lambda.runtime_api().polls() < 1 {
            return Err(BenchError::Failed(
                "the Lambda started without polling the runtime API".into(),
            ));
        }
        lambda.stop();
    }
    Ok(samples)
}

/// A process's peak resident set (`VmHWM`), in KiB.
pub(crate) fn peak_rss_kib(pid: u32) -> Option<u64> {
    status_field(pid, "VmHWM:")
}

/// A process's resident set now (`VmRSS`), in KiB.
pub(crate) fn rss_kib(pid: u32) -> Option<u64> {
    status_field(pid, "VmRSS:")
}

fn status_field(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    parse_status_kib(&status, field)
}

/// `VmHWM:     12345 kB` -> 12345.
fn parse_status_kib(status: &str, field: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

/// CPU time of a process so far: the scheduler's on-CPU time of each of its threads
/// (`/proc/<pid>/task/*/schedstat`, nanoseconds), or else user + system time from
/// `/proc/<pid>/stat` (10 ms ticks). The Lambda's threads (the tokio workers) live as
/// long as the process, so the sum over threads is the process's time.
fn process_cpu(pid: u32) -> Option<Duration> {
    schedstat_cpu(pid).or_else(|| {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        parse_stat_cpu(&stat)
    })
}

fn schedstat_cpu(pid: u32) -> Option<Duration> {
    let mut total_ns: u64 = 0;
    for task in std::fs::read_dir(format!("/proc/{pid}/task")).ok()? {
        let path = task.ok()?.path().join("schedstat");
        let text = std::fs::read_to_string(path).ok()?;
        total_ns += parse_schedstat_ns(&text)?;
    }
    Some(Duration::from_nanos(total_ns))
}

/// `380976616 475852387 1245` (on-CPU ns, waiting ns, time slices) -> 380976616.
fn parse_schedstat_ns(text: &str) -> Option<u64> {
    text.split_whitespace().next()?.parse().ok()
}

fn parse_stat_cpu(stat: &str) -> Option<Duration> {
    // The command name (field 2) is in parentheses and may contain spaces: count the
    // fields after its closing parenthesis, where field 3 (state) is the first.
    let (_, rest) = stat.rsplit_once(')')?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(Duration::from_millis((utime + stime) * 1000 / USER_HZ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_peak_resident_set_from_proc_status() {
        // GIVEN a /proc/<pid>/status excerpt
        let status =
            "Name:\tbootstrap\nVmPeak:\t  100000 kB\nVmHWM:\t   23456 kB\nVmRSS:\t   20000 kB\n";

        // WHEN / THEN the fields are read in KiB
        assert_eq!(parse_status_kib(status, "VmHWM:"), Some(23_456));
        assert_eq!(parse_status_kib(status, "VmRSS:"), Some(20_000));
        assert_eq!(parse_status_kib(status, "VmSwap:"), None);
    }

    #[test]
    fn reads_on_cpu_nanoseconds_from_schedstat() {
        assert_eq!(
            parse_schedstat_ns("380976616 475852387 1245\n"),
            Some(380_976_616)
        );
        assert_eq!(parse_schedstat_ns(""), None);
    }

    #[test]
    fn reads_the_cpu_time_of_this_process() {
        // GIVEN this test process has spent 50 ms on a CPU (the kernel accounts on-CPU
        // time at scheduler ticks: a process that has barely run can still read 0)
        let spin = std::time::Instant::now();
        let mut work = 0u64;
        while spin.elapsed() < Duration::from_millis(50) {
            work = std::hint::black_box(work.wrapping_add(1));
        }
        // WHEN its CPU time is read / THEN there is some
        let cpu = process_cpu(std::process::id());
        assert!(cpu.is_some_and(|d| d > Duration::ZERO), "{cpu:?}");
    }

    #[test]
    fn reads_cpu_time_after_a_command_name_with_spaces() {
        // GIVEN a /proc/<pid>/stat line whose command contains ") ("
        let stat =
            "4242 (my (odd) cmd) S 1 4242 4242 0 -1 4194560 500 0 0 0 37 5 0 0 20 0 9 0 100 0 0";

        // WHEN / THEN utime 37 + stime 5 ticks = 420 ms
        assert_eq!(parse_stat_cpu(stat), Some(Duration::from_millis(420)));
    }
}
