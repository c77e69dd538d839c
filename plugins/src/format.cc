#include "vmbench/plugin/format.h"

#include <algorithm>
#include <cmath>
#include <initializer_list>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace vmbench {
namespace {

// Three significant digits: 1.23, 12.3, 123.
std::string ThreeDigits(double value) {
  if (value >= 99.95) return absl::StrFormat("%.0f", value);
  if (value >= 9.995) return absl::StrFormat("%.1f", value);
  return absl::StrFormat("%.2f", value);
}

std::size_t DisplayWidth(const std::string& text) {
  // Count code points: every byte that is not a UTF-8 continuation byte starts one.
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

// `value` divided by `base` until it is below `base`, with the unit reached.
std::string Scaled(double value, double base, std::initializer_list<const char*> units) {
  const char* const* unit = units.begin();
  while (value >= base - 0.5 && unit + 1 != units.end()) {
    value /= base;
    ++unit;
  }
  return ThreeDigits(value) + " " + *unit;
}

}  // namespace

std::string FormatDuration(double ns) {
  if (!std::isfinite(ns)) return "n/a";
  if (ns < 999.5) return ThreeDigits(ns) + " ns";
  if (ns < 999.5e3) return ThreeDigits(ns / 1e3) + " µs";
  if (ns < 999.5e6) return ThreeDigits(ns / 1e6) + " ms";
  return ThreeDigits(ns / 1e9) + " s";
}

std::string FormatThroughput(const Throughput& throughput, double ns_per_iteration) {
  if (throughput.kind == Throughput::Kind::kNone || !(ns_per_iteration > 0)) return "";
  const double per_second = static_cast<double>(throughput.per_iteration) * 1e9 / ns_per_iteration;
  if (throughput.kind == Throughput::Kind::kBytes) {
    return Scaled(per_second, 1024, {"B/s", "KiB/s", "MiB/s", "GiB/s", "TiB/s"});
  }
  return Scaled(per_second, 1000, {"/s", "k/s", "M/s", "G/s", "T/s"});
}

std::string FormatPercentChange(double ratio) {
  if (!std::isfinite(ratio)) return "n/a";
  const double percent = (ratio - 1) * 100;
  // Avoid "-0.0%" for a change that rounds to zero.
  return absl::StrFormat("%+.1f%%", std::abs(percent) < 0.05 ? 0.0 : percent);
}

std::string FormatChange(const RatioEstimate& ratio) {
  return absl::StrCat(FormatPercentChange(ratio.estimate), " [", FormatPercentChange(ratio.lower),
                      ", ", FormatPercentChange(ratio.upper), "]");
}

std::string FormatPValue(double p) {
  if (!std::isfinite(p)) return "p=n/a";
  if (p < 0.0001) return "p<0.0001";
  return absl::StrFormat("p=%.4f", p);
}

TextTable::TextTable(std::vector<std::string> header, std::vector<Align> align)
    : header_(std::move(header)), align_(std::move(align)) {
  align_.resize(header_.size(), Align::kLeft);
}

void TextTable::AddRow(std::vector<std::string> row) {
  row.resize(header_.size());
  rows_.push_back(std::move(row));
}

void TextTable::Print(std::ostream& out) const {
  std::vector<std::size_t> widths(header_.size());
  for (std::size_t c = 0; c < header_.size(); ++c) {
    widths[c] = DisplayWidth(header_[c]);
    for (const auto& row : rows_) widths[c] = std::max(widths[c], DisplayWidth(row[c]));
  }
  const auto print_row = [&](const std::vector<std::string>& row) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      const std::string padding(widths[c] - DisplayWidth(row[c]), ' ');
      if (c > 0) line += "  ";
      line += align_[c] == Align::kRight ? padding + row[c] : row[c] + padding;
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out << line << "\n";
  };
  print_row(header_);
  std::vector<std::string> rule;
  for (std::size_t width : widths) rule.emplace_back(width, '-');
  print_row(rule);
  for (const auto& row : rows_) print_row(row);
}

}  // namespace vmbench
