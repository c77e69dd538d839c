// The reporters, loaded as plugins and run over a fixed result, against approved golden files in
// tests/reporters/golden/. After an intended change of output, regenerate them with
// VMBENCH_UPDATE_GOLDEN=1 and review the diff. Also the SDK's helpers for reporters that write
// for people (verdict_summary.h) and markup (xml_escape.h).

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "registry.h"
#include "reporter_test_support.h"
#include "sample_results.h"
#include "test_support.h"
#include "vmbench/plugin/result_file.h"
#include "vmbench/plugin/verdict_summary.h"
#include "vmbench/plugin/xml_escape.h"

namespace vmbench {
namespace {

using vmbench::testing::SampleRun;

using vmbench::testing::CheckGolden;
using vmbench::testing::Render;

TEST_CASE("console reporter output matches the approved table", "[reporters]") {
  CheckGolden(Render("console", Report{{{SampleRun(), "", {}}}}), "console.txt");
}

TEST_CASE("json reporter writes the result file that reads back", "[reporters]") {
  const std::string json = Render("json", Report{{{SampleRun(), "", {}}}});
  CheckGolden(json, "result.json");
  absl::StatusOr<RunResult> back = ResultFromJson(json, "golden");
  REQUIRE(back.ok());
  CHECK(*back == SampleRun());
}

TEST_CASE("json reporter refuses to put two runs in one file", "[reporters]") {
  std::ostringstream out;
  const absl::Status status = vmbench::testing::LoadReporter("json")->Write(
      Report{{{SampleRun(), "", {}}, {SampleRun(), "", {}}}}, out);
  CHECK(status.message() == "json: a result file holds exactly one run, this report has 2");
  CHECK(out.str().empty());
}

TEST_CASE("every verdict has an icon and a rule of its own", "[reporters]") {
  std::set<absl::string_view> icons;
  std::set<absl::string_view> rules;
  for (Verdict v : kAllVerdicts) {
    INFO(VerdictName(v));
    CHECK_FALSE(VerdictIcon(v).empty());
    CHECK_FALSE(VerdictRule(v).empty());
    icons.insert(VerdictIcon(v));
    rules.insert(VerdictRule(v));
  }
  CHECK(icons.size() == kAllVerdicts.size());
  CHECK(rules.size() == kAllVerdicts.size());
  // The summary's columns and its "other" list name every verdict once.
  std::set<Verdict> listed(kChangeVerdicts.begin(), kChangeVerdicts.end());
  listed.insert(kOtherVerdicts.begin(), kOtherVerdicts.end());
  CHECK(listed.size() == kAllVerdicts.size());
}

TEST_CASE("xml escaping depends on where the text goes", "[reporters]") {
  const std::string text = "a<b>&\"c\" 'd'\te\nf\rg";
  CHECK(EscapeXml(text, XmlContext::kText) == "a&lt;b&gt;&amp;\"c\" 'd'\te\nf&#13;g");
  CHECK(EscapeXml(text, XmlContext::kAttribute) ==
        "a&lt;b&gt;&amp;&quot;c&quot; &apos;d&apos;&#9;e&#10;f&#13;g");
  CHECK(EscapeXml(text, XmlContext::kLine) == "a&lt;b&gt;&amp;&quot;c&quot; &apos;d&apos; e f g");
  // One U+FFFD per byte that starts no valid sequence, and for code points XML cannot hold; valid
  // multi-byte characters pass.
  for (XmlContext context : {XmlContext::kText, XmlContext::kAttribute, XmlContext::kLine}) {
    CHECK(EscapeXml("\xff<\xc3\xa9\x01\xef\xbf\xbe\xed\xa0\x80\xe2\x82", context) ==
          "\uFFFD&lt;\u00E9\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD");
  }
  CHECK(EscapeXml("]]>", XmlContext::kText) == "]]&gt;");
  CHECK(EscapeXml("", XmlContext::kLine).empty());
}

}  // namespace
}  // namespace vmbench
