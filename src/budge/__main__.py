from budge.cli.main import main

raise SystemExit(main())
