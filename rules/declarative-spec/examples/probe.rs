use cel::{Context, Env, Value};
use std::sync::Arc;
fn main() {
    let env = Arc::new(Env::stdlib());
    for src in [
        "x + 1",
        "x > 0",
        "x / 2",
        "1 / 2",
        "x == 3",
        "x >= 3",
        "l.map(s, s.a)",
        "l.filter(s, s.a > 1).size()",
        "size(l)",
        "string(x)",
        "string(x / 7.0)",
        "x == null",
        "n == null",
        "n + 1",
        "[1, 2.5]",
        "max(1, 2)",
        "1.0 / 0.0",
        "1 / 0",
        "true ? 1 : 2.5",
        "x in [3.0]",
        "'a' + string(2)",
        "l.map(s, s.a).join('、')",
    ] {
        let mut ctx = Context::with_env(env.clone());
        ctx.add_variable_from_value("x", Value::Float(3.0));
        ctx.add_variable_from_value("n", Value::Null);
        let m: std::collections::HashMap<String, Value> = [("a".to_string(), Value::Float(2.0))].into_iter().collect();
        ctx.add_variable_from_value("l", Value::from(vec![Value::from(m.clone()), Value::from(m)]));
        match env.compile(src) {
            Ok(p) => println!("{src:30} => {:?}", p.execute(&ctx)),
            Err(e) => println!("{src:30} => PARSE {e}"),
        }
    }
}
