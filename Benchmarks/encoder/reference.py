#!/usr/bin/env python3
"""The reference vectors Kindred's encoder is tested against (Tests/KindredEncoderTests/Fixtures).

Runs sentence-transformers (PyTorch) on the encoder folder that scripts/fetch-encoder.sh unpacks,
over the sample corpus (each article's title + "\\n" + body, the title alone and the body alone)
and a set of hard cases: empty text, accents, CJK, emoji, HTML entities, code, control
characters, over-long words and a 20,000-word text. Writes one JSON file:

  {"encoder": ..., "max_tokens": 128, "texts": [...],
   "ids": [[...]],          # the reference tokenizer's ids, cut at 512 (the position table)
   "vectors": "<base64>"}   # float16 little-endian, len(texts) x 384, cut at max_tokens

Usage (in a virtualenv with sentence-transformers installed):
  python3 Benchmarks/encoder/reference.py [ENCODER_DIR] > Tests/KindredEncoderTests/Fixtures/reference.json
"""
import base64
import glob
import json
import os
import sys

import numpy as np
from sentence_transformers import SentenceTransformer

MAX_TOKENS = 128

HARD_CASES = [
    "",
    " ",
    "\n\n\t",
    "Café crème brûlée à Genève",
    "Ångström, naïve façade, coöperate, jalapeño",
    "ÉCOLE NORMALE SUPÉRIEURE",
    "İstanbul'da İSTANBUL ıi",
    "Die Straße ist groß; STRASSE",
    "Ελληνικά: ΣΊΣΥΦΟΣ και οδυσσέας",
    "e\u0301te\u0301 decomposed accents",
    "小米发布新款手机，售价4999元。",
    "日本語のテキスト、カタカナとひらがな。",
    "한국어 문장입니다. 삼성전자",
    "Xiaomi 小米 17 Ultra 徕卡 Leica",
    "🚀 Launch day 🎉👍🏽 with emoji",
    "family 👨‍👩‍👧 and flags 🇫🇷🇩🇪",
    "❤️ love ✔️ check ☕ coffee",
    "AT&amp;T &lt;b&gt;bold&lt;/b&gt; &#39;quoted&#39; &nbsp; &eacute;",
    "Tom &amp; Jerry &mdash; a cartoon",
    "func related(_ id: String, k: Int = 10) throws -> [Hit] { return index.search(id, k) }",
    "SELECT id, title FROM articles WHERE published_at > '2026-01-01' ORDER BY id;",
    '<div class="related"><a href="/a">Link</a></div>',
    "https://news.example.com/tech/xiaomi-17?utm_source=feed&ref=home#top",
    "user@example.com wrote: ~/src/kindred$ swift build -c release",
    "tab\there\x00null\u200bzero-width\ufeffbom\u00adsoft hyphen\u0007bell",
    "3.14159 1,000,000 $5.99 50% 2026-12-07 12:30 +44 (0)20 7946 0000",
    "a" * 150,
    "supercalifragilisticexpialidocious " * 5,
    "Pneumonoultramicroscopicsilicovolcanoconiosis" * 3,
    "no\u00a0break\u2003em space\u3000ideographic\u2028line separator",
    "Русский текст о новостях технологий",
    "النص العربي عن الأخبار",
    "עברית חדשות טכנולוגיה",
    "हिन्दी समाचार प्रौद्योगिकी",
    "ข่าวเทคโนโลยีภาษาไทย",
    "iPhone IPHONE iphone iPHONE",
    "\ufffd replacement \ue000 private use",
    "Ŀ ŉ ǅ ǈ ﬁ ﬂ ligatures and titlecase",
    "Mr. O'Neill's co-operation (don't) — “quoted” ‘single’ «guillemets» …",
    "x" * 99 + " " + "y" * 100 + " " + "z" * 101,
    "The\n\nquick\r\nbrown\tfox\u000bjumps\u000cover",
    "Ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３",
    "ℌ𝔢𝔩𝔩𝔬 𝐦𝐚𝐭𝐡 𝟏𝟐𝟑 ①②③",
    "Ⅻ ½ ² ³ µ Ω Å K",
]


def corpus_texts(root):
    texts = []
    for path in sorted(glob.glob(os.path.join(root, "corpus", "*.jsonl"))):
        with open(path, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                article = json.loads(line)
                title, body = article.get("title", ""), article.get("body", "")
                texts += [title + "\n" + body, title, body]
    return texts


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    encoder = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "models", "encoders", "all-MiniLM-L6-v2")
    corpus = corpus_texts(root)
    long_text = " ".join(corpus[i] for i in range(0, len(corpus), 3))
    words = long_text.split()
    twenty_thousand = " ".join(words[i % len(words)] for i in range(20_000))
    texts = HARD_CASES + [long_text, twenty_thousand] + corpus

    model = SentenceTransformer(encoder, device="cpu")
    model.max_seq_length = MAX_TOKENS
    vectors = model.encode(texts, batch_size=32, convert_to_numpy=True, normalize_embeddings=True)
    ids = [model.tokenizer(text, truncation=True, max_length=512)["input_ids"] for text in texts]
    json.dump(
        {
            "encoder": os.path.basename(os.path.normpath(encoder)),
            "max_tokens": MAX_TOKENS,
            "texts": texts,
            "ids": ids,
            "vectors": base64.b64encode(vectors.astype("<f2").tobytes()).decode("ascii"),
        },
        sys.stdout,
        ensure_ascii=False,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
