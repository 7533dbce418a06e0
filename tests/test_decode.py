import gzip

import pytest

from newsweave.errors import InputError
from newsweave.ingest import decode_bytes

LIMIT = 1_000_000


def test_utf8_and_boms():
    assert decode_bytes("Zürich — “quoted”".encode(), LIMIT) == ("Zürich — “quoted”", "utf-8")
    assert decode_bytes(b"\xef\xbb\xbfhello", LIMIT)[0] == "hello"
    assert decode_bytes("héllo wörld".encode("utf-16"), LIMIT)[0] == "héllo wörld"


def test_legacy_encodings_are_detected():
    text = "Le président a déclaré mardi que la réforme était nécessaire pour l'économie. " * 5
    decoded, encoding = decode_bytes(text.encode("latin-1"), LIMIT)
    assert decoded == text
    assert encoding != "utf-8"
    russian = "Секретарь Совета безопасности встретился с китайским дипломатом в понедельник. " * 5
    assert decode_bytes(russian.encode("cp1251"), LIMIT)[0] == russian


def test_declared_html_charset_is_honoured():
    html = '<html><head><meta charset="windows-1252"></head><body><p>café “bar”</p></body></html>'
    assert "café “bar”" in decode_bytes(html.encode("windows-1252"), LIMIT)[0]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n\t  ", "empty"),
        (b"%PDF-1.7\n...", "PDF"),
        (b"\x89PNG\r\n\x1a\n....", "PNG"),
        (b"text\x00with\x00nuls" * 10, "NUL"),
    ],
)
def test_non_text_is_refused_with_a_reason(data, message):
    with pytest.raises(InputError, match=message):
        decode_bytes(data, LIMIT)


def test_gzip_is_unpacked_and_bounded():
    assert decode_bytes(gzip.compress(b"<p>hello</p>"), LIMIT)[0] == "<p>hello</p>"
    with pytest.raises(InputError, match="size limit"):
        decode_bytes(gzip.compress(b"a" * 5000), 1000)
    with pytest.raises(InputError, match="corrupt gzip"):
        decode_bytes(b"\x1f\x8b" + b"garbage" * 10, LIMIT)
