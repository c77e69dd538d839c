#include "commands.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <boost/dll/runtime_symbol_info.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "compare_runs.h"
#include "cpu_topology.h"
#include "criterion_importer.h"
#include "google_benchmark_importer.h"
#include "orchestrator.h"
#include "output.h"
#include "progress.h"
#include "vmbench/plugin/format.h"
#include "vmbench/plugin/result_file.h"
#include "vmbench/plugin/status_macros.h"

namespace vmbench::cli {
namespace {

void ListPlugins(const Registry& registry, std::ostream& out) {
  TextTable table({"KIND", "NAME", "VERSION", "SUMMARY", "FILE"});
  for (const RegisteredPlugin& p : registry.plugins()) {
    table.AddRow({std::string(PluginKindName(p.info.kind)), p.info.name, p.info.version,
                  p.info.summary, p.info.path});
  }
  table.Print(out);
}

void ListHypervisors(const Registry& registry, std::ostream& out) {
  TextTable table({"NAME", "VERSION", "STATUS"});
  for (const RegisteredPlugin* p : registry.OfKind(PluginKind::kHypervisor)) {
    auto hypervisor = std::static_pointer_cast<Hypervisor>(p->instance);
    const Availability availability = hypervisor->CheckAvailability();
    table.AddRow({p->info.name, hypervisor->Version(),
                  availability.available ? "available"
                                         : absl::StrCat("unavailable: ", availability.reason)});
  }
  table.Print(out);
}

void ListOfKind(const Registry& registry, PluginKind kind, std::ostream& out) {
  TextTable table({"NAME", "VERSION", "SUMMARY"});
  for (const RegisteredPlugin* p : registry.OfKind(kind)) {
    table.AddRow({p->info.name, p->info.version, p->info.summary});
  }
  table.Print(out);
}

int ListBenchmarks(const Registry& registry, std::ostream& out, std::ostream& err) {
  absl::StatusOr<HypervisorChoice> choice = ChooseHypervisor(registry, "auto");
  absl::StatusOr<std::vector<SelectedBenchmark>> selection =
      SelectBenchmarks(registry, RunOptions{}, choice.ok() ? choice->hypervisor.get() : nullptr);
  if (!selection.ok()) {
    err << "vmbench: " << selection.status().message() << "\n";
    return kExitUsage;
  }
  TextTable table({"SUITE", "BENCHMARK"});
  for (const SelectedBenchmark& b : *selection) table.AddRow({b.suite, b.spec.id.ToString()});
  table.Print(out);
  return kExitOk;
}

// "2026-11-25T12:00:00Z" -> "20261125T120000Z", safe in file names on every system.
std::string FileStamp(const std::string& timestamp) {
  return absl::StrReplaceAll(timestamp, {{"-", ""}, {":", ""}});
}

absl::Status ParseSuiteOptions(const std::vector<std::string>& values, RunOptions* run) {
  for (const std::string& value : values) {
    const std::size_t dot = value.find('.');
    const std::size_t equals = value.find('=');
    if (dot == std::string::npos || equals == std::string::npos || dot == 0 || equals < dot + 2) {
      return absl::InvalidArgumentError(
          absl::StrCat("--suite-option '", value, "': expected SUITE.KEY=VALUE"));
    }
    run->suite_options[value.substr(0, dot)][value.substr(dot + 1, equals - dot - 1)] =
        value.substr(equals + 1);
  }
  return absl::OkStatus();
}

// Parses and validates --reporter values; `defaults` are used when there are none.
absl::StatusOr<std::vector<ReporterSpec>> ResolveReporters(const Registry& registry,
                                                           const std::vector<std::string>& values,
                                                           std::vector<ReporterSpec> defaults) {
  std::vector<ReporterSpec> specs =
      values.empty() ? std::move(defaults) : std::vector<ReporterSpec>{};
  for (const std::string& text : values) {
    VMB_ASSIGN_OR_RETURN(ReporterSpec spec, ParseReporterSpec(text));
    specs.push_back(std::move(spec));
  }
  VMB_RETURN_IF_ERROR(ValidateReporterSpecs(registry, specs));
  return specs;
}

// Runs the reporters and names the files written; false when a reporter failed.
bool Emit(const Registry& registry, const std::vector<ReporterSpec>& specs,
          const vmbench::Report& report, std::ostream& err) {
  std::vector<std::string> written;
  const absl::Status emitted = EmitReports(registry, specs, report, &written);
  for (const std::string& path : written) err << "vmbench: wrote " << path << "\n";
  if (!emitted.ok()) err << "vmbench: " << emitted.message() << "\n";
  return emitted.ok();
}

// What a comparing command resolved before measuring or reading anything.
struct PreparedVerdicts {
  ComparisonOptions options;
  std::vector<Verdict> fail_on;
  std::vector<RunResult> baselines;
  std::vector<std::string> baseline_files;
  bool pair_any = false;  // compare with the only baseline even when the platforms differ
};

absl::StatusOr<PreparedVerdicts> PrepareVerdicts(const VerdictOptions& flags) {
  PreparedVerdicts prepared;
  if (!flags.config.empty()) {
    VMB_ASSIGN_OR_RETURN(prepared.options, LoadComparisonConfig(flags.config, prepared.options));
  }
  if (flags.noise_band.has_value()) prepared.options.noise_band = *flags.noise_band;
  if (flags.alpha.has_value()) prepared.options.alpha = *flags.alpha;
  if (flags.min_repetitions.has_value()) prepared.options.min_repetitions = *flags.min_repetitions;
  if (flags.allow_cross_machine) prepared.options.allow_cross_machine = true;
  VMB_ASSIGN_OR_RETURN(prepared.fail_on, ParseVerdictList(flags.fail_on));
  for (const std::string& file : flags.baselines) {
    VMB_ASSIGN_OR_RETURN(RunResult baseline, ReadResultFile(file));
    prepared.baselines.push_back(std::move(baseline));
    prepared.baseline_files.push_back(file);
  }
  prepared.pair_any = flags.pair_any;
  return prepared;
}

// Gives each platform of `report` its comparison with the matching baseline, if any.
absl::Status AttachComparisons(const PreparedVerdicts& verdicts, vmbench::Report* report,
                               std::ostream& err) {
  for (PlatformResult& platform : report->platforms) {
    std::optional<std::size_t> match = MatchBaseline(platform.run.context, verdicts.baselines);
    if (!match.has_value() && verdicts.pair_any && verdicts.baselines.size() == 1) match = 0;
    if (!match.has_value()) {
      if (!verdicts.baselines.empty()) {
        err << "vmbench: no baseline for platform " << PlatformName(platform.run.context)
            << (platform.source.empty() ? "" : " (" + platform.source + ")") << "\n";
      }
      continue;
    }
    VMB_ASSIGN_OR_RETURN(platform.comparison,
                         CompareRuns(verdicts.baselines[*match], verdicts.baseline_files[*match],
                                     platform.run, verdicts.options));
  }
  return absl::OkStatus();
}

// Compares, writes the reports and decides the exit code: 2 when a report could not be made, 1
// when a benchmark of a fresh run failed or a verdict named by --fail-on occurred, else 0.
int Finish(const Registry& registry, const std::vector<ReporterSpec>& specs,
           const PreparedVerdicts& verdicts, vmbench::Report* report, std::ostream& err) {
  if (absl::Status status = AttachComparisons(verdicts, report, err); !status.ok()) {
    err << "vmbench: " << status.message() << "\n";
    return kExitUsage;
  }
  if (!Emit(registry, specs, *report, err)) return kExitUsage;
  int exit_code = kExitOk;
  for (const PlatformResult& platform : report->platforms) {
    if (!platform.source.empty()) continue;  // errors in files read back were reported before
    int errors = 0;
    for (const BenchmarkResult& b : platform.run.benchmarks) {
      if (b.status == BenchmarkStatus::kError) ++errors;
    }
    if (errors > 0) {
      err << "vmbench: " << errors << " benchmark(s) ended in error\n";
      exit_code = kExitBenchmarkErrors;
    }
  }
  if (const int failing = CountVerdicts(*report, verdicts.fail_on); failing > 0) {
    std::vector<absl::string_view> names;
    for (Verdict v : verdicts.fail_on) names.push_back(VerdictName(v));
    err << "vmbench: --fail-on " << absl::StrJoin(names, ",") << ": " << failing
        << " benchmark(s) matched\n";
    exit_code = kExitBenchmarkErrors;
  }
  return exit_code;
}

// Sets a flag on SIGINT and SIGTERM while it exists, so a run can stop its workers and keep what
// was measured; restores the previous handlers when destroyed. One at a time per process.
class StopOnSignals {
 public:
  StopOnSignals() {
    stop_.store(false);
    struct sigaction action {};
    action.sa_handler = [](int) { stop_.store(true); };
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &previous_int_);
    sigaction(SIGTERM, &action, &previous_term_);
  }
  StopOnSignals(const StopOnSignals&) = delete;
  StopOnSignals& operator=(const StopOnSignals&) = delete;
  ~StopOnSignals() {
    sigaction(SIGINT, &previous_int_, nullptr);
    sigaction(SIGTERM, &previous_term_, nullptr);
  }

  const std::atomic<bool>& requested() const { return stop_; }

 private:
  static inline std::atomic<bool> stop_{false};
  struct sigaction previous_int_ {};
  struct sigaction previous_term_ {};
};

// The vmbench binary of a build given to `ab`: the path itself when it is a file, else
// BUILD/bin/vmbench (a build tree or an install prefix).
absl::StatusOr<std::string> ResolveBuild(const std::string& build) {
  std::error_code ec;
  std::filesystem::path binary = build;
  if (std::filesystem::is_directory(binary, ec)) binary /= "bin/vmbench";
  if (!std::filesystem::is_regular_file(binary, ec) || access(binary.c_str(), X_OK) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", build, "' is not a vmbench binary nor a folder with bin/vmbench"));
  }
  return std::filesystem::absolute(binary).string();
}

// This vmbench binary, as the one build of a plain run, with its journal in the results folder.
absl::StatusOr<BuildSide> SelfSide(const RunCommandOptions& options) {
  std::error_code ec;
  const std::string self = boost::dll::program_location(ec).string();
  if (ec) {
    return absl::UnavailableError(absl::StrCat("cannot find the vmbench binary: ", ec.message()));
  }
  return BuildSide{
      "",
      self,
      {},
      (options.results_dir / absl::StrCat(".vmbench-journal-", getpid(), ".json")).string()};
}

// How the workers of `sides` are started: the global options, one CPU per job on distinct
// physical cores, a scratch folder for their result files.
absl::StatusOr<OrchestratorOptions> MakeOrchestratorOptions(const RunCommandOptions& options,
                                                            std::vector<BuildSide> sides) {
  OrchestratorOptions orchestrator;
  for (BuildSide& side : sides) {
    for (const std::filesystem::path& dir : options.global.plugin_dirs) {
      side.global_args.push_back("--plugin-dir");
      side.global_args.push_back(std::filesystem::absolute(dir).string());
    }
  }
  orchestrator.sides = std::move(sides);
  VMB_ASSIGN_OR_RETURN(const std::vector<PhysicalCore> cores, ReadTopology());
  VMB_ASSIGN_OR_RETURN(orchestrator.cpus, PickCpus(cores, options.jobs));
  orchestrator.processes = options.processes;
  orchestrator.timeout_s = options.timeout_s;
  // Under TMPDIR (temp_directory_path), like any well-behaved tool: /tmp may be read-only.
  std::string scratch = (std::filesystem::temp_directory_path() / "vmbench-run-XXXXXX").string();
  if (mkdtemp(scratch.data()) == nullptr) {
    return absl::UnavailableError(
        absl::StrCat("mkdtemp in ", scratch, " failed: ", std::strerror(errno)));
  }
  orchestrator.scratch_dir = scratch;
  return orchestrator;
}

// Selects the benchmarks and runs them on every side, with progress on `err` and Ctrl-C handling.
// An error is a usage or configuration error, found before anything was measured.
absl::StatusOr<std::vector<RunResult>> Measure(const Registry& registry,
                                               const RunCommandOptions& options,
                                               std::vector<BuildSide> sides, std::ostream& err) {
  RunOptions run = options.run;
  VMB_RETURN_IF_ERROR(ParseSuiteOptions(options.suite_options, &run));
  VMB_ASSIGN_OR_RETURN(const HypervisorChoice choice, ChooseHypervisor(registry, run.hypervisor));
  VMB_ASSIGN_OR_RETURN(const std::vector<SelectedBenchmark> selection,
                       SelectBenchmarks(registry, run, choice.hypervisor.get()));
  if (selection.empty()) {
    return absl::InvalidArgumentError(
        "no benchmark matches the selection (see `vmbench list benchmarks`)");
  }
  const bool is_terminal = isatty(STDERR_FILENO) == 1;
  unsigned modes = kProgressNone;
  if (!options.quiet) {
    if (options.progress.empty()) {
      modes = DefaultProgressModes(is_terminal);
    } else {
      VMB_ASSIGN_OR_RETURN(modes, ParseProgressModes(options.progress));
    }
  }
  VMB_ASSIGN_OR_RETURN(const OrchestratorOptions orchestrator,
                       MakeOrchestratorOptions(options, std::move(sides)));
  const int total = static_cast<int>(selection.size() * orchestrator.sides.size());
  Progress progress(
      err, {modes, is_terminal, TerminalColumns(STDERR_FILENO), total, options.jobs, nullptr});
  OrchestratorEvents events;
  events.started = [&](int worker, const std::string& id) { progress.Started(worker, id); };
  events.chunk_finished = [&](int worker, int done, int all) {
    progress.ChunkFinished(worker, done, all);
  };
  events.finished = [&](int worker, const BenchmarkResult& r) { progress.Finished(worker, r); };
  events.tick = [&] { progress.Tick(); };
  std::vector<RunResult> runs;
  {
    const StopOnSignals stop;
    runs = Orchestrate(selection, choice, run, orchestrator, events, stop.requested());
  }
  std::filesystem::remove_all(orchestrator.scratch_dir);
  progress.Done(runs.front().context.incomplete);
  if (runs.front().context.incomplete) {
    err << "vmbench: interrupted: " << runs.front().benchmarks.size() << " of " << selection.size()
        << " benchmarks have results (an unfinished one says how many repetitions it has); "
           "the results are marked incomplete\n";
  }
  return runs;
}

// The exit code of a measuring command once its reports are written (or not): journals are
// removed when the reports are safe, named when not; an interrupted run is 130.
int Conclude(int exit_code, bool incomplete, const std::vector<std::string>& journals,
             std::ostream& err) {
  for (const std::string& journal : journals) {
    if (exit_code == kExitUsage) {
      err << "vmbench: the measurements are kept in " << journal << "\n";
    } else if (std::error_code error; !std::filesystem::remove(journal, error) && error &&
                                      error != std::errc::no_such_file_or_directory) {
      // The reports are written: a journal that cannot be removed (e.g. in a read-only results
      // folder) is worth a line, not the run's exit code.
      err << "vmbench: could not remove the journal " << journal << ": " << error.message() << "\n";
    }
  }
  return incomplete && exit_code != kExitUsage ? kExitInterrupted : exit_code;
}

// `ab --confirm`: runs the benchmarks `comparison` found regressed or improved again with B
// first, merges the new samples into `runs` and compares again.
absl::StatusOr<RunComparison> Confirm(const Registry& registry, const AbCommandOptions& options,
                                      const std::vector<BuildSide>& sides,
                                      const RunComparison& comparison,
                                      const PreparedVerdicts& verdicts,
                                      std::vector<RunResult>* runs, std::ostream& err) {
  RunCommandOptions again = options.run;
  again.run.only_ids.clear();
  for (const ComparedBenchmark& b : comparison.benchmarks) {
    if (b.verdict == Verdict::kRegressed || b.verdict == Verdict::kImproved) {
      again.run.only_ids.push_back(b.id);
    }
  }
  if (again.run.only_ids.empty()) return comparison;
  err << "vmbench: --confirm: running " << again.run.only_ids.size()
      << " flagged benchmark(s) again with B first\n";
  VMB_ASSIGN_OR_RETURN(const std::vector<RunResult> flipped,
                       Measure(registry, again, {sides[1], sides[0]}, err));
  // flipped[0] is B, flipped[1] is A.
  for (std::size_t side = 0; side < 2; ++side) {
    RunResult& run = (*runs)[side];
    for (const BenchmarkResult& extra : flipped[1 - side].benchmarks) {
      for (BenchmarkResult& b : run.benchmarks) {
        if (b.id != extra.id) continue;
        if (extra.status != BenchmarkStatus::kOk) {
          b.status = extra.status;
          b.message = extra.message;
        }
        b.repetitions.insert(b.repetitions.end(), extra.repetitions.begin(),
                             extra.repetitions.end());
        b.summary = Summarize(b.repetitions);
      }
    }
  }
  VMB_ASSIGN_OR_RETURN(RunComparison confirmed, CompareRuns((*runs)[0], comparison.baseline_source,
                                                            (*runs)[1], verdicts.options));
  int held = 0;
  for (const std::string& id : again.run.only_ids) {
    const ComparedBenchmark* before = comparison.Find(id);
    const ComparedBenchmark* after = confirmed.Find(id);
    if (after != nullptr && before != nullptr && after->verdict == before->verdict) ++held;
  }
  err << "vmbench: --confirm: " << held << " of " << again.run.only_ids.size()
      << " verdict(s) held with the order flipped and the samples merged\n";
  return confirmed;
}

}  // namespace

bool LoadRegistry(const GlobalOptions& options, std::ostream& err, Registry* registry) {
  PluginSearchPath search;
  search.plugin_dirs = options.plugin_dirs;
  if (const char* env = std::getenv("VMBENCH_PLUGIN_PATH")) search.env_path = env;
  search.install_dir = DefaultInstallDir();
  std::vector<Rejection> rejections;
  *registry = Registry::Build(ScanPlugins(search), &rejections);
  for (const Rejection& r : rejections) err << "vmbench: " << r.ToString() << "\n";
  if (options.strict && !rejections.empty()) {
    err << "vmbench: --strict: " << rejections.size() << " plugin(s) rejected\n";
    return false;
  }
  return true;
}

int List(const Registry& registry, const std::string& what, std::ostream& out, std::ostream& err) {
  if (what == "plugins") {
    ListPlugins(registry, out);
  } else if (what == "hypervisors") {
    ListHypervisors(registry, out);
  } else if (what == "suites") {
    ListOfKind(registry, PluginKind::kSuite, out);
  } else if (what == "reporters") {
    ListOfKind(registry, PluginKind::kReporter, out);
  } else if (what == "benchmarks") {
    return ListBenchmarks(registry, out, err);
  } else {
    err << "vmbench: list: unknown category '" << what
        << "' (expected plugins, hypervisors, suites, benchmarks or reporters)\n";
    return kExitUsage;
  }
  return kExitOk;
}

int Run(const Registry& registry, const RunCommandOptions& options, std::ostream& err) {
  // Reporters, baselines and comparison settings are resolved before anything is measured, so a
  // typo costs nothing. The JSON file's default name needs the run's timestamp: set after the run.
  const bool default_json = options.reporters.empty();
  absl::StatusOr<std::vector<ReporterSpec>> specs = ResolveReporters(
      registry, options.reporters, {{"console", "", {}}, {"json", "(default)", {}}});
  absl::StatusOr<PreparedVerdicts> verdicts = PrepareVerdicts(options.verdicts);
  absl::StatusOr<BuildSide> self = SelfSide(options);
  for (const absl::Status& status : {specs.status(), verdicts.status(), self.status()}) {
    if (!status.ok()) {
      err << "vmbench: " << status.message() << "\n";
      return kExitUsage;
    }
  }
  absl::StatusOr<std::vector<RunResult>> runs = Measure(registry, options, {*self}, err);
  if (!runs.ok()) {
    err << "vmbench: " << runs.status().message() << "\n";
    return kExitUsage;
  }
  vmbench::Report report;
  report.platforms.push_back({std::move(runs->front()), "", {}});
  const RunResult& result = report.platforms.front().run;
  if (default_json) {
    specs->back().out =
        (options.results_dir /
         absl::StrCat(FileStamp(result.context.timestamp), "-", result.context.hypervisor, ".json"))
            .string();
  }
  return Conclude(Finish(registry, *specs, *verdicts, &report, err), result.context.incomplete,
                  {self->journal}, err);
}

int Ab(const Registry& registry, const AbCommandOptions& options, std::ostream& err) {
  const RunCommandOptions& run = options.run;
  absl::StatusOr<std::vector<ReporterSpec>> specs =
      ResolveReporters(registry, run.reporters, {{"console", "", {}}});
  absl::StatusOr<PreparedVerdicts> verdicts = PrepareVerdicts(run.verdicts);
  absl::Status sides_ok = absl::OkStatus();
  std::vector<BuildSide> sides;
  for (const auto& [label, build] : {std::pair{"a", options.a}, std::pair{"b", options.b}}) {
    absl::StatusOr<std::string> binary = ResolveBuild(build);
    if (!binary.ok()) {
      sides_ok =
          absl::InvalidArgumentError(absl::StrCat("--", label, ": ", binary.status().message()));
      break;
    }
    sides.push_back(
        {label,
         *binary,
         {},
         (run.results_dir / absl::StrCat(".vmbench-journal-", getpid(), "-", label, ".json"))
             .string()});
  }
  if (verdicts.ok() && !verdicts->baselines.empty()) {
    sides_ok = absl::InvalidArgumentError("ab compares build B with build A: no --baseline");
  }
  for (const absl::Status& status : {specs.status(), verdicts.status(), sides_ok}) {
    if (!status.ok()) {
      err << "vmbench: " << status.message() << "\n";
      return kExitUsage;
    }
  }
  absl::StatusOr<std::vector<RunResult>> runs = Measure(registry, run, sides, err);
  if (!runs.ok()) {
    err << "vmbench: " << runs.status().message() << "\n";
    return kExitUsage;
  }

  std::vector<std::string> files;
  for (std::size_t i = 0; i < sides.size(); ++i) {
    files.push_back((run.results_dir / absl::StrCat(FileStamp((*runs)[i].context.timestamp), "-ab-",
                                                    sides[i].label, ".json"))
                        .string());
  }
  absl::StatusOr<RunComparison> comparison =
      CompareRuns((*runs)[0], files[0], (*runs)[1], verdicts->options);
  if (comparison.ok() && options.confirm) {
    comparison = Confirm(registry, options, sides, *comparison, *verdicts, &*runs, err);
  }
  if (!comparison.ok()) {
    err << "vmbench: " << comparison.status().message() << "\n";
    return Conclude(kExitUsage, false, {sides[0].journal, sides[1].journal}, err);
  }
  // Both sides are kept as ordinary result files, whatever the reporters.
  for (std::size_t i = 0; i < sides.size(); ++i) {
    if (absl::Status status = WriteFileAtomically(files[i], ResultToJson((*runs)[i]));
        !status.ok()) {
      err << "vmbench: " << status.message() << "\n";
      return Conclude(kExitUsage, false, {sides[0].journal, sides[1].journal}, err);
    }
    err << "vmbench: wrote " << files[i] << " (build " << sides[i].label << ": "
        << sides[i].executable << ")\n";
  }
  vmbench::Report report;
  report.platforms.push_back({(*runs)[1], files[1], *std::move(comparison)});
  return Conclude(Finish(registry, *specs, *verdicts, &report, err), (*runs)[1].context.incomplete,
                  {sides[0].journal, sides[1].journal}, err);
}

int Worker(const Registry& registry, const WorkerCommandOptions& options, std::ostream& err) {
  RunOptions run = options.run;
  absl::Status status = ParseSuiteOptions(options.suite_options, &run);
  if (status.ok() && options.cpu >= 0) status = PinCurrentThreadTo(options.cpu);
  absl::StatusOr<HypervisorChoice> choice = run.hypervisor == "none"
                                                ? HypervisorChoice{nullptr, "none", ""}
                                                : ChooseHypervisor(registry, run.hypervisor);
  if (status.ok()) status = choice.status();
  absl::StatusOr<std::vector<SelectedBenchmark>> selection =
      status.ok() ? SelectBenchmarks(registry, run, choice->hypervisor.get())
                  : absl::StatusOr<std::vector<SelectedBenchmark>>(status);
  if (selection.ok() && selection->size() != 1) {
    selection = absl::InvalidArgumentError(absl::StrCat("no benchmark '", run.only_ids.front(),
                                                        "' in suite '", run.suites.front(), "'"));
  }
  if (!selection.ok()) {
    err << "vmbench worker: " << selection.status().message() << "\n";
    return kExitUsage;
  }
  const RunResult result = RunBenchmarks(*selection, *choice, run, nullptr);
  if (absl::Status written = WriteFileAtomically(options.out, ResultToJson(result));
      !written.ok()) {
    err << "vmbench worker: " << written.message() << "\n";
    return kExitUsage;
  }
  return kExitOk;
}

int Report(const Registry& registry, const ReportCommandOptions& options, std::ostream& err) {
  absl::StatusOr<std::vector<ReporterSpec>> specs =
      ResolveReporters(registry, options.reporters, {{"console", "", {}}});
  if (!specs.ok()) {
    err << "vmbench: " << specs.status().message() << "\n";
    return kExitUsage;
  }
  absl::StatusOr<PreparedVerdicts> verdicts = PrepareVerdicts(options.verdicts);
  if (!verdicts.ok()) {
    err << "vmbench: " << verdicts.status().message() << "\n";
    return kExitUsage;
  }
  vmbench::Report report;
  for (const std::string& file : options.files) {
    absl::StatusOr<RunResult> run = ReadResultFile(file);
    if (!run.ok()) {
      err << "vmbench: " << run.status().message() << "\n";
      return kExitUsage;
    }
    report.platforms.push_back({*std::move(run), file, {}});
  }
  return Finish(registry, *specs, *verdicts, &report, err);
}

int Compare(const Registry& registry, const CompareCommandOptions& options, std::ostream& err) {
  ReportCommandOptions report;
  report.files = {options.candidate};
  report.verdicts = options.verdicts;
  report.verdicts.baselines = {options.baseline};
  // One baseline for one candidate: compare them even when their platforms differ (the verdicts
  // are then `incomparable` unless --allow-cross-machine says otherwise).
  report.verdicts.pair_any = true;
  report.reporters = options.reporters;
  return Report(registry, report, err);
}

int Import(const ImportCommandOptions& options, std::ostream& out, std::ostream& err) {
  absl::StatusOr<RunResult> run = options.format == "criterion"
                                      ? ImportCriterion(options.source)
                                      : ImportGoogleBenchmark(options.source);
  if (!run.ok()) {
    err << "vmbench: import " << options.format << ": " << run.status().message() << "\n";
    return kExitUsage;
  }
  const std::string json = ResultToJson(*run);
  if (options.out.empty()) {
    out << json << std::flush;
    return kExitOk;
  }
  if (absl::Status status = WriteFileAtomically(options.out, json); !status.ok()) {
    err << "vmbench: " << status.message() << "\n";
    return kExitUsage;
  }
  err << "vmbench: wrote " << options.out << " (" << run->benchmarks.size() << " benchmarks)\n";
  return kExitOk;
}

}  // namespace vmbench::cli
