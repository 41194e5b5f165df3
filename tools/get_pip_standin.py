"""Offline stand-in for ansible-test's downloaded get-pip script (the download host is unreachable).

ansible-test runs it inside each fresh sanity venv with pip's arguments (e.g. `pip==25.2
--disable-pip-version-check --no-setuptools --no-wheel`). ensurepip runs as a subprocess: in-process
it sets PIP_CONFIG_FILE=/dev/null and pip would lose the machine's CA/index settings.
"""

import subprocess
import sys

args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"])
subprocess.check_call([sys.executable, "-m", "pip", "install", "--upgrade", *args])
