"""`python -m modelcfg_cli`."""

from modelcfg_cli.cli import main

if __name__ == "__main__":
    main()
