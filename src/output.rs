//! Whole outputs or none (SPEC 10): a command writes into a temporary folder beside its
//! output folder DIR and swaps it into place only when every file is complete. On Linux
//! the swap is one atomic `renameat2(RENAME_EXCHANGE)`; elsewhere (or on a filesystem
//! without it) the earlier output is renamed aside first, and the next command restores
//! it if the swap was cut short. An interrupted command leaves the earlier output whole,
//! or no DIR where there was none; never a mix. A DIR that is not empty and holds neither
//! `run.json` nor `shard.json` is not an smsim output: it is refused, untouched.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// The files that mark a folder as an smsim output.
pub const MARKERS: [&str; 2] = ["run.json", "shard.json"];

/// An output folder being written: write into [`Staging::dir`], then [`Staging::commit`].
/// Dropped without a commit, the temporary folder is removed and DIR is untouched.
#[derive(Debug)]
pub struct Staging {
    target: PathBuf,
    tmp: PathBuf,
    committed: bool,
}

/// `DIR`'s parent, and the name of a hidden sibling of DIR with `suffix`.
fn sibling(target: &Path, suffix: &str) -> Result<PathBuf> {
    let name = target
        .file_name()
        .ok_or_else(|| Error::Usage(format!("{}: an output folder needs a name", target.display())))?;
    Ok(target.with_file_name(format!(".{}.{suffix}", name.to_string_lossy())))
}

/// Where the earlier output waits while the new one moves in (without an atomic exchange).
fn aside(target: &Path) -> Result<PathBuf> {
    sibling(target, "smsim-old")
}

/// Whether `dir` may be replaced: it is missing, empty, or an smsim output.
fn check_replaceable(target: &Path) -> Result<()> {
    let meta = match std::fs::symlink_metadata(target) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(target, e)),
    };
    if !meta.is_dir() {
        return Err(Error::Input(format!(
            "{}: exists and is not a folder: nothing written (give --out a folder)",
            target.display()
        )));
    }
    let mut entries = std::fs::read_dir(target).map_err(|e| Error::io(target, e))?;
    let empty = entries.next().is_none();
    if !empty && !MARKERS.iter().any(|m| target.join(m).is_file()) {
        return Err(Error::Input(format!(
            "{}: not empty and not an smsim output (no run.json or shard.json): nothing written or removed; \
             give --out a new or empty folder",
            target.display()
        )));
    }
    Ok(())
}

/// Refuse DIR = `target` when replacing it (an smsim output folder) would remove one of
/// `inputs` (`what` names them: the scenario file run, a shard folder merged): DIR is,
/// or holds, the input, or a link to it. Paths are compared as the filesystem resolves
/// their folders; a DIR that is missing, not a folder or not an smsim output is left to
/// [`Staging::begin`]'s other checks (nothing of it would be replaced).
fn refuse_over_inputs(target: &Path, what: &str, inputs: &[&Path]) -> Result<()> {
    let real_dir = std::fs::symlink_metadata(target).is_ok_and(|m| m.is_dir());
    if !real_dir || !MARKERS.iter().any(|m| target.join(m).is_file()) {
        return Ok(());
    }
    let Ok(dir) = target.canonicalize() else { return Ok(()) };
    // The input itself, and where it is named (a link in DIR to a file elsewhere is
    // removed with DIR too).
    let named = |p: &Path| {
        let parent = p.parent().filter(|q| !q.as_os_str().is_empty()).unwrap_or(Path::new("."));
        parent.canonicalize().ok().zip(p.file_name()).map(|(d, f)| d.join(f))
    };
    for input in inputs {
        let mut at = [input.canonicalize().ok(), named(input)].into_iter().flatten();
        if at.any(|p| p.starts_with(&dir)) {
            return Err(Error::Input(format!(
                "{}: the {what} {} is in it, and writing this output would remove it: give --out another folder",
                target.display(),
                input.display()
            )));
        }
    }
    Ok(())
}

impl Staging {
    /// Prepare to write DIR = `target` from `inputs` (`what` names them: "scenario
    /// file", "shard folder"): restore an earlier output left aside by a cut swap, check
    /// that DIR may be replaced (it is missing, empty or an smsim output, and replacing
    /// it would remove none of the inputs), and create the temporary folder.
    pub fn begin(target: &Path, what: &str, inputs: &[&Path]) -> Result<Staging> {
        let aside = aside(target)?;
        if aside.is_dir() {
            if target.exists() {
                // The swap finished but the old output was not yet removed.
                let _ = std::fs::remove_dir_all(&aside);
            } else {
                std::fs::rename(&aside, target).map_err(|e| Error::io(target, e))?;
            }
        }
        refuse_over_inputs(target, what, inputs)?;
        check_replaceable(target)?;
        if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        clean_stale(target);
        let tmp = sibling(target, &format!("smsim-tmp-{}", std::process::id()))?;
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp).map_err(|e| Error::io(&tmp, e))?;
        }
        // Named as the user gave it: the staging folder beside it is ours, not theirs.
        std::fs::create_dir(&tmp).map_err(|e| {
            Error::Input(format!(
                "{}: cannot create the output folder: {}",
                target.display(),
                crate::error::one_line(&e.to_string())
            ))
        })?;
        Ok(Staging { target: target.to_path_buf(), tmp, committed: false })
    }

    /// The folder to write into.
    pub fn dir(&self) -> &Path {
        &self.tmp
    }

    /// The output folder the files will be in.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Swap the complete output into place, replacing an earlier one.
    pub fn commit(mut self) -> Result<()> {
        // Checked again: another process may have filled DIR meanwhile.
        check_replaceable(&self.target)?;
        if !self.target.exists() {
            std::fs::rename(&self.tmp, &self.target).map_err(|e| Error::io(&self.target, e))?;
        } else if exchange(&self.tmp, &self.target) {
            // The temporary folder now holds the earlier output.
            let _ = std::fs::remove_dir_all(&self.tmp);
        } else {
            let aside = aside(&self.target)?;
            std::fs::rename(&self.target, &aside).map_err(|e| Error::io(&self.target, e))?;
            std::fs::rename(&self.tmp, &self.target).map_err(|e| Error::io(&self.target, e))?;
            let _ = std::fs::remove_dir_all(&aside);
        }
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.tmp);
        }
    }
}

/// Remove temporary folders of DIR left by commands that were killed (their process is
/// gone; Linux only, where `/proc` says so).
fn clean_stale(target: &Path) {
    let (Some(parent), Some(name)) = (target.parent(), target.file_name()) else { return };
    let parent = if parent.as_os_str().is_empty() { Path::new(".") } else { parent };
    let prefix = format!(".{}.smsim-tmp-", name.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = file.strip_prefix(&prefix).and_then(|p| p.parse::<u32>().ok()) else { continue };
        if cfg!(target_os = "linux") && pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// Bytes free to an unprivileged writer on the filesystem of `path` (Linux; none
/// elsewhere or when it cannot be read).
#[cfg(target_os = "linux")]
pub fn free_bytes(path: &Path) -> Option<u64> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = CString::new(path.as_os_str().as_bytes()).ok()?;
    let mut s = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: `c` is a valid NUL-terminated path and `s` points to writable memory the
    // size of a statvfs, which statvfs fills when it returns 0.
    let r = unsafe { libc::statvfs(c.as_ptr(), s.as_mut_ptr()) };
    if r != 0 {
        return None;
    }
    // SAFETY: statvfs returned 0, so it initialised `s`.
    let s = unsafe { s.assume_init() };
    // The field types are u64 here but narrower on some targets.
    #[allow(clippy::unnecessary_cast)]
    let (blocks, size) = (s.f_bavail as u64, s.f_frsize as u64);
    Some(blocks.saturating_mul(size))
}

/// Bytes free on the filesystem of `path`: unknown here.
#[cfg(not(target_os = "linux"))]
pub fn free_bytes(_: &Path) -> Option<u64> {
    None
}

/// Atomically exchange two paths; false where the system or filesystem cannot.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> bool {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let (Ok(a), Ok(b)) = (CString::new(a.as_os_str().as_bytes()), CString::new(b.as_os_str().as_bytes())) else {
        return false;
    };
    // SAFETY: both are valid NUL-terminated paths that outlive the call; renameat2 reads
    // them and touches no memory of ours.
    let r = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    r == 0
}

/// Atomically exchange two paths; false where the system or filesystem cannot.
#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_commit_replaces_an_earlier_output_and_a_drop_leaves_it() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("out");
        let s = Staging::begin(&dir, "scenario file", &[]).unwrap();
        std::fs::write(s.dir().join("run.json"), "1").unwrap();
        s.commit().unwrap();
        assert_eq!(std::fs::read_to_string(dir.join("run.json")).unwrap(), "1");
        // A second output, dropped before its commit: the first stays whole.
        let s = Staging::begin(&dir, "scenario file", &[]).unwrap();
        std::fs::write(s.dir().join("run.json"), "2").unwrap();
        let tmp = s.dir().to_path_buf();
        drop(s);
        assert!(!tmp.exists());
        assert_eq!(std::fs::read_to_string(dir.join("run.json")).unwrap(), "1");
        // A third, committed: it replaces the first, which leaves nothing behind.
        let s = Staging::begin(&dir, "scenario file", &[]).unwrap();
        std::fs::write(s.dir().join("shard.json"), "3").unwrap();
        s.commit().unwrap();
        assert!(!dir.join("run.json").exists() && dir.join("shard.json").exists());
        let left: Vec<_> = std::fs::read_dir(root.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left, vec![std::ffi::OsString::from("out")], "no temporary or aside folder remains");
    }

    #[test]
    fn free_space_is_read() {
        let root = tempfile::tempdir().unwrap();
        if cfg!(target_os = "linux") {
            assert!(free_bytes(root.path()).is_some_and(|b| b > 0));
        }
    }

    #[test]
    fn a_folder_that_is_not_an_output_is_refused_and_untouched() {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("thesis.tex"), "x").unwrap();
        let e = Staging::begin(root.path(), "scenario file", &[]).unwrap_err().to_string();
        assert!(e.contains("not an smsim output"), "{e}");
        assert!(root.path().join("thesis.tex").exists());
        // An empty folder is fine.
        let empty = root.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        Staging::begin(&empty, "scenario file", &[]).unwrap().commit().unwrap();
    }

    #[test]
    fn an_output_that_holds_an_input_is_refused_and_untouched() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("out");
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("run.json"), "{}").unwrap();
        let input = dir.join("s.toml");
        std::fs::write(&input, "x").unwrap();
        let e = Staging::begin(&dir, "scenario file", &[&input]).unwrap_err().to_string();
        assert!(e.contains("the scenario file") && e.contains("is in it"), "{e}");
        assert!(input.exists() && dir.join("run.json").exists());
        // An input elsewhere leaves the output replaceable.
        let elsewhere = root.path().join("t.toml");
        std::fs::write(&elsewhere, "x").unwrap();
        Staging::begin(&dir, "scenario file", &[&elsewhere]).unwrap().commit().unwrap();
        assert!(!input.exists(), "the earlier output, replaced");
    }

    #[test]
    fn an_output_left_aside_by_a_cut_swap_is_restored() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("out");
        let aside = aside(&dir).unwrap();
        std::fs::create_dir(&aside).unwrap();
        std::fs::write(aside.join("run.json"), "old").unwrap();
        let s = Staging::begin(&dir, "scenario file", &[]).unwrap();
        assert_eq!(std::fs::read_to_string(dir.join("run.json")).unwrap(), "old", "restored before anything else");
        drop(s);
        assert!(!aside.exists());
    }
}
