//! The machine the benchmark ran on, and how busy it was.

use std::process::Command;

/// What the results say about the machine.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct Machine {
    /// `model name` from /proc/cpuinfo.
    pub(crate) cpu_model: String,
    /// Cores available to this process.
    pub(crate) cores: usize,
    /// `MemTotal`, GiB.
    pub(crate) memory_gib: f64,
    /// `PRETTY_NAME` from /etc/os-release.
    pub(crate) os: String,
    /// The kernel release.
    pub(crate) kernel: String,
    /// `rustc --version`, if rustc is on the PATH.
    pub(crate) rustc: Option<String>,
}

/// The 1, 5 and 15-minute load averages at one moment of the run.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct LoadSample {
    /// When in the run.
    pub(crate) when: String,
    /// 1-minute load average.
    pub(crate) one: f64,
    /// 5-minute load average.
    pub(crate) five: f64,
    /// 15-minute load average.
    pub(crate) fifteen: f64,
}

impl Machine {
    /// Reads /proc and /etc; unknown parts say "unknown".
    pub(crate) fn detect() -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let os_release = std::fs::read_to_string("/etc/os-release").unwrap_or_default();
        let memory_kib: f64 = field(&meminfo, "MemTotal", ':')
            .and_then(|v| v.split_whitespace().next().and_then(|n| n.parse().ok()))
            .unwrap_or(0.0);
        Machine {
            cpu_model: field(&cpuinfo, "model name", ':').unwrap_or_else(|| "unknown".into()),
            cores: std::thread::available_parallelism().map_or(0, usize::from),
            memory_gib: memory_kib / (1024.0 * 1024.0),
            os: field(&os_release, "PRETTY_NAME", '=')
                .map(|v| v.trim_matches('"').to_owned())
                .unwrap_or_else(|| "unknown".into()),
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .map(|s| s.trim().to_owned())
                .unwrap_or_else(|_| "unknown".into()),
            rustc: Command::new("rustc")
                .arg("--version")
                .output()
                .ok()
                .filter(|o| o.status.success())
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned()),
        }
    }
}

impl LoadSample {
    /// The load averages now, labelled `when`.
    pub(crate) fn now(when: impl Into<String>) -> Option<LoadSample> {
        let text = std::fs::read_to_string("/proc/loadavg").ok()?;
        let mut parts = text.split_whitespace().map(|p| p.parse::<f64>().ok());
        Some(LoadSample {
            when: when.into(),
            one: parts.next()??,
            five: parts.next()??,
            fifteen: parts.next()??,
        })
    }
}

/// The value of the first `name<sep>value` line.
fn field(text: &str, name: &str, separator: char) -> Option<String> {
    text.lines().find_map(|line| {
        let (key, value) = line.split_once(separator)?;
        (key.trim() == name).then(|| value.trim().to_owned())
    })
}
