//! `--lang en|ko`, shared by the teaching commands; without it the locale
//! decides (LC_ALL, LC_MESSAGES, LANG starting with `ko`: Korean).

use chainrule::render::Lang;

#[derive(clap::Args, Clone, Debug, Default)]
pub struct LangArg {
    /// Language of the words: en or ko [default: from LC_ALL/LANG, `ko…` → ko, else en]
    #[arg(long = "lang", value_name = "LANG", value_parser = ["en", "ko"])]
    pub lang: Option<String>,
}

impl LangArg {
    pub fn get(&self) -> Lang {
        self.lang
            .as_deref()
            .and_then(Lang::parse)
            .unwrap_or_else(Lang::from_env)
    }
}
