from tradeterm.cli import main

raise SystemExit(main())
