"""Entry point of ``python -m data_connectors.demo``; the command itself is in :mod:`.cli`."""

from data_connectors.demo.cli import main

raise SystemExit(main())
