from media_worker.main import main

raise SystemExit(main())
