//! Server-rendered Chinese pages (minijinja templates in `host/server/templates/`).

use minijinja::Environment;

/// The templates, compiled once.
#[derive(Debug)]
pub(crate) struct Views {
    env: Environment<'static>,
}

macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        [$(($name, include_str!(concat!("../templates/", $name)))),*]
    };
}

impl Views {
    pub(crate) fn new() -> Views {
        let mut env = Environment::new();
        for (name, source) in templates![
            "base.html",
            "pager.html",
            "login.html",
            "home.html",
            "unit.html",
            "rounds.html",
            "round.html",
            "results.html",
            "data.html",
            "visit.html",
            "items.html",
            "item.html",
            "orders.html",
            "audit.html",
            "public.html",
            "message.html",
            "packs.html",
            "pack.html",
        ] {
            env.add_template(name, source).unwrap_or_else(|e| panic!("template {name} does not compile: {e}"));
        }
        Views { env }
    }

    /// Renders a page.
    pub(crate) fn render(&self, name: &str, context: minijinja::Value) -> Result<String, minijinja::Error> {
        self.env.get_template(name)?.render(context)
    }
}
