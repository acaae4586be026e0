#include <doctest/doctest.h>

#include "modelc/conv2d.hpp"
