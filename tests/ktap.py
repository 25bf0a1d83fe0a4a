"""Parse the KTAP that uniprobe prints on serial (version 1, one level of
subtests: suites at the top, cases indented by four spaces)."""
import re

CASE = re.compile(r"^    (ok|not ok) (\d+) ([^#\r\n]*?)\s*(?:#\s*(SKIP|TODO)\b\s*(.*))?\r?$")
SUITE = re.compile(r"^(ok|not ok) (\d+) (\S+)")
PLAN = re.compile(r"^(\s*)1\.\.(\d+)")
SUBTEST = re.compile(r"^    # Subtest: (\S+)")


def parse(text):
    """Returns dict(cases=[(suite, name, status)], suites_planned, suites_seen,
    complete, problems=[...]); status is 'pass', 'fail' or 'skip'."""
    cases, problems = [], []
    suites_planned = None
    suites_seen = 0
    suite = None
    case_plan = 0
    case_seen = 0
    started = False
    for line in text.splitlines():
        line = line.rstrip("\r")
        if line.startswith("KTAP version 1"):
            started = True
            continue
        if not started:
            continue
        m = PLAN.match(line)
        if m:
            if m.group(1):
                case_plan = int(m.group(2))
                case_seen = 0
            elif suites_planned is None:
                suites_planned = int(m.group(2))
            continue
        m = SUBTEST.match(line)
        if m:
            suite = m.group(1)
            continue
        m = CASE.match(line)
        if m:
            case_seen += 1
            status = "pass" if m.group(1) == "ok" else "fail"
            if m.group(4) == "SKIP":
                status = "skip"
            cases.append((suite, m.group(3).strip(), status))
            continue
        m = SUITE.match(line)
        if m:
            suites_seen += 1
            if case_seen != case_plan:
                problems.append("suite %s: planned %d cases, saw %d" % (m.group(3), case_plan, case_seen))
    complete = started and suites_planned is not None and suites_seen == suites_planned
    if not started:
        problems.append("no KTAP output")
    elif not complete:
        problems.append("KTAP incomplete: planned %s suites, saw %d" % (suites_planned, suites_seen))
    return dict(cases=cases, suites_planned=suites_planned, suites_seen=suites_seen,
                complete=complete, problems=problems)
