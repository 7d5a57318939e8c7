# Engine tests
