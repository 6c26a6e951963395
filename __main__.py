"""``python -m albform``: the same entry point as the ``albform`` console script."""

from albform.cli.main import main

if __name__ == "__main__":
    main()
