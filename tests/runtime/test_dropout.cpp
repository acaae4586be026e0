#include <doctest/doctest.h>

#include "modelc/dropout.hpp"
