//! Asking for a secret on the terminal without echo, into memory that is zeroed when dropped.
//!
//! Not `rpassword`: it collects the typed characters in a `String` that grows as they come, and
//! every reallocation leaves a copy of the secret's first part in freed memory, never zeroed.
//! Here the line goes into a buffer of fixed capacity, read a byte at a time from the terminal
//! (no `BufReader` holding a copy), and the caller gets a [`SecretString`] straight from it.

use std::io::{self, Read, Write};

use secrecy::SecretString;
use zeroize::{Zeroize, Zeroizing};

/// Room for any client secret (about 40 characters); a longer line is refused, never grown.
pub const SECRET_MAX_BYTES: usize = 1024;

const CTRL_C: u8 = 0x03;
const CTRL_D: u8 = 0x04;
const BACKSPACE: u8 = 0x08;
const CTRL_U: u8 = 0x15;
const DEL: u8 = 0x7f;

/// Reads one line from `input` into `line` (cleared first), with the keys a terminal line
/// editor has: Backspace/DEL remove the last character, Ctrl-U the whole line; Enter ends it;
/// Ctrl-C is `Interrupted`, Ctrl-D on an empty line `UnexpectedEof`. Other control bytes are
/// dropped. `line` never grows past its capacity, so no copy of the secret is left behind.
pub fn read_hidden_line(input: &mut impl Read, line: &mut Zeroizing<Vec<u8>>) -> io::Result<()> {
    line.clear();
    let mut byte = Zeroizing::new([0u8; 1]);
    loop {
        if input.read(&mut byte[..])? == 0 {
            return if line.is_empty() {
                Err(io::Error::new(io::ErrorKind::UnexpectedEof, "no secret was typed"))
            } else {
                Ok(())
            };
        }
        match byte[0] {
            b'\n' | b'\r' => return Ok(()),
            CTRL_C => return Err(io::Error::new(io::ErrorKind::Interrupted, "interrupted")),
            CTRL_D if line.is_empty() => {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "no secret was typed"));
            }
            BACKSPACE | DEL => {
                // One character: its UTF-8 continuation bytes, then its first byte.
                while line.last().is_some_and(|b| b & 0xC0 == 0x80) {
                    line.pop();
                }
                line.pop();
            }
            CTRL_U => line.zeroize(),
            b if b < 0x20 => {}
            b => {
                if line.len() == line.capacity() {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("the secret is longer than {SECRET_MAX_BYTES} bytes"),
                    ));
                }
                line.push(b);
            }
        }
        byte.zeroize();
    }
}

/// `prompt` on the controlling terminal, then the secret typed there without echo.
#[cfg(unix)]
pub fn prompt_secret(prompt: &str) -> io::Result<SecretString> {
    use std::os::fd::AsRawFd;

    let mut tty = std::fs::OpenOptions::new().read(true).write(true).open("/dev/tty")?;
    let fd = tty.as_raw_fd();
    // SAFETY: termios is plain data; tcgetattr fills it for an open terminal fd.
    let mut saved: libc::termios = unsafe { std::mem::zeroed() };
    if unsafe { libc::tcgetattr(fd, &mut saved) } != 0 {
        return Err(io::Error::last_os_error());
    }
    let mut hidden = saved;
    // No echo, a byte at a time, and Ctrl-C read as a byte: the terminal is restored below
    // whatever is typed, instead of a signal ending the process with echo still off.
    hidden.c_lflag &= !(libc::ECHO | libc::ICANON | libc::ISIG);
    hidden.c_cc[libc::VMIN] = 1;
    hidden.c_cc[libc::VTIME] = 0;
    // Echo goes off before the prompt shows, not after: a secret pasted the moment the prompt
    // appears would otherwise be echoed, and then thrown away by the flush below (a pty test
    // that typed at once hung so). The flush only drops what was typed before the prompt.
    // SAFETY: a termios derived from the one tcgetattr returned, for the same fd.
    if unsafe { libc::tcsetattr(fd, libc::TCSAFLUSH, &hidden) } != 0 {
        return Err(io::Error::last_os_error());
    }
    let mut line = Zeroizing::new(Vec::with_capacity(SECRET_MAX_BYTES));
    let read = tty
        .write_all(prompt.as_bytes())
        .and_then(|()| tty.flush())
        .and_then(|()| read_hidden_line(&mut tty, &mut line));
    // SAFETY: restores the attributes read above.
    unsafe { libc::tcsetattr(fd, libc::TCSAFLUSH, &saved) };
    let _ = tty.write_all(b"\n");
    read?;
    secret_from(&line)
}

/// `--secret-stdin`: the first line of standard input, read from the file descriptor itself
/// (`io::stdin()` would keep a copy in its buffer).
#[cfg(unix)]
pub fn read_secret_from_stdin() -> io::Result<SecretString> {
    use std::os::fd::FromRawFd;

    // SAFETY: fd 0 stays open for the life of the process; ManuallyDrop never closes it.
    let mut stdin = std::mem::ManuallyDrop::new(unsafe { std::fs::File::from_raw_fd(0) });
    let mut line = Zeroizing::new(Vec::with_capacity(SECRET_MAX_BYTES));
    read_hidden_line(&mut *stdin, &mut line)?;
    secret_from(&line)
}

#[cfg(not(unix))]
pub fn read_secret_from_stdin() -> io::Result<SecretString> {
    let mut line = Zeroizing::new(Vec::with_capacity(SECRET_MAX_BYTES));
    read_hidden_line(&mut io::stdin().lock(), &mut line)?;
    secret_from(&line)
}

/// Elsewhere, `rpassword`'s prompt, its `String` moved straight into zeroing memory.
#[cfg(not(unix))]
pub fn prompt_secret(prompt: &str) -> io::Result<SecretString> {
    let raw = Zeroizing::new(rpassword::prompt_password(prompt)?);
    secret_from(raw.as_bytes())
}

/// The one copy: from the zeroing buffer into the `SecretString`.
fn secret_from(line: &[u8]) -> io::Result<SecretString> {
    let text = std::str::from_utf8(line)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "the secret is not valid UTF-8"))?;
    Ok(SecretString::from(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    fn read(input: &[u8]) -> io::Result<String> {
        let mut line = Zeroizing::new(Vec::with_capacity(SECRET_MAX_BYTES));
        let at = line.as_ptr();
        read_hidden_line(&mut &input[..], &mut line)?;
        assert_eq!(line.as_ptr(), at, "the buffer never moved, so it left no copy behind");
        assert_eq!(line.capacity(), SECRET_MAX_BYTES);
        Ok(String::from_utf8(line.to_vec()).unwrap())
    }

    #[test]
    fn the_line_is_edited_as_a_terminal_would() {
        assert_eq!(read(b"s3cr3t\n").unwrap(), "s3cr3t");
        assert_eq!(read(b"s3cr3t\r\n").unwrap(), "s3cr3t");
        assert_eq!(read(b"s3crx\x7ft\x08\x08\x08cr3t\n").unwrap(), "s3cr3t");
        assert_eq!(read(b"wrong\x15right\n").unwrap(), "right");
        assert_eq!(
            read("pä\x7fass\n".as_bytes()).unwrap(),
            "pass",
            "a whole character goes"
        );
        assert_eq!(read(b"a\x1b[Ab\n").unwrap(), "a[Ab", "ESC is dropped, the rest kept");
        assert_eq!(read(b"no newline").unwrap(), "no newline");
        assert_eq!(read(&[b'x'; SECRET_MAX_BYTES]).unwrap().len(), SECRET_MAX_BYTES);
    }

    #[test]
    fn interrupts_ends_and_overlong_lines_are_errors() {
        assert_eq!(read(b"abc\x03def\n").unwrap_err().kind(), io::ErrorKind::Interrupted);
        assert_eq!(read(b"\x04").unwrap_err().kind(), io::ErrorKind::UnexpectedEof);
        assert_eq!(read(b"").unwrap_err().kind(), io::ErrorKind::UnexpectedEof);
        let long = vec![b'x'; SECRET_MAX_BYTES + 1];
        let e = read(&long).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        assert!(e.to_string().contains("longer than 1024 bytes"), "{e}");
    }

    #[test]
    fn the_secret_string_is_made_from_the_buffer() {
        assert_eq!(
            secret_from(b"emu~Secret+/=&%42").unwrap().expose_secret(),
            "emu~Secret+/=&%42"
        );
        assert!(secret_from(&[0xff, 0xfe]).is_err());
    }
}
