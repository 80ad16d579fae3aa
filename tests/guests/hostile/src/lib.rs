//! A pack that misbehaves on purpose. What it does for a school depends on the school's id:
//!
//! | id contains | behaviour |
//! |---|---|
//! | `loop` | spins forever |
//! | `bomb` | allocates memory until something stops it |
//! | `abort` | traps without a message |
//! | `panic` | panics with a message |
//! | `recurse` | recurses until the stack overflows |
//! | `undeclared` | reports an indicator its manifest does not declare |
//! | `stranger` | reports a result for another subject |
//! | `refuse` | refuses the unit with an error message |
//! | `large` | needs 16 MiB of heap (more than the SDK's arena in the initial memory), then reports honestly |
//! | anything else | reports its student count, honestly |

use std::hint::black_box;

use rules_sdk::FieldBuilder;
use rules_sdk::prelude::*;
use serde::Deserialize;

/// The pack.
#[derive(Debug)]
pub struct Hostile;

#[derive(Deserialize)]
struct School {
    id: String,
    primary_students: f64,
}

fn recurse(depth: u64) -> u64 {
    if depth == black_box(u64::MAX) {
        return 0;
    }
    let mut frame = [depth; 64];
    frame[black_box(3)] = black_box(depth);
    recurse(depth + 1) + frame[black_box(5)]
}

impl Pack for Hostile {
    fn manifest() -> Manifest {
        ManifestBuilder::new("hostile", "0.1.0", "沙箱测试包")
            .unit(Level::School, &[])
            .field(Level::School, FieldBuilder::count("primary_students", "小学段在校生数"))
            .indicator(NodeBuilder::indicator("hostile.students", "在校生数", Level::School).unit("人"))
            .build()
    }

    fn evaluate(unit: &Unit) -> Result<Vec<IndicatorResult>, PackError> {
        let school: School = unit.subject_as()?;
        let id = school.id.as_str();
        if id.contains("loop") {
            let mut counter = 0_u64;
            loop {
                counter = black_box(counter.wrapping_add(1));
            }
        }
        if id.contains("bomb") {
            let mut hoard: Vec<Vec<u8>> = Vec::new();
            loop {
                hoard.push(black_box(vec![1_u8; 1 << 20]));
            }
        }
        if id.contains("large") {
            // Past the SDK's heap arena (rules_sdk's `ARENA_BYTES`, 2 MiB): memory must grow.
            const LARGE: usize = 16 << 20;
            let block = black_box(vec![1_u8; LARGE]);
            let pages: usize = block.iter().step_by(4096).map(|&byte| usize::from(byte)).sum();
            if pages != LARGE / 4096 {
                return Err(PackError::new(format!("the large block of school `{id}` reads back as {pages}")));
            }
        }
        if id.contains("abort") {
            std::process::abort();
        }
        if id.contains("panic") {
            panic!("deliberate panic for school {id}");
        }
        if id.contains("recurse") {
            return Ok(vec![result(id, "hostile.students", Some(recurse(0) as f64), Status::Met)]);
        }
        if id.contains("refuse") {
            return Err(PackError::new(format!("school `{id}` cannot be evaluated by this pack")));
        }
        let indicator = if id.contains("undeclared") { "hostile.secret" } else { "hostile.students" };
        let subject = if id.contains("stranger") { "someone-else".to_owned() } else { school.id.clone() };
        Ok(vec![result(subject, indicator, Some(school.primary_students), Status::Met)])
    }
}

rules_sdk::export_pack!(Hostile);
