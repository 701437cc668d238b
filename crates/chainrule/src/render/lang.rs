//! The words a learner reads, in English or Korean: Fluent messages, one
//! file per language (`locales/en.ftl`, `locales/ko.ftl`, compiled in).
//! Symbols and numbers are the same in every language; only words change.
//!
//! A key missing from a language falls back to English, and one missing
//! from English too comes back as the key itself (a test checks that both
//! files hold the same keys, so neither happens in practice).

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::sync::OnceLock;

/// The language of the words.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    #[default]
    En,
    Ko,
}

const EN: &str = include_str!("locales/en.ftl");
const KO: &str = include_str!("locales/ko.ftl");

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Ko];

    /// `en` or `ko`: the HTML `lang` attribute and the `--lang` value.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ko => "ko",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.code() == code)
    }

    /// The language a locale asks for: LC_ALL, then LC_MESSAGES, then
    /// LANG (the POSIX order, first non-empty wins); Korean when it starts
    /// with `ko`, English otherwise.
    pub fn from_locale(
        lc_all: Option<&str>,
        lc_messages: Option<&str>,
        lang: Option<&str>,
    ) -> Lang {
        let locale = [lc_all, lc_messages, lang]
            .into_iter()
            .flatten()
            .find(|v| !v.is_empty())
            .unwrap_or("");
        if locale.starts_with("ko") {
            Lang::Ko
        } else {
            Lang::En
        }
    }

    /// `from_locale` on this process's environment.
    pub fn from_env() -> Lang {
        let var = |k: &str| std::env::var(k).ok();
        Lang::from_locale(
            var("LC_ALL").as_deref(),
            var("LC_MESSAGES").as_deref(),
            var("LANG").as_deref(),
        )
    }

    /// The message `key` with no arguments.
    pub fn t(self, key: &str) -> String {
        self.tr(key, &[])
    }

    /// The message `key` with its placeables filled from `args`.
    pub fn tr(self, key: &str, args: &[(&str, &str)]) -> String {
        let mut fargs = FluentArgs::new();
        for (k, v) in args {
            fargs.set(*k, FluentValue::from(*v));
        }
        for lang in [self, Lang::En] {
            let b = bundle(lang);
            if let Some(pattern) = b.get_message(key).and_then(|m| m.value()) {
                let mut errors = Vec::new();
                return b
                    .format_pattern(pattern, Some(&fargs), &mut errors)
                    .into_owned();
            }
        }
        key.to_string()
    }

    /// Every message key of a language, for the tests.
    pub fn keys(self) -> Vec<String> {
        let source = match self {
            Lang::En => EN,
            Lang::Ko => KO,
        };
        source
            .lines()
            .filter_map(|l| l.split_once(" = ").map(|(k, _)| k.trim()))
            .filter(|k| !k.is_empty() && !k.starts_with('#'))
            .map(str::to_string)
            .collect()
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

fn bundle(lang: Lang) -> &'static FluentBundle<FluentResource> {
    static BUNDLES: [OnceLock<FluentBundle<FluentResource>>; 2] =
        [OnceLock::new(), OnceLock::new()];
    let (slot, source) = match lang {
        Lang::En => (&BUNDLES[0], EN),
        Lang::Ko => (&BUNDLES[1], KO),
    };
    slot.get_or_init(|| {
        let id = lang.code().parse().expect("en and ko are language ids");
        let mut b = FluentBundle::new_concurrent(vec![id]);
        // No Unicode isolation marks around placeables: the text goes to
        // terminals and <pre> blocks, where they would show as stray marks.
        b.set_use_isolating(false);
        let resource =
            FluentResource::try_new(source.to_string()).expect("the compiled-in .ftl files parse");
        b.add_resource(resource).expect("no duplicate keys");
        b
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_keys() {
        let (mut en, mut ko) = (Lang::En.keys(), Lang::Ko.keys());
        en.sort();
        ko.sort();
        assert!(!en.is_empty());
        assert_eq!(en, ko);
    }

    #[test]
    fn placeables_are_filled_without_isolation_marks() {
        assert_eq!(
            Lang::Ko.tr("rows-one", &[("row", "1"), ("source", "line.csv")]),
            "line.csv의 1행"
        );
        assert_eq!(Lang::En.t("explain-forward"), "forward");
        assert_eq!(Lang::En.t("no-such-key"), "no-such-key");
    }

    #[test]
    fn the_locale_picks_the_language() {
        assert_eq!(Lang::from_locale(None, None, Some("ko_KR.UTF-8")), Lang::Ko);
        assert_eq!(
            Lang::from_locale(Some("C"), None, Some("ko_KR.UTF-8")),
            Lang::En
        );
        assert_eq!(Lang::from_locale(Some(""), None, Some("ko")), Lang::Ko);
        assert_eq!(Lang::from_locale(None, None, None), Lang::En);
    }
}
