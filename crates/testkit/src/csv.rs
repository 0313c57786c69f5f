//! CSV text back into rows, read with the `csv` crate: the independent reader that export's
//! own CSV output is checked against (RFC 4180 quoting, any one-byte delimiter).

/// Parses CSV text into rows of fields. Every row is returned (no header handling), rows
/// may have different lengths, and a quoted field keeps its line breaks and doubled quotes
/// undone. Blank lines are skipped, as the `csv` crate does.
pub fn parse(text: &str, delimiter: u8) -> Result<Vec<Vec<String>>, ::csv::Error> {
    let mut reader =
        ::csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    reader.records().map(|r| r.map(|rec| rec.iter().map(str::to_owned).collect())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_come_back_whole() -> Result<(), ::csv::Error> {
        let rows = parse("a,\"b, \"\"c\"\"\nd\",\" e\"\n1,2\n", b',')?;
        assert_eq!(rows, vec![vec!["a", "b, \"c\"\nd", " e"], vec!["1", "2"]]);
        assert_eq!(parse("x\ty\n", b'\t')?, vec![vec!["x", "y"]]);
        Ok(())
    }
}
