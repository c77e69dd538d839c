#include "vmbench/plugin/xml_escape.h"

#include <cstddef>

namespace vmbench {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

// The Char production of XML 1.0 (section 2.2): a document holding anything else is not
// well-formed.
bool IsXmlChar(char32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

void AppendUtf8(char32_t c, std::string& out) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

// Decodes the UTF-8 sequence at text[*pos] and advances past it. An invalid sequence (overlong,
// surrogate, beyond U+10FFFF, truncated) yields U+FFFD and advances one byte, so a `<` that
// follows a broken lead byte is still seen, and escaped, on the next call.
char32_t DecodeUtf8(absl::string_view text, std::size_t* pos) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(*pos);
  if (lead < 0x80) {
    ++*pos;
    return lead;
  }
  std::size_t length = 0;
  char32_t c = 0;
  unsigned char min_second = 0x80;
  unsigned char max_second = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    c = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    c = lead & 0x0F;
    if (lead == 0xE0) min_second = 0xA0;  // overlong
    if (lead == 0xED) max_second = 0x9F;  // UTF-16 surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    c = lead & 0x07;
    if (lead == 0xF0) min_second = 0x90;  // overlong
    if (lead == 0xF4) max_second = 0x8F;  // beyond U+10FFFF
  } else {
    ++*pos;
    return kReplacement;
  }
  if (*pos + length > text.size()) {
    ++*pos;
    return kReplacement;
  }
  for (std::size_t i = 1; i < length; ++i) {
    const unsigned char b = byte(*pos + i);
    const unsigned char lo = i == 1 ? min_second : 0x80;
    const unsigned char hi = i == 1 ? max_second : 0xBF;
    if (b < lo || b > hi) {
      ++*pos;
      return kReplacement;
    }
    c = (c << 6) | (b & 0x3F);
  }
  *pos += length;
  return c;
}

}  // namespace

std::string EscapeXml(absl::string_view text, XmlContext context) {
  const bool text_context = context == XmlContext::kText;
  const bool one_line = context == XmlContext::kLine;
  std::string out;
  out.reserve(text.size());
  for (std::size_t pos = 0; pos < text.size();) {
    char32_t c = DecodeUtf8(text, &pos);
    if (!IsXmlChar(c)) c = kReplacement;
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += text_context ? "\"" : "&quot;";
        break;
      case '\'':
        out += text_context ? "'" : "&apos;";
        break;
      case '\r':
        out += one_line ? " " : "&#13;";
        break;
      case '\n':
        out += one_line ? " " : (text_context ? "\n" : "&#10;");
        break;
      case '\t':
        out += one_line ? " " : (text_context ? "\t" : "&#9;");
        break;
      default:
        AppendUtf8(c, out);
    }
  }
  return out;
}

}  // namespace vmbench
