#!/usr/bin/python3
"""Checks .github/workflows/benchmarks.yml against the real vmbench CLI.

The workflow is a template that never runs here, so this test makes sure it would not fail on
its own account:

1. It is valid YAML with the expected shape: triggered by pull_request, every job has runs-on
   and steps, every `needs` names a job, every action is one of GitHub's own (actions/*), the
   bench matrix covers kvm, mshv3 and whp on amd and intel, and the steps that call vmbench run
   in bash.
2. Every vmbench command in it is accepted by this build's vmbench. The jobs' `run:` scripts that
   call "$VMBENCH" are executed with bash (as GitHub runs them: -eo pipefail), in job order, in
   one scratch workspace, so files flow between jobs as the artifacts would carry them.
   `${{ ... }}` expressions are replaced by plausible values (the first matrix entry; a baseline
   restored by actions/cache/restore is a real result file). "$VMBENCH" is a wrapper that runs
   each command twice with the real binary:
     a. parse: with `--strict --plugin-dir=<missing folder>` added. CLI11 parses the whole
        command line first; only when it accepts every flag and value does vmbench go on to load
        plugins and reject the missing folder. So that rejection, on stderr, proves the command
        line parsed; its absence means a usage error (a misspelled flag, a bad value);
     b. run: as written, plus a plugin folder holding the test suite `fake_calibrated`. The exit
        code must not be 2, vmbench's "usage or configuration error" (docs/cli.md): unknown
        reporter, bad reporter option, unreadable baseline, bad --fail-on verdict, and so on.
   Two values cannot be the workflow's own on this machine, and are replaced, visibly: the
   hypervisor is `emulator` (the one backend every machine has) and VMBENCH_SUITES is
   `fake_calibrated` (seconds instead of an hour); each suite VMBENCH_SUITES names must be one
   that `vmbench list suites` lists.
   Every "$VMBENCH" in a script must have run, and the script must succeed as a whole (what it
   does with vmbench's output, such as a grep, is checked too).
3. The check itself can fail: it is run once more on the workflow with one flag misspelled, and
   must report that.

Usage: check_workflow.py WORKFLOW VMBENCH FAKES_DIR GOLDEN_RESULT WORK_DIR
Exit codes: 0 pass, 1 fail, 77 skipped (no PyYAML for /usr/bin/python3).
"""

import copy
import json
import os
import re
import shutil
import subprocess
import sys

try:
    import yaml
except ImportError:
    yaml = None

SKIP = 77
BACKENDS = {"kvm", "mshv3", "whp"}
VENDORS = {"amd", "intel"}
# A vmbench invocation in a script: the workflow calls the binary through $VMBENCH only.
VMBENCH_CALL = re.compile(r'"\$VMBENCH"|"\$\{VMBENCH\}"|\$VMBENCH\b|\$\{VMBENCH\}')
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
# Stand-ins for what cannot be the workflow's own value on a test machine.
TEST_HYPERVISOR = "emulator"
TEST_SUITE = "fake_calibrated"


class CheckError(Exception):
    pass


# ---- the wrapper that stands for "$VMBENCH" -----------------------------------------------------


def wrap(args):
    """Runs one vmbench command line twice (parse check, then real run); logs both outcomes."""
    real = os.environ["CHECK_WORKFLOW_VMBENCH"]
    missing = os.environ["CHECK_WORKFLOW_MISSING_DIR"]
    parse = subprocess.run(
        [real, "--strict", "--plugin-dir=" + missing] + args, capture_output=True, text=True
    )
    record = {"argv": args, "parse_exit": parse.returncode, "parse_stderr": parse.stderr}
    # Exit 0 without loading plugins: --help or --version, which parse by definition.
    record["parsed"] = parse.returncode == 0 or (
        parse.returncode == 2 and "rejected plugin " + missing in parse.stderr
    )
    code = 2
    if record["parsed"] and parse.returncode != 0:
        plugins = os.environ["CHECK_WORKFLOW_PLUGIN_DIR"]
        run = subprocess.run(
            [real, "--plugin-dir=" + plugins] + args, capture_output=True, text=True
        )
        sys.stdout.write(run.stdout)
        sys.stderr.write(run.stderr)
        record.update(exit=run.returncode, stderr=run.stderr[-4000:])
        code = run.returncode
    elif record["parsed"]:
        code = 0
        record["exit"] = 0
    with open(os.environ["CHECK_WORKFLOW_LOG"], "a", encoding="utf-8") as log:
        log.write(json.dumps(record) + "\n")
    return code


# ---- expressions --------------------------------------------------------------------------------


def evaluate(expression, context):
    """Evaluates the subset of GitHub's expression language the vmbench steps use: property
    paths, 'string' literals and `||`. Anything else is an error, so that the test is extended
    rather than fooled."""
    for operand in expression.split("||"):
        operand = operand.strip()
        if re.fullmatch(r"'[^']*'", operand):
            value = operand[1:-1]
        elif re.fullmatch(r"[A-Za-z_][\w-]*(\.[\w-]+)*", operand):
            value = context
            for part in operand.split("."):
                if not isinstance(value, dict) or part not in value:
                    raise CheckError(f"no plausible value for ${{{{ {expression} }}}} ({operand})")
                value = value[part]
        else:
            raise CheckError(f"cannot evaluate ${{{{ {expression} }}}}: extend check_workflow.py")
        if value:
            return str(value)
    return ""


def substitute(text, context):
    return EXPRESSION.sub(lambda m: evaluate(m.group(1), context), str(text))


# ---- the workflow's shape -----------------------------------------------------------------------


def check_shape(workflow):
    problems = []
    # YAML 1.1 reads the key `on` as the boolean true.
    triggers = workflow.get("on", workflow.get(True))
    if not (triggers == "pull_request" or "pull_request" in (triggers or {})):
        problems.append("the workflow is not triggered by pull_request")
    jobs = workflow.get("jobs") or {}
    if not jobs:
        problems.append("the workflow has no jobs")
    for name, job in jobs.items():
        if "runs-on" not in job:
            problems.append(f"job {name}: no runs-on")
        if not job.get("steps"):
            problems.append(f"job {name}: no steps")
        needs = job.get("needs", [])
        for need in [needs] if isinstance(needs, str) else needs:
            if need not in jobs:
                problems.append(f"job {name}: needs unknown job {need}")
        for step in job.get("steps", []):
            uses = step.get("uses")
            if uses is not None and not re.fullmatch(r"actions/[\w.-]+(/[\w.-]+)*@[\w.-]+", uses):
                problems.append(f"job {name}: {uses} is not one of GitHub's own actions")
    for variable in ("VMBENCH", "VMBENCH_SUITES"):
        if variable not in (workflow.get("env") or {}):
            problems.append(f"the workflow-level env has no {variable} (this test overrides it)")
    bench = jobs.get("bench", {})
    entries = bench.get("strategy", {}).get("matrix", {}).get("include", [])
    platforms = {(e.get("hypervisor"), e.get("vendor")) for e in entries}
    expected = {(h, v) for h in BACKENDS for v in VENDORS}
    if platforms != expected:
        problems.append(
            f"bench matrix: {sorted(platforms, key=str)} is not every pair of {sorted(BACKENDS)} "
            f"and {sorted(VENDORS)}"
        )
    return problems


def check_suites(workflow, vmbench):
    """Every suite in VMBENCH_SUITES is one this build has (the steps run a stand-in)."""
    listing = subprocess.run([vmbench, "list", "suites"], capture_output=True, text=True)
    known = {line.split()[0] for line in listing.stdout.splitlines()[2:] if line.strip()}
    wanted = str((workflow.get("env") or {}).get("VMBENCH_SUITES", "")).split(",")
    return [
        f"VMBENCH_SUITES names suite '{name}', which `vmbench list suites` does not list"
        for name in wanted
        if name not in known
    ]


def job_order(jobs):
    """Job names, every job after the jobs it needs."""
    order = []
    def visit(name, path):
        if name in order:
            return
        if name in path:
            raise CheckError(f"jobs need each other in a cycle: {' -> '.join(path + [name])}")
        needs = jobs[name].get("needs", [])
        for need in [needs] if isinstance(needs, str) else needs:
            if need in jobs:
                visit(need, path + [name])
        order.append(name)
    for name in jobs:
        visit(name, [])
    return order


# ---- running the vmbench steps ------------------------------------------------------------------


def calls_in(script):
    return sum(
        len(VMBENCH_CALL.findall(line))
        for line in script.splitlines()
        if not line.lstrip().startswith("#")
    )


def stderr_tail(result):
    return result.stderr.strip()[-2000:] or "(nothing on stderr)"


def run_steps(workflow, setup, fail_fast=False):
    """Runs every step that calls vmbench; returns a list of problems."""
    problems = []
    jobs = workflow["jobs"]
    workspace = os.path.join(setup["work"], "workspace")
    shutil.rmtree(workspace, ignore_errors=True)
    os.makedirs(workspace)
    log = os.path.join(setup["work"], "calls.jsonl")
    if os.path.exists(log):
        os.remove(log)
    github_files = {
        name: os.path.join(setup["work"], name.lower())
        for name in ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_STEP_SUMMARY", "GITHUB_PATH")
    }
    calls_seen = 0
    ran = 0
    for job_name in job_order(jobs):
        job = jobs[job_name]
        entries = job.get("strategy", {}).get("matrix", {}).get("include", [])
        matrix = dict(entries[0]) if entries else {}
        if "hypervisor" in matrix:
            matrix["hypervisor"] = TEST_HYPERVISOR
        context = {
            "matrix": matrix,
            "github": {
                "event_name": "pull_request",
                "sha": "1" * 40,
                "repository": "owner/repo",
                "event": {"pull_request": {"number": 1, "base": {"sha": "0" * 40}}},
            },
            "runner": {"os": "Linux", "temp": setup["work"]},
            "env": {},
        }
        env = {}
        for scope in (workflow.get("env") or {}, job.get("env") or {}):
            for key, value in scope.items():
                env[key] = substitute(value, context)
            context["env"] = dict(env)
        shell = (workflow.get("defaults") or {}).get("run", {}).get("shell")
        shell = (job.get("defaults") or {}).get("run", {}).get("shell", shell)
        for index, step in enumerate(job.get("steps", [])):
            where = f"job {job_name}, step {step.get('name', index + 1)}"
            step_env = dict(env)
            for key, value in (step.get("env") or {}).items():
                step_env[key] = substitute(value, dict(context, env=step_env))
            uses = step.get("uses", "")
            if uses.startswith("actions/cache/restore@"):
                # A cache hit: the baseline is a real result file.
                path = substitute(step["with"]["path"], dict(context, env=step_env))
                target = os.path.join(workspace, path)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                shutil.copyfile(setup["golden"], target)
                continue
            script = step.get("run")
            if script is None or calls_in(script) == 0:
                continue
            if step.get("shell", shell) != "bash":
                problems.append(f"{where}: calls vmbench but does not run in bash")
                continue
            script = substitute(script, dict(context, env=step_env))
            for path in github_files.values():
                open(path, "w").close()
            process_env = {
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "HOME": setup["work"],
                "GITHUB_WORKSPACE": workspace,
                "RUNNER_TEMP": setup["work"],
                **github_files,
                **step_env,
                "VMBENCH": setup["wrapper"],
                "VMBENCH_SUITES": TEST_SUITE,
                "CHECK_WORKFLOW_VMBENCH": setup["vmbench"],
                "CHECK_WORKFLOW_MISSING_DIR": setup["missing"],
                "CHECK_WORKFLOW_PLUGIN_DIR": setup["plugins"],
                "CHECK_WORKFLOW_LOG": log,
            }
            print(f"--- {where}", flush=True)
            result = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                cwd=workspace,
                env=process_env,
                capture_output=True,
                text=True,
            )
            ran += 1
            records = []
            if os.path.exists(log):
                with open(log, encoding="utf-8") as f:
                    records = [json.loads(line) for line in f][calls_seen:]
            calls_seen += len(records)
            for record in records:
                command = "vmbench " + " ".join(record["argv"])
                print(f"    {command}\n      -> exit {record.get('exit', 2)}", flush=True)
                if not record["parsed"]:
                    problems.append(
                        f"{where}: the CLI rejects `{command}`:\n{record['parse_stderr'].strip()}"
                    )
                elif record.get("exit") == 2:
                    problems.append(
                        f"{where}: usage or configuration error (exit 2) from `{command}`:\n"
                        f"{record['stderr'].strip()}"
                    )
            expected = calls_in(script)
            if len(records) != expected:
                problems.append(
                    f"{where}: {len(records)} of its {expected} vmbench command(s) ran; the script "
                    f"stopped with exit {result.returncode}:\n{stderr_tail(result)}"
                )
            elif result.returncode != 0:
                # Whatever the script does with vmbench's output (such as grep) must work too.
                problems.append(
                    f"{where}: the script failed with exit {result.returncode}:\n"
                    f"{stderr_tail(result)}"
                )
            if problems and fail_fast:
                return problems
    if ran == 0:
        problems.append('no step calls "$VMBENCH": nothing was checked')
    return problems


def misspell_first_flag(workflow):
    """A copy of `workflow` with the first flag of the first vmbench command that has one
    misspelled."""
    broken = copy.deepcopy(workflow)
    flag_pattern = re.compile(r"--[a-z][a-z-]*")
    for job in broken["jobs"].values():
        for step in job.get("steps", []):
            script = step.get("run")
            if script is None:
                continue
            for call in VMBENCH_CALL.finditer(script):
                # The command ends at the first line break not escaped by a backslash.
                end = re.compile(r"(?<!\\)\n").search(script, call.end())
                command_end = end.start() if end else len(script)
                flag = flag_pattern.search(script, call.end(), command_end)
                if flag:
                    step["run"] = script[: flag.end()] + "x" + script[flag.end() :]
                    return broken, flag.group(0)
    raise CheckError("no vmbench command with a flag to misspell")


def main(argv):
    if argv and argv[0] == "wrap":
        return wrap(argv[1:])
    if len(argv) != 5:
        print(__doc__, file=sys.stderr)
        return 1
    workflow_path, vmbench, fakes_dir, golden, work = argv
    if yaml is None:
        print("SKIPPED: /usr/bin/python3 cannot import yaml: install Debian's python3-yaml "
              "(tools/install-deps.sh)")
        return SKIP
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    plugins = os.path.join(work, "plugins")
    os.makedirs(plugins)
    fake = f"libvmbench_suite_{TEST_SUITE}.so"
    os.symlink(os.path.join(fakes_dir, fake), os.path.join(plugins, fake))
    wrapper = os.path.join(work, "vmbench-wrapper")
    with open(wrapper, "w", encoding="utf-8") as f:
        f.write(f'#!/bin/sh\nexec /usr/bin/python3 {os.path.abspath(__file__)} wrap "$@"\n')
    os.chmod(wrapper, 0o755)
    setup = {
        "work": work,
        "vmbench": vmbench,
        "plugins": plugins,
        "missing": os.path.join(work, "no-such-plugin-folder"),
        "golden": golden,
        "wrapper": wrapper,
    }

    try:
        with open(workflow_path, encoding="utf-8") as f:
            workflow = yaml.safe_load(f)
        problems = check_shape(workflow) + check_suites(workflow, vmbench)
        problems += run_steps(workflow, setup)
        # Meaningful only when the workflow itself passed.
        if not problems:
            broken, flag = misspell_first_flag(workflow)
            print(f"--- self-check: the same workflow with {flag} misspelled {flag}x must fail")
            if not any("the CLI rejects" in p for p in run_steps(broken, setup, fail_fast=True)):
                problems.append(f"self-check: misspelling {flag} as {flag}x went unnoticed")
    except (CheckError, yaml.YAMLError) as e:
        problems = [str(e)]
    for problem in problems:
        print(f"FAILED: {problem}", file=sys.stderr)
    if not problems:
        print(f"{workflow_path}: valid, and every vmbench command in it is accepted")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
