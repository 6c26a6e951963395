"""``python -m albform``: the same entry point as the ``albform`` console script."""

from albform.cli.main import run

if __name__ == "__main__":
    run()
