"""A deterministic corpus of nasty strings (no randomness across runs: a failure names its index).

Families: control characters, zero-width and bidi marks, lone surrogates, NUL, very long strings, SQL,
LIKE metacharacters, full-width forms, CJK Extension B, combining marks, emoji (with ZWJ sequences and
skin tones), RTL scripts, odd whitespace, HTML/script, format strings, paths, number-like strings — each
alone, inside an ordinary Chinese value, and mixed by a seeded generator up to ``SIZE``."""

from __future__ import annotations

import random

SIZE = 1200
SEED = 20261203

CONTROLS = [chr(c) for c in range(0x00, 0x20)] + ["\x7f"] + [chr(c) for c in range(0x80, 0xA0, 3)]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u180e", "\u00ad", "\u034f"]
BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",
        "\u200e", "\u200f", "\u061c"]
SURROGATES = ["\ud800", "\udbff", "\udc00", "\udfff", "\ud83d", "\ude00"]
WHITESPACE = [" ", "\t", "\n", "\r", "\r\n", "\u3000", "\u00a0", "\u2028", "\u2029", "\u2003", "\u200a",
              "\u1680", "\u0085", "\u000b", "\u000c"]
SQL = ["'", "''", "\"", "'; DROP TABLE cases; --", "1' OR '1'='1", "\" OR 1=1 --", "'); DELETE FROM persons;--",
       "/* */", "--", ";", "UNION SELECT * FROM meta", "0x00", "NULL", "null", "None", "\\'", "`", "$$"]
LIKE = ["%", "_", "%%", "__", "%_%", "\\%", "\\_", "[a-z]", "[%]", "*", "?", "ESCAPE '\\'", "张%", "%三", "_明"]
FULL_WIDTH = ["Ｚｈａｎｇ", "１２３４５６", "ＡＢＣ", "（）", "，。；：", "＼", "％", "＿", "＇", "＂", "　", "６２０１０２"]
EXT_B = ["𠮷", "𡃁", "𪚥", "𠀀", "𬌗", "𰻝", "𠮷𡃁", "⿰木木", "〇", "㐀", "䶵", "\U0002A6D6", "\U0003134A"]
COMBINING = ["e\u0301", "\u0301", "\u0300\u0301\u0302\u0303", "张\u0301", "a" + "\u0336" * 30, "Z̤͔ͧ̑̓", "\u20dd",
             "\u0e49\u0e49\u0e49", "\u1ab0"]
EMOJI = ["😀", "👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "🇨🇳", "❤️", "\U0010ffff", "\ue000", "\uf8ff", "\ufffd", "\ufffe", "\uffff",
         "🀄", "㊙", "Ⓐ"]
RTL = ["مرحبا", "שלום", "ئۇيغۇر", "\u202eabc\u202c", "ا\u0651", "کوردی", "ܐܪܡܝܐ"]
HTML = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "&lt;b&gt;", "&#x4E09;", "<b>张</b>",
        "]]>", "<!--", "javascript:alert(1)", "<?xml?>", "\"><svg/onload=alert(1)>", "{{7*7}}", "${7*7}"]
FORMAT = ["%s", "%d", "%n", "%x%x%x", "{0}", "{}", "{name}", "{{}}", "%(name)s", "%1$s", "\\n", "\\x00", "%%s"]
PATHS = ["../../etc/passwd", "..\\..\\windows\\system32", "C:\\Windows\\win.ini", "/dev/null", "\\\\server\\share",
         "CON", "NUL", "PRN", "AUX", "COM1", "LPT1", "file:///etc/passwd", "~/.ssh/id_rsa", "a/b/c", "./",
         "yimen.db", "*.db", "\\\\?\\C:\\", "con.txt", "a:b"]
NUMBERS = ["0", "-1", "1e308", "NaN", "inf", "-0", "0x1F", "１２３", "١٢٣", "一二三", "Ⅻ", "½", "²", "9" * 40,
           "620102197001010011", "62010219700101001X", "62010219700101001x", "6201021970010100", "3.14",
           "1,000", "+86 138 0000 0000", "2026-02-30", "00000000000000000000"]
CHINESE = ["张三", "李桂兰", "欧阳修", "东坪村三组12号", "主要劳动力患病，收入低", "买买提·艾力", "阿卜杜拉·买买提",
           "王", "张" * 30, "回族", "汉族"]
LONG = ["字" * 16_667, "a" * 100_000, "张" * 513, "𠮷" * 300, "\u200b" * 5_000, "%" * 2_000, "'" * 1_000,
        "张三" + " " * 10_000, "\n" * 3_000]

FAMILIES = [CONTROLS, ZERO_WIDTH, BIDI, SURROGATES, WHITESPACE, SQL, LIKE, FULL_WIDTH, EXT_B, COMBINING, EMOJI,
            RTL, HTML, FORMAT, PATHS, NUMBERS, CHINESE, LONG]


def corpus(size: int = SIZE, seed: int = SEED) -> list[str]:
    """``size`` distinct strings, the same every run: every piece alone, every piece inside an ordinary
    value (before, inside, after), the empty string, then seeded mixtures."""
    out: dict[str, None] = {"": None}        # insertion-ordered and without repeats
    pieces = [p for family in FAMILIES for p in family]
    out.update(dict.fromkeys(pieces))
    for i, p in enumerate(pieces):
        if len(p) <= 200:
            out[("张" + p + "三", p + "李桂兰", "东坪村" + p)[i % 3]] = None
    rng = random.Random(seed)
    short = [p for p in pieces if len(p) <= 40]
    while len(out) < size:
        out["".join(rng.choice(short) if rng.random() < 0.6 else rng.choice("张三李明村路号组")
                    for _ in range(rng.randint(1, 8)))] = None
    return list(out)[:size]
