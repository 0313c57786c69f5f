//! Prints the entities the tagger finds in standard input (a debugging aid).
//!
//! `echo "Anna Keller flew to Kenya." | cargo run -p docpipe-entities --example tagdemo`

use std::io::Read;

use docpipe_entities::{Tagger, TaggerConfig};

fn main() -> std::io::Result<()> {
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text)?;
    let tagger = Tagger::builtin(TaggerConfig::default());
    for m in tagger.tag(&text) {
        let line = format!(
            "{:>6}..{:<6} {:<9} {:<10} {:?} -> {:?}",
            m.start,
            m.end,
            m.label.as_str(),
            m.source.as_str(),
            &text[m.start..m.end],
            m.canonical
        );
        std::io::Write::write_all(&mut std::io::stdout(), (line + "\n").as_bytes())?;
    }
    Ok(())
}
