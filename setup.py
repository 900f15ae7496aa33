"""Installs `npaccel-activate.pth` beside the package, so that `NPACCEL=1 python script.py`
activates npaccel at start-up (the line does nothing unless NPACCEL is set). Everything
else is in pyproject.toml."""
import os
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.editable_wheel import editable_wheel

HOOK = "npaccel-activate.pth"


class BuildWithHook(build_py):
    def run(self):
        super().run()
        self.copy_file(HOOK, os.path.join(self.build_lib, HOOK))

    def get_outputs(self, include_bytecode=1):
        return super().get_outputs(include_bytecode) + [os.path.join(self.build_lib, HOOK)]


class EditableWithHook(editable_wheel):
    # Editable wheels are assembled from this folder; the .pth must land in it too.
    def _install_namespaces(self, installation_dir, pth_prefix):
        super()._install_namespaces(installation_dir, pth_prefix)
        shutil.copy(HOOK, installation_dir)


setup(cmdclass={"build_py": BuildWithHook, "editable_wheel": EditableWithHook})
