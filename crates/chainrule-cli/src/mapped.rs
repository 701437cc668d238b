//! A design cache is read through a memory map: an epoch is one pass over
//! the page cache, no copy. If another program truncates or rewrites the
//! file in place while `chainrule` reads it (`cp new.crd cache.crd`), the
//! kernel answers the next read of a vanished page with SIGBUS, which would
//! kill the process with no word. The handler below turns it into what any
//! other bad input gets: a message naming the cause and what to do, exit 1.
//! Outputs are written atomically after the run, so nothing half-written is
//! left behind.

/// Installs the SIGBUS handler (Unix; elsewhere nothing to do).
pub fn report_faults_as_errors() {
    #[cfg(unix)]
    // SAFETY: the handler only calls async-signal-safe functions (write,
    // _exit) on a static message.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_sigbus as *const () as usize;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGBUS, &action, std::ptr::null_mut());
    }
}

#[cfg(unix)]
extern "C" fn on_sigbus(_signal: libc::c_int) {
    const MESSAGE: &[u8] = b"error: a memory-mapped input (a design cache, .crd) changed while it \
was being read: it was truncated or rewritten in place. Nothing was saved. Rebuild the \
cache (chainrule convert, or train --cache) and run again; to replace a cache that may be in \
use, write the new one under another name and rename it into place.\n";
    // SAFETY: write(2) and _exit(2) are async-signal-safe.
    unsafe {
        libc::write(2, MESSAGE.as_ptr().cast(), MESSAGE.len());
        libc::_exit(1);
    }
}
