#include <doctest/doctest.h>

#include "modelc/maxpool.hpp"
