package corpus

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// MaxFileSize is the largest bulletin file read; larger files are skipped.
const MaxFileSize = 32 << 20

// Reasons a file cannot be read. Parse wraps them with the detail.
var (
	ErrEmpty      = errors.New("empty file")
	ErrBinary     = errors.New("binary file")
	ErrTooLarge   = errors.New("file too large")
	ErrUndecoding = errors.New("cannot decode text")
)

// Encoding names reported by Decode.
const (
	EncodingUTF8    = "UTF-8"
	EncodingUTF16LE = "UTF-16LE"
	EncodingUTF16BE = "UTF-16BE"
	EncodingGB18030 = "GB18030"
)

// Decode turns the bytes of a bulletin file into text with "\n" line ends.
// It reads UTF-8 with or without a byte-order mark, UTF-16 with a mark, and
// GB18030 (a superset of GBK and GB2312) when the bytes are not valid UTF-8.
// It returns the name of the encoding it found.
func Decode(data []byte) (text, encoding string, err error) {
	if len(data) > MaxFileSize {
		return "", "", fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge, len(data), MaxFileSize)
	}
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		encoding, data = EncodingUTF8, data[3:]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		encoding = EncodingUTF16LE
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		encoding = EncodingUTF16BE
	}
	switch encoding {
	case EncodingUTF16LE, EncodingUTF16BE:
		endian := unicode.LittleEndian
		if encoding == EncodingUTF16BE {
			endian = unicode.BigEndian
		}
		if len(data)%2 != 0 {
			return "", encoding, fmt.Errorf("%w: %s with an odd number of bytes", ErrUndecoding, encoding)
		}
		dec := unicode.UTF16(endian, unicode.ExpectBOM).NewDecoder()
		out, _, err := transform.Bytes(dec, data)
		if err != nil {
			return "", encoding, fmt.Errorf("%w: %s: %v", ErrUndecoding, encoding, err)
		}
		data = out
	default:
		if bytes.IndexByte(data, 0) >= 0 {
			return "", "", fmt.Errorf("%w: contains NUL bytes", ErrBinary)
		}
		if utf8.Valid(data) {
			encoding = EncodingUTF8
		} else {
			out, err := decodeGB18030(data)
			if err != nil {
				return "", "", err
			}
			encoding, data = EncodingGB18030, out
		}
	}
	text = string(data)
	if bad := controlRatio(text); bad > 0.01 {
		return "", encoding, fmt.Errorf("%w: %.0f%% control characters", ErrBinary, bad*100)
	}
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	text = strings.TrimPrefix(text, "\uFEFF")
	if strings.TrimSpace(text) == "" {
		return "", encoding, ErrEmpty
	}
	return text, encoding, nil
}

// decodeGB18030 decodes GB18030 strictly: the x/text decoder replaces
// invalid sequences with U+FFFD, so a replacement character that the input
// did not spell out means the bytes are not GB18030.
func decodeGB18030(data []byte) ([]byte, error) {
	out, _, err := transform.Bytes(simplifiedchinese.GB18030.NewDecoder(), data)
	if err != nil {
		return nil, fmt.Errorf("%w: not UTF-8, UTF-16 or GB18030: %v", ErrUndecoding, err)
	}
	// GB18030 encodes U+FFFD as 0x84 0x31 0xA4 0x37.
	spelled := bytes.Count(data, []byte{0x84, 0x31, 0xA4, 0x37})
	if bytes.Count(out, []byte("\uFFFD")) > spelled {
		return nil, fmt.Errorf("%w: not UTF-8, UTF-16 or GB18030 (invalid byte sequences)", ErrUndecoding)
	}
	return out, nil
}

// controlRatio is the share of runes that are control characters other than
// tab, newline, carriage return and form feed.
func controlRatio(s string) float64 {
	var n, bad int
	for _, r := range s {
		n++
		if (r < 0x20 && r != '\t' && r != '\n' && r != '\r' && r != '\f') || r == 0x7F || r == utf8.RuneError {
			bad++
		}
	}
	if n == 0 {
		return 0
	}
	return float64(bad) / float64(n)
}
