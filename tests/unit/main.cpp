// doctest's runner; every TEST_CASE in tests/unit/ is also a CTest test (doctest_discover_tests).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
