import sys

from taimen.cli import main

sys.exit(main())
