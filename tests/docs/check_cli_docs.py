#!/usr/bin/python3
"""Checks docs/cli.md against what `vmbench --help` and `vmbench SUBCOMMAND --help` print.

Every subcommand listed by `vmbench --help` has a section (a heading starting with
`vmbench SUBCOMMAND`), and every flag (long and short, but -h) and every choice of a positional
argument (such as `list hypervisors`) that a help text prints appears in the page. The other way
round, every --flag the page mentions exists in some command (the hidden `worker` included), so a
removed or renamed flag cannot linger in the docs; flags of other programs are listed in
FOREIGN_FLAGS.

Usage: check_cli_docs.py VMBENCH CLI_MD
"""

import re
import subprocess
import sys

# Flags the page mentions that belong to other programs.
FOREIGN_FLAGS = {
    "--benchmark_out",  # Google Benchmark's output file, the input of `vmbench import`
}
# The internal command the orchestrator runs; not in `vmbench --help`, not a user's command.
HIDDEN_SUBCOMMANDS = ["worker"]


def help_text(vmbench, args):
    result = subprocess.run([vmbench, *args, "--help"], capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"`vmbench {' '.join(args)} --help` exited with {result.returncode}:\n"
                         f"{result.stderr}")
    return result.stdout


def parse_help(text):
    """Returns (flags, subcommands, choices) of one CLI11 help text."""
    flags, subcommands, choices = [], [], []
    section = None
    for line in text.splitlines():
        heading = re.fullmatch(r"(\w+):", line)
        if heading:
            section = heading.group(1)
            continue
        # Entries are indented by two spaces; wrapped descriptions by more.
        entry = re.match(r"  (\S+)", line)
        if not entry:
            continue
        if section == "Options":
            flags += [name for name in entry.group(1).split(",") if name.startswith("-")]
        elif section == "Subcommands":
            subcommands.append(entry.group(1))
        elif section == "Positionals":
            listed = re.search(r"\{([^}]*)\}", line)
            if listed:
                choices += listed.group(1).split(",")
    return flags, subcommands, choices


def mentioned(word, doc):
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", doc) is not None


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 1
    vmbench, doc_path = argv
    with open(doc_path, encoding="utf-8") as f:
        doc = f.read()

    problems = []
    top_flags, subcommands, _ = parse_help(help_text(vmbench, []))
    if not subcommands:
        problems.append("`vmbench --help` lists no subcommand: the help format changed?")
    all_flags = set(top_flags)
    commands = [("vmbench", top_flags, [])]
    for sub in subcommands:
        flags, _, choices = parse_help(help_text(vmbench, [sub]))
        commands.append((f"vmbench {sub}", flags, choices))
        all_flags.update(flags)
        if not re.search(rf"^#+ `vmbench {re.escape(sub)}\b", doc, re.MULTILINE):
            problems.append(f"no section (heading `vmbench {sub} ...`) for subcommand {sub}")
    for hidden in HIDDEN_SUBCOMMANDS:
        all_flags.update(parse_help(help_text(vmbench, [hidden]))[0])

    checked = 0
    for command, flags, choices in commands:
        for word in flags + choices:
            if word == "-h":
                continue
            checked += 1
            if not mentioned(word, doc):
                kind = "flag" if word.startswith("-") else "choice"
                problems.append(f"`{command} --help` prints {kind} {word}, which {doc_path} "
                                "does not mention")

    for flag in sorted(set(re.findall(r"(?<![\w-])--[a-z][\w-]*", doc))):
        if flag not in all_flags and flag not in FOREIGN_FLAGS:
            problems.append(f"{doc_path} mentions {flag}, which no vmbench command has")

    for problem in problems:
        print(f"FAILED: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"{doc_path}: documents all {checked} flags and choices of {len(commands)} help texts")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
