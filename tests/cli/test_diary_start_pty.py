"""`backspasm start` on a terminal: an emergency stops the questions, yet the diary's first rating is a real one."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from backspasm.knowledge import load

pexpect = pytest.importorskip("pexpect")

CHOICES = r" \[yes/no/not sure\]"


def test_an_emergency_stop_still_asks_the_two_numbers_the_diary_records(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG", "COLUMNS", "LINES", "BACKSPASM_"))}
    env.update({"TERM": "dumb", "LANG": "en_US.UTF-8", "COLUMNS": "300", "LINES": "60",
                "BACKSPASM_DATA_DIR": str(tmp_path), "PYTHONIOENCODING": "utf-8"})
    child = pexpect.spawn(sys.executable, ["-m", "backspasm", "episode", "start"], env=env, encoding="utf-8", timeout=90,
                          dimensions=(60, 300))
    child.logfile_read = io.StringIO()
    child.expect("Describe what happened in your own words \\(or press Enter to skip\\): ")
    child.sendline("")
    child.expect(re.escape(load().findings["bladder_bowel_control_loss"].question) + CHOICES + ": ")
    child.sendline("yes")
    child.expect("Get help now")
    child.expect(r"Pain right now, from 0 \(none\) to 10 \(worst imaginable\)[^\n]*?: ")
    child.sendline("7/10")
    child.expect(r"How long ago did this spasm start\?[^\n]*?\): ")
    child.sendline("about a day")
    child.expect(pexpect.EOF)
    child.close()
    shown = child.logfile_read.getvalue()
    assert child.exitstatus == 0, shown[-2000:]
    assert "911" in shown
    listed = subprocess.run([sys.executable, "-m", "backspasm", "episodes", "--format", "json"], env=env,
                            capture_output=True, text=True, check=False)
    assert listed.returncode == 0, listed.stderr
    assert '"pain": 7' in listed.stdout or '"pain":7' in listed.stdout.replace(" ", ""), listed.stdout
    assert json.loads(listed.stdout)
