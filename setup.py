"""Only what pyproject.toml cannot say: the top-level ``resources/`` folder ships as the package
``yimen_resources`` (``[tool.setuptools.packages.find]`` cannot rename a folder, and a top-level
package called ``resources`` would collide in site-packages). Its sub-folders are data-only
namespace packages, listed so setuptools ships them on purpose. Everything else is in pyproject.toml.
"""

from setuptools import find_namespace_packages, find_packages, setup

RESOURCES = "yimen_resources"

setup(
    packages=[
        *find_packages(include=["desktop*", "sync*", "forms*"]),
        RESOURCES,
        *(f"{RESOURCES}.{p}" for p in find_namespace_packages(where="resources", exclude=["*__pycache__*"])),
    ],
    package_dir={RESOURCES: "resources"},
)
