"""Drives `kipi repl` through a real pseudo-terminal, as a person at a terminal would: loads a
file with one bad definition, starts an evaluation that takes seconds on a million rows, presses
Ctrl-C, and checks that the session answers the next input with the definitions typed before.

    python3 Tests/Terminal/repl_interrupt.py KIPI_BINARY WORK_FOLDER

Prints the screen, and exits 1 with the step that failed.
"""
import os
import pty
import select
import sys
import time

kipi, work = sys.argv[1], sys.argv[2]
data = os.path.join(work, "million rows.csv")
with open(data, "w") as out:
    out.write("id,amount\n")
    out.writelines(f"{i},{i % 997}\n" for i in range(1_000_000))
formulas = os.path.join(work, "kpis.kpi")
with open(formulas, "w") as out:
    out.write("total = sum(amount)\nbroken = sum(no_such_column)\ndoubled = total * 2\n")

pid, fd = pty.fork()
if pid == 0:
    os.execv(kipi, [kipi, "repl", "--data", data, formulas])

screen = b""


def wait_for(token, seconds, since=None):
    """Waits for `token` in what the screen shows after `since` (by default, from now on)."""
    global screen
    start = len(screen) if since is None else since
    deadline = time.time() + seconds
    if token.encode() in screen[start:]:
        return True
    while time.time() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                return False
            if not chunk:
                return False
            screen += chunk
            if token.encode() in screen[start:]:
                return True
    return False


def fail(step):
    sys.stdout.write(screen.decode(errors="replace"))
    sys.stdout.write(f"\nFAILED: {step}\n")
    try:
        os.kill(pid, 9)
    except ProcessLookupError:
        pass
    sys.exit(1)


def type_line(text):
    os.write(fd, text.encode() + b"\r")


if not wait_for("kipi> ", 120, since=0):
    fail("the prompt after loading a million rows")
if b"'broken' does not fit" not in screen or b"loaded " not in screen:
    fail("the file loads its good definitions and reports the bad one once")
mark = len(screen)
type_line("let small = total / 1000")
if not wait_for("defined small", 30, since=mark):
    fail("a definition typed before the interruption")
if not wait_for("kipi> ", 10, since=mark):
    fail("the prompt after a definition")
type_line("median(amount) by id")
time.sleep(1.5)
started = time.time()
mark = len(screen)
os.write(fd, b"\x03")
if not wait_for("cancelled", 60, since=mark):
    fail("Ctrl-C cancels the evaluation")
waited = time.time() - started
if not wait_for("kipi> ", 10, since=mark):
    fail("the prompt comes back after Ctrl-C")
mark = len(screen)
type_line("doubled + small")
# The reference, computed here: doubled is twice the total, small a thousandth of it.
total = sum(i % 997 for i in range(1_000_000))
expected = f"{total * 2 + total / 1000:,.2f}"
if not wait_for(expected, 60, since=mark):
    fail(f"the session answers after Ctrl-C with the definitions kept ({expected})")
# Ctrl-D at the next prompt, once the terminal is read again.
if not wait_for("kipi> ", 10, since=screen.rfind(expected.encode())):
    fail("the prompt after the answer")
os.write(fd, b"\x04")
_, status = os.waitpid(pid, 0)
if os.waitstatus_to_exitcode(status) != 0:
    fail(f"the REPL leaves with status 0 at Ctrl-D, got {os.waitstatus_to_exitcode(status)}")
sys.stdout.write(screen.decode(errors="replace"))
sys.stdout.write(f"\nOK: cancelled {waited:.2f} s after Ctrl-C\n")
