// Text in the HTML page: escaping of anything that comes from a result file, and the fixed number
// format of SVG coordinates.
//
// The page is both HTML5 and well-formed XML (xmllint reads it), so escaped text must be valid in
// both: the SDK's XML escaping (xml_escape.h) gives exactly that.

#ifndef VMBENCH_REPORTERS_HTML_HTML_TEXT_H_
#define VMBENCH_REPORTERS_HTML_HTML_TEXT_H_

#include <string>

#include "absl/strings/string_view.h"

namespace vmbench::html {

// `text` safe as element content and as a double- or single-quoted attribute value: `&`, `<`,
// `>`, `"` and `'` become references; tab, CR and LF become spaces (every escaped value is one
// line); invalid UTF-8 and code points XML cannot hold become U+FFFD. XmlContext::kLine of
// EscapeXml().
std::string Escape(absl::string_view text);

// A coordinate or length in SVG user units with one decimal, e.g. "12.5". The caller passes a
// finite value; the chart never computes anything else.
std::string Coordinate(double value);

}  // namespace vmbench::html

#endif  // VMBENCH_REPORTERS_HTML_HTML_TEXT_H_
