//! Prints, for a page and a phrase of its main text, the chain of elements from the text node up
//! to the root with the selection's verdict on each (kept, or why it was dropped), so a reader
//! can see which rule lost the phrase: `cargo run --release -p docpipe-extract --example explain
//! -- PAGE.html "a phrase of the text"`. It shows the scored pass only (not the fallbacks the
//! stage tries on short results) and reads the page as UTF-8 (lossily), not through the HTML
//! reader's charset choice; "kept" here can still be filtered by the renderer (link density,
//! bylines, the headline).

use docpipe_extract::ExtractOptions;
use docpipe_extract::parse::{Kind, NONE};
use docpipe_extract::select::{Pass, select};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(needle)) = (args.next(), args.next()) else {
        return Err("usage: explain PAGE.html PHRASE".into());
    };
    let bytes = std::fs::read(&path)?;
    let html = String::from_utf8_lossy(&bytes).into_owned();
    let o = ExtractOptions::default();
    let tree = docpipe_extract::parse::parse(&html, o.max_nodes).map_err(|e| format!("{e:?}"))?;
    let meta = docpipe_extract::meta::read(&tree, &html);
    let sel = select(&tree, &html, o.focus, o.comments, Pass::Scored, meta.title.as_deref());
    println!("method {}, roots {:?}", sel.method, sel.roots);
    let describe = |id: u32| {
        let mut attrs = String::new();
        tree.attrs(html.as_bytes(), id, |a| {
            let name = &html[a.name.0..a.name.1];
            if matches!(name, "class" | "id" | "role" | "itemprop") {
                let v = a.value.map(|(s, e)| &html[s..e]).unwrap_or("");
                attrs.push_str(&format!(" {name}={:?}", v.chars().take(80).collect::<String>()));
            }
        });
        let s = sel.stats[id as usize];
        format!(
            "{id:>6} {:?} {:?}{attrs} -> {:?} (chars {}, links {}, root {})",
            tree.nodes[id as usize].kind,
            tree.nodes[id as usize].tag,
            sel.drop[id as usize],
            s.chars,
            s.link_chars,
            sel.roots.contains(&id)
        )
    };
    for &r in &sel.roots {
        println!("root {}", describe(r));
    }
    let hit = tree
        .nodes
        .iter()
        .position(|n| matches!(n.kind, Kind::Text | Kind::Plain) && html[n.start..n.end].contains(needle.as_str()));
    let Some(mut id) = hit.map(|i| i as u32) else {
        return Err(format!("{needle:?} is in no single text node").into());
    };
    while id != NONE {
        println!("{}", describe(id));
        id = tree.nodes[id as usize].parent;
    }
    Ok(())
}
