//! The profiles screen and the setup form driven headless: an `App`, the commands it produced,
//! the worker's answers given by hand, and every drawn frame checked for the secret.
#![allow(dead_code)]

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use reviewdesk::keymap::Keymap;
use reviewdesk::profiles::ops::{Check, SecretState, TestReport};
use reviewdesk::profiles::{Profile, ProfileApp};
use reviewdesk::tui::action::{Action, ProfileRow, StoreInfo};
use reviewdesk::tui::app::ProfilesCommand;
use reviewdesk::tui::app::{App, AppEntry, Command, Settings};

pub const APP: &str = "9NBLGGGZ5QDR";
pub const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
pub const CLIENT: &str = "3f2a8c1e-9b7d-4e6f-8a5b-1c2d3e4f5a6b";
/// What is typed or pasted as the client secret: it must never be seen again.
pub const SECRET: &str = "Zq8~Xy.SECRET_VALUE-4kLm";

pub fn kernel_keyring() -> StoreInfo {
    StoreInfo {
        name: "the kernel keyring".into(),
        persistence: "until the machine reboots; unused for ~3 days it expires (kernel persistent keyring)".into(),
    }
}

fn app(id: &str, name: Option<&str>) -> ProfileApp {
    ProfileApp {
        id: id.into(),
        name: name.map(Into::into),
    }
}

/// Two profiles: contoso-prod (default, in use, secret stored) and fabrikam-test (no secret).
pub fn rows() -> Vec<ProfileRow> {
    vec![
        ProfileRow {
            name: "contoso-prod".into(),
            profile: Profile {
                tenant: "contoso.onmicrosoft.com".into(),
                client_id: CLIENT.into(),
                apps: vec![
                    app(APP, Some("Contoso Photo")),
                    app("9WZDNCRFJ3Q8", Some("Fabrikam Notes")),
                ],
                support_email: Some("help@contoso.example".into()),
                ..Profile::default()
            },
            default: true,
        },
        ProfileRow {
            name: "fabrikam-test".into(),
            profile: Profile {
                tenant: TENANT.into(),
                client_id: "0c5f9d8e-1a2b-4c3d-8e9f-a0b1c2d3e4f5".into(),
                apps: vec![app("9WZDNCRFJ3TJ", None)],
                ..Profile::default()
            },
            default: false,
        },
    ]
}

pub fn report(ok: bool) -> TestReport {
    TestReport {
        token: Check {
            ok: true,
            text: "got a token from http://127.0.0.1:8080/".into(),
        },
        apps: vec![Check {
            ok,
            text: if ok {
                format!("{APP} (Contoso Photo): may respond to reviews; default support email help@contoso.example")
            } else {
                format!("{APP} (Contoso Photo): Microsoft does not allow responses for this app or account")
            },
        }],
    }
}

/// An app and every command it produced, in order.
pub struct H {
    pub app: App,
    pub log: Vec<Command>,
    /// Every frame drawn, as text.
    pub frames: Vec<String>,
}

impl H {
    /// The first-run setup form, started: it asked which store will be used.
    pub fn setup(w: u16, h: u16) -> H {
        let mut app = App::setup(Keymap::default(), Settings::default(), (w, h));
        let start = app.start();
        H {
            app,
            log: start,
            frames: Vec::new(),
        }
    }

    /// The reviews of contoso-prod, with profile management on.
    pub fn main(w: u16, h: u16) -> H {
        let apps = vec![AppEntry {
            id: APP.into(),
            name: Some("Contoso Photo".into()),
        }];
        let mut app = App::new(
            Keymap::default(),
            Settings::default(),
            "contoso-prod".into(),
            apps,
            (w, h),
        );
        app.profiles.available = true;
        app.profiles.current = Some("contoso-prod".into());
        let start = app.start();
        H {
            app,
            log: start,
            frames: Vec::new(),
        }
    }

    pub fn update(&mut self, a: Action) -> Vec<Command> {
        let cmds = self.app.update(a);
        self.log.extend(cmds.iter().cloned());
        cmds
    }

    pub fn key(&mut self, code: KeyCode, mods: KeyModifiers) -> Vec<Command> {
        let cmds = self.app.key(KeyEvent::new(code, mods));
        self.log.extend(cmds.iter().cloned());
        cmds
    }

    pub fn code(&mut self, code: KeyCode) -> Vec<Command> {
        self.key(code, KeyModifiers::NONE)
    }

    pub fn ctrl(&mut self, c: char) -> Vec<Command> {
        self.key(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    pub fn typ(&mut self, s: &str) -> Vec<Command> {
        let mut out = Vec::new();
        for (code, mods) in super::typed(s) {
            out.extend(self.key(code, mods));
        }
        out
    }

    pub fn tab(&mut self) {
        self.code(KeyCode::Tab);
    }

    pub fn paste(&mut self, s: &str) -> Vec<Command> {
        self.update(Action::Paste(s.into()))
    }

    /// The request of the last command matching `pick`.
    pub fn request(&self, pick: impl Fn(&Command) -> Option<u64>) -> u64 {
        self.log.iter().rev().find_map(pick).expect("such a command")
    }

    pub fn list_request(&self) -> u64 {
        self.request(|c| match c {
            Command::Profiles(ProfilesCommand::ListProfiles { request }) => Some(*request),
            _ => None,
        })
    }

    /// Answers the last ListProfiles with `rows`, the kernel keyring, and these secret states.
    pub fn listed(&mut self, rows: Vec<ProfileRow>, states: &[(&str, SecretState)]) {
        let request = self.list_request();
        self.update(Action::ProfilesListed {
            request,
            result: Ok(rows),
        });
        let states = states.iter().map(|(n, s)| ((*n).to_owned(), *s)).collect();
        self.update(Action::SecretsChecked {
            request,
            result: Ok((kernel_keyring(), states)),
        });
    }

    /// Fills the setup form: name, tenant, client, the secret pasted (with the newline a copy
    /// brings), apps.
    pub fn fill(&mut self, name: &str) {
        self.typ(name);
        self.tab();
        self.typ(TENANT);
        self.tab();
        self.typ(CLIENT);
        self.tab();
        self.paste(&format!("{SECRET}\n"));
        self.tab();
        self.typ(&format!("{APP}=Contoso Photo, 9WZDNCRFJ3Q8"));
    }

    /// Draws the current state and checks the frame: no secret, no control characters.
    pub fn render(&mut self) -> String {
        let mut t = Terminal::new(TestBackend::new(self.app.screen.size.0, self.app.screen.size.1)).unwrap();
        t.draw(|f| reviewdesk::tui::ui::draw(f, &self.app)).unwrap();
        let text = t.backend().to_string();
        assert!(!text.contains(SECRET), "the secret was drawn:\n{text}");
        assert!(!text.contains("SECRET_VALUE"), "part of the secret was drawn:\n{text}");
        assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "{text}");
        self.frames.push(text.clone());
        text
    }

    /// The secret is in no debug output of the app or of the commands, and in no frame.
    pub fn assert_secret_nowhere(&mut self) {
        self.render();
        let debug = format!("{:?}", self.app);
        assert!(
            !debug.contains(SECRET) && !debug.contains("SECRET_VALUE"),
            "in the app's Debug"
        );
        let cmds = format!("{:?} {:#?}", self.log, self.log);
        assert!(
            !cmds.contains(SECRET) && !cmds.contains("SECRET_VALUE"),
            "in a command's Debug: {cmds}"
        );
        for f in &self.frames {
            assert!(!f.contains("SECRET_VALUE"), "in a frame:\n{f}");
        }
    }
}
