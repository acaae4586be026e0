#include <doctest/doctest.h>

#include "modelc/concat.hpp"
