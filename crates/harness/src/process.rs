//! Child processes the harness owns: output captured line by line, killed and reaped on
//! drop so that no test leaves an emulator or a Lambda behind.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use crate::{Error, Result};

/// Locks a mutex, ignoring poisoning: the data (logs, a child handle) stays usable after
/// a panic elsewhere, and the harness must still be able to clean up.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Lines a process wrote on stdout and stderr, in arrival order.
#[derive(Debug, Default)]
pub(crate) struct OutputLog {
    lines: Mutex<Vec<String>>,
}

impl OutputLog {
    fn push(&self, line: String) {
        lock(&self.lines).push(line);
    }

    /// Number of lines so far (an offset for [`OutputLog::text_since`]).
    pub(crate) fn len(&self) -> usize {
        lock(&self.lines).len()
    }

    /// All lines from `offset` on.
    pub(crate) fn lines_since(&self, offset: usize) -> Vec<String> {
        lock(&self.lines).get(offset..).unwrap_or_default().to_vec()
    }

    /// All lines from `offset` on, joined with newlines.
    pub(crate) fn text_since(&self, offset: usize) -> String {
        let mut text = self.lines_since(offset).join("\n");
        if !text.is_empty() {
            text.push('\n');
        }
        text
    }

    /// The last `n` lines, for error messages.
    pub(crate) fn tail(&self, n: usize) -> String {
        let lines = lock(&self.lines);
        let start = lines.len().saturating_sub(n);
        lines[start..].join("\n")
    }
}

/// A callback that sees every stdout line (used to spot the emulator's ready line).
pub(crate) type LineHook = Box<dyn FnMut(&str) + Send>;

/// A running child process with captured output. Dropping it kills and reaps it.
#[derive(Debug)]
pub(crate) struct ManagedChild {
    name: &'static str,
    child: Mutex<Child>,
    stdin: Mutex<Option<ChildStdin>>,
    output: Arc<OutputLog>,
}

impl ManagedChild {
    /// Spawns `command` with piped stdin/stdout/stderr. Output lines go to the log and
    /// are echoed to stderr with a `[name]` prefix (libtest shows them when a test fails).
    pub(crate) fn spawn(
        name: &'static str,
        mut command: Command,
        stdout_hook: Option<LineHook>,
    ) -> Result<Self> {
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let program = command.get_program().to_string_lossy().into_owned();
        let mut child = command
            .spawn()
            .map_err(Error::io(format!("spawning {name} ({program})")))?;
        let output = Arc::new(OutputLog::default());
        let stdin = child.stdin.take();
        if let Some(stdout) = child.stdout.take() {
            pump(name, stdout, Arc::clone(&output), stdout_hook)?;
        }
        if let Some(stderr) = child.stderr.take() {
            pump(name, stderr, Arc::clone(&output), None)?;
        }
        Ok(ManagedChild {
            name,
            child: Mutex::new(child),
            stdin: Mutex::new(stdin),
            output,
        })
    }

    /// The captured output.
    pub(crate) fn output(&self) -> &OutputLog {
        &self.output
    }

    /// The operating-system process id (meaningful while the process runs).
    pub(crate) fn id(&self) -> u32 {
        lock(&self.child).id()
    }

    /// The exit status if the process has exited.
    pub(crate) fn exit_status(&self) -> Option<ExitStatus> {
        lock(&self.child).try_wait().ok().flatten()
    }

    /// The error to report when the process died: status plus the output tail. Waits a
    /// moment first so the reader threads can drain what the process wrote last.
    pub(crate) async fn exited_error(&self, status: ExitStatus) -> Error {
        tokio::time::sleep(Duration::from_millis(200)).await;
        Error::ProcessExited {
            what: self.name,
            status: status.to_string(),
            output: self.output.tail(200),
        }
    }

    /// Runs `future` to completion, failing early if the process exits or `timeout`
    /// passes (the error then carries the output tail).
    pub(crate) async fn wait_for<F: Future>(
        &self,
        future: F,
        what: &str,
        timeout: Duration,
    ) -> Result<F::Output> {
        let deadline = tokio::time::Instant::now() + timeout;
        tokio::pin!(future);
        loop {
            let tick = tokio::time::sleep(Duration::from_millis(50));
            tokio::select! {
                value = &mut future => return Ok(value),
                () = tick => {
                    if let Some(status) = self.exit_status() {
                        return Err(self.exited_error(status).await);
                    }
                    if tokio::time::Instant::now() >= deadline {
                        return Err(Error::Timeout {
                            what: format!("{what} ({})", self.name),
                            after: timeout,
                            output: self.output.tail(200),
                        });
                    }
                }
            }
        }
    }

    /// Kills the process (if still running) and reaps it.
    pub(crate) fn stop(&self) {
        // Closing stdin first lets a process that watches it (the emulator) exit cleanly.
        drop(lock(&self.stdin).take());
        let mut child = lock(&self.child);
        if matches!(child.try_wait(), Ok(None)) {
            let _ = child.kill();
        }
        let _ = child.wait();
    }
}

impl Drop for ManagedChild {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Reads `reader` line by line on a thread of its own until the pipe closes.
fn pump(
    name: &'static str,
    reader: impl Read + Send + 'static,
    output: Arc<OutputLog>,
    mut hook: Option<LineHook>,
) -> Result<()> {
    std::thread::Builder::new()
        .name(format!("{name}-output"))
        .spawn(move || {
            let mut reader = BufReader::new(reader);
            let mut buf = Vec::new();
            loop {
                buf.clear();
                match reader.read_until(b'\n', &mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
                let line = String::from_utf8_lossy(&buf)
                    .trim_end_matches(['\n', '\r'])
                    .to_owned();
                eprintln!("[{name}] {line}");
                if let Some(hook) = hook.as_mut() {
                    hook(&line);
                }
                output.push(line);
            }
        })
        .map(|_| ())
        .map_err(Error::io(format!("starting the {name} output reader")))
}
