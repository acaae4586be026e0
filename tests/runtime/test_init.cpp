#include <doctest/doctest.h>

#include "modelc/init.hpp"
