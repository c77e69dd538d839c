// `vmbench`: command-line parsing with CLI11; the commands themselves live in commands.cc.

#include <CLI/CLI.hpp>
#include <iostream>

#include "build_info.h"
#include "commands.h"

namespace {

// The options of every command that compares runs; `with_baseline` adds --baseline.
void AddVerdictOptions(CLI::App* command, vmbench::cli::VerdictOptions* options,
                       bool with_baseline) {
  if (with_baseline) {
    command
        ->add_option("--baseline", options->baselines,
                     "Result file to compare against (repeatable: each platform is matched with "
                     "the baseline of the same machine, else of the same hypervisor/CPU vendor)")
        ->type_name("RESULTS.json");
  }
  command
      ->add_option("--fail-on", options->fail_on,
                   "Exit with code 1 when any benchmark gets one of these verdicts, e.g. "
                   "regressed or regressed,error")
      ->type_name("VERDICT[,VERDICT...]");
  command
      ->add_option("--config", options->config,
                   "Comparison settings (noise bands per id pattern, alpha, ...), JSON")
      ->type_name("FILE");
  command
      ->add_option("--noise-band", options->noise_band,
                   "Changes within this fraction are noise (default 0.03, i.e. +-3%)")
      ->check(CLI::Range(0.0, 0.99))
      ->type_name("FRACTION");
  command
      ->add_option("--alpha", options->alpha,
                   "Significance level after Holm-Bonferroni correction (default 0.05)")
      ->check(CLI::Range(0.000001, 0.5));
  command
      ->add_option("--min-repetitions", options->min_repetitions,
                   "Fewer samples on either side is inconclusive (default 10)")
      ->check(CLI::Range(2, 100000));
  command->add_flag("--allow-cross-machine", options->allow_cross_machine,
                    "Compare runs from different machines or hypervisors (rows carry a warning)");
}

// The options of the commands that measure: `run` and `ab`.
void AddRunOptions(CLI::App* command, vmbench::cli::RunCommandOptions* options) {
  command
      ->add_option("--suite", options->run.suites, "Suites to run, comma-separated (default: all)")
      ->delimiter(',')
      ->type_name("NAME[,NAME...]");
  command
      ->add_option("--filter", options->run.filter,
                   "Run only benchmarks whose id matches this regular expression; a leading '-' "
                   "runs only those that do not match")
      ->type_name("REGEX");
  command
      ->add_option("--hypervisor", options->run.hypervisor,
                   "Backend to run VM benchmarks on; 'auto' picks the first available of kvm, "
                   "mshv3, whp, emulator")
      ->type_name("NAME|auto")
      ->capture_default_str();
  command
      ->add_option("--reporter", options->reporters,
                   "Reporter and its options, e.g. json:out=results.json (repeatable; default: "
                   "console on stdout and a JSON file in --results-dir)")
      ->type_name("NAME[:out=PATH,key=value...]");
  command->add_option("--repetitions", options->run.repetitions, "Repetitions per benchmark")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  command
      ->add_option("--min-time", options->run.min_time_s,
                   "Minimum time of one repetition, in seconds")
      ->check(CLI::Range(0.0001, 3600.0))
      ->capture_default_str()
      ->type_name("SECONDS");
  command
      ->add_option("--suite-option", options->suite_options,
                   "An option for one suite (repeatable), e.g. "
                   "guest_functions_with_large_parameters.size=8MiB")
      ->type_name("SUITE.KEY=VALUE");
  command
      ->add_option("--results-dir", options->results_dir, "Where the default JSON result file goes")
      ->capture_default_str()
      ->type_name("DIR");
  command
      ->add_option("--progress", options->progress,
                   "What to show on stderr: spinner, stream, summary (comma-separated) or none; "
                   "default spinner,summary on a terminal, else stream,summary")
      ->type_name("MODES");
  command->add_flag("--quiet,-q", options->quiet, "No progress on stderr (--progress none)");
  command
      ->add_option("-j,--jobs", options->jobs,
                   "Workers at once, each pinned to its own physical core (parallel workers "
                   "disturb each other: see docs/reducing-variance.md)")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  command
      ->add_option("--processes", options->processes,
                   "Worker processes per benchmark; the repetitions are split between them")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  command
      ->add_option("--timeout", options->timeout_s, "A worker running longer than this is killed")
      ->check(CLI::Range(0.1, 86400.0))
      ->capture_default_str()
      ->type_name("SECONDS");
}

}  // namespace

int main(int argc, char** argv) {
  using vmbench::cli::kExitUsage;
  CLI::App app{
      "vmbench: benchmarks for micro-VM sandboxes, with plugins for hypervisor backends, "
      "benchmark suites and reporters.",
      "vmbench"};
  app.set_version_flag("--version", std::string("vmbench ") + vmbench::kVmbenchVersion +
                                        (*vmbench::kGitRevision != '\0'
                                             ? std::string(" (") + vmbench::kGitRevision + ")"
                                             : std::string()));
  app.require_subcommand(1);
  app.fallthrough();
  app.footer(
      "Exit codes: 0 success, 1 a benchmark ended in error or a --fail-on verdict occurred,\n"
      "2 usage or configuration error, 130 interrupted (what was measured is kept).\n"
      "Plugins are searched in --plugin-dir folders, then VMBENCH_PLUGIN_PATH (colon-separated),\n"
      "then ../lib/vmbench/plugins beside the vmbench executable.");

  vmbench::cli::GlobalOptions global;
  app.add_option("--plugin-dir", global.plugin_dirs,
                 "Also load plugins from this folder (repeatable; searched first)")
      ->type_name("DIR");
  app.add_flag("--strict", global.strict, "Treat any rejected plugin as a fatal error");

  std::string what = "plugins";
  CLI::App* list = app.add_subcommand("list",
                                      "List plugins, hypervisors, suites, benchmarks or "
                                      "reporters");
  list->add_option("what", what, "What to list")
      ->check(CLI::IsMember({"plugins", "hypervisors", "suites", "benchmarks", "reporters"}));

  vmbench::cli::RunCommandOptions run;
  CLI::App* run_command = app.add_subcommand("run", "Run benchmarks and report the results");
  AddRunOptions(run_command, &run);
  AddVerdictOptions(run_command, &run.verdicts, true);

  vmbench::cli::AbCommandOptions ab;
  CLI::App* ab_command = app.add_subcommand(
      "ab", "Run two builds' benchmarks alternately on this machine and compare B with A");
  ab_command
      ->add_option("--a", ab.a, "The baseline build: a vmbench binary or a folder with bin/vmbench")
      ->required()
      ->type_name("BUILD");
  ab_command->add_option("--b", ab.b, "The candidate build")->required()->type_name("BUILD");
  AddRunOptions(ab_command, &ab.run);
  ab_command->add_flag("--confirm", ab.confirm,
                       "Run the benchmarks found regressed or improved again with B first, merge "
                       "the samples and report only the verdicts that hold");
  AddVerdictOptions(ab_command, &ab.run.verdicts, false);

  vmbench::cli::ReportCommandOptions report;
  CLI::App* report_command =
      app.add_subcommand("report", "Read result files and run reporters over them");
  report_command->add_option("files", report.files, "Result files written by `vmbench run`")
      ->required()
      ->type_name("RESULTS.json");
  report_command
      ->add_option("--reporter", report.reporters,
                   "Reporter and its options (repeatable; default: console on stdout)")
      ->type_name("NAME[:out=PATH,key=value...]");
  AddVerdictOptions(report_command, &report.verdicts, true);

  vmbench::cli::CompareCommandOptions compare;
  CLI::App* compare_command = app.add_subcommand(
      "compare", "Compare a candidate result file with a baseline: one verdict per benchmark");
  compare_command->add_option("baseline", compare.baseline, "The baseline result file")
      ->required()
      ->type_name("BASE.json");
  compare_command->add_option("candidate", compare.candidate, "The candidate result file")
      ->required()
      ->type_name("NEW.json");
  compare_command
      ->add_option("--reporter", compare.reporters,
                   "Reporter and its options (repeatable; default: console on stdout)")
      ->type_name("NAME[:out=PATH,key=value...]");
  AddVerdictOptions(compare_command, &compare.verdicts, false);

  vmbench::cli::WorkerCommandOptions worker;
  CLI::App* worker_command =
      app.add_subcommand("worker", "Run one benchmark for `vmbench run` (internal)");
  worker_command->group("");  // hidden from --help: users run `vmbench run`
  worker_command->add_option("--suite", worker.run.suites)->required()->expected(1);
  worker_command->add_option("--benchmark", worker.run.only_ids)->required()->expected(1);
  worker_command->add_option("--repetitions", worker.run.repetitions)->check(CLI::Range(1, 1000));
  worker_command->add_option("--min-time", worker.run.min_time_s);
  worker_command->add_option("--hypervisor", worker.run.hypervisor);
  worker_command->add_option("--cpu", worker.cpu);
  worker_command->add_option("--suite-option", worker.suite_options);
  worker_command->add_option("--out", worker.out)->required();

  vmbench::cli::ImportCommandOptions import;
  CLI::App* import_command = app.add_subcommand(
      "import", "Turn Google Benchmark or criterion output into a vmbench result file");
  import_command->add_option("format", import.format, "What SOURCE is")
      ->required()
      ->check(CLI::IsMember({"google-benchmark", "criterion"}))
      ->type_name("google-benchmark|criterion");
  import_command
      ->add_option("source", import.source,
                   "--benchmark_out JSON file, or a target/criterion folder")
      ->required()
      ->type_name("SOURCE");
  import_command->add_option("--out", import.out, "Result file to write (default: stdout)")
      ->type_name("RESULTS.json");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kExitUsage;
  }

  // Importing loads no plugin.
  if (import_command->parsed()) return vmbench::cli::Import(import, std::cout, std::cerr);
  vmbench::Registry registry;
  if (!vmbench::cli::LoadRegistry(global, std::cerr, &registry)) return kExitUsage;
  if (list->parsed()) return vmbench::cli::List(registry, what, std::cout, std::cerr);
  if (report_command->parsed()) return vmbench::cli::Report(registry, report, std::cerr);
  if (worker_command->parsed()) {
    char program[] = "vmbench";
    char* benchmark_argv[] = {program, nullptr};
    int benchmark_argc = 1;
    benchmark::Initialize(&benchmark_argc, benchmark_argv);
    return vmbench::cli::Worker(registry, worker, std::cerr);
  }
  if (compare_command->parsed()) return vmbench::cli::Compare(registry, compare, std::cerr);
  if (ab_command->parsed()) {
    ab.run.global = global;
    return vmbench::cli::Ab(registry, ab, std::cerr);
  }
  run.global = global;
  return vmbench::cli::Run(registry, run, std::cerr);
}
