#include <doctest/doctest.h>

#include "modelc/zeropad.hpp"
