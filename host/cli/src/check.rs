//! `dudao check PACK.wasm`: validates a module against the ABI and the host's policy.

use std::path::PathBuf;

use dudao_engine::pack::LoadedPack;
use dudao_engine::sandbox::Sandbox;
use serde_json::json;

use super::{Exit, Failure, LimitArgs, TextOrJson, emit};

/// Arguments of `dudao check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The pack module (`.wasm`).
    pack: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    format: TextOrJson,
    #[command(flatten)]
    limits: LimitArgs,
}

/// Loads the pack, which runs every check: size, validity, imports, exports, ABI version,
/// describe within the limits, manifest consistency.
pub fn check(args: Args) -> Result<Exit, Failure> {
    let sandbox = Sandbox::new(args.limits.limits()).map_err(Failure::unexpected)?;
    let outcome = LoadedPack::load(&sandbox, &args.pack);
    let text = match (&outcome, args.format) {
        (Ok(pack), TextOrJson::Text) => {
            let indicators = pack.manifest.nodes().iter().filter(|node| node.level.is_some()).count();
            format!(
                "ok: pack `{}` {} from `{}`: ABI {}, {} bytes, sha256 {}, {} indicators\n",
                pack.manifest.id,
                pack.manifest.version,
                args.pack.display(),
                pack.abi,
                pack.size,
                pack.sha256,
                indicators
            )
        }
        (Ok(pack), TextOrJson::Json) => format!(
            "{}\n",
            json!({"ok": true, "path": args.pack.display().to_string(), "id": pack.manifest.id,
                "version": pack.manifest.version, "abi": pack.abi.to_string(), "bytes": pack.size, "sha256": pack.sha256})
        ),
        (Err(error), TextOrJson::Json) => {
            format!("{}\n", json!({"ok": false, "path": args.pack.display().to_string(), "error": error.to_string()}))
        }
        (Err(_), TextOrJson::Text) => String::new(),
    };
    emit(None, &text)?;
    match outcome {
        Ok(_) => Ok(Exit::Success),
        Err(error) if args.format == TextOrJson::Text => Err(Failure::bad_input(error)),
        Err(_) => Ok(Exit::BadInput),
    }
}
