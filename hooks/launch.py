"""guardrail's hook launcher for every platform: hooks.json runs `python3 -I -S launch.py EVENT` (exec form).

All of it is in hooks/launcher.py, imported rather than run as a script so its compiled bytecode is cached: a
script is compiled afresh on every start, which costs milliseconds on every hook call."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from launcher import main  # noqa: E402

main()
