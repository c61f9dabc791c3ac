from budge.cli import main

raise SystemExit(main())
