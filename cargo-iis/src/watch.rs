//! Noticing that a module crate's sources changed, by polling.
//!
//! Polling the modification time and size of the crate's files, rather than
//! subscribing to OS notifications (the `notify` crate), because:
//! a module crate has a few dozen files, so a scan every 300 ms costs
//! nothing measurable; it behaves the same on every OS and on file systems
//! where change events are missing or late (network shares, VM shared
//! folders, WSL's Windows drives); an editor that saves by writing a new
//! file and renaming it over the old one is just another change; and it
//! needs no dependency tree of per-OS backends.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// How often the files are looked at.
pub(crate) const POLL: Duration = Duration::from_millis(300);

/// What was seen of each file: modification time and length.
type Snapshot = BTreeMap<PathBuf, (Option<SystemTime>, u64)>;

/// Watches a crate directory (and extra files) for changes.
#[derive(Debug)]
pub(crate) struct Watcher {
    roots: Vec<PathBuf>,
    skip: Vec<PathBuf>,
    extra: Vec<PathBuf>,
    last: Snapshot,
}

impl Watcher {
    /// Watches every file under `roots` except under `skip` (the target
    /// directory) and hidden directories (`.git`), plus `extra` files.
    pub(crate) fn new(roots: &[PathBuf], skip: &[PathBuf], extra: &[PathBuf]) -> Self {
        let mut watcher = Watcher {
            roots: roots.to_vec(),
            skip: skip.to_vec(),
            extra: extra.to_vec(),
            last: Snapshot::new(),
        };
        watcher.last = watcher.scan();
        watcher
    }

    /// Whether anything changed since the last call (or since `new`); when
    /// it did, waits until the files stop changing (an editor, or a
    /// `git checkout`, writes several files in a row) and names one of them.
    pub(crate) fn changed(&mut self) -> Option<PathBuf> {
        let now = self.scan();
        let changed = first_difference(&self.last, &now)?;
        let mut settled = now;
        // At most ~2 s of settling: a file rewritten forever still builds.
        for _ in 0..10 {
            std::thread::sleep(Duration::from_millis(200));
            let again = self.scan();
            if again == settled {
                break;
            }
            settled = again;
        }
        self.last = settled;
        Some(changed)
    }

    fn scan(&self) -> Snapshot {
        let mut snapshot = Snapshot::new();
        for root in &self.roots {
            self.scan_dir(root, &mut snapshot);
        }
        for file in &self.extra {
            record(file, &mut snapshot);
        }
        snapshot
    }

    fn scan_dir(&self, dir: &Path, snapshot: &mut Snapshot) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let hidden = entry.file_name().to_string_lossy().starts_with('.');
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                if !hidden && !self.skip.iter().any(|skip| path.starts_with(skip)) {
                    self.scan_dir(&path, snapshot);
                }
            } else if path.file_name().is_some_and(|n| n != "Cargo.lock") {
                record(&path, snapshot);
            }
        }
    }
}

fn record(path: &Path, snapshot: &mut Snapshot) {
    if let Ok(metadata) = std::fs::metadata(path) {
        snapshot.insert(
            path.to_path_buf(),
            (metadata.modified().ok(), metadata.len()),
        );
    }
}

/// A file that differs (changed, added or removed) between two snapshots.
fn first_difference(before: &Snapshot, after: &Snapshot) -> Option<PathBuf> {
    after
        .iter()
        .find(|(path, seen)| before.get(*path) != Some(seen))
        .map(|(path, _)| path.clone())
        .or_else(|| {
            before
                .keys()
                .find(|path| !after.contains_key(*path))
                .cloned()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_additions_and_removals_are_changes_and_target_is_not() {
        let dir = std::env::temp_dir().join(format!("cargo-iis-watch-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::create_dir_all(dir.join("target")).unwrap();
        std::fs::write(dir.join("src/lib.rs"), "a").unwrap();
        let mut watcher = Watcher::new(std::slice::from_ref(&dir), &[dir.join("target")], &[]);
        assert_eq!(watcher.changed(), None);

        std::fs::write(dir.join("target/out"), "x").unwrap();
        assert_eq!(
            watcher.changed(),
            None,
            "the target directory is not watched"
        );

        // A different length: a change even where mtimes are coarse.
        std::fs::write(dir.join("src/lib.rs"), "ab").unwrap();
        assert_eq!(watcher.changed(), Some(dir.join("src/lib.rs")));
        assert_eq!(watcher.changed(), None);

        std::fs::write(dir.join("src/new.rs"), "").unwrap();
        assert_eq!(watcher.changed(), Some(dir.join("src/new.rs")));
        std::fs::remove_file(dir.join("src/new.rs")).unwrap();
        assert_eq!(watcher.changed(), Some(dir.join("src/new.rs")));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
