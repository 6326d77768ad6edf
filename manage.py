#!/usr/bin/env python
import sys

from steward.cli import main

if __name__ == "__main__":
    main(sys.argv[1:])
