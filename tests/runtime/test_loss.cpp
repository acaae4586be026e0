#include <doctest/doctest.h>

#include "modelc/loss.hpp"
