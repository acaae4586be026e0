#include <doctest/doctest.h>

#include "modelc/lrn.hpp"
