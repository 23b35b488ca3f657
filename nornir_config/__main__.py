"""`python -m nornir_config` is the `communelan` command."""

from nornir_config.cli import main

main()
