# SPDX-License-Identifier: MIT
"""Build hook: ship the cffi declarations generated from the headers next to this checkout
(vidgo/_cdef_bundled.h), a fallback for hosts without headers or a C preprocessor at run
time. Everything else is in pyproject.toml."""
import importlib.util
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


def _cdef_module():
    spec = importlib.util.spec_from_file_location("_vidgo_cdef", HERE / "vidgo" / "_cdef.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class BuildPy(build_py):
    def run(self):
        super().run()
        cdef = _cdef_module()
        include = next((d for d in [HERE.parent.parent / "include", *cdef.include_candidates()]
                        if (d / "vidgo" / "vidgo.h").is_file()), None)
        target = Path(self.build_lib) / "vidgo" / "_cdef_bundled.h"
        if include is None:
            print("vidgo: no libvidgo headers found; the declarations will be generated at "
                  "import time")
            return
        try:
            target.write_text(cdef.generate(include))
            print(f"vidgo: bundled the declarations of {include}/vidgo/vidgo.h")
        except Exception as exc:  # noqa: BLE001 - the bundle is only a fallback
            print(f"vidgo: could not bundle the declarations ({exc}); they will be generated "
                  "at import time")


setup(cmdclass={"build_py": BuildPy})
