//! docpipe's own English test cases for the sentence splitter, one per "Golden Rule" of the
//! Pragmatic Segmenter (the rule names follow that list; every text here was written for
//! docpipe). The splitter's unit tests and `plugins/splitter/examples/eval.rs` score them;
//! `plugins/splitter/eval/golden_rules.py` scores the original cases, read from the installed
//! `pysbd` package at run time.

/// `(rule, text, expected sentences)`.
pub const CASES: &[(&str, &str, &[&str])] = &[
    ("simple period", "The rain stopped. We went out.", &["The rain stopped.", "We went out."]),
    ("question mark", "Where is the key? It is under the mat.", &["Where is the key?", "It is under the mat."]),
    ("exclamation mark", "Look at that! It is huge.", &["Look at that!", "It is huge."]),
    (
        "one-letter upper-case abbreviation",
        "The letter came from Anna K. Berg.",
        &["The letter came from Anna K. Berg."],
    ),
    (
        "one-letter lower-case abbreviation",
        "The table is on p. 12 of the report.",
        &["The table is on p. 12 of the report."],
    ),
    (
        "two-letter lower-case abbreviation mid-sentence",
        "Did Tom and co. join the trip?",
        &["Did Tom and co. join the trip?"],
    ),
    (
        "two-letter upper-case abbreviation mid-sentence",
        "We signed with Hart, Lowe & Co. before lunch.",
        &["We signed with Hart, Lowe & Co. before lunch."],
    ),
    (
        "two-letter lower-case abbreviation at the end",
        "Ask Tom and co. They were there.",
        &["Ask Tom and co.", "They were there."],
    ),
    (
        "two-letter upper-case abbreviation at the end",
        "We signed with Hart, Lowe & Co. It took a week.",
        &["We signed with Hart, Lowe & Co.", "It took a week."],
    ),
    ("prepositive abbreviation", "We could see Mt. Kenya at dawn.", &["We could see Mt. Kenya at dawn."]),
    (
        "prepositive and postpositive",
        "St. Anne's school is on 3rd st. by the park.",
        &["St. Anne's school is on 3rd st. by the park."],
    ),
    ("possessive abbreviation", "This is Sam Jr.'s bike.", &["This is Sam Jr.'s bike."]),
    ("multi-period abbreviation mid-sentence", "She toured the U.K.A. in May.", &["She toured the U.K.A. in May."]),
    (
        "multi-period abbreviation at the end",
        "He works in the E.U. Where do you work?",
        &["He works in the E.U.", "Where do you work?"],
    ),
    ("U.S. as a boundary", "They moved to the U.S. How was it?", &["They moved to the U.S.", "How was it?"]),
    ("U.S. before a capitalised word", "He joined the U.S. Navy in Ohio.", &["He joined the U.S. Navy in Ohio."]),
    (
        "U.S. before a lower-case word",
        "She stayed in the U.S. for ten years.",
        &["She stayed in the U.S. for ten years."],
    ),
    (
        "a.m. and p.m.",
        "At 7 a.m. Dr. Lee opened the clinic. She closed it at 5 p.m. The staff went home.",
        &["At 7 a.m. Dr. Lee opened the clinic.", "She closed it at 5 p.m.", "The staff went home."],
    ),
    ("number inside a sentence", "The bill came to $42.50 in total.", &["The bill came to $42.50 in total."]),
    ("number at the end", "The bill came to $42.50. We paid it.", &["The bill came to $42.50.", "We paid it."]),
    (
        "parenthetical sentence",
        "She studied law (She later taught for 3 years at a college.) in the capital.",
        &["She studied law (She later taught for 3 years at a college.) in the capital."],
    ),
    (
        "e-mail address",
        "Write to Ann.Lee@example.org. She replies fast.",
        &["Write to Ann.Lee@example.org.", "She replies fast."],
    ),
    (
        "web address",
        "The page is: https://www.example.org/a-b/c_d.html. Read it today.",
        &["The page is: https://www.example.org/a-b/c_d.html.", "Read it today."],
    ),
    ("single quotes inside", "He looked up, 'That is odd.' he said.", &["He looked up, 'That is odd.' he said."]),
    ("double quotes inside", "He looked up, \"That is odd.\" he said.", &["He looked up, \"That is odd.\" he said."]),
    (
        "double quotes at the end",
        "He looked up, \"That is odd.\" He put the cup down.",
        &["He looked up, \"That is odd.\"", "He put the cup down."],
    ),
    ("double exclamation", "Wow!! That was close.", &["Wow!!", "That was close."]),
    ("double question", "Anyone?? Hello there?", &["Anyone??", "Hello there?"]),
    ("exclamation question", "Really!? You won?", &["Really!?", "You won?"]),
    ("question exclamation", "Really?! You won?", &["Really?!", "You won?"]),
    ("list 1.) without periods", "1.) Buy milk 2.) Call home", &["1.) Buy milk", "2.) Call home"]),
    ("list 1.) with periods", "1.) Buy milk. 2.) Call home.", &["1.) Buy milk.", "2.) Call home."]),
    ("list 1) without periods", "1) Buy milk 2) Call home", &["1) Buy milk", "2) Call home"]),
    ("list 1) with periods", "1) Buy milk. 2) Call home.", &["1) Buy milk.", "2) Call home."]),
    ("list 1. without periods", "1. Buy milk 2. Call home", &["1. Buy milk", "2. Call home"]),
    ("list 1. with periods", "1. Buy milk. 2. Call home.", &["1. Buy milk.", "2. Call home."]),
    ("bulleted list", "• 4. Buy milk • 5. Call home", &["• 4. Buy milk", "• 5. Call home"]),
    ("hyphen-bullet list", "⁃4. Buy milk ⁃5. Call home", &["⁃4. Buy milk", "⁃5. Call home"]),
    (
        "alphabetical list",
        "a. Buy milk b. Call home c. Pay the rent",
        &["a. Buy milk", "b. Call home", "c. Pay the rent"],
    ),
    (
        "coordinates",
        "It lies at N°. 2210.114.87. That is the spot.",
        &["It lies at N°. 2210.114.87.", "That is the spot."],
    ),
    ("exclamation in a name", "He sold ads at Yahoo! in the nineties.", &["He sold ads at Yahoo! in the nineties."]),
    (
        "I as boundary and as initial",
        "It was just you and I. Have you met Carl I. Stone?",
        &["It was just you and I.", "Have you met Carl I. Stone?"],
    ),
    (
        "ellipsis ending a quotation",
        "She wrote that by waiting, “the answer will come in time. . . .”",
        &["She wrote that by waiting, “the answer will come in time. . . .”"],
    ),
    (
        "ellipsis in brackets",
        "\"The map [...] showed the old roads [...]\" (Berg 12).",
        &["\"The map [...] showed the old roads [...]\" (Berg 12)."],
    ),
    (
        "spaced ellipsis and period as boundary",
        "When the end of a sentence is left out, mark it with spaced dots and a period . . . . Then go on.",
        &["When the end of a sentence is left out, mark it with spaced dots and a period . . . .", "Then go on."],
    ),
    ("four dots as boundary", "I did not say that.... He walked out.", &["I did not say that....", "He walked out."]),
    (
        "ellipsis inside a sentence",
        "I was not ... well, what I meant...look . . . what I mean is . . . I was tired.",
        &["I was not ... well, what I meant...look . . . what I mean is . . . I was tired."],
    ),
    (
        "four-dot ellipsis as boundary",
        "The habit weakened . . . was the joining of words . . . . He lived simply.",
        &["The habit weakened . . . was the joining of words . . . .", "He lived simply."],
    ),
];
