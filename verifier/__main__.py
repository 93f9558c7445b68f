import sys

from verifier.cli import main

# Guarded so that a process started with multiprocessing's "spawn" does not run the CLI again.
if __name__ == "__main__":
    sys.exit(main())
