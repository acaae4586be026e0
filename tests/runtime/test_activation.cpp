#include <doctest/doctest.h>

#include "modelc/activation.hpp"
