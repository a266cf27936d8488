//! The real binary in a real pseudo-terminal, without tmux in between: bytes written to the
//! master arrive as keys, and every byte the program writes is read back with the time it
//! arrived and fed to a terminal emulator (`vt100`), so a test or a benchmark can tell when a key
//! reached the screen. Used by `tests/keys_wake.rs` and `benches/keys_pty.rs`.
#![allow(dead_code)]

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// A child process on the slave side of a pty, and the screen it drew.
pub struct Pty {
    master: File,
    child: Child,
    output: Receiver<(Instant, Vec<u8>)>,
    pub parser: vt100::Parser,
    /// Every byte read so far.
    pub bytes_read: usize,
    /// The last bytes read, for a cursor query split across reads.
    query_tail: Vec<u8>,
    /// How many cursor-position queries the program sent: each is a round trip that can fail.
    pub cursor_queries: usize,
}

impl Pty {
    /// Starts `cmd` with its stdin, stdout and stderr on a new pty of `cols` x `rows`, as the
    /// session leader with the pty as its controlling terminal.
    pub fn spawn(mut cmd: Command, cols: u16, rows: u16) -> Pty {
        let mut master: libc::c_int = -1;
        let mut slave: libc::c_int = -1;
        let size = libc::winsize {
            ws_row: rows,
            ws_col: cols,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: openpty writes two fds into the given ints; the name and termios are optional.
        let rc = unsafe { libc::openpty(&mut master, &mut slave, std::ptr::null_mut(), std::ptr::null(), &size) };
        assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
        // SAFETY: both fds were just opened and are owned here alone.
        let (master, slave) = unsafe { (File::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
        let slave_file = File::from(slave);
        cmd.stdin(Stdio::from(slave_file.try_clone().unwrap()))
            .stdout(Stdio::from(slave_file.try_clone().unwrap()))
            .stderr(Stdio::from(slave_file));
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                if libc::setsid() < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                if libc::ioctl(0, libc::TIOCSCTTY as _, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().expect("start the program in a pty");
        // The parent's copies of the slave are closed with `cmd`'s Stdio when it is dropped.
        drop(cmd);
        let mut reader = master.try_clone().unwrap();
        let (tx, output) = channel();
        std::thread::spawn(move || {
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if tx.send((Instant::now(), buf[..n].to_vec())).is_err() {
                            break;
                        }
                    }
                }
            }
        });
        Pty {
            master,
            child,
            output,
            parser: vt100::Parser::new(rows, cols, 0),
            bytes_read: 0,
            query_tail: Vec::new(),
            cursor_queries: 0,
        }
    }

    /// Whether the terminal echoes what is typed now (on Linux the master reads the slave's
    /// attributes).
    pub fn echoes(&self) -> bool {
        use std::os::fd::AsRawFd;
        // SAFETY: termios is plain data; tcgetattr fills it for the open master.
        let mut t: libc::termios = unsafe { std::mem::zeroed() };
        assert_eq!(unsafe { libc::tcgetattr(self.master.as_raw_fd(), &mut t) }, 0);
        t.c_lflag & libc::ECHO != 0
    }

    /// Sends bytes as typed; answers when they were written.
    pub fn send(&mut self, bytes: &[u8]) -> Instant {
        self.master.write_all(bytes).expect("write to the pty");
        self.master.flush().unwrap();
        Instant::now()
    }

    /// Takes bytes the program wrote into the screen, and answers its cursor-position queries
    /// (`ESC [ 6 n`) as a terminal would, counting them (reviewdesk should send none).
    fn feed(&mut self, chunk: &[u8]) {
        self.bytes_read += chunk.len();
        self.parser.process(chunk);
        let mut seen = std::mem::take(&mut self.query_tail);
        seen.extend_from_slice(chunk);
        let queries = seen.windows(4).filter(|w| w == b"\x1b[6n").count();
        self.cursor_queries += queries;
        for _ in 0..queries {
            let (row, col) = self.parser.screen().cursor_position();
            let answer = format!("\x1b[{};{}R", row + 1, col + 1);
            self.send(answer.as_bytes());
        }
        // A query may be split between two reads.
        let keep = seen.len().min(3);
        self.query_tail = seen[seen.len() - keep..].to_vec();
    }

    /// Reads what arrived within `wait`, into the screen. Answers when the last chunk arrived.
    pub fn pump(&mut self, wait: Duration) -> Option<Instant> {
        let mut last = None;
        let deadline = Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.output.recv_timeout(left) {
                Ok((at, chunk)) => {
                    self.feed(&chunk);
                    last = Some(at);
                }
                Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => return last,
            }
        }
    }

    /// Reads until `ok(screen)` holds, answering the arrival time of the chunk that made it
    /// hold, or `None` after `limit`.
    pub fn wait_until(&mut self, limit: Duration, ok: impl Fn(&vt100::Screen) -> bool) -> Option<Instant> {
        if ok(self.parser.screen()) {
            return Some(Instant::now());
        }
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.output.recv_timeout(left) {
                Ok((at, chunk)) => {
                    self.feed(&chunk);
                    // Several chunks may have queued up: take the rest first, so the screen
                    // checked is the newest one; the time is that of the chunk that completed it.
                    let mut at = at;
                    while let Ok((more_at, more)) = self.output.try_recv() {
                        self.feed(&more);
                        at = more_at;
                    }
                    if ok(self.parser.screen()) {
                        return Some(at);
                    }
                }
                Err(_) => return None,
            }
        }
    }

    /// Waits until nothing has been written for `quiet`, at most `limit`.
    pub fn settle(&mut self, quiet: Duration, limit: Duration) {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if self.pump(quiet).is_none() {
                return;
            }
        }
    }

    pub fn text(&self) -> String {
        self.parser.screen().contents()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits up to `limit` for the program to end by itself.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            self.pump(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        // The master closes with `self.master`; the reader thread's read then fails and it ends.
    }
}

/// The row whose stars are drawn in reverse video: the list's selection.
pub fn selected_row(screen: &vt100::Screen) -> Option<u16> {
    let (rows, cols) = screen.size();
    (0..rows).find(|&r| {
        (0..cols).any(|c| {
            screen
                .cell(r, c)
                .is_some_and(|cell| cell.inverse() && cell.contents() == "★")
        })
    })
}
