# SPDX-License-Identifier: MIT
"""Fixtures for the `vidgo` program's tests: the binary and a scratch directory to run in."""
import json
import os
import subprocess

import pytest


class Vidgo:
    def __init__(self, binary, cwd):
        self.binary = binary
        self.cwd = cwd

    def run(self, *args, env=None, input=None):
        full_env = dict(os.environ)
        for name in ("VIDGO_DB", "VIDGO_MAIL_DIR", "SMTP_HOST", "SMTP_PORT", "SMTP_USER",
                     "SMTP_PASSWORD", "EMAIL_FROM", "VIDGO_SMTP_TLS"):
            full_env.pop(name, None)
        full_env["VIDGO_SECRET"] = "00" * 32
        full_env.update(env or {})
        return subprocess.run([self.binary, *args], cwd=self.cwd, env=full_env,
                              capture_output=True, text=True, timeout=60, input=input)

    def json(self, *args, expect=0, env=None, input=None):
        done = self.run("--json", *args, env=env, input=input)
        assert done.returncode == expect, (done.returncode, done.stdout, done.stderr)
        return json.loads(done.stdout)


@pytest.fixture
def vidgo(tmp_path):
    binary = os.environ.get("VIDGO_BIN")
    if not binary:
        pytest.fail("VIDGO_BIN is not set (run through `meson test`)")
    return Vidgo(binary, tmp_path)
