//! Which files to read, and reading them within the size limit. A PATH is a template
//! file, a cloud assembly (`cdk.out`: a directory with a `manifest.json`, whose stack
//! artifacts name their templates, nested assemblies followed), or another directory
//! (every `.json`, `.yaml`, `.yml` and `.template` file in it, not below it).

use super::limits::{MAX_ASSEMBLY_DEPTH, MAX_FILE_BYTES, MAX_FILES, ReadError, echo};
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// A file to read as a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateFile {
    /// The path.
    pub path: PathBuf,
    /// Named on the command line or by a manifest: a file that is no template is an
    /// error. Found in a directory: it is skipped.
    pub named: bool,
}

/// A path that could not be used, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathError {
    /// The path, as shown.
    pub path: String,
    /// Why.
    pub error: ReadError,
}

/// The templates the PATHs name, in order, and the PATHs that could not be used.
pub fn discover(paths: &[PathBuf]) -> (Vec<TemplateFile>, Vec<PathError>) {
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        if path.is_dir() {
            if path.join("manifest.json").is_file() {
                assembly(path, 0, &mut found, &mut errors);
            } else {
                directory(path, &mut found, &mut errors);
            }
        } else if path.exists() {
            found.push(TemplateFile {
                path: path.clone(),
                named: true,
            });
        } else {
            errors.push(PathError {
                path: shown(path),
                error: ReadError::whole("no such file or directory"),
            });
        }
        if found.len() > MAX_FILES {
            errors.push(PathError {
                path: shown(path),
                error: ReadError::whole(format!("more than {MAX_FILES} template files")),
            });
            found.truncate(MAX_FILES);
            break;
        }
    }
    (found, errors)
}

/// A path for messages and findings, `/`-separated.
pub fn shown(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// Read a file, never past [`MAX_FILE_BYTES`].
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, ReadError> {
    let file =
        std::fs::File::open(path).map_err(|e| ReadError::whole(format!("cannot read: {e}")))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ReadError::whole(format!("cannot read: {e}")))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ReadError::whole(format!(
            "larger than {} MiB: refused unread (CloudFormation accepts templates of 1 MB)",
            MAX_FILE_BYTES / (1024 * 1024)
        )));
    }
    Ok(bytes)
}

fn directory(dir: &Path, found: &mut Vec<TemplateFile>, errors: &mut Vec<PathError>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            errors.push(PathError {
                path: shown(dir),
                error: ReadError::whole(format!("cannot list the directory: {e}")),
            });
            return;
        }
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            path.is_file()
                && path
                    .extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| matches!(e, "json" | "yaml" | "yml" | "template"))
        })
        .take(MAX_FILES + 1)
        .collect();
    files.sort();
    found.extend(
        files
            .into_iter()
            .map(|path| TemplateFile { path, named: false }),
    );
}

fn assembly(dir: &Path, depth: usize, found: &mut Vec<TemplateFile>, errors: &mut Vec<PathError>) {
    let manifest_path = dir.join("manifest.json");
    let fail = |errors: &mut Vec<PathError>, error: ReadError| {
        errors.push(PathError {
            path: shown(&manifest_path),
            error,
        });
    };
    if depth > MAX_ASSEMBLY_DEPTH {
        return fail(
            errors,
            ReadError::whole(format!(
                "cloud assemblies nested deeper than {MAX_ASSEMBLY_DEPTH}"
            )),
        );
    }
    let manifest: serde_json::Value = match read_bytes(&manifest_path).and_then(|bytes| {
        serde_json::from_slice(&bytes)
            .map_err(|e| ReadError::at(e.line(), format!("not a cloud assembly manifest: {e}")))
    }) {
        Ok(manifest) => manifest,
        Err(error) => return fail(errors, error),
    };
    let Some(artifacts) = manifest.get("artifacts").and_then(|a| a.as_object()) else {
        return fail(
            errors,
            ReadError::whole("a cloud assembly manifest without artifacts"),
        );
    };
    for (name, artifact) in artifacts {
        let property = |key: &str| {
            artifact
                .get("properties")
                .and_then(|p| p.get(key))
                .and_then(|v| v.as_str())
        };
        let (kind, key) = match artifact.get("type").and_then(|t| t.as_str()) {
            Some("aws:cloudformation:stack") => ("stack", "templateFile"),
            Some("cdk:cloud-assembly") => ("assembly", "directoryName"),
            _ => continue,
        };
        let Some(relative) = property(key) else {
            fail(
                errors,
                ReadError::whole(format!("artifact {} has no properties.{key}", echo(name))),
            );
            continue;
        };
        let relative = Path::new(relative);
        // A manifest is input too: it may name only files inside its own assembly.
        if !relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
        {
            fail(
                errors,
                ReadError::whole(format!(
                    "artifact {} names {}, outside the cloud assembly",
                    echo(name),
                    echo(&shown(relative))
                )),
            );
            continue;
        }
        let path = dir.join(relative);
        if kind == "stack" {
            found.push(TemplateFile { path, named: true });
        } else {
            assembly(&path, depth + 1, found, errors);
        }
        if found.len() > MAX_FILES {
            return;
        }
    }
}
