#!/usr/bin/env python3
"""term_clean.py FILE...: exit 0 when every FILE is text a terminal shows as it is written: valid
UTF-8 with no control character but the newline that ends a line (no C0, DEL, C1), no bidi control,
no line or paragraph separator and no invisible formatting character. Otherwise says where."""
import sys

HIDDEN = {0x061C, 0x200B, 0x200E, 0x200F, 0x2060, 0xFEFF} | set(range(0x2028, 0x202F)) \
    | set(range(0x2066, 0x206A)) | set(range(0xE0000, 0xE0080))

bad = 0
for path in sys.argv[1:]:
    data = open(path, "rb").read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        print(f"{path}: invalid UTF-8 at byte {e.start}: {data[max(0, e.start - 20):e.start + 4]!r}")
        bad += 1
        continue
    for i, ch in enumerate(text):
        cp = ord(ch)
        if (cp < 0x20 and ch != "\n") or 0x7F <= cp <= 0x9F or cp in HIDDEN:
            print(f"{path}: U+{cp:04X} at character {i}: {text[max(0, i - 20):i + 4]!r}")
            bad += 1
            break
sys.exit(1 if bad else 0)
