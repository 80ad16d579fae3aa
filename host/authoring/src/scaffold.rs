//! Scaffolding a new pack crate (`dudao new`).
//!
//! The crate builds and tests as generated: a manifest of one school indicator with a
//! threshold and its source, [`rules_sdk::export_pack!`], unit tests, a fixture dataset with an
//! accepted `insta` snapshot of the pack's results on it, and two test cases for `dudao test`.
//! Its `Cargo.toml` has an empty `[workspace]` table so that it builds on its own even inside
//! another cargo workspace, and depends on the rules SDK by path.
//!
//! **Ids.** A city pack is named after its indicator system (`quality-balance`, indicators
//! `qb.…`). A county-local pack must never collide with them, so with a county code the pack
//! id is `<code>-<name>` and every indicator id `<code>.<name>.<key>` (`410825-taiji`,
//! `410825.taiji.backbone_teachers_per100`); without one they are `<name>` and
//! `<name>.<key>`. The crate (and so the module file) is always called `<name>`.
//!
//! The files are written into a temporary folder beside the destination and renamed into
//! place at the end, so a failure never leaves a half-made crate.

use std::path::{Path, PathBuf};

/// The rules SDK this binary was built with: the default path dependency of a new pack.
pub const BUILT_IN_SDK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../rules-sdk");

/// Where the generated crate's files come from: (path in the crate, template).
const FILES: [(&str, &str); 14] = [
    ("Cargo.toml", include_str!("../templates/pack/Cargo.toml.tmpl")),
    (".gitignore", include_str!("../templates/pack/gitignore.tmpl")),
    ("src/lib.rs", include_str!("../templates/pack/lib.rs.tmpl")),
    ("tests/fixtures.rs", include_str!("../templates/pack/fixtures.rs.tmpl")),
    ("tests/snapshots/fixtures__sample.snap", include_str!("../templates/pack/fixtures__sample.snap.tmpl")),
    ("fixtures/sample/counties.csv", include_str!("../templates/pack/sample-counties.csv.tmpl")),
    ("fixtures/sample/schools.csv", include_str!("../templates/pack/sample-schools.csv.tmpl")),
    ("cases/threshold/counties.csv", include_str!("../templates/pack/sample-counties.csv.tmpl")),
    ("cases/threshold/schools.csv", include_str!("../templates/pack/threshold-schools.csv.tmpl")),
    ("cases/threshold/expected.csv", include_str!("../templates/pack/threshold-expected.csv.tmpl")),
    ("cases/no-students/data.json", include_str!("../templates/pack/no-students.json.tmpl")),
    ("cases/no-students/expected.csv", include_str!("../templates/pack/no-students-expected.csv.tmpl")),
    ("README.md", include_str!("../templates/pack/README.md.tmpl")),
    ("rustfmt.toml", include_str!("../templates/pack/rustfmt.toml.tmpl")),
];

/// The county used in the sample data when no county code is given (温县).
const SAMPLE_COUNTY: (&str, &str) = ("410825", "温县");

/// Names cargo refuses as package names, or that shadow the standard crates.
const RESERVED: [&str; 10] = ["std", "core", "alloc", "test", "proc-macro", "self", "super", "crate", "build", "deps"];

/// Rust keywords, which cannot name a crate.
const KEYWORDS: [&str; 49] = [
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn", "else", "enum",
    "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro", "match", "mod", "move",
    "mut", "override", "priv", "pub", "ref", "return", "static", "struct", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield", "union",
];

/// What to scaffold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPack {
    /// Crate and folder name: lowercase letters, digits and single dashes, starting with a
    /// letter (`taiji`, `reading-room`).
    pub name: String,
    /// The county's six-digit administrative division code, for a county-local pack.
    pub county: Option<String>,
    /// The rules SDK crate the pack depends on by path.
    pub sdk: PathBuf,
}

/// Why a pack crate could not be scaffolded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScaffoldError {
    /// The name cannot name a crate and a pack.
    #[error(
        "`{name}` cannot name a pack: use lowercase letters, digits and single dashes, starting with a letter (e.g. `reading-room`){reason}"
    )]
    Name {
        /// The name given.
        name: String,
        /// More detail, when there is some.
        reason: String,
    },
    /// The county code is not six digits.
    #[error("`{code}` is not a county code: use the six-digit administrative division code (e.g. `410825`)")]
    County {
        /// The code given.
        code: String,
    },
    /// The rules SDK is not where the pack would depend on it.
    #[error("the rules SDK is not at `{}` (no Cargo.toml there); pass its folder with `--sdk PATH`", path.display())]
    Sdk {
        /// The path tried.
        path: PathBuf,
    },
    /// The destination exists and is not an empty folder.
    #[error("`{}` already exists and is not an empty folder; choose another name or `--dir`", path.display())]
    Exists {
        /// The destination.
        path: PathBuf,
    },
    /// A file could not be written.
    #[error("cannot write `{}`: {source}", path.display())]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// A scaffolded crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scaffolded {
    /// The crate folder.
    pub path: PathBuf,
    /// The pack id in its manifest.
    pub pack_id: String,
    /// The id of its indicator.
    pub indicator_id: String,
    /// The files written, relative to the crate folder.
    pub files: Vec<&'static str>,
}

/// The built-in SDK path, canonicalised when it exists.
pub fn default_sdk() -> PathBuf {
    std::fs::canonicalize(BUILT_IN_SDK).unwrap_or_else(|_| PathBuf::from(BUILT_IN_SDK))
}

impl NewPack {
    /// The native test runner crate, `rules-testing`, beside the SDK.
    pub fn testing_crate(&self) -> PathBuf {
        self.sdk.with_file_name("rules-testing")
    }

    /// The pack id: `<county>-<name>` or `<name>`.
    pub fn pack_id(&self) -> String {
        match &self.county {
            Some(code) => format!("{code}-{}", self.name),
            None => self.name.clone(),
        }
    }

    /// The prefix of every indicator id: `<county>.<name>` or `<name>`.
    pub fn indicator_prefix(&self) -> String {
        match &self.county {
            Some(code) => format!("{code}.{}", self.name),
            None => self.name.clone(),
        }
    }

    /// Checks the name and the county code.
    ///
    /// # Errors
    ///
    /// [`ScaffoldError::Name`] or [`ScaffoldError::County`].
    pub fn validate(&self) -> Result<(), ScaffoldError> {
        let name = &self.name;
        let bad = |reason: &str| Err(ScaffoldError::Name { name: name.clone(), reason: reason.to_owned() });
        let well_formed = name.len() <= 64
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && !name.ends_with('-')
            && !name.contains("--")
            && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !well_formed {
            return bad("");
        }
        if RESERVED.contains(&name.as_str()) || KEYWORDS.contains(&name.as_str()) {
            return bad("; it is reserved by Rust or cargo");
        }
        if let Some(code) = &self.county
            && !(code.len() == 6 && code.chars().all(|c| c.is_ascii_digit()))
        {
            return Err(ScaffoldError::County { code: code.clone() });
        }
        Ok(())
    }

    /// The template placeholders and their values.
    fn substitutions(&self) -> Vec<(&'static str, String)> {
        let (county, county_name) = match &self.county {
            Some(code) => (code.clone(), format!("本县（{code}）")),
            None => (SAMPLE_COUNTY.0.to_owned(), SAMPLE_COUNTY.1.to_owned()),
        };
        let parent = format!("{}00", &county[..4]);
        let title = match &self.county {
            Some(code) => format!("{}：{code} 县域自定义指标（示例）", self.name),
            None => format!("{}：县域自定义指标（示例）", self.name),
        };
        let type_name: String = self
            .name
            .split('-')
            .map(|word| {
                let mut chars = word.chars();
                chars.next().map(|first| first.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
            })
            .collect();
        vec![
            ("{{crate}}", self.name.clone()),
            ("{{lib}}", self.name.replace('-', "_")),
            ("{{type}}", type_name),
            ("{{pack_id}}", self.pack_id()),
            ("{{indicator}}", format!("{}.backbone_teachers_per100", self.indicator_prefix())),
            ("{{title}}", title),
            ("{{county}}", county),
            ("{{county_name}}", county_name),
            ("{{parent}}", parent),
            ("{{sdk}}", toml_escape(&self.sdk.display().to_string())),
            ("{{testing}}", toml_escape(&self.testing_crate().display().to_string())),
        ]
    }

    /// Writes the crate into `parent/<name>`.
    ///
    /// # Errors
    ///
    /// A [`ScaffoldError`]: a bad name or county code, a missing SDK, an existing non-empty
    /// destination, or an I/O error (then nothing is left behind).
    pub fn create(&self, parent: &Path) -> Result<Scaffolded, ScaffoldError> {
        self.validate()?;
        if !self.sdk.join("Cargo.toml").is_file() {
            return Err(ScaffoldError::Sdk { path: self.sdk.clone() });
        }
        let destination = parent.join(&self.name);
        let existing_empty = match std::fs::read_dir(&destination).map(|mut entries| entries.next().is_none()) {
            Ok(true) => true,
            Ok(false) => return Err(ScaffoldError::Exists { path: destination }),
            Err(_) if destination.exists() => return Err(ScaffoldError::Exists { path: destination }),
            Err(_) => false,
        };
        let write_error = |path: &Path| {
            let path = path.to_owned();
            move |source| ScaffoldError::Write { path, source }
        };
        std::fs::create_dir_all(parent).map_err(write_error(parent))?;
        let staging = tempfile::Builder::new()
            .prefix(&format!(".{}-", self.name))
            .tempdir_in(parent)
            .map_err(write_error(parent))?;
        let substitutions = self.substitutions();
        let mut files = Vec::with_capacity(FILES.len());
        for (relative, template) in FILES {
            let path = staging.path().join(relative);
            if let Some(folder) = path.parent() {
                std::fs::create_dir_all(folder).map_err(write_error(folder))?;
            }
            let content = substitutions.iter().fold(template.to_owned(), |text, (key, value)| text.replace(key, value));
            std::fs::write(&path, content).map_err(write_error(&destination.join(relative)))?;
            files.push(relative);
        }
        #[cfg(unix)]
        {
            // Temporary folders are private; the crate is an ordinary folder.
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(staging.path(), std::fs::Permissions::from_mode(0o755))
                .map_err(write_error(staging.path()))?;
        }
        if existing_empty {
            std::fs::remove_dir(&destination).map_err(write_error(&destination))?;
        }
        let staged = staging.keep();
        if let Err(source) = std::fs::rename(&staged, &destination) {
            let _ = std::fs::remove_dir_all(&staged);
            return Err(ScaffoldError::Write { path: destination, source });
        }
        Ok(Scaffolded {
            path: destination,
            pack_id: self.pack_id(),
            indicator_id: format!("{}.backbone_teachers_per100", self.indicator_prefix()),
            files,
        })
    }
}

/// Escapes a string for a TOML basic string (`"…"`).
fn toml_escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}
