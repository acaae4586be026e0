#include <doctest/doctest.h>

#include "modelc/add.hpp"
