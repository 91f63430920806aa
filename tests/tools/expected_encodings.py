#!/usr/bin/env python3
"""Expected token ids for tests/model/tokenizer_real_vocab_test.cpp, from an independent tokenizer.

Usage: python3 tests/tools/expected_encodings.py [models/SmolLM2-135M-Instruct.Q4_1.gguf]
Needs: pip install gguf tokenizers

Reads tokenizer.ggml.{tokens,token_type,merges,pre} with the `gguf` package and builds a Hugging
Face `tokenizers` BPE from them: no unk token, pre-tokenizer Digits(individual_digits=True) (for
pre == "smollm") then ByteLevel(add_prefix_space=False), the control tokens added as special
tokens so that their text in the input matches literally. That is how SmolLM2's own
tokenizer.json is configured. Prints C++ initialisers to paste into the test.
"""
import json
import sys

import gguf
from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers

TEXTS = [
    "The capital of France is",
    "Hello world!",
    " 12345 apples",
    "don't stop",
    "  leading spaces\n\nnewlines",
    "<|im_start|>user\nHi<|im_end|>",
    "Café naïve – 中文字符 😀 Привет",
    "for (int i = 0; i < 10; ++i) {",
    "I'M   tabs\t\tand CRLF\r\n x²+y³=½",
    "<|im_start|>system\nYou are a helpful AI assistant named SmolLM<|im_end|>\n",
]


def field_strings(reader, key):
    f = reader.fields[key]
    return [bytes(f.parts[i]).decode("utf-8") for i in f.data]


def field_ints(reader, key):
    f = reader.fields[key]
    return [int(f.parts[i][0]) for i in f.data]


def build(path):
    r = gguf.GGUFReader(path)
    tokens = field_strings(r, "tokenizer.ggml.tokens")
    types = field_ints(r, "tokenizer.ggml.token_type")
    merges = [tuple(m.split(" ", 1)) for m in field_strings(r, "tokenizer.ggml.merges")]
    pre = bytes(r.fields["tokenizer.ggml.pre"].parts[-1]).decode()
    tok = Tokenizer(models.BPE(vocab={t: i for i, t in enumerate(tokens)}, merges=merges))
    steps = [pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)]
    if pre == "smollm":
        steps.insert(0, pre_tokenizers.Digits(individual_digits=True))
    elif pre not in ("gpt2", "default"):
        sys.exit("pre-tokenizer %r not handled here" % pre)
    tok.pre_tokenizer = pre_tokenizers.Sequence(steps)
    tok.decoder = decoders.ByteLevel()
    control = [t for t, ty in zip(tokens, types) if ty in (3, 4)]
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in control])
    return tok


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "models/SmolLM2-135M-Instruct.Q4_1.gguf"
    tok = build(path)
    for text in TEXTS:
        ids = tok.encode(text, add_special_tokens=False).ids
        # json.dumps gives a C++-compatible string literal for these texts (\n, \t, \r, \u....
        # escapes are not used because ensure_ascii=False keeps UTF-8 as is).
        print("    {%s, {%s}}," % (json.dumps(text, ensure_ascii=False), ", ".join(map(str, ids))))


if __name__ == "__main__":
    main()
