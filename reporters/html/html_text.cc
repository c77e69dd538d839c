#include "html_text.h"

#include <cmath>

#include "absl/strings/str_format.h"
#include "vmbench/plugin/status_macros.h"
#include "vmbench/plugin/xml_escape.h"

namespace vmbench::html {

std::string Escape(absl::string_view text) { return EscapeXml(text, XmlContext::kLine); }

std::string Coordinate(double value) {
  VMB_CHECK(std::isfinite(value));
  // "-0.0" and "0.0" draw the same; one spelling keeps golden files stable.
  const std::string text = absl::StrFormat("%.1f", value);
  return text == "-0.0" ? "0.0" : text;
}

}  // namespace vmbench::html
