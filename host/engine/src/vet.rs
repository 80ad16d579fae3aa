//! What a module may contain before the host compiles it.
//!
//! Compiling is the one thing the host does with a pack outside fuel and deadline, and
//! Cranelift's time and memory grow with the number of functions and faster than linearly
//! with the size and branching of a single function. So every module is read once with
//! `wasmparser` (the reader wasmtime itself uses) and refused, with the limit named, before
//! any code is compiled when it has more than [`ModuleLimits`] allows; compiling then runs in
//! a worker with a wall-clock bound ([`ModuleLimits::compile_timeout`]).
//!
//! The defaults are 6 to 25 times what the city's packs need (the seven modules in
//! `target/packs`, built with the `pack` profile: at most 657 functions, 223 KB of code,
//! 10.6 KB in one function, nesting depth 89, 324 branches in one function) and low enough
//! that the worst module inside them compiles in seconds, not minutes (`docs/abi.md` §11 has
//! the measurements).

use std::time::Duration;

use wasmparser::{Operator, Parser, Payload};

/// Most tables a module may define (the limiter's cap on tables per instance).
pub const MAX_TABLES: usize = 4;

/// The limits a module is checked against before compiling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModuleLimits {
    /// Most functions a module may define.
    pub max_functions: u32,
    /// Most bytes of code (the code section) a module may have.
    pub max_code_bytes: usize,
    /// Most bytes one function body may have.
    pub max_function_bytes: usize,
    /// Deepest nesting of blocks, loops and ifs in a function.
    pub max_nesting: usize,
    /// Most branch instructions (`br`, `br_if`, `br_table`, `if`) in one function, counting
    /// every `br_table` target.
    pub max_branches: usize,
    /// Most locals of one function.
    pub max_locals: u32,
    /// Most entries of any other section (types, imports, globals, exports, elements, data).
    pub max_section_entries: u32,
    /// Wall-clock bound on compiling a module that passed the checks above.
    pub compile_timeout: Duration,
}

impl Default for ModuleLimits {
    fn default() -> ModuleLimits {
        ModuleLimits {
            max_functions: 10_000,
            max_code_bytes: 4 << 20,
            max_function_bytes: 256 << 10,
            max_nesting: 512,
            max_branches: 5_000,
            max_locals: 10_000,
            max_section_entries: 100_000,
            compile_timeout: Duration::from_secs(30),
        }
    }
}

/// What a module exceeds, found before compiling. Every variant names the limit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ModuleLimitError {
    /// More than one memory (multi-memory is off: the memory cap holds per instance).
    #[error("has {count} memories; a pack may have one (imported memories are not allowed either)")]
    Memories {
        /// Memories defined or imported.
        count: u64,
    },
    /// More tables than [`MAX_TABLES`].
    #[error("has {count} tables, more than the limit of {limit}")]
    Tables {
        /// Tables defined or imported.
        count: u64,
        /// The limit.
        limit: usize,
    },
    /// Too many functions.
    #[error("defines {count} functions, more than the limit of {limit}")]
    Functions {
        /// Functions defined.
        count: u64,
        /// The limit.
        limit: u32,
    },
    /// Too much code.
    #[error("has {size} bytes of code, more than the limit of {limit} bytes")]
    CodeSize {
        /// Size of the code section.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// One function is too large.
    #[error("function {index} has {size} bytes of code, more than the limit of {limit} bytes for one function")]
    FunctionSize {
        /// Index of the function among those defined.
        index: u32,
        /// Its size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Blocks nested too deep.
    #[error("function {index} nests blocks {depth} deep, more than the limit of {limit}")]
    Nesting {
        /// Index of the function among those defined.
        index: u32,
        /// The depth reached.
        depth: usize,
        /// The limit.
        limit: usize,
    },
    /// Too many branches in one function.
    #[error("function {index} has more than {limit} branches (counting every `br_table` target)")]
    Branches {
        /// Index of the function among those defined.
        index: u32,
        /// The limit.
        limit: usize,
    },
    /// Too many locals in one function.
    #[error("function {index} declares {count} locals, more than the limit of {limit}")]
    Locals {
        /// Index of the function among those defined.
        index: u32,
        /// Locals declared.
        count: u64,
        /// The limit.
        limit: u32,
    },
    /// Too many entries in a section.
    #[error("has {count} entries in its {section} section, more than the limit of {limit}")]
    SectionEntries {
        /// The section.
        section: &'static str,
        /// Entries.
        count: u32,
        /// The limit.
        limit: u32,
    },
    /// A component or another encoding, not a core module.
    #[error("is a WebAssembly component, not a core module")]
    Component,
    /// Compiling took longer than allowed.
    #[error("took more than {} ms to compile and was given up", millis)]
    CompileTimeout {
        /// The bound in milliseconds.
        millis: u128,
    },
    /// Every compilation slot of the process stayed taken (by other compilations, abandoned
    /// ones included) for [`crate::compiling::SLOT_WAIT`].
    #[error("could not be compiled: {running} other modules were still compiling after {millis} ms")]
    CompileBusy {
        /// The compilations running ([`crate::compiling::MAX_COMPILATIONS`]).
        running: usize,
        /// How long it waited, in milliseconds.
        millis: u128,
    },
}

/// The reason a module could not be read at all (handed on as "not a valid module").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed(pub String);

/// What [`vet`] found: the figures the limits are compared with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ModuleFigures {
    /// Functions defined.
    pub functions: u64,
    /// Bytes of code.
    pub code_bytes: usize,
    /// The largest function body.
    pub largest_function: usize,
    /// The deepest nesting in any function.
    pub nesting: usize,
    /// The most branches in any function.
    pub branches: usize,
}

fn bad(error: wasmparser::BinaryReaderError) -> Result<ModuleLimitError, Malformed> {
    Err(Malformed(error.to_string()))
}

fn entries(section: &'static str, count: u32, limits: &ModuleLimits) -> Result<(), ModuleLimitError> {
    if count > limits.max_section_entries {
        return Err(ModuleLimitError::SectionEntries { section, count, limit: limits.max_section_entries });
    }
    Ok(())
}

/// Reads a module without compiling it and checks it against `limits`.
///
/// # Errors
///
/// `Err(Ok(limit))` when the module exceeds a limit, `Err(Err(malformed))` when it cannot be
/// read as a module at all.
pub fn vet(bytes: &[u8], limits: &ModuleLimits) -> Result<ModuleFigures, Result<ModuleLimitError, Malformed>> {
    let mut figures = ModuleFigures::default();
    let (mut memories, mut tables) = (0_u64, 0_u64);
    let mut index = 0_u32;
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload.map_err(bad)?;
        match payload {
            Payload::Version { encoding: wasmparser::Encoding::Component, .. } => {
                return Err(Ok(ModuleLimitError::Component));
            }
            Payload::TypeSection(reader) => entries("type", reader.count(), limits).map_err(Ok)?,
            Payload::ImportSection(reader) => {
                entries("import", reader.count(), limits).map_err(Ok)?;
                for import in reader.into_imports() {
                    match import.map_err(bad)?.ty {
                        wasmparser::TypeRef::Memory(_) => memories += 1,
                        wasmparser::TypeRef::Table(_) => tables += 1,
                        _ => {}
                    }
                }
            }
            Payload::FunctionSection(reader) => {
                figures.functions = u64::from(reader.count());
                if reader.count() > limits.max_functions {
                    return Err(Ok(ModuleLimitError::Functions {
                        count: figures.functions,
                        limit: limits.max_functions,
                    }));
                }
            }
            Payload::TableSection(reader) => tables += u64::from(reader.count()),
            Payload::MemorySection(reader) => memories += u64::from(reader.count()),
            Payload::TagSection(reader) => entries("tag", reader.count(), limits).map_err(Ok)?,
            Payload::GlobalSection(reader) => entries("global", reader.count(), limits).map_err(Ok)?,
            Payload::ExportSection(reader) => entries("export", reader.count(), limits).map_err(Ok)?,
            Payload::ElementSection(reader) => entries("element", reader.count(), limits).map_err(Ok)?,
            Payload::DataSection(reader) => entries("data", reader.count(), limits).map_err(Ok)?,
            Payload::CodeSectionStart { count, size, .. } => {
                let size = size as usize;
                figures.code_bytes = size;
                if size > limits.max_code_bytes {
                    return Err(Ok(ModuleLimitError::CodeSize { size, limit: limits.max_code_bytes }));
                }
                if u64::from(count) > u64::from(limits.max_functions) {
                    return Err(Ok(ModuleLimitError::Functions {
                        count: u64::from(count),
                        limit: limits.max_functions,
                    }));
                }
            }
            Payload::CodeSectionEntry(body) => {
                vet_body(&body, index, limits, &mut figures)?;
                index += 1;
            }
            Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => {
                return Err(Ok(ModuleLimitError::Component));
            }
            _ => {}
        }
        if memories > 1 {
            return Err(Ok(ModuleLimitError::Memories { count: memories }));
        }
        if tables > MAX_TABLES as u64 {
            return Err(Ok(ModuleLimitError::Tables { count: tables, limit: MAX_TABLES }));
        }
    }
    Ok(figures)
}

fn vet_body(
    body: &wasmparser::FunctionBody<'_>,
    index: u32,
    limits: &ModuleLimits,
    figures: &mut ModuleFigures,
) -> Result<(), Result<ModuleLimitError, Malformed>> {
    let size = body.range().len();
    figures.largest_function = figures.largest_function.max(size);
    if size > limits.max_function_bytes {
        return Err(Ok(ModuleLimitError::FunctionSize { index, size, limit: limits.max_function_bytes }));
    }
    let mut locals = 0_u64;
    for group in body.get_locals_reader().map_err(bad)? {
        locals += u64::from(group.map_err(bad)?.0);
        if locals > u64::from(limits.max_locals) {
            return Err(Ok(ModuleLimitError::Locals { index, count: locals, limit: limits.max_locals }));
        }
    }
    let (mut depth, mut deepest, mut branches) = (0_usize, 0_usize, 0_usize);
    let mut reader = body.get_operators_reader().map_err(bad)?;
    while !reader.eof() {
        match reader.read().map_err(bad)? {
            Operator::Block { .. } | Operator::Loop { .. } | Operator::TryTable { .. } | Operator::Try { .. } => {
                depth += 1;
            }
            Operator::If { .. } => {
                depth += 1;
                branches += 1;
            }
            Operator::End => depth = depth.saturating_sub(1),
            Operator::Br { .. }
            | Operator::BrIf { .. }
            | Operator::BrOnNull { .. }
            | Operator::BrOnNonNull { .. }
            | Operator::BrOnCast { .. }
            | Operator::BrOnCastFail { .. } => branches += 1,
            Operator::BrTable { targets } => branches += targets.len() as usize + 1,
            _ => {}
        }
        deepest = deepest.max(depth);
        if depth > limits.max_nesting {
            return Err(Ok(ModuleLimitError::Nesting { index, depth, limit: limits.max_nesting }));
        }
        if branches > limits.max_branches {
            return Err(Ok(ModuleLimitError::Branches { index, limit: limits.max_branches }));
        }
    }
    figures.nesting = figures.nesting.max(deepest);
    figures.branches = figures.branches.max(branches);
    Ok(())
}
