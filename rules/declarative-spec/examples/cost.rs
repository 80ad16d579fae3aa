//! Native cost of the interpreter's per-unit steps for a spec:
//! `cargo run --release -p declarative-spec --features authoring --example cost -- SPEC.toml`.
//! (Native figures; the national benchmark in the report measures the real thing.)

use std::time::Instant;

fn main() {
    let n = 5000u32;
    let text = std::fs::read_to_string(std::env::args().nth(1).expect("spec")).expect("cost example");
    let spec = declarative_spec::toml_spec::read("x", &text).expect("cost example");
    let program = declarative_spec::check::check(&spec).expect("cost example");
    let json = serde_json::to_vec(&program).expect("cost example");
    println!("program json {} bytes", json.len());
    let unit: rules_sdk::Unit = serde_json::from_str(r#"{"level":"school","subject":{"id":"9000010001","name":"x","county_id":"900001","primary_students":1468,"junior_students":0,"backbone_teachers":20},"members":{}}"#).expect("cost example");
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(
            serde_json::from_slice::<declarative_spec::program::RuntimeOnly>(&json).expect("cost example"),
        );
    }
    println!("parse program: {:?}", t.elapsed() / n);
    let env = declarative_spec::eval::environment();
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(declarative_spec::eval::evaluate(&program.runtime, &env, &unit).expect("cost example"));
    }
    println!("evaluate: {:?}", t.elapsed() / n);
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(declarative_spec::eval::environment());
    }
    println!("env: {:?}", t.elapsed() / n);
    let t = Instant::now();
    for _ in 0..n {
        let mut c = cel::Context::with_env(env.clone());
        declarative_spec::eval::registered(&mut c);
        std::hint::black_box(&c);
    }
    println!("context+functions: {:?}", t.elapsed() / n);
}
