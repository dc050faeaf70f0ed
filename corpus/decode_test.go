package corpus

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

func encode(t *testing.T, enc encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := enc.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	return b
}

func TestDecodeEncodings(t *testing.T) {
	const text = "### 伊通满族自治县\n\n捐款10万余元。“双减”\n"
	utf16le := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM)
	utf16be := unicode.UTF16(unicode.BigEndian, unicode.UseBOM)
	tests := []struct {
		name    string
		data    []byte
		wantEnc string
	}{
		{"UTF-8", []byte(text), EncodingUTF8},
		{"UTF-8 with BOM", append([]byte{0xEF, 0xBB, 0xBF}, text...), EncodingUTF8},
		{"UTF-16LE with BOM", encode(t, utf16le, text), EncodingUTF16LE},
		{"UTF-16BE with BOM", encode(t, utf16be, text), EncodingUTF16BE},
		{"GB18030", encode(t, simplifiedchinese.GB18030, text), EncodingGB18030},
		{"GBK", encode(t, simplifiedchinese.GBK, text), EncodingGB18030},
		{"CRLF", []byte(strings.ReplaceAll(text, "\n", "\r\n")), EncodingUTF8},
		{"CR", []byte(strings.ReplaceAll(text, "\n", "\r")), EncodingUTF8},
		{"GB18030 with CRLF", encode(t, simplifiedchinese.GB18030, strings.ReplaceAll(text, "\n", "\r\n")), EncodingGB18030},
	}
	for _, tt := range tests {
		got, enc, err := Decode(tt.data)
		if err != nil || got != text || enc != tt.wantEnc {
			t.Errorf("%s: Decode = %q, %s, %v; want %q, %s", tt.name, got, enc, err, text, tt.wantEnc)
		}
	}
}

func TestDecodeRejects(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, ErrEmpty},
		{"white space only", []byte(" \n\r\n\t\u3000\n"), ErrEmpty},
		{"BOM only", []byte{0xEF, 0xBB, 0xBF}, ErrEmpty},
		{"NUL bytes", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), ErrBinary},
		{"control characters", bytes.Repeat([]byte("\x01\x02\x03abc"), 20), ErrBinary},
		{"invalid in UTF-8 and GB18030", []byte("标题\xff\xfe\xfd\x80"), ErrUndecoding},
		{"odd UTF-16", []byte{0xFF, 0xFE, 0x41}, ErrUndecoding},
		{"too large", make([]byte, MaxFileSize+1), ErrTooLarge},
	}
	for _, tt := range tests {
		_, _, err := Decode(tt.data)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
}
