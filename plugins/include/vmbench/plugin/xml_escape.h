// vmbench plugin SDK: text from result files made safe inside XML and HTML markup.
//
// Ids, platform names and messages come from result files, exceptions and OS errors: they may hold
// markup, control characters and bytes that are not UTF-8. Reporters that write markup (junit's
// XML, the html page, the HTML lines of the markdown comment) escape every such value here. The
// output uses only the five XML entities and character references, so it is valid in XML 1.0 and
// in HTML5 alike, and it is always valid UTF-8.

#ifndef VMBENCH_PLUGIN_XML_ESCAPE_H_
#define VMBENCH_PLUGIN_XML_ESCAPE_H_

#include <string>

#include "absl/strings/string_view.h"

namespace vmbench {

// Where escaped text goes, which decides what else must become a reference.
enum class XmlContext {
  // Element content: quotes, tab and LF stay; CR becomes &#13;, which XML's end-of-line handling
  // would otherwise drop.
  kText,
  // A double-quoted attribute value: `"`, `'`, tab, CR and LF become references, so that they
  // survive attribute-value normalization (which turns white space into spaces).
  kAttribute,
  // One line, valid both as element content and as a single- or double-quoted attribute value:
  // `"` and `'` become references, tab, CR and LF become spaces.
  kLine,
};

// `text` escaped for `context`: `&`, `<` and `>` always become &amp; &lt; &gt; (so "]]>" never
// appears either), `"` &quot; and `'` &apos; where the context says. Invalid UTF-8 becomes U+FFFD,
// one per byte that does not start a valid sequence, and so do code points outside XML 1.0's Char
// production (C0 controls other than tab, CR and LF; U+FFFE; U+FFFF), which no reference can
// express.
std::string EscapeXml(absl::string_view text, XmlContext context);

}  // namespace vmbench

#endif  // VMBENCH_PLUGIN_XML_ESCAPE_H_
