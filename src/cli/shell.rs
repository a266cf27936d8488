//! Fitting into the shell: completions, man pages, the effective keymap, and `--color`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, CommandFactory, ValueEnum};
use clap_complete::Shell;
use serde::Serialize;

use super::Cli;
use crate::config::Config;
use crate::keymap::{Keymap, context_name};
use crate::sanitize::pad_to_width;
use crate::session::usage;

#[derive(Args, Debug)]
#[command(after_help = "Install, for example:\n  \
    bash: reviewdesk completions bash > ~/.local/share/bash-completion/completions/reviewdesk\n  \
    zsh:  reviewdesk completions zsh > ~/.zfunc/_reviewdesk   (with fpath+=~/.zfunc before compinit)\n  \
    fish: reviewdesk completions fish > ~/.config/fish/completions/reviewdesk.fish\n  \
    PowerShell: reviewdesk completions powershell >> $PROFILE\n  \
    elvish: reviewdesk completions elvish >> ~/.config/elvish/rc.elv")]
pub struct CompletionsArgs {
    /// The shell to write a completion script for (to standard output).
    #[arg(value_enum)]
    pub shell: Shell,
}

#[derive(Args, Debug)]
#[command(after_help = "Install, for example:\n  \
    reviewdesk man --dir ~/.local/share/man/man1 && man reviewdesk")]
pub struct ManArgs {
    /// Write reviewdesk.1 and one page per subcommand (reviewdesk-reviews.1, ...) into this
    /// directory, created if missing. Without it, reviewdesk.1 goes to standard output.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum KeysFormat {
    Table,
    Json,
}

#[derive(Args, Debug)]
#[command(
    after_help = "The keys are the defaults with the [keys.<context>] overrides of config.toml applied, \
    e.g. [keys.normal] reply = [\"r\", \"ctrl-r\"]; a bad override is reported as the terminal UI would."
)]
pub struct KeysArgs {
    #[arg(long, value_enum, default_value = "table")]
    pub format: KeysFormat,
}

/// When the terminal UI uses colour.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum, Default)]
pub enum ColorChoice {
    /// Colour unless NO_COLOR is set to something non-empty (https://no-color.org).
    #[default]
    Auto,
    /// Colour even when NO_COLOR is set.
    Always,
    /// No colour.
    Never,
}

impl ColorChoice {
    /// Makes the choice the process's `NO_COLOR`, the one setting everything that draws reads
    /// (the terminal UI among them), so there is a single place that decides. Must be called
    /// before any thread starts: it changes the environment.
    pub fn apply_to_environment(self) {
        match self {
            ColorChoice::Auto => {}
            // SAFETY (both): called from `main` before the runtime, the log writer or any other
            // thread exists, so nothing reads the environment concurrently.
            ColorChoice::Always => unsafe { std::env::remove_var("NO_COLOR") },
            ColorChoice::Never => unsafe { std::env::set_var("NO_COLOR", "1") },
        }
    }
}

pub fn completions(args: CompletionsArgs) -> Result<ExitCode> {
    let mut cmd = Cli::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(args.shell, &mut cmd, "reviewdesk", &mut out);
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

pub fn man(args: ManArgs) -> Result<ExitCode> {
    let cmd = Cli::command();
    match &args.dir {
        None => {
            let mut out = std::io::stdout().lock();
            clap_mangen::Man::new(cmd).render(&mut out)?;
            out.flush()?;
        }
        Some(dir) => {
            let written = write_man_pages(dir)?;
            for path in written {
                println!("{}", path.display());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// reviewdesk.1 and reviewdesk-<sub>[-<subsub>].1 into `dir`; the paths written.
pub fn write_man_pages(dir: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut cmd = Cli::command();
    cmd.build();
    let mut written = Vec::new();
    write_page(dir, cmd, &mut written)?;
    Ok(written)
}

fn write_page(dir: &Path, cmd: clap::Command, written: &mut Vec<PathBuf>) -> Result<()> {
    // Subcommand pages are named after their full path, as git's are: reviewdesk-outbox-send.1.
    let name = cmd.get_display_name().unwrap_or(cmd.get_name()).replace(' ', "-");
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let sub = sub.clone().display_name(format!("{name}-{}", sub.get_name()));
        write_page(dir, sub, written)?;
    }
    let path = dir.join(format!("{name}.1"));
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd).title(name.clone()).render(&mut buf)?;
    std::fs::write(&path, buf).with_context(|| format!("cannot write {}", path.display()))?;
    written.push(path);
    Ok(())
}

#[derive(Serialize)]
struct KeyRow {
    context: String,
    action: String,
    keys: Vec<String>,
    label: &'static str,
    description: &'static str,
}

/// The keymap the terminal UI would use with this config.
pub fn keys(config: Config, args: KeysArgs) -> Result<ExitCode> {
    let keymap = Keymap::with_overrides(&config.keys).map_err(|e| usage(format!("config.toml: {e}")))?;
    let rows: Vec<KeyRow> = keymap
        .all()
        .iter()
        .map(|b| KeyRow {
            context: context_name(b.context),
            action: b.action.name(),
            keys: b.keys.iter().map(ToString::to_string).collect(),
            label: b.label,
            description: b.description,
        })
        .collect();
    let mut out = std::io::stdout().lock();
    match args.format {
        KeysFormat::Json => super::output::write_json(&mut out, &rows)?,
        KeysFormat::Table => write_keys_table(&mut out, &keymap)?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Per context, a title line (`Reviews [keys.normal]`), then `keys  action  description`.
fn write_keys_table(out: &mut impl Write, keymap: &Keymap) -> std::io::Result<()> {
    let mut current = None;
    for b in keymap.all() {
        if current != Some(b.context) {
            if current.is_some() {
                writeln!(out)?;
            }
            writeln!(out, "{} [keys.{}]", b.context.title(), context_name(b.context))?;
            current = Some(b.context);
        }
        let keys: Vec<String> = b.keys.iter().map(ToString::to_string).collect();
        writeln!(
            out,
            "  {}  {}  {}",
            pad_to_width(&keys.join(", "), 16),
            pad_to_width(&b.action.name(), 18),
            b.description
        )?;
    }
    Ok(())
}
