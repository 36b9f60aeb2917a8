// Package escape makes text that came from media or the network safe to
// show: on a terminal, in a log, in the ledger, on a page. Such text is
// hostile until escaped — a file name holding "\x1b[2K\r" can erase the
// operator's line and print a forged one.
//
// Every control character (C0, DEL, C1), every invisible character that
// reorders or hides text (bidirectional overrides and isolates, zero-width
// characters, line and paragraph separators, the byte order mark) and every
// byte that is not UTF-8 is replaced by a visible escape: \n, \r, \t, \b,
// \f, \uXXXX, or \xNN for a byte that is not UTF-8. The \n, \r, \t, \b, \f
// and \uXXXX forms are also JSON string escapes that mean the same
// characters, so escaping JSON output keeps it valid and equal.
//
//	escape.go  String (everything escaped), Lines (newlines and tabs kept),
//	           Unsafe
//	writer.go  Writer: a stream escaped as it is written (newlines, tabs,
//	           CRLF line ends and a leading byte order mark kept), for a
//	           program's stdout and stderr
package escape
