//! Money as planners account for it (SPEC 8): smart encoding against an independent table
//! of replacements, in templates and in `smsim segments --smart`.

mod common;
use common::scenario;

/// Replacements written here apart from the simulator's table (the common ones providers
/// document: curly quotes, dashes, the ellipsis, the no-break space).
const REPLACED: [(char, &str); 8] = [
    ('\u{2018}', "'"),
    ('\u{2019}', "'"),
    ('\u{201C}', "\""),
    ('\u{201D}', "\""),
    ('\u{2013}', "-"),
    ('\u{2014}', "-"),
    ('\u{2026}', "..."),
    ('\u{00A0}', " "),
];

/// GSM-7 parts of a text of `n` basic-table characters: 1 up to 160, else 153 a part.
fn gsm7_parts(n: usize) -> u32 {
    if n <= 160 { 1 } else { n.div_ceil(153) as u32 }
}

#[test]
fn smart_encoding_turns_curly_quotes_and_dashes_back_into_gsm7() {
    // 150 characters of ASCII with each replaced character in it: UCS-2 without smart
    // encoding (units = characters, 67 a part), GSM-7 with it.
    for (c, r) in REPLACED {
        let body = format!("Reminder{c}{}", "x".repeat(141));
        let plain_len = body.chars().count();
        let replaced: String = body.chars().map(|x| if x == c { r.to_string() } else { x.to_string() }).collect();
        let text = |smart: bool| {
            format!(
                "[simulation]\nhorizon = \"1h\"\n[[carrier]]\nid = \"c\"\nshare = 1\n[customers]\ncount = 1\n\
                 [[number]]\nid = \"p\"\nkind = \"ten_dlc\"\n\
                 [[campaign]]\nid = \"x\"\nfrom = \"p\"\nsmart_encoding = {smart}\nbody = \"{}\"\n",
                body.replace('"', "\\\"")
            )
        };
        let without = scenario(&text(false));
        assert_eq!(without.templates[0].parts, plain_len.div_ceil(67) as u32, "{c:?} forces UCS-2");
        let with = scenario(&text(true));
        assert_eq!(with.templates[0].parts, gsm7_parts(replaced.chars().count()), "{c:?} smart");
        assert_eq!(with.templates[0].body, replaced);
        assert_eq!(with.templates[0].encoding.name(), "GSM-7");
    }
}

#[test]
fn segments_smart_names_what_forces_ucs2_and_json_stays_the_contract() {
    let run = |args: &[&str]| {
        let o = assert_cmd::Command::cargo_bin("smsim").unwrap().arg("segments").args(args).output().unwrap();
        assert!(o.status.success());
        (String::from_utf8(o.stdout).unwrap(), String::from_utf8(o.stderr).unwrap())
    };
    let text = "It\u{2019}s \u{201C}fine\u{201D} \u{1F642}";
    let (plain, _) = run(&[text]);
    assert!(plain.contains("forces UCS-2: \u{2019} (U+2019, smart-encodable) at 3"), "{plain}");
    assert!(plain.contains("\u{1F642} (U+1F642) at 13"), "{plain}");
    let (smart, _) = run(&["--smart", text]);
    assert!(smart.contains("smart encoding replaced 3 character(s)"), "{smart}");
    assert!(smart.contains("forces UCS-2: \u{1F642} (U+1F642) at 13") && !smart.contains("U+2019"), "{smart}");
    let (json, err) = run(&["--smart", "--json", "It\u{2019}s \u{201C}fine\u{201D}"]);
    assert_eq!(json, "{\"encoding\":\"GSM-7\",\"characters\":11,\"units\":11,\"parts\":1}\n");
    assert!(err.is_empty());
}
