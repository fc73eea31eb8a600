"""Print a pyproject.toml's [project].dependencies as a requirements file (one per line).

Used by generated images whose packages come from pyproject.toml: the dependencies are installed,
not the project itself (no build backend, no compilers). Standard library only (tomllib, 3.11+).
Exits non-zero with a message when the file has no such list of strings.
"""

import sys
import tomllib


def requirements(text: str) -> list[str]:
    data = tomllib.loads(text)
    deps = data.get("project", {}).get("dependencies") if isinstance(data.get("project"), dict) else None
    if not isinstance(deps, list) or not all(isinstance(d, str) and "\n" not in d for d in deps):
        raise ValueError("pyproject.toml has no [project] dependencies list of strings")
    return deps


if __name__ == "__main__":
    try:
        with open(sys.argv[1], encoding="utf-8") as f:
            print("\n".join(requirements(f.read())))
    except (OSError, ValueError, tomllib.TOMLDecodeError, IndexError) as exc:
        print(f"pyproject_requirements: {exc}", file=sys.stderr)
        sys.exit(1)
