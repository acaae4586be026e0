#include <doctest/doctest.h>

#include "modelc/dense.hpp"
