"""What the check scripts share (kinesis-cbor.py, kinesis-h2.py): a failed check, and the
loop that runs checks in order, prints `ok: <check>` for each and `<name>: N checks passed`,
and on the first failure prints `FAIL: <check>: <details>` to stderr and returns 1."""
import sys


class CheckFailed(Exception):
    pass


def expect(condition, details):
    if not condition:
        raise CheckFailed(details)


def run(name, checks):
    """`checks`: (what, function) pairs; a function may return a note for its line."""
    for what, check in checks:
        try:
            note = check()
        except CheckFailed as failure:
            print(f"FAIL: {what}: {failure}", file=sys.stderr)
            return 1
        except Exception as error:
            print(f"FAIL: {what}: unexpected {type(error).__name__}: {error}", file=sys.stderr)
            return 1
        print(f"ok: {what}" + (f" ({note})" if note else ""))
    print(f"{name}: {len(checks)} checks passed")
    return 0
