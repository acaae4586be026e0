#include <doctest/doctest.h>

#include "modelc/avgpool.hpp"
