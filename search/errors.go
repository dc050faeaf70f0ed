package search

import (
	"errors"
	"fmt"
	"strings"

	"newsarchive/corpus"
)

// Error codes: the stable name of each kind of bad request, the API's
// error.code (docs/api.md lists them). The English message may be
// reworded; a code, once published, is not.
const (
	CodeBadRequest        = "bad_request"        // any other malformed request
	CodeUnclosedQuote     = "unclosed_quote"     // "乡村振兴 (a quote without its pair)
	CodeUnbalancedParen   = "unbalanced_paren"   // a ( not closed, a ) without (
	CodeEmptyQuery        = "empty_query"        // "" or (): nothing to search for
	CodeMisplacedOperator = "misplaced_operator" // OR or - without its term
	CodeUnknownField      = "unknown_field"      // foo:bar
	CodeMissingValue      = "missing_value"      // county: with nothing after the colon
	CodeBadProximity      = "bad_proximity"      // "…"~ without a number, too large, on a field
	CodeUnknownTopic      = "unknown_topic"      // a topic the taxonomy does not have
	CodeUnknownPlace      = "unknown_place"      // a place name or code the gazetteer does not have
	CodeAmbiguousPlace    = "ambiguous_place"    // a place name shared by several places
	CodeBadDate           = "bad_date"           // not a date, or from after to
	CodeDateOutOfRange    = "date_out_of_range"  // a date outside corpus.MinDate..MaxDate
	CodeBadSort           = "bad_sort"           // a sort the endpoint does not have
	CodeBadPage           = "bad_page"           // page not a whole number, or out of range
	CodeBadSize           = "bad_size"           // size or limit not a whole number, or out of range
	CodeBadCursor         = "bad_cursor"         // an after cursor of another request
	CodeTooMany           = "too_many"           // sort=page over more articles than it orders
	CodeUnknownParameter  = "unknown_parameter"  // a parameter the API endpoint does not take
)

// RequestError is a bad request that is not a query syntax error (a
// filter, the sort, the page): its code, the English message and the
// message in Chinese for the web UI. It is returned wrapped in
// ErrBadRequest.
type RequestError struct {
	Code    string
	Msg     string
	Chinese string
}

func (e *RequestError) Error() string { return e.Msg }

// NewRequestError returns a bad request of a kind (one of the Code
// constants) with its English and Chinese messages, wrapping
// ErrBadRequest: "bad request: " + msg.
func NewRequestError(code, msg, chinese string) error {
	return fmt.Errorf("%w: %w", ErrBadRequest, &RequestError{Code: code, Msg: msg, Chinese: chinese})
}

// invalid is NewRequestError with a format for the English message.
func invalid(code, chinese, format string, args ...any) error {
	return NewRequestError(code, fmt.Sprintf(format, args...), chinese)
}

// ErrorCode is the code of a bad request (CodeBadRequest when its kind
// has none), "" for an error that is not one.
func ErrorCode(err error) string {
	if !errors.Is(err, ErrBadRequest) {
		return ""
	}
	if pe, ok := errors.AsType[*PlaceError](err); ok {
		if len(pe.Candidates) > 0 {
			return CodeAmbiguousPlace
		}
		return CodeUnknownPlace
	}
	if _, ok := errors.AsType[*corpus.DateRangeError](err); ok {
		return CodeDateOutOfRange
	}
	if se, ok := errors.AsType[*SyntaxError](err); ok && se.Code != "" {
		return se.Code
	}
	if re, ok := errors.AsType[*RequestError](err); ok && re.Code != "" {
		return re.Code
	}
	return CodeBadRequest
}

// ChineseMessage is what the web UI says about a bad request: in Chinese,
// with the character position of a query syntax error. A bad request of
// no known kind says so in Chinese and quotes the English detail.
func ChineseMessage(err error) string {
	var msg string
	pe, isPlace := errors.AsType[*PlaceError](err)
	outside, isOutside := errors.AsType[*corpus.DateRangeError](err)
	se, isSyntax := errors.AsType[*SyntaxError](err)
	re, isRequest := errors.AsType[*RequestError](err)
	switch {
	case isPlace:
		msg = pe.Chinese()
	case isOutside:
		msg = fmt.Sprintf("日期 %s 超出本档案的日期范围（%s 至 %s）", outside.Date, corpus.MinDate, corpus.MaxDate)
	case isSyntax && se.Chinese != "":
		msg = se.Chinese
	case isRequest && re.Chinese != "":
		msg = re.Chinese
	default:
		detail := strings.TrimPrefix(err.Error(), ErrBadRequest.Error()+": ")
		msg = "请求有误（" + detail + "）"
	}
	if !isSyntax || se.Pos == 0 {
		return msg
	}
	if strings.HasPrefix(msg, "的") {
		return fmt.Sprintf("检索式第 %d 个字符处%s", se.Pos, msg)
	}
	return fmt.Sprintf("检索式第 %d 个字符处：%s", se.Pos, msg)
}
