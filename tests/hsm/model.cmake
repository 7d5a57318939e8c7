# Object model tests
