"""What pyproject.toml cannot say: the top-level resources/ folder ships inside the package.

A wheel carries it as intake_app/resources/ (intake_app.paths reads it there, or from the
checkout's resources/ when running from source). Its files are listed in pyproject.toml's
package-data; everything else is there too.
"""

from setuptools import find_namespace_packages, setup

RESOURCES = "intake_app.resources"

setup(
    # Namespace packages too: migrations/ and resources' sub-folders hold files, not __init__.
    packages=[
        *find_namespace_packages(include=["intake_app", "intake_app.*"], exclude=["*__pycache__"]),
        RESOURCES,
        *(f"{RESOURCES}.{name}" for name in find_namespace_packages(where="resources")),
    ],
    package_dir={RESOURCES: "resources"},
)
